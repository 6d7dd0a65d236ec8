"""The chat widget as a visitor uses it: real Chromium, the real web app, the real trained bot.

Playwright drives /usr/bin/chromium (never `playwright install`). Browser tests use the `stack`
fixture (action server, Rasa, web app on free ports); the /api/chat contract tests run a web app
alone, in front of a "Rasa" that accepts connections and never answers, so they need no model.
Screenshots go to test-output/screenshots/. Reading, delivery, alerts and axe have modules of
their own beside this one; conftest.py and visitor.py hold what they share.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.visitor import (
    ANAESTHETIC,
    DESKTOP,
    SMALL_PHONE,
    WIDGET_ROOT_JS,
    Visitor,
    assert_clean,
    contrast_failures,
    conversation_cookie,
    post_json,
    typed_in,
)
from tools.widget_size import BUDGET_BYTES, describe, widget_size

# ---------------------------------------------------------------------------------------------
# Size, and the /api/chat contract (no model needed)
# ---------------------------------------------------------------------------------------------


def test_widget_assets_stay_small() -> None:
    sizes = widget_size()
    print("\n" + describe(sizes))
    assert sizes["total"] < BUDGET_BYTES


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
    status, answer, headers = post_json(f"{web_alone}/api/chat", body, content_type=content_type)
    assert status == 400
    assert isinstance(answer, dict) and answer.get("error")
    assert headers.get("Content-Type", "").startswith("application/json")


def test_chat_api_answers_503_when_rasa_hangs(web_alone: str) -> None:
    # A valid request (1000 characters is the limit, not over it) reaches "Rasa", which never
    # answers: after the web app's ~15 s timeout the widget gets a 503 it can offer to retry.
    status, answer, _ = post_json(
        f"{web_alone}/api/chat", {"sender": VALID_SENDER, "message": "é" * 1000}, timeout=40
    )
    assert status == 503
    assert answer.get("error")


def test_site_sends_security_headers_and_only_its_own_files(web_alone: str) -> None:
    for path in ("/", "/fr", "/static/widget.js", "/static/widget.css", "/healthz"):
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
    assert contrast_failures(visitor) == []
    visitor.page.screenshot(path=str(screenshots / "desktop-conversation.png"))

    # The server issued the conversation; its key is a cookie no script on the page can read.
    sender = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
    assert re.fullmatch(r"[0-9a-f]{32}", sender)
    assert conversation_cookie(visitor)["value"].startswith(sender + ".")
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
    assert "how long does it take?" in typed_in(bot, sender)
    assert_clean(visitor)


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
    assert "my details?" not in typed_in(bot, first)

    # Clear chat: a new conversation at once, with a new key; the old one is out of reach.
    visitor.clear_chat()
    expect(visitor.log.locator(".cw-user")).to_have_count(0)
    visitor.page.wait_for_function(
        "old => { const id = localStorage.getItem('clinicChat.sender'); return id && id !== old; }",
        arg=first,
    )
    second = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
    assert conversation_cookie(visitor)["value"].startswith(second + ".")
    visitor.say("how long does it take?")
    assert "how long does it take?" in typed_in(bot, second)
    assert "how long does it take?" not in typed_in(bot, first)
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
    assert contrast_failures(visitor) == []
    assert_clean(visitor)


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
    assert_clean(visitor)


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
    assert_clean(visitor)


def test_talk_to_the_clinic_button_asks_for_a_person(desktop: Visitor) -> None:
    visitor = desktop
    visitor.goto()
    visitor.open()
    before = visitor.bot_message_count()
    visitor.panel.get_by_role("button", name=re.compile("talk to .*clinic", re.I)).click()
    expect(visitor.user_bubbles().last).to_have_text("I'd like to talk to someone at the clinic")
    answer = visitor.wait_for_answer(before)
    assert any(a.strip() for a in answer)
    assert_clean(visitor)


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
        assert contrast_failures(visitor) == []
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
    assert_clean(visitor)


def test_phone_layout_is_full_screen_without_horizontal_scroll(
    browser: Browser, bot: Any, screenshots: Path
) -> None:
    visitor = Visitor(browser, bot.web_url, SMALL_PHONE)
    visitor.goto()
    page = visitor.page
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    page.screenshot(path=str(screenshots / "phone-page.png"))
    visitor.open_with_keyboard()
    box = visitor.panel.bounding_box()
    assert box is not None
    assert box["x"] == 0 and box["y"] == 0
    assert box["width"] == SMALL_PHONE["width"] and box["height"] == SMALL_PHONE["height"]

    answer = visitor.say("does it hurt?")
    assert ANAESTHETIC.search(" ".join(answer)), answer
    # Full screen, the panel keeps keyboard focus inside itself (the page behind is hidden).
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate("document.activeElement.id") == "clinic-chat-widget", key
    visitor.say("https://example.org/a/very/long/address/that/must/wrap/inside/the/bubble/" * 2)
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    assert visitor.log.evaluate(
        "log => log.parentElement.scrollWidth <= log.parentElement.clientWidth"
    )
    for element in (
        visitor.textbox,
        visitor.log.locator(".cw-bubble").last,
        visitor.panel.get_by_role("button", name="Send"),
    ):
        b = element.bounding_box()
        assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= SMALL_PHONE["width"]
    page.screenshot(path=str(screenshots / "phone-conversation.png"))
    assert_clean(visitor)
    visitor.close()
