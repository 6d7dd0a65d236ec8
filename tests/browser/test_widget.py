"""The chat widget as a visitor uses it: real Chromium, the real web app, the real trained bot.

Playwright drives /usr/bin/chromium (never `playwright install`). Browser tests use the `stack`
fixture (action server, Rasa, web app on free ports); the /api/chat contract tests run a web app
alone, in front of a "Rasa" that accepts connections and never answers, so they need no model.
Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tools.rest_client import send
from tools.stack import ROOT, VENV_BIN, Process, Stack, free_port
from tools.widget_size import BUDGET_BYTES, describe, widget_size

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
LAUNCHER = "Open chat with the clinic assistant"
BOT_ANSWER_TIMEOUT_MS = 60_000
ANAESTHETIC = re.compile(r"an(a)?esthetic|numb", re.I)

expect.set_options(timeout=15_000)

# The widget lives in an open shadow root; Playwright's CSS and role locators pierce it, and
# page-side JavaScript reaches it through the host element.
WIDGET_ROOT_JS = "document.getElementById('clinic-chat-widget').shadowRoot"


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API allows one instance at a time, and other test modules
    # (the staff console's) may start their own.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(test_output: Path) -> Path:
    folder = test_output / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def bot(stack) -> Any:
    """The stack, with Rasa's model warmed up so the first visitor turn is not a cold start."""
    send(stack.rasa_url, f"warmup-{uuid.uuid4().hex}", "hello", timeout=120)
    return stack


class Visitor:
    """One visitor's browser tab on the clinic's page, with what it saw go wrong."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int]):
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport)
        self.page: Page = self.context.new_page()
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("request", self._on_request)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _on_request(self, request: Any) -> None:
        if not (request.url.startswith(self.base_url + "/") or request.url.startswith("data:")):
            self.foreign_requests.append(request.url)

    def close(self) -> None:
        self.context.close()

    # -- locators --
    @property
    def launcher(self):
        return self.page.get_by_role("button", name=LAUNCHER)

    @property
    def panel(self):
        return self.page.get_by_role("dialog", name=re.compile("assistant", re.I))

    @property
    def log(self):
        return self.page.get_by_role("log")

    @property
    def textbox(self):
        return self.page.get_by_role("textbox", name=re.compile("message", re.I))

    def user_bubbles(self):
        return self.log.locator(".cw-user .cw-bubble")

    # -- actions --
    def goto(self) -> None:
        self.page.goto(self.base_url + "/")
        expect(self.launcher.or_(self.panel)).to_be_visible()

    def launcher_has_focus(self) -> bool:
        return self.launcher.evaluate("b => b.getRootNode().activeElement === b")

    def open_with_keyboard(self) -> None:
        for _ in range(40):
            self.page.keyboard.press("Tab")
            if self.launcher_has_focus():
                break
        else:
            pytest.fail("Tab never reached the chat launcher")
        self.page.keyboard.press("Enter")
        expect(self.panel).to_be_visible()
        expect(self.textbox).to_be_focused()

    def open(self) -> None:
        if not self.panel.is_visible():
            self.launcher.click()
        expect(self.panel).to_be_visible()

    def bot_message_count(self) -> int:
        return self.log.locator(".cw-bot").count()

    def wait_for_answer(self, bot_messages_before: int) -> list[str]:
        """Waits until the bot answered (typing indicator gone) and returns its new messages."""
        self.page.wait_for_function(
            f"n => {{ const r = {WIDGET_ROOT_JS}; return r.querySelector('.cw-typing').hidden"
            " && r.querySelectorAll('.cw-log .cw-bot').length > n; }",
            arg=bot_messages_before,
            timeout=BOT_ANSWER_TIMEOUT_MS,
        )
        rows = self.log.locator(".cw-bot")
        return [rows.nth(i).inner_text() for i in range(bot_messages_before, rows.count())]

    def say(self, text: str) -> list[str]:
        """Types into the text box, sends with Enter, and returns the bot's answer."""
        before = self.bot_message_count()
        self.textbox.fill(text)
        self.textbox.press("Enter")
        expect(self.user_bubbles().last).to_have_text(text)
        return self.wait_for_answer(before)

    def log_texts(self) -> list[str]:
        return self.log.locator(".cw-bubble").all_inner_texts()


@pytest.fixture
def desktop(browser: Browser, bot: Any) -> Iterator[Visitor]:
    visitor = Visitor(browser, bot.web_url, DESKTOP)
    yield visitor
    visitor.close()


@pytest.fixture
def phone(browser: Browser, bot: Any) -> Iterator[Visitor]:
    visitor = Visitor(browser, bot.web_url, PHONE)
    yield visitor
    visitor.close()


def _post_json(
    url: str, body: Any, timeout: float = 30, content_type: str = "application/json"
) -> tuple[int, Any, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def _conversation_cookie(visitor: Visitor) -> dict[str, Any]:
    """The browser's key to its conversation: HttpOnly, SameSite=Strict, for the chat only."""
    [cookie] = [c for c in visitor.context.cookies() if c["name"] == "clinic_chat"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/api/chat"
    return dict(cookie)


def _typed_in(stack: Stack, sender: str) -> list[str]:
    """What the tracker store holds as typed in one conversation."""
    with sqlite3.connect(f"file:{stack.tracker_db}?mode=ro", uri=True) as tracker:
        return [
            json.loads(data).get("text")
            for (data,) in tracker.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
            )
        ]


# WCAG AA contrast of every visible text in the widget: 4.5:1, or 3:1 for large text.
CONTRAST_JS = """root => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = rgb(c).slice(0, 3).map(x => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = el => { for (; el; el = el.parentElement || (el.getRootNode().host)) {
      const c = getComputedStyle(el).backgroundColor, a = rgb(c);
      if (a.length === 3 || (a.length === 4 && a[3] === 1)) return c; }
    return "rgb(255, 255, 255)"; };
  const failures = [];
  for (const el of root.querySelectorAll("*")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest(".cw-sr") || el.disabled || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== "visible") continue;
    const fg = lum(style.color), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${el.className || el.tagName} "${el.textContent.trim()
      .slice(0, 30)}": ${ratio.toFixed(2)} < ${needed}`);
  }
  return failures;
}"""


def _contrast_failures(visitor: Visitor) -> list[str]:
    return visitor.page.evaluate(f"({CONTRAST_JS})({WIDGET_ROOT_JS})")


def _assert_clean(visitor: Visitor) -> None:
    assert visitor.dialogs == [], f"a dialog opened: {visitor.dialogs}"
    assert visitor.foreign_requests == [], f"requests left the web app: {visitor.foreign_requests}"
    # The only errors allowed are the failed /api/chat calls of the retry test.
    errors = [e for e in visitor.console_errors if "status of 503" not in e]
    assert errors == [], f"console errors (a CSP violation shows here): {errors}"


# ---------------------------------------------------------------------------------------------
# Size, and the /api/chat contract (no model needed)
# ---------------------------------------------------------------------------------------------


def test_widget_assets_stay_small() -> None:
    sizes = widget_size()
    print("\n" + describe(sizes))
    assert sizes["total"] < BUDGET_BYTES


@pytest.fixture(scope="module")
def web_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A web app whose "Rasa" accepts connections and never answers (a hung Rasa)."""
    hung_rasa = socket.create_server(("127.0.0.1", 0), backlog=64)
    workdir = tmp_path_factory.mktemp("web_alone")
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "RASA_URL": f"http://127.0.0.1:{hung_rasa.getsockname()[1]}",
            "WEB_SECRET_FILE": str(workdir / "secret"),
            "CLINIC_DB_URL": f"sqlite:///{workdir / 'clinic.db'}",
            "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "PYTHONPATH": str(ROOT),
        }
    )
    web = Process(
        "web app",
        [str(VENV_BIN / "python"), "-m", "web.app"],
        env,
        f"http://127.0.0.1:{port}/healthz",
        workdir / "web.log",
    )
    web.start()
    try:
        web.wait_ready(60, False)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.stop()
        hung_rasa.close()


VALID_SENDER = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"not json", "application/json"),
        (b'{"sender": "0123456789abcdef0123456789abcdef", "message": "hi"', "application/json"),
        ({"sender": VALID_SENDER, "message": "hi"}, "text/plain"),
        (["sender", "message"], "application/json"),
        ({"message": "hi"}, "application/json"),
        ({"sender": "short", "message": "hi"}, "application/json"),
        ({"sender": "x" * 65, "message": "hi"}, "application/json"),
        ({"sender": "0123456789abcdef/../0123456789", "message": "hi"}, "application/json"),
        ({"sender": 1234567890123456789, "message": "hi"}, "application/json"),
        ({"sender": VALID_SENDER}, "application/json"),
        ({"sender": VALID_SENDER, "message": ""}, "application/json"),
        ({"sender": VALID_SENDER, "message": "   \n "}, "application/json"),
        ({"sender": VALID_SENDER, "message": ["hi"]}, "application/json"),
        ({"sender": VALID_SENDER, "message": "a" * 1001}, "application/json"),
    ],
    ids=[
        "not-json",
        "truncated-json",
        "not-json-content-type",
        "array",
        "no-sender",
        "short-sender",
        "long-sender",
        "sender-with-slashes",
        "numeric-sender",
        "no-message",
        "empty-message",
        "blank-message",
        "list-message",
        "message-over-1000-chars",
    ],
)
def test_chat_api_rejects_invalid_input_with_400(
    web_alone: str, body: Any, content_type: str
) -> None:
    status, answer, headers = _post_json(f"{web_alone}/api/chat", body, content_type=content_type)
    assert status == 400
    assert isinstance(answer, dict) and answer.get("error")
    assert headers.get("Content-Type", "").startswith("application/json")


def test_chat_api_answers_503_when_rasa_hangs(web_alone: str) -> None:
    # A valid request (1000 characters is the limit, not over it) reaches "Rasa", which never
    # answers: after the web app's ~15 s timeout the widget gets a 503 it can offer to retry.
    status, answer, _ = _post_json(
        f"{web_alone}/api/chat", {"sender": VALID_SENDER, "message": "é" * 1000}, timeout=40
    )
    assert status == 503
    assert answer.get("error")


def test_site_sends_security_headers_and_only_its_own_files(web_alone: str) -> None:
    for path in ("/", "/static/widget.js", "/static/widget.css", "/healthz"):
        with urllib.request.urlopen(web_alone + path, timeout=10) as response:
            assert response.status == 200
            csp = response.headers["Content-Security-Policy"]
            for directive in (
                "script-src 'self'",
                "style-src 'self'",
                "connect-src 'self'",
                "img-src 'self' data:",
                "frame-ancestors 'self'",
            ):
                assert directive in csp
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "same-origin"
    with urllib.request.urlopen(web_alone + "/healthz", timeout=10) as response:
        assert response.read() == b"ok"
    for path in ("/static/", "/static/nothing.js", "/static/../site.py"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(web_alone + path, timeout=10)
        assert error.value.code == 404, path


# ---------------------------------------------------------------------------------------------
# The widget in a browser, with the real bot
# ---------------------------------------------------------------------------------------------


def test_visitor_chats_with_keyboard_and_quick_replies_and_history_survives_reload(
    desktop: Visitor, bot: Any, screenshots: Path
) -> None:
    visitor = desktop
    visitor.goto()
    expect(visitor.page.get_by_text("not medical advice").first).to_be_visible()
    visitor.open_with_keyboard()
    # The disclaimer is in the widget itself.
    expect(
        visitor.panel.get_by_text(re.compile("virtual assistant.*not medical advice", re.I))
    ).to_be_visible()

    # Type and send with the keyboard only.
    before = visitor.bot_message_count()
    visitor.page.keyboard.type("does it hurt?")
    visitor.page.keyboard.press("Enter")
    answer = visitor.wait_for_answer(before)
    assert ANAESTHETIC.search(" ".join(answer)), answer

    # Booking: screening questions come with quick-reply buttons.
    answer = visitor.say("I want to book")
    expect(visitor.log.locator(".cw-bot .cw-qr:enabled").first).to_be_visible()
    rows = visitor.log.locator(".cw-msg")
    question = max(i for i in range(rows.count()) if rows.nth(i).locator(".cw-qr:enabled").count())
    buttons = rows.nth(question).locator(".cw-qr")
    titles = buttons.all_inner_texts()
    assert titles, answer
    title = "No" if "No" in titles else titles[0]
    before = visitor.bot_message_count()
    buttons.get_by_text(title, exact=True).click()
    expect(visitor.user_bubbles().last).to_have_text(title)  # the title, not the payload
    answer = visitor.wait_for_answer(before)
    assert any(a.strip() for a in answer)
    expect(buttons.first).to_be_disabled()  # an answered question's buttons are spent

    times = visitor.log.locator("time")
    assert times.count() == visitor.log.locator(".cw-msg").count() - 1  # all but the greeting
    assert re.match(r"\d{4}-\d\d-\d\dT", times.first.get_attribute("datetime") or "")
    assert _contrast_failures(visitor) == []
    visitor.page.screenshot(path=str(screenshots / "desktop-conversation.png"))

    # The server issued the conversation; its key is a cookie no script on the page can read.
    sender = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
    assert re.fullmatch(r"[0-9a-f]{32}", sender)
    assert _conversation_cookie(visitor)["value"].startswith(sender + ".")
    assert "clinic_chat" not in visitor.page.evaluate("document.cookie")

    # A reload keeps the conversation (same sender id, history re-rendered from localStorage).
    shown = visitor.log_texts()
    visitor.page.reload()
    visitor.open()
    expect(visitor.log.locator(".cw-bubble")).to_have_count(len(shown))
    assert visitor.log_texts() == shown
    assert "does it hurt?" in shown and title in shown
    assert visitor.page.evaluate("localStorage.getItem('clinicChat.sender')") == sender
    expect(visitor.log.locator("time")).to_have_count(times.count())
    # ...and after it the chat goes on in the same conversation.
    answer = visitor.say("how long does it take?")
    assert any(a.strip() for a in answer)
    assert visitor.page.evaluate("localStorage.getItem('clinicChat.sender')") == sender
    expect(visitor.log.locator(".cw-divider")).to_have_count(0)
    assert "how long does it take?" in _typed_in(bot, sender)
    _assert_clean(visitor)


def test_clear_chat_and_a_lost_cookie_start_new_conversations_the_old_id_cannot_reach(
    desktop: Visitor, browser: Browser, bot: Any
) -> None:
    visitor = desktop
    visitor.goto()
    visitor.open()
    visitor.say("does it hurt?")
    first = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")

    # Another browser that learnt the id writes only into a conversation of its own.
    stranger = Visitor(browser, bot.web_url, DESKTOP)
    try:
        stranger.goto()
        answered_in = stranger.page.evaluate(
            """id => fetch("/api/chat", {method: "POST", headers: {"Content-Type":
                "application/json"}, body: JSON.stringify({sender: id, message: "my details?"})})
              .then(r => r.headers.get("X-Conversation-Id"))""",
            first,
        )
        assert answered_in and answered_in != first
    finally:
        stranger.close()
    assert "my details?" not in _typed_in(bot, first)

    # Clear chat: a new conversation at once, with a new key; the old one is out of reach.
    visitor.panel.get_by_role("button", name="Clear this conversation").click()
    expect(visitor.log.locator(".cw-user")).to_have_count(0)
    visitor.page.wait_for_function(
        "old => { const id = localStorage.getItem('clinicChat.sender'); return id && id !== old; }",
        arg=first,
    )
    second = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
    assert _conversation_cookie(visitor)["value"].startswith(second + ".")
    visitor.say("how long does it take?")
    assert "how long does it take?" in _typed_in(bot, second)
    assert "how long does it take?" not in _typed_in(bot, first)
    expect(visitor.log.locator(".cw-divider")).to_have_count(0)

    # The cookie gone (cleared, or a week idle): the history stays, the next message is
    # answered in a new conversation, and the visitor is told the assistant starts afresh.
    visitor.context.clear_cookies()
    visitor.page.reload()
    visitor.open()
    shown = visitor.log_texts()
    answer = visitor.say("can i go to the gym after")
    assert any(a.strip() for a in answer)
    third = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
    assert third not in (first, second) and re.fullmatch(r"[0-9a-f]{32}", third)
    divider = visitor.log.locator(".cw-divider")
    expect(divider).to_have_text(re.compile("new conversation", re.I))
    assert visitor.log_texts()[: len(shown)] == shown
    # The divider sits before the message that started the new conversation, after a reload too.
    visitor.page.reload()
    visitor.open()
    expect(divider).to_have_count(1)
    order = visitor.log.locator(".cw-divider, .cw-user .cw-bubble").all_inner_texts()
    assert order[-2:] == [divider.inner_text(), "can i go to the gym after"]
    assert _contrast_failures(visitor) == []
    _assert_clean(visitor)


def test_html_typed_by_a_visitor_is_shown_as_text_and_never_run(desktop: Visitor) -> None:
    visitor = desktop
    visitor.goto()
    visitor.open()
    attack = "<img src=x onerror=alert(1)>"
    visitor.say(attack)
    expect(visitor.user_bubbles().last).to_have_text(attack)
    assert visitor.log.locator("img").count() == 0
    visitor.say("<script>alert(2)</script> see https://example.org/<b>x</b>")
    assert visitor.log.locator("script, b").count() == 0
    expect(visitor.user_bubbles().last).to_have_text(
        "<script>alert(2)</script> see https://example.org/<b>x</b>"
    )
    link = visitor.user_bubbles().last.get_by_role("link")
    expect(link).to_have_attribute("href", "https://example.org/")  # links stop at "<"
    assert visitor.page.evaluate(f"{WIDGET_ROOT_JS}.querySelectorAll('img').length") == 0
    visitor.page.wait_for_timeout(500)  # give any injected handler a chance to fire
    _assert_clean(visitor)


def test_escape_closes_the_chat_and_focus_returns_to_the_launcher(desktop: Visitor) -> None:
    visitor = desktop
    visitor.goto()
    visitor.open_with_keyboard()
    visitor.page.keyboard.type("a draft")
    visitor.page.keyboard.press("Escape")
    expect(visitor.panel).to_be_hidden()
    expect(visitor.launcher).to_be_visible()
    assert visitor.launcher_has_focus()
    assert visitor.launcher.evaluate("b => b.getAttribute('aria-expanded')") == "false"
    visitor.page.keyboard.press("Enter")  # the launcher has focus: Enter opens again
    expect(visitor.textbox).to_be_focused()
    expect(visitor.textbox).to_have_value("a draft")
    _assert_clean(visitor)


def test_talk_to_the_clinic_button_asks_for_a_person(desktop: Visitor) -> None:
    visitor = desktop
    visitor.goto()
    visitor.open()
    before = visitor.bot_message_count()
    visitor.panel.get_by_role("button", name=re.compile("talk to .*clinic", re.I)).click()
    expect(visitor.user_bubbles().last).to_have_text("I'd like to talk to someone at the clinic")
    answer = visitor.wait_for_answer(before)
    assert any(a.strip() for a in answer)
    _assert_clean(visitor)


def test_message_is_kept_with_a_retry_when_the_assistant_is_unreachable(
    desktop: Visitor, bot: Any, screenshots: Path
) -> None:
    visitor = desktop
    visitor.goto()
    visitor.open()
    bot.rasa.stop()
    try:
        question = "how long does the procedure last"
        visitor.textbox.fill(question)
        visitor.textbox.press("Enter")
        retry = visitor.panel.get_by_role("button", name=re.compile("retry", re.I))
        expect(retry).to_be_visible()
        expect(visitor.panel.get_by_text(re.compile("can't be reached", re.I))).to_be_visible()
        expect(visitor.user_bubbles().last).to_have_text(question)  # not lost
        # The failed message survives a reload, still with its retry.
        visitor.page.reload()
        visitor.open()
        expect(retry).to_be_visible()
        expect(visitor.user_bubbles().last).to_have_text(question)
        # A draft typed meanwhile stays in the text box.
        visitor.textbox.fill("a draft I am still writing")
        assert _contrast_failures(visitor) == []
        visitor.page.screenshot(path=str(screenshots / "desktop-retry.png"))
    finally:
        bot.restart_rasa()

    before = visitor.bot_message_count()
    for _attempt in range(3):  # a freshly started Rasa may still be slow on its first answer
        retry.click()
        try:
            answer = visitor.wait_for_answer(before)
            break
        except Exception:
            expect(retry).to_be_visible()
    else:
        pytest.fail("Retry never got an answer after Rasa came back")
    assert re.search(r"hour", " ".join(answer), re.I), answer
    expect(retry).to_have_count(0)
    expect(visitor.textbox).to_have_value("a draft I am still writing")
    _assert_clean(visitor)


def test_phone_layout_is_full_screen_without_horizontal_scroll(
    phone: Visitor, screenshots: Path
) -> None:
    visitor = phone
    visitor.goto()
    page = visitor.page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshots / "phone-page.png"))
    visitor.open_with_keyboard()
    box = visitor.panel.bounding_box()
    assert box is not None
    assert box["x"] == 0 and box["y"] == 0
    assert box["width"] == PHONE["width"] and box["height"] == PHONE["height"]

    answer = visitor.say("does it hurt?")
    assert ANAESTHETIC.search(" ".join(answer)), answer
    # Full screen, the panel keeps keyboard focus inside itself (the page behind is hidden).
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate("document.activeElement.id") == "clinic-chat-widget", key
    visitor.say("https://example.org/a/very/long/address/that/must/wrap/inside/the/bubble/" * 2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert visitor.log.evaluate(
        "log => log.parentElement.scrollWidth <= log.parentElement.clientWidth"
    )
    for element in (
        visitor.textbox,
        visitor.log.locator(".cw-bubble").last,
        visitor.panel.get_by_role("button", name="Send"),
    ):
        b = element.bounding_box()
        assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"]
    page.screenshot(path=str(screenshots / "phone-conversation.png"))
    _assert_clean(visitor)


# ---------------------------------------------------------------------------------------------
# Too fast, and an outage behind Rasa: a stack of its own, with a low chat rate limit
# ---------------------------------------------------------------------------------------------

TOO_FAST = (
    "You're sending messages faster than I can read them \u2014 please wait a moment and try again."
)
NOT_ANSWERED = "The assistant could not answer just now. Your message is kept: press Retry."
NO_ANSWER_SHOWN = "Sorry, I don't have an answer to that"  # what hid an outage


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real stack, allowing 2 messages a minute per conversation."""
    stack = Stack(
        tmp_path_factory.mktemp("limited"),
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        extra_env={"CHAT_RATE_PER_SENDER": "2"},
    )
    stack.start()
    try:
        send(stack.rasa_url, f"warmup-{uuid.uuid4().hex}", "hello", timeout=120)
        yield stack
    finally:
        stack.stop()


def test_a_visitor_sending_too_fast_is_asked_kindly_to_wait_and_keeps_the_message(
    browser: Browser, limited: Stack, screenshots: Path
) -> None:
    visitor = Visitor(browser, limited.web_url, DESKTOP)
    try:
        visitor.goto()
        visitor.open()
        visitor.say("does it hurt?")
        visitor.say("how long does it take?")
        third = "how many sessions do I need?"
        visitor.textbox.fill(third)
        visitor.textbox.press("Enter")
        expect(visitor.panel.get_by_text(TOO_FAST)).to_be_visible()
        retry = visitor.panel.get_by_role("button", name=re.compile("retry", re.I))
        expect(retry).to_be_visible()
        expect(visitor.user_bubbles().last).to_have_text(third)  # kept, not lost
        expect(visitor.panel.get_by_text(NO_ANSWER_SHOWN)).to_have_count(0)
        visitor.page.screenshot(path=str(screenshots / "desktop-too-fast.png"))
        # Retrying within the minute is refused again, with the same kind message.
        retry.click()
        expect(visitor.panel.get_by_text(TOO_FAST)).to_be_visible()
        expect(visitor.user_bubbles().last).to_have_text(third)
        assert visitor.dialogs == [] and visitor.foreign_requests == []
    finally:
        visitor.close()


def test_an_action_server_outage_is_shown_with_retry_not_hidden(
    browser: Browser, limited: Stack
) -> None:
    limited.actions.stop()
    visitor = Visitor(browser, limited.web_url, DESKTOP)
    try:
        # The web app says so at once: Rasa answers [] when the action fails.
        started = time.monotonic()
        status, answer, _ = _post_json(
            f"{limited.web_url}/api/chat", {"sender": uuid.uuid4().hex, "message": "does it hurt?"}
        )
        assert status == 502 and time.monotonic() - started < 5
        assert answer["error"] == NOT_ANSWERED
        # The widget shows it, keeps the message and offers Retry.
        visitor.goto()
        visitor.open()
        question = "does it hurt?"
        visitor.textbox.fill(question)
        visitor.textbox.press("Enter")
        retry = visitor.panel.get_by_role("button", name=re.compile("retry", re.I))
        expect(retry).to_be_visible(timeout=5_000)
        expect(visitor.panel.get_by_text(NOT_ANSWERED)).to_be_visible()
        expect(visitor.panel.get_by_text(NO_ANSWER_SHOWN)).to_have_count(0)
        expect(visitor.user_bubbles().last).to_have_text(question)
    finally:
        limited.actions.start()
        limited.actions.wait_ready(60, False)
    # With the action server back, Retry gets the answer.
    before = visitor.bot_message_count()
    retry.click()
    answer_texts = visitor.wait_for_answer(before)
    assert ANAESTHETIC.search(" ".join(answer_texts)), answer_texts
    expect(retry).to_have_count(0)
    visitor.close()
