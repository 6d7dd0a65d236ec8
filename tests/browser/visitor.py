"""A visitor of the clinic's page in Chromium, and what the widget tests read back: shared by
the widget's test modules (tests/browser/test_widget*.py)."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tools.stack import Stack

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
LAUNCHER = "Open chat with the clinic assistant"
BOT_ANSWER_TIMEOUT_MS = 60_000
ANAESTHETIC = re.compile(r"an(a)?esthetic|numb", re.I)

expect.set_options(timeout=15_000)

# The widget lives in an open shadow root; Playwright's CSS and role locators pierce it, and
# page-side JavaScript reaches it through the host element.
WIDGET_ROOT_JS = "document.getElementById('clinic-chat-widget').shadowRoot"


class Visitor:
    """One visitor's browser tab on the clinic's page, with what it saw go wrong."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int], **context: Any):
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport, **context)
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

    def seed(self, history: list[dict[str, Any]], scroll: dict[str, Any] | None = None) -> None:
        """Opens the page with `history` already in this browser, as the widget stores it."""
        self.goto()
        self.page.evaluate(
            """([history, scroll]) => {
                localStorage.setItem("clinicChat.history", JSON.stringify(history));
                if (scroll) localStorage.setItem("clinicChat.scroll", JSON.stringify(scroll));
            }""",
            [history, scroll],
        )
        self.page.reload()
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

    def clear_chat(self) -> None:
        """Clear chat, then its confirmation (the same words on the button that confirms)."""
        self.panel.get_by_role("button", name="Clear chat", exact=True).click()
        confirm = self.panel.get_by_role("group", name=re.compile("clear this conversation", re.I))
        confirm.get_by_role("button", name="Clear chat", exact=True).click()

    def log_texts(self) -> list[str]:
        return self.log.locator(".cw-bubble").all_inner_texts()


def post_json(
    url: str, body: Any, timeout: float = 30, content_type: str = "application/json"
) -> tuple[int, Any, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def conversation_cookie(visitor: Visitor) -> dict[str, Any]:
    """The browser's key to its conversation: HttpOnly, SameSite=Strict, for the chat only."""
    [cookie] = [c for c in visitor.context.cookies() if c["name"] == "clinic_chat"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/api/chat"
    return dict(cookie)


def typed_in(stack: Stack, sender: str) -> list[str]:
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


def contrast_failures(visitor: Visitor) -> list[str]:
    return visitor.page.evaluate(f"({CONTRAST_JS})({WIDGET_ROOT_JS})")


def assert_clean(visitor: Visitor) -> None:
    assert visitor.dialogs == [], f"a dialog opened: {visitor.dialogs}"
    assert visitor.foreign_requests == [], f"requests left the web app: {visitor.foreign_requests}"
    # The only errors allowed are the failed /api/chat calls of the retry test.
    errors = [e for e in visitor.console_errors if "status of 503" not in e]
    assert errors == [], f"console errors (a CSP violation shows here): {errors}"
