/* Clinic chat widget: vanilla JS, no dependencies, no third-party requests.
 * Embed: <script src="/static/widget.js" defer></script>
 * Optional attributes: data-title, data-greeting. Talks only to POST /api/chat on the script's
 * origin, which forwards to Rasa. The server issues the conversation and keeps its key in an
 * HttpOnly cookie; the widget knows only its id. Text is always added as text nodes, never as
 * HTML.
 * See web/README-widget.md. */
(function () {
  "use strict";
  if (window.ClinicChat) return;

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var src = new URL(script ? script.src : "/static/widget.js", location.href);
  var opts = (script && script.dataset) || {};
  var API = new URL("/api/chat", src).href;
  var NEW_API = new URL("/api/chat/new", src).href;
  var CONVERSATION_HEADER = "X-Conversation-Id"; // the conversation that answered
  var TITLE = opts.title || "Clinic assistant";
  var GREETING = opts.greeting ||
    "Hello! I can answer questions about medical needling and help you ask for a consultation.";
  var STARTERS = ["What is medical needling?", "Does it hurt?", "I want to book a consultation"];
  var TALK = "I'd like to talk to someone at the clinic";
  var NO_ANSWER = "Sorry, I don't have an answer to that. Could you rephrase your question?";
  /* Why a message was not answered, by the web app's status; kept with the message. */
  var FAILED = {
    unreachable: "Not sent: the assistant can't be reached right now. " +
      "Your message is kept here; try again in a moment.",
    busy: "You're sending messages faster than I can read them \u2014 " +
      "please wait a moment and try again.",
    unanswered: "The assistant could not answer just now. Your message is kept: press Retry."
  };
  /* Shown when the server answered in a new conversation (this browser's key to the old one
     had expired or been cleared): the messages above are no longer part of it. */
  var RESTARTED = "A new conversation started here: the assistant doesn't see the messages above.";
  var KEY = "clinicChat.";
  var KEEP = 200; // messages kept in localStorage
  var TIMEOUT_MS = 20000; // the server gives up on Rasa after 15 s
  var SENDER_RE = /^[A-Za-z0-9_-]{16,64}$/;
  var MESSAGE_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;
  var LINK_RE = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|https?:\/\/[^\s<>"]+/g;

  /* ---- storage (may be unavailable: then the chat lasts as long as the page) ---- */
  var store = {
    get: function (k) { try { return localStorage.getItem(KEY + k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(KEY + k, v); } catch (e) { /* full or off */ } },
    del: function (k) { try { localStorage.removeItem(KEY + k); } catch (e) { /* off */ } }
  };

  /* The conversation's id, as the server issued it (null: ask for one before the next message). */
  var sender = store.get("sender");
  if (!SENDER_RE.test(sender || "")) sender = null;

  var history = [];
  try { history = JSON.parse(store.get("history") || "[]"); } catch (e) { history = []; }
  if (!Array.isArray(history)) history = [];
  history = history.filter(function (m) {
    return m && typeof m.text === "string" && /^(user|bot|note)$/.test(m.from);
  });
  history.forEach(function (m) { if (m.state === "pending") m.state = "failed"; });

  function save() {
    if (history.length > KEEP) history = history.slice(-KEEP);
    store.set("history", JSON.stringify(history));
  }

  /* ---- DOM helpers ---- */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function button(cls, text, label) {
    var b = el("button", cls, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }
  function srOnly(text) { return el("span", "cw-sr", text); }

  /* Text with line breaks (CSS pre-wrap) and clickable http(s) links; everything else as text. */
  function addText(parent, text) {
    var last = 0, m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(text))) {
      var url = m[2] || m[0], label = m[1] || null, end = LINK_RE.lastIndex;
      if (!m[2]) {
        var trail = /[.,;:!?'")\]]+$/.exec(url);
        if (trail) { url = url.slice(0, -trail[0].length); end -= trail[0].length; LINK_RE.lastIndex = end; }
      }
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el("a", null, label || url);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
      parent.appendChild(a);
      last = end;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function timeText(ts) {
    var d = new Date(ts), now = new Date();
    var t = d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    return d.toDateString() === now.toDateString() ? t
      : d.toLocaleDateString([], { month: "short", day: "numeric" }) + ", " + t;
  }

  /* ---- the widget's DOM, in a shadow root so the page's CSS does not leak in ---- */
  var host = el("div");
  host.id = "clinic-chat-widget";
  host.hidden = true; // shown once its stylesheet has loaded
  var root = host.attachShadow({ mode: "open" });
  var link = el("link");
  link.rel = "stylesheet";
  link.href = new URL("widget.css", src).href;
  link.onload = link.onerror = function () { host.hidden = false; };
  root.appendChild(link);

  var launcher = button("cw-launcher", null, "Open chat with the clinic assistant");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "cw-panel");
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  svg.appendChild(path);
  launcher.appendChild(svg);
  launcher.appendChild(el("span", null, "Chat"));

  var panel = el("div", "cw-panel");
  panel.id = "cw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "cw-title");

  var head = el("div", "cw-head");
  var titles = el("div", "cw-titles");
  var h = el("h2", "cw-title", TITLE);
  h.id = "cw-title";
  titles.appendChild(h);
  titles.appendChild(el("p", "cw-subtitle", "Virtual assistant"));
  var closeBtn = button("cw-close", "\u00d7", "Close chat");
  head.appendChild(titles);
  head.appendChild(closeBtn);

  var note = el("p", "cw-note",
    "This is a virtual assistant. It gives general information, not medical advice. " +
    "For advice about your own health, talk to the clinic's staff.");

  var scroller = el("div", "cw-scroll");
  var log = el("div", "cw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation with the clinic assistant");
  var typing = el("div", "cw-typing");
  typing.hidden = true;
  typing.appendChild(srOnly("The assistant is typing"));
  for (var i = 0; i < 3; i++) typing.appendChild(el("span", "cw-dot"));
  scroller.appendChild(log);
  scroller.appendChild(typing);

  var form = el("form", "cw-form");
  var label = el("label", "cw-sr", "Your message to the clinic assistant");
  label.htmlFor = "cw-input";
  var input = el("textarea", "cw-input");
  input.id = "cw-input";
  input.rows = 1;
  input.maxLength = 1000;
  input.placeholder = "Type your question\u2026";
  input.setAttribute("autocomplete", "off");
  var sendBtn = el("button", "cw-send", "Send");
  sendBtn.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendBtn);

  var foot = el("div", "cw-foot");
  var talkBtn = button("cw-talk", "Talk to someone at the clinic");
  var clearBtn = button("cw-clear", "Clear chat", "Clear this conversation");
  foot.appendChild(talkBtn);
  foot.appendChild(clearBtn);

  [head, note, scroller, form, foot].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(launcher);
  root.appendChild(panel);

  /* ---- rendering ---- */
  var rows = new Map(); // history entry -> its row in the log (kept out of the stored JSON)

  function scrollDown() { scroller.scrollTop = scroller.scrollHeight; }

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

  function renderEntry(m, active) {
    if (m.from === "note") return el("p", "cw-divider", m.text);
    var row = el("div", "cw-msg cw-" + m.from);
    row.appendChild(srOnly(m.from === "user" ? "You: " : "Assistant: "));
    var bubble = el("div", "cw-bubble");
    addText(bubble, m.text);
    if (m.text) row.appendChild(bubble);
    if (m.buttons && m.buttons.length) row.appendChild(quickReplies(m.buttons, active));
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
    if (old) row.removeChild(old); // a new failure may have a new reason
    if (m.state !== "failed") return;
    var fail = el("div", "cw-fail");
    fail.appendChild(el("p", null, FAILED[m.why] || FAILED.unreachable));
    var retry = button("cw-retry", "Retry", "Retry sending your message");
    retry.addEventListener("click", function () { deliver(m); input.focus(); });
    fail.appendChild(retry);
    row.appendChild(fail);
  }

  function append(m, active) {
    var row = renderEntry(m, active);
    rows.set(m, row);
    log.appendChild(row);
    scrollDown();
  }

  function update(m) {
    var row = rows.get(m);
    if (row) applyState(row, m);
    scrollDown();
  }

  function renderAll() {
    rows.clear();
    log.textContent = "";
    var intro = el("div", "cw-msg cw-bot");
    intro.appendChild(srOnly("Assistant: "));
    intro.appendChild(el("div", "cw-bubble", GREETING));
    if (!history.length) {
      intro.appendChild(quickReplies(STARTERS.map(function (s) { return { title: s, payload: s }; }), true));
    }
    log.appendChild(intro);
    var lastUser = -1;
    history.forEach(function (m, i) { if (m.from === "user") lastUser = i; });
    history.forEach(function (m, i) { append(m, i > lastUser); });
  }

  function disableQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".cw-qr"), function (b) { b.disabled = true; });
  }

  /* ---- talking to the server ---- */
  var queue = Promise.resolve(); // one request at a time, so answers arrive in order
  var pending = 0;
  var generation = 0; // bumped by "Clear conversation": late answers are then dropped

  /* POSTs JSON to the web app; resolves to {data, id} (id: the conversation that answered). */
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
        throw err;
      }
      return r.json().then(function (data) { return { data: data, id: r.headers.get(CONVERSATION_HEADER) }; });
    });
  }

  /* Asks the server for a new conversation: it answers with the id and sets the cookie that
     is this browser's key to it. */
  function newConversation(gen, ctl) {
    return request(NEW_API, {}, ctl).then(function (r) {
      var id = r.data && r.data.sender;
      if (!SENDER_RE.test(id || "")) throw new Error("bad answer");
      if (gen === generation) { sender = id; store.set("sender", id); }
      return id;
    });
  }

  /* 32 hex digits, from the browser's random source where it has one. */
  function newMessageId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  /* Runs requests that the browser abandons after TIMEOUT_MS, so the queue never hangs. */
  function timed(run) {
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctl) ctl.abort(); }, TIMEOUT_MS);
    return run(ctl).then(function (v) { clearTimeout(timer); return v; },
      function (err) { clearTimeout(timer); throw err; });
  }

  function post(message, gen, messageId) {
    return timed(function (ctl) {
      return (sender ? Promise.resolve(sender) : newConversation(gen, ctl)).then(function (id) {
        return request(API, { sender: id, message: message, message_id: messageId }, ctl);
      });
    }).then(function (r) {
      if (!Array.isArray(r.data)) throw new Error("bad answer");
      return r;
    });
  }

  /* The server answered in another conversation than the one the widget knew: a new one when
     this browser's key had expired or was cleared, or the one another tab started. */
  function follow(id, m) {
    if (!SENDER_RE.test(id || "") || id === sender) return;
    sender = id;
    store.set("sender", id);
    var at = history.indexOf(m);
    if (at < 1) return; // nothing earlier to set apart
    var note = { from: "note", text: RESTARTED, ts: Date.now() };
    history.splice(at, 0, note);
    var row = renderEntry(note);
    rows.set(note, row);
    log.insertBefore(row, rows.get(m) || null);
  }

  function setTyping(delta) {
    pending += delta;
    typing.hidden = pending <= 0;
    scrollDown();
  }

  function deliver(m) {
    var gen = generation;
    // The message's own id, kept with it (across a reload too) and sent again on Retry: a
    // message the server already stored is answered from what it stored, not stored twice.
    if (!MESSAGE_ID_RE.test(m.mid || "")) m.mid = newMessageId();
    m.state = "pending";
    delete m.why;
    save();
    update(m);
    setTyping(1);
    queue = queue.then(function () {
      if (gen !== generation) return null;
      return post(m.payload || m.text, gen, m.mid).then(function (answer) {
        if (gen !== generation) return;
        var list = answer.data;
        follow(answer.id, m);
        delete m.state;
        delete m.why;
        update(m);
        var shown = 0;
        list.forEach(function (r) {
          var buttons = Array.isArray(r.buttons) ? r.buttons.filter(function (b) {
            return b && typeof b.title === "string" && typeof b.payload === "string";
          }).map(function (b) { return { title: b.title, payload: b.payload }; }) : [];
          var text = typeof r.text === "string" ? r.text : "";
          if (!text && !buttons.length) return; // images, custom payloads: not shown
          var bot = { from: "bot", text: text, ts: Date.now() };
          if (buttons.length) bot.buttons = buttons;
          history.push(bot);
          append(bot, true);
          shown++;
        });
        if (!shown) { // never leave the visitor without a reply
          var none = { from: "bot", text: NO_ANSWER, ts: Date.now() };
          history.push(none);
          append(none, true);
        }
        save();
      }, function (err) {
        if (gen !== generation) return;
        m.state = "failed";
        m.why = (err && err.why) || "unreachable";
        save();
        update(m);
      });
    }).then(done, done);
    function done() { if (gen === generation) setTyping(-1); }
  }

  /* Sends text to the bot; a quick reply sends its payload and shows its title. */
  function send(text, title) {
    var m = { from: "user", text: title || text, ts: Date.now() };
    if (title && title !== text) m.payload = text;
    disableQuickReplies();
    history.push(m);
    append(m, false);
    deliver(m);
  }

  /* ---- opening, closing, keyboard ---- */
  var phone = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    store.set("open", "1");
    scrollDown();
    if (focus !== false) input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    store.del("open");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { open(true); });
  closeBtn.addEventListener("click", close);
  talkBtn.addEventListener("click", function () { send(TALK); input.focus(); });
  /* A new conversation at once (for shared computers): the server replaces this browser's
     key, so nothing here reaches the old one any more. Failing that, the next message asks. */
  clearBtn.addEventListener("click", function () {
    var gen = ++generation;
    history = [];
    save();
    sender = null;
    store.del("sender");
    pending = 0;
    setTyping(0);
    renderAll();
    queue = queue.then(function () {
      return timed(function (ctl) { return newConversation(gen, ctl); }).catch(function () {});
    });
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
    if (e.key === "Escape") { e.preventDefault(); close(); return; }
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
  (document.body || document.documentElement).appendChild(host);
  if (store.get("open")) open(false);

  window.ClinicChat = { open: open, close: close };
})();
