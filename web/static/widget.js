/* Clinic chat widget, English and French: vanilla JS, no dependencies, no third-party requests.
 * <script src="/static/widget.js" defer></script>; text as text nodes. See web/README-widget.md. */
(function () {
  "use strict";
  if (window.ClinicChat) return;

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var src = new URL(script ? script.src : "/static/widget.js", location.href);
  var opts = (script && script.dataset) || {};
  var API = new URL("/api/chat", src).href;
  var NEW_API = new URL("/api/chat/new", src).href;
  var CONVERSATION_HEADER = "X-Conversation-Id"; // who answered
  /* Every text shown or announced; non-ASCII as \u escapes (served without a charset).
     data-title(-fr), data-greeting(-fr): the page's own (a title in English only is a name). */
  var TEXTS = {
    en: {
      title: opts.title || "Clinic assistant",
      greeting: opts.greeting ||
        "Hello! I can answer questions about medical needling and help you ask for a consultation.",
      starters: ["What is medical needling?", "Does it hurt?", "I want to book a consultation"],
      open: "Open chat with the clinic assistant", chat: "Chat", langs: "Language",
      sub: "Virtual assistant \u00b7 ",
      about: "About this assistant", close: "Close chat",
      note: "This is a virtual assistant. It gives general information, not medical advice. " +
        "For advice about your own health, talk to the clinic's staff.",
      log: "Conversation with the clinic assistant",
      typing: "The assistant is typing",
      slow: "Still working\u2026", retry: "Retry",
      label: "Your message to the clinic assistant",
      placeholder: "Type your question\u2026", send: "Send",
      talk: "Talk to someone at the clinic",
      talkSays: "I'd like to talk to someone at the clinic",
      clear: "Clear chat",
      ask: "Clear this conversation? It can't be undone.",
      keep: "Keep it", you: "You: ", bot: "Assistant: ",
      noAnswer: "Sorry, I don't have an answer to that. Could you rephrase your question?",
      one: "Your message may not have been delivered: ",
      many: "# messages may not have been delivered: ",
      unreachable: "the assistant can't be reached right now.",
      unanswered: "the assistant could not answer just now.",
      mayNot: "May not have been delivered",
      tooFast: "You're sending messages faster than I can read them. Sending again in ",
      soon: "a moment",
      restarted: "A new conversation started here: the assistant doesn't see the messages above.",
      emergency: "Emergency", warning: "Warning sign"
    },
    fr: {
      title: opts.titleFr || opts.title || "Assistant virtuel",
      greeting: opts.greetingFr || "Bonjour! Je peux r\u00e9pondre \u00e0 vos questions sur le micro-aiguilletage " +
        "m\u00e9dical et vous aider \u00e0 demander une consultation.",
      starters: ["Qu'est-ce que le micro-aiguilletage m\u00e9dical?", "Est-ce que \u00e7a fait mal?",
        "J'aimerais prendre rendez-vous pour une consultation"],
      open: "Ouvrir le clavardage avec l'assistant de la clinique",
      chat: "Clavarder", langs: "Langue",
      sub: "",
      about: "\u00c0 propos de cet assistant",
      close: "Fermer le clavardage",
      note: "Ceci est un assistant virtuel. Il donne de l'information g\u00e9n\u00e9rale, pas des " +
        "conseils m\u00e9dicaux. Pour un conseil sur votre sant\u00e9, parlez au personnel de la clinique.",
      log: "Conversation avec l'assistant de la clinique",
      typing: "L'assistant \u00e9crit",
      slow: "Encore un instant\u2026", retry: "R\u00e9essayer",
      label: "Votre message \u00e0 l'assistant de la clinique",
      placeholder: "\u00c9crivez votre question\u2026",
      send: "Envoyer",
      talk: "Parler \u00e0 quelqu'un de la clinique",
      talkSays: "J'aimerais parler \u00e0 quelqu'un de la clinique",
      clear: "Effacer la conversation",
      ask: "Effacer cette conversation? Vous ne pourrez pas la r\u00e9cup\u00e9rer.",
      keep: "La garder", you: "Vous\u00a0: ", bot: "Assistant\u00a0: ",
      noAnswer: "D\u00e9sol\u00e9, je n'ai pas de r\u00e9ponse \u00e0 cela. Pourriez-vous reformuler votre question?",
      one: "Votre message n'a peut-\u00eatre pas \u00e9t\u00e9 transmis\u00a0: ",
      many: "# messages n'ont peut-\u00eatre pas \u00e9t\u00e9 transmis\u00a0: ",
      unreachable: "l'assistant est injoignable pour le moment.",
      unanswered: "l'assistant n'a pas pu r\u00e9pondre pour le moment.",
      mayNot: "N'a peut-\u00eatre pas \u00e9t\u00e9 transmis",
      tooFast: "Vous envoyez des messages plus vite que je peux les lire. Nouvel envoi dans ",
      soon: "un instant",
      restarted: "Une nouvelle conversation commence ici\u00a0: l'assistant ne voit pas les messages ci-dessus.",
      emergency: "Urgence", warning: "Signe d'alerte"
    }
  };
  var ALERT_RE = /^(emergency|warning)$/;
  var KEY = "clinicChat.";
  var KEEP = 200; // messages kept in localStorage
  var TIMEOUT_MS = 20000; // the server gives up on Rasa after 15 s
  var SLOW_MS = 5000; // then "Still working…": the dots alone look stuck
  var WAIT_S = 10; // a 429 without Retry-After
  var SENDER_RE = /^[A-Za-z0-9_-]{16,64}$/;
  var MESSAGE_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;
  var LINK_RE = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|https?:\/\/[^\s<>"]+/g;
  var PHONE_RE = /\+?\(?\d[\d ().-]{5,}\d|\b911\b/g;

  /* ---- storage (if off: the chat lasts as long as the page) ---- */
  var store = {
    get: function (k) { try { return localStorage.getItem(KEY + k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(KEY + k, v); } catch (e) { /* full or off */ } },
    del: function (k) { try { localStorage.removeItem(KEY + k); } catch (e) { /* off */ } }
  };

  var sender = store.get("sender");
  if (!SENDER_RE.test(sender || "")) sender = null;

  /* The visitor's last choice, else a French page's, else the browser's; only a choice is sent. */
  var chosen = store.get("lang");
  if (!/^(en|fr)$/.test(chosen || "")) chosen = /^fr/i.test(document.documentElement.lang) ? "fr" : null;
  var lang = chosen || (/^fr/i.test(navigator.language || "") ? "fr" : "en");
  var T = TEXTS[lang];

  var history = [];
  try { history = JSON.parse(store.get("history") || "[]"); } catch (e) { history = []; }
  if (!Array.isArray(history)) history = [];
  history = history.filter(function (m) {
    return m && typeof m.text === "string" && /^(user|bot|note)$/.test(m.from);
  });
  history.forEach(function (m) { if (m.state === "pending") m.state = "failed"; });

  /* The reading place: a message counted from the end, and pixels into it. */
  var anchor = null;
  try { anchor = JSON.parse(store.get("scroll") || "null"); } catch (e) { anchor = null; }

  function save() {
    if (history.length > KEEP) history = history.slice(-KEEP);
    store.set("history", JSON.stringify(history));
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function button(cls, text) {
    var b = el("button", cls, text);
    b.type = "button";
    return b;
  }
  function srOnly(text) { return el("span", "cw-sr", text); }
  // [node, key in T, attribute or its text], set by setLang()
  var labelled = [];
  function tr(node, key, attr) { labelled.push([node, key, attr]); return node; }
  function icon(d) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
    return svg;
  }
  function link(text, href) {
    var a = el("a", null, text);
    a.href = href;
    return a;
  }

  function addPlain(parent, text, phones) {
    var last = 0, m;
    PHONE_RE.lastIndex = 0;
    while (phones && (m = PHONE_RE.exec(text))) {
      var digits = m[0].replace(/[^\d+]/g, "");
      if (m[0] !== "911" && (!/^\+?\d{7,15}$/.test(digits) || /^\d{4}-\d\d-\d\d$/.test(m[0]))) continue;
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      parent.appendChild(link(m[0], "tel:" + digits));
      last = PHONE_RE.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function addText(parent, text, phones) {
    var last = 0, m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(text))) {
      var url = m[2] || m[0], label = m[1] || null, end = LINK_RE.lastIndex;
      if (!m[2]) {
        var trail = /[.,;:!?'")\]]+$/.exec(url);
        if (trail) { url = url.slice(0, -trail[0].length); end -= trail[0].length; LINK_RE.lastIndex = end; }
      }
      addPlain(parent, text.slice(last, m.index), phones);
      var a = link(label || url, url);
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
      parent.appendChild(a);
      last = end;
    }
    addPlain(parent, text.slice(last), phones);
  }

  function timeText(ts) {
    var d = new Date(ts), now = new Date();
    var loc = (navigator.language || "").indexOf(lang) ? lang + "-CA" : [];
    var t = d.toLocaleTimeString(loc, { hour: "numeric", minute: "2-digit" });
    return d.toDateString() === now.toDateString() ? t
      : d.toLocaleDateString(loc, { month: "short", day: "numeric" }) + ", " + t;
  }

  /* ---- the DOM, in a shadow root ---- */
  var host = el("div");
  host.id = "clinic-chat-widget";
  host.hidden = true; // shown once its stylesheet has loaded
  var root = host.attachShadow({ mode: "open" });
  var sheet = el("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("widget.css", src).href;
  sheet.onload = sheet.onerror = function () { host.hidden = false; if (!panel.hidden) restore(); };
  root.appendChild(sheet);

  var launcher = tr(button("cw-launcher"), "open", "aria-label");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "cw-panel");
  launcher.appendChild(icon("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"));
  launcher.appendChild(tr(el("span"), "chat"));

  var panel = el("div", "cw-panel");
  panel.id = "cw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "cw-title");

  var head = el("div", "cw-head");
  var titles = el("div", "cw-titles");
  var titleRow = el("div", "cw-top");
  var h = tr(el("h2", "cw-title"), "title");
  h.id = "cw-title";
  var langs = tr(el("div", "cw-langs"), "langs", "aria-label");
  langs.setAttribute("role", "group");
  var langBtns = { en: button(null, "English"), fr: button(null, "Fran\u00e7ais") };
  Object.keys(langBtns).forEach(function (k) {
    langBtns[k].lang = k;
    langBtns[k].addEventListener("click", function () { chosen = k; store.set("lang", k); setLang(k); });
    langs.appendChild(langBtns[k]);
  });
  titleRow.appendChild(h);
  titleRow.appendChild(langs);
  titles.appendChild(titleRow);
  var sub = el("p", "cw-subtitle");
  sub.appendChild(tr(document.createTextNode(""), "sub"));
  var aboutBtn = tr(button("cw-about"), "about");
  aboutBtn.setAttribute("aria-controls", "cw-note");
  sub.appendChild(aboutBtn);
  titles.appendChild(sub);
  var closeBtn = tr(button("cw-close", "\u00d7"), "close", "aria-label");
  head.appendChild(titles);
  head.appendChild(closeBtn);

  var note = tr(el("p", "cw-note"), "note");
  note.id = "cw-note";

  var scroller = el("div", "cw-scroll");
  // Focusable: a long answer scrolls from the keyboard.
  scroller.tabIndex = 0;
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-label", "Messages");
  var log = tr(el("div", "cw-log"), "log", "aria-label");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "cw-typing");
  typing.setAttribute("role", "status");
  typing.hidden = true;
  typing.appendChild(tr(srOnly(), "typing"));
  for (var i = 0; i < 3; i++) typing.appendChild(el("span", "cw-dot"));
  var slow = tr(el("span", "cw-slow"), "slow");
  slow.hidden = true;
  typing.appendChild(slow);
  scroller.appendChild(log);
  scroller.appendChild(typing);

  /* Outside the log: always in sight. */
  var bar = el("div", "cw-bar");
  bar.setAttribute("role", "status");
  var barText = el("p");
  /* The seconds are seen, not read out; a screen reader hears "in a moment". */
  var countdown = el("span");
  countdown.setAttribute("aria-hidden", "true");
  var retryBtn = tr(button("cw-retry"), "retry");
  bar.appendChild(barText);
  bar.appendChild(retryBtn);

  var form = el("form", "cw-form");
  var label = tr(el("label", "cw-sr"), "label");
  label.htmlFor = "cw-input";
  var input = el("textarea", "cw-input");
  input.id = "cw-input";
  input.rows = 1;
  input.maxLength = 1000;
  tr(input, "placeholder", "placeholder");
  input.setAttribute("autocomplete", "off");
  var sendBtn = tr(el("button", "cw-send"), "send");
  sendBtn.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendBtn);

  var foot = el("div", "cw-foot");
  var talkBtn = tr(button("cw-talk"), "talk");
  var clearBtn = tr(button("cw-clear"), "clear");
  var confirmBox = el("div", "cw-confirm");
  confirmBox.setAttribute("role", "group");
  confirmBox.setAttribute("aria-labelledby", "cw-confirm-q");
  var question = tr(el("p"), "ask");
  question.id = "cw-confirm-q";
  var yesBtn = tr(button("cw-yes"), "clear");
  var noBtn = tr(button("cw-no"), "keep");
  [question, yesBtn, noBtn].forEach(function (n) { confirmBox.appendChild(n); });
  confirmBox.hidden = true;
  [talkBtn, clearBtn, confirmBox].forEach(function (n) { foot.appendChild(n); });

  [head, note, scroller, bar, form, foot].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(launcher);
  root.appendChild(panel);

  /* ---- rendering ---- */
  var rows = new Map(); // history entry -> its row

  function showNote(on) {
    note.hidden = !on;
    aboutBtn.setAttribute("aria-expanded", String(on));
  }

  function quickReplies(list, active) {
    var box = el("div", "cw-buttons");
    list.forEach(function (b) {
      var q = button("cw-qr", b.title);
      q.disabled = !active;
      q.addEventListener("click", function () {
        if (q.disabled) return;
        send(b.payload, b.title);
        input.focus();
      });
      box.appendChild(q);
    });
    return box;
  }

  /* `live`: just arrived (its quick replies work; an alert is announced). */
  function renderEntry(m, live) {
    if (m.from === "note") return el("p", "cw-divider", m.text);
    var row = el("div", "cw-msg cw-" + m.from);
    row.appendChild(srOnly(m.from === "user" ? T.you : T.bot));
    var bubble = el("div", "cw-bubble");
    var alert = m.from === "bot" && ALERT_RE.test(m.alert) && T[m.alert];
    if (alert) {
      row.classList.add("cw-alert", "cw-" + m.alert);
      if (live) bubble.setAttribute("role", "alert");
      var tag = el("strong", "cw-alert-tag");
      tag.appendChild(icon("M12 2 1 21h22L12 2zm-1 7h2v6h-2V9zm0 8h2v2h-2v-2z"));
      tag.appendChild(document.createTextNode(alert));
      bubble.appendChild(tag);
    }
    addText(bubble, m.text, m.from === "bot");
    if (m.text) row.appendChild(bubble);
    if (m.buttons && m.buttons.length) row.appendChild(quickReplies(m.buttons, live));
    var time = el("time", "cw-time", timeText(m.ts));
    time.dateTime = new Date(m.ts).toISOString();
    row.appendChild(time);
    applyState(row, m);
    return row;
  }

  /* Pending / failed, changed in place so screen readers hear only what is new. */
  function applyState(row, m) {
    row.classList.toggle("cw-pending", m.state === "pending");
    row.classList.toggle("cw-failed", m.state === "failed");
    var old = row.querySelector(".cw-fail");
    if (old) row.removeChild(old);
    if (m.state === "failed") row.appendChild(el("p", "cw-fail", T.mayNot));
  }

  function append(m, live) {
    var row = renderEntry(m, live);
    rows.set(m, row);
    log.appendChild(row);
    return row;
  }

  function update(m) {
    var row = rows.get(m);
    if (row) applyState(row, m);
  }

  function intro() {
    var row = el("div", "cw-msg cw-bot");
    row.appendChild(srOnly(T.bot));
    row.appendChild(el("div", "cw-bubble", T.greeting));
    if (!history.length) {
      row.appendChild(quickReplies(T.starters.map(function (s) { return { title: s, payload: s }; }), true));
    }
    return row;
  }

  /* Messages in the log stay as they were. */
  function setLang(k) {
    T = TEXTS[lang = k];
    panel.lang = launcher.lang = k;
    for (var x in langBtns) langBtns[x].setAttribute("aria-pressed", String(x === k));
    labelled.forEach(function (l) {
      if (l[2]) l[0].setAttribute(l[2], T[l[1]]); else l[0].textContent = T[l[1]];
    });
    if (log.firstChild) log.replaceChild(intro(), log.firstChild);
    status();
  }

  function renderAll() {
    rows.clear();
    log.textContent = "";
    log.appendChild(intro());
    var lastUser = -1;
    history.forEach(function (m, i) { if (m.from === "user") lastUser = i; });
    history.forEach(function (m, i) { append(m, i > lastUser); });
    showNote(!history.some(function (m) { return m.from === "bot"; }));
    status();
  }

  function disableQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".cw-qr"), function (b) { b.disabled = true; });
  }

  /* ---- scrolling: an answer from its start; a reload back where one was ---- */
  function keepAnchor(a) {
    anchor = a;
    store.set("scroll", JSON.stringify(a));
  }

  function remember() {
    if (panel.hidden || host.hidden) return;
    var top = scroller.scrollTop;
    if (top + scroller.clientHeight >= scroller.scrollHeight - 4) return keepAnchor({ end: 1 });
    for (var i = 0; i < history.length; i++) {
      var row = rows.get(history[i]);
      if (row && row.offsetTop + row.offsetHeight > top) {
        return keepAnchor({ back: history.length - i, o: top - row.offsetTop });
      }
    }
  }

  function restore() {
    var row = anchor && anchor.back ? rows.get(history[history.length - anchor.back]) : null;
    scroller.scrollTop = row ? row.offsetTop + (anchor.o || 0) : scroller.scrollHeight;
  }

  function scrollDown() { keepAnchor({ end: 1 }); restore(); }

  function scrollToTurn(m) {
    keepAnchor({ back: history.length - history.indexOf(m), o: -8 });
    restore();
  }

  var remembering = 0;
  scroller.addEventListener("scroll", function () {
    clearTimeout(remembering);
    remembering = setTimeout(remember, 100);
  });

  /* ---- talking to the server ---- */
  var outbox = []; // to send, oldest first; the first may be in flight
  var busy = false; // one in flight at a time, so answers stay in order
  var waitUntil = 0; // rate limited: nothing sent before (ms)
  var timers = {};
  var generation = 0; // bumped by "Clear chat": late answers are then dropped
  var ready = Promise.resolve(); // a conversation "Clear chat" asked for

  /* Resolves to {data, id} (id: the conversation that answered). */
  function request(url, body, ctl) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin", // the conversation's key is a cookie
      cache: "no-store",
      signal: ctl ? ctl.signal : undefined
    }).then(function (r) {
      if (!r.ok) {
        var err = new Error("HTTP " + r.status);
        err.why = r.status === 429 ? "busy" : r.status === 502 ? "unanswered" : "unreachable";
        err.wait = parseInt(r.headers.get("Retry-After"), 10) || WAIT_S;
        throw err;
      }
      return r.json().then(function (data) { return { data: data, id: r.headers.get(CONVERSATION_HEADER) }; });
    });
  }

  function newConversation(gen, ctl) {
    return request(NEW_API, {}, ctl).then(function (r) {
      var id = r.data && r.data.sender;
      if (!SENDER_RE.test(id || "")) throw new Error("bad answer");
      if (gen === generation) { sender = id; store.set("sender", id); }
      return id;
    });
  }

  function newMessageId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  /* Abandoned after TIMEOUT_MS so the outbox never hangs. */
  function post(m, gen) {
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctl) ctl.abort(); }, TIMEOUT_MS);
    return ready.then(function () {
      return sender || newConversation(gen, ctl);
    }).then(function (id) {
      var body = { sender: id, message: m.payload || m.text, message_id: m.mid };
      if (chosen) body.language = chosen;
      return request(API, body, ctl);
    }).then(function (r) {
      clearTimeout(timer);
      if (!Array.isArray(r.data)) throw new Error("bad answer");
      return r;
    }, function (err) { clearTimeout(timer); throw err; });
  }

  /* Answered in another conversation: the cookie expired or was cleared, or another tab's. */
  function follow(id, m) {
    if (!SENDER_RE.test(id || "") || id === sender) return;
    sender = id;
    store.set("sender", id);
    var at = history.indexOf(m);
    if (at < 1) return; // nothing earlier to set apart
    var divider = { from: "note", text: T.restarted, ts: Date.now() };
    history.splice(at, 0, divider);
    var row = renderEntry(divider);
    rows.set(divider, row);
    log.insertBefore(row, rows.get(m) || null);
  }

  function status() {
    typing.hidden = !busy;
    var failed = history.filter(function (m) { return m.state === "failed"; });
    var wait = Math.ceil((waitUntil - Date.now()) / 1000);
    barText.textContent = "";
    retryBtn.hidden = true;
    if (waitUntil) {
      countdown.textContent = wait + " s";
      [document.createTextNode(T.tooFast), countdown, srOnly(T.soon), document.createTextNode(".")]
        .forEach(function (n) { barText.appendChild(n); });
    } else if (failed.length && !busy) {
      barText.textContent = (failed.length > 1 ? T.many.replace("#", failed.length) : T.one) +
        T[failed[failed.length - 1].why === "unanswered" ? "unanswered" : "unreachable"];
      retryBtn.hidden = false;
    }
    bar.hidden = !barText.textContent;
    bar.classList.toggle("cw-wait", !!waitUntil);
    if (anchor && anchor.end && !panel.hidden) restore(); // the bar must not cover the last message
  }

  function tick() {
    clearTimeout(timers.wait);
    var left = waitUntil - Date.now();
    if (left <= 0) { waitUntil = 0; pump(); return; }
    countdown.textContent = Math.ceil(left / 1000) + " s";
    timers.wait = setTimeout(tick, left % 1000 || 1000);
  }

  /* In order. Rate limited: waits as asked, then goes on. Failed: it and all after it wait for
     one Retry. */
  function pump() {
    if (busy || waitUntil || !outbox.length) { status(); return; }
    var m = outbox[0], gen = generation;
    busy = true;
    status();
    timers.slow = setTimeout(function () { slow.hidden = false; }, SLOW_MS);
    post(m, gen).then(function (answer) {
      if (gen !== generation) return;
      outbox.shift();
      delivered(m, answer);
    }, function (err) {
      if (gen !== generation) return;
      if (err && err.why === "busy") {
        waitUntil = Date.now() + Math.min(err.wait, 300) * 1000;
        return;
      }
      outbox.forEach(function (q) { q.state = "failed"; q.why = (err && err.why) || "unreachable"; update(q); });
      outbox = [];
      save();
    }).then(function () {
      if (gen !== generation) return;
      busy = false;
      clearTimeout(timers.slow);
      slow.hidden = true;
      if (waitUntil) { status(); tick(); } else pump();
    });
  }

  function delivered(m, answer) {
    follow(answer.id, m);
    delete m.state;
    delete m.why;
    update(m);
    var firstAnswer = !history.some(function (x) { return x.from === "bot"; });
    var first = null;
    answer.data.forEach(function (r) {
      var buttons = Array.isArray(r.buttons) ? r.buttons.filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      }).map(function (b) { return { title: b.title, payload: b.payload }; }) : [];
      var text = typeof r.text === "string" ? r.text : "";
      if (!text && !buttons.length) return; // images, custom payloads: not shown
      var bot = { from: "bot", text: text, ts: Date.now() };
      if (buttons.length) bot.buttons = buttons;
      if (ALERT_RE.test(r.alert)) bot.alert = r.alert;
      history.push(bot);
      append(bot, true);
      first = first || bot;
    });
    if (!first) { // never leave the visitor without a reply
      first = { from: "bot", text: T.noAnswer, ts: Date.now() };
      history.push(first);
      append(first, true);
    }
    if (firstAnswer) showNote(false); // read: fold it away
    save();
    scrollToTurn(first);
  }

  function enqueue(list) {
    list.forEach(function (m) {
      // Its own id, sent again on Retry: a message already stored is not stored twice.
      if (!MESSAGE_ID_RE.test(m.mid || "")) m.mid = newMessageId();
      m.state = "pending";
      delete m.why;
      update(m);
      if (outbox.indexOf(m) < 0) outbox.push(m);
    });
    save();
    pump();
  }

  function failedOnes() { return history.filter(function (m) { return m.state === "failed"; }); }

  /* After any failed ones, so answers stay in order. */
  function send(text, title) {
    var m = { from: "user", text: title || text, ts: Date.now() };
    if (title && title !== text) m.payload = text;
    disableQuickReplies();
    history.push(m);
    append(m, false);
    enqueue(failedOnes().concat([m]));
    scrollDown();
  }

  retryBtn.addEventListener("click", function () { enqueue(failedOnes()); input.focus(); });

  /* ---- opening, closing, keyboard ---- */
  var phone = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    store.set("open", "1");
    restore();
    if (focus !== false) input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    store.del("open");
    launcher.focus();
  }

  function confirming(on) {
    confirmBox.hidden = !on;
    talkBtn.hidden = clearBtn.hidden = on;
    (on ? noBtn : clearBtn).focus();
  }

  launcher.addEventListener("click", function () { open(true); });
  closeBtn.addEventListener("click", close);
  aboutBtn.addEventListener("click", function () { showNote(note.hidden); });
  talkBtn.addEventListener("click", function () { send(T.talkSays); input.focus(); });
  clearBtn.addEventListener("click", function () { confirming(true); });
  noBtn.addEventListener("click", function () { confirming(false); });
  /* A new conversation at once (shared computers): the old one is out of reach. */
  yesBtn.addEventListener("click", function () {
    var gen = ++generation;
    history = [];
    outbox = [];
    busy = false;
    waitUntil = 0;
    clearTimeout(timers.wait);
    clearTimeout(timers.slow);
    slow.hidden = true;
    save();
    sender = null;
    store.del("sender");
    store.del("scroll");
    anchor = null;
    renderAll();
    ready = newConversation(gen).catch(function () {});
    confirming(false);
    input.focus();
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    grow();
    send(text);
  });

  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else sendBtn.click();
    }
  });

  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }
  input.addEventListener("input", grow);

  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      if (!confirmBox.hidden) confirming(false); else close();
      return;
    }
    if (e.key === "Tab" && phone.matches) { // full screen on a phone: keep focus inside
      var items = Array.prototype.filter.call(
        panel.querySelectorAll("button, textarea, a[href]"),
        function (n) { return !n.disabled && n.getClientRects().length; });
      var first = items[0], last = items[items.length - 1], active = root.activeElement;
      if (e.shiftKey && active === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && active === last) { e.preventDefault(); first.focus(); }
    }
  });

  renderAll();
  setLang(lang);
  (document.body || document.documentElement).appendChild(host);
  if (store.get("open")) open(false);

  window.ClinicChat = { open: open, close: close };
})();
