"""The widget when the server is slow, drops an answer, refuses for a while or fails.

A slow server is a web app in front of a Rasa that never answers (`web_alone`): what is under
test is the widget. A dropped answer and a retry run on the real stack, and the tracker store
shows the message stored once. Rate limits and an action server outage run on a stack of their
own that allows 2 messages a minute per conversation. Phone (390 x 844) and desktop.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.browser.visitor import (
    ANAESTHETIC,
    DESKTOP,
    PHONE,
    WIDGET_ROOT_JS,
    Visitor,
    post_json,
    typed_in,
)
from tools.rest_client import send
from tools.stack import Stack, free_port

SIZES = {"phone": PHONE, "desktop": DESKTOP}
MAY_NOT = re.compile(r"may not have been delivered", re.I)
STILL_WORKING = "Still working\u2026"


def sent_bodies(visitor: Visitor) -> list[dict[str, Any]]:
    """Every /api/chat body the page sends from now on, in order."""
    bodies: list[dict[str, Any]] = []

    def record(request: Any) -> None:
        if request.url.endswith("/api/chat") and request.method == "POST":
            bodies.append(request.post_data_json)

    visitor.page.on("request", record)
    return bodies


def earlier_history(turns: int) -> list[dict[str, Any]]:
    """A long conversation already in this browser (the widget keeps it in localStorage)."""
    now = int(time.time() * 1000) - 600_000
    history: list[dict[str, Any]] = []
    for i in range(turns):
        history.append({"from": "user", "text": f"Earlier question {i}", "ts": now + i})
        history.append({"from": "bot", "text": f"Earlier answer {i}. " * 12, "ts": now + i})
    return history


def scroll_top(visitor: Visitor) -> float:
    return visitor.page.evaluate(f"{WIDGET_ROOT_JS}.querySelector('.cw-scroll').scrollTop")


@pytest.mark.parametrize("size", SIZES)
def test_a_slow_server_says_still_working_then_one_retry_resends_everything_queued(
    browser: Browser, web_alone: str, screenshots: Path, size: str
) -> None:
    visitor = Visitor(browser, web_alone, SIZES[size])
    try:
        visitor.seed(earlier_history(15))
        visitor.open()
        bodies = sent_bodies(visitor)
        started = time.monotonic()
        for text in ("first question", "second question", "third question"):
            visitor.textbox.fill(text)
            visitor.textbox.press("Enter")
        still = visitor.panel.get_by_text(STILL_WORKING)
        expect(still).to_be_hidden()
        expect(still).to_be_visible(timeout=10_000)
        assert time.monotonic() - started > 4.5  # "about 5 s", not at once
        visitor.page.screenshot(path=str(screenshots / f"{size}-still-working.png"))

        # The web app gives up on Rasa after 15 s: every queued message waits for ONE Retry.
        bar = visitor.panel.get_by_role("status").filter(has_text=MAY_NOT)
        three = re.compile("3 messages may not have been delivered")
        expect(bar).to_have_text(three, timeout=30_000)
        retry = visitor.panel.get_by_role("button", name=re.compile("retry", re.I))
        expect(retry).to_have_count(1)
        expect(visitor.log.locator(".cw-failed")).to_have_count(3)
        expect(visitor.panel.get_by_text(re.compile("not sent", re.I))).to_have_count(0)
        expect(still).to_be_hidden()
        assert [b["message"] for b in bodies] == ["first question"]  # the others waited
        visitor.page.screenshot(path=str(screenshots / f"{size}-may-not-have-been-delivered.png"))

        # Read back to the top of the long history, reload: the place and the Retry are kept.
        visitor.log.locator(".cw-msg").first.scroll_into_view_if_needed()
        visitor.page.evaluate(f"{WIDGET_ROOT_JS}.querySelector('.cw-scroll').scrollTop = 0")
        visitor.page.wait_for_timeout(400)  # the widget notes the place after scrolling stops
        visitor.page.reload()
        visitor.open()
        expect(bar).to_be_visible()
        box = retry.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= SIZES[size]["height"]
        assert scroll_top(visitor) < 5, "the reading place was not restored"
        visitor.page.screenshot(path=str(screenshots / f"{size}-retry-in-sight-after-reload.png"))

        # Retry sends them again, in order, each with the id it had: a server that stored one
        # answers it from what it stored instead of storing it twice.
        ids = visitor.page.evaluate(
            "JSON.parse(localStorage.getItem('clinicChat.history'))"
            ".filter(m => m.state).map(m => m.mid)"
        )
        assert len(ids) == 3 and bodies[0]["message_id"] == ids[0]
        bodies = sent_bodies(visitor)
        retry.click()
        expect(retry).to_have_count(0)
        expect(visitor.log.locator(".cw-pending")).to_have_count(3)
        for _ in range(50):
            if bodies:
                break
            visitor.page.wait_for_timeout(100)
        assert [b["message_id"] for b in bodies] == ids[:1]
    finally:
        visitor.close()


def test_a_dropped_answer_is_retried_and_the_tracker_holds_the_message_once(
    browser: Browser, bot: Stack, screenshots: Path
) -> None:
    visitor = Visitor(browser, bot.web_url, PHONE)
    question = "how long does the procedure last"
    dropped: list[str | None] = []

    def drop_the_answer(route: Route) -> None:
        # The message reaches the real web app and Rasa, which store and answer it; the answer
        # is lost on the way back (a dropped connection, a phone going through a tunnel).
        answer = route.fetch()
        dropped.append(answer.headers.get("x-conversation-id"))
        route.abort("connectionreset")

    try:
        visitor.goto()
        visitor.open()
        visitor.page.route("**/api/chat", drop_the_answer)
        visitor.textbox.fill(question)
        visitor.textbox.press("Enter")
        retry = visitor.panel.get_by_role("button", name=re.compile("retry", re.I))
        expect(retry).to_be_visible(timeout=30_000)
        expect(visitor.panel.get_by_text(MAY_NOT).first).to_be_visible()
        sender = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
        assert dropped == [sender]  # answered in the visitor's own conversation...
        assert typed_in(bot, sender) == [question]  # ...and stored there
        visitor.page.screenshot(path=str(screenshots / "phone-dropped-answer-retry.png"))

        visitor.page.unroute("**/api/chat")
        before = visitor.bot_message_count()
        retry.click()
        answer = visitor.wait_for_answer(before)
        assert re.search(r"hour", " ".join(answer), re.I), answer
        expect(retry).to_have_count(0)
        assert typed_in(bot, sender) == [question], "the retry stored the message twice"
    finally:
        visitor.close()


# ---------------------------------------------------------------------------------------------
# Too fast, and an outage behind Rasa: a stack of its own, with a low chat rate limit
# ---------------------------------------------------------------------------------------------

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


def test_quick_replies_tapped_too_fast_wait_out_a_countdown_and_go_through(
    browser: Browser, limited: Stack, screenshots: Path
) -> None:
    # Phone and desktop side by side: each has its own conversation, so its own allowance.
    visitors = {size: Visitor(browser, limited.web_url, SIZES[size]) for size in SIZES}
    try:
        for visitor in visitors.values():
            visitor.goto()
            visitor.open()
            before = visitor.bot_message_count()
            visitor.panel.get_by_role("button", name="Does it hurt?").click()  # message 1
            visitor.wait_for_answer(before)
            visitor.say("I want to book a consultation")  # message 2: a question with buttons
            visitor.log.locator(".cw-qr:enabled").get_by_text("No", exact=True).click()  # 3
        for size, visitor in visitors.items():
            bar = visitor.panel.get_by_role("status").filter(has_text="faster than I can read")
            expect(bar).to_be_visible()
            seconds = int(re.findall(r"in (\d+) s", bar.inner_text())[0])
            assert 1 <= seconds <= 60
            retry = visitor.panel.get_by_role("button", name=re.compile("retry", re.I))
            expect(retry).to_have_count(0)
            expect(visitor.log.locator(".cw-failed")).to_have_count(0)  # waiting, not failed
            expect(visitor.user_bubbles().last).to_have_text("No")
            visitor.page.screenshot(path=str(screenshots / f"{size}-rate-limited-countdown.png"))
            visitor.page.wait_for_timeout(2_100)
            assert int(re.findall(r"in (\d+) s", bar.inner_text())[0]) < seconds  # counts down
        # When the countdown ends the widget sends again by itself, and the bot answers.
        for visitor in visitors.values():
            visitor.page.wait_for_function(
                f"() => {WIDGET_ROOT_JS}.querySelectorAll('.cw-qr:enabled').length > 0"
                f" && !{WIDGET_ROOT_JS}.querySelector('.cw-pending')",
                timeout=90_000,
            )
            expect(visitor.log.locator(".cw-failed")).to_have_count(0)
            expect(visitor.panel.get_by_text(NO_ANSWER_SHOWN)).to_have_count(0)
            sender = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
            assert typed_in(limited, sender).count("/deny") == 1
            assert visitor.dialogs == [] and visitor.foreign_requests == []
    finally:
        for visitor in visitors.values():
            visitor.close()


def test_an_action_server_outage_is_shown_with_retry_not_hidden(
    browser: Browser, limited: Stack
) -> None:
    limited.actions.stop()
    visitor = Visitor(browser, limited.web_url, DESKTOP)
    try:
        # The web app says so at once: Rasa answers [] when the action fails.
        started = time.monotonic()
        status, answer, _ = post_json(
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
        expect(visitor.panel.get_by_text(re.compile("could not answer just now"))).to_be_visible()
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
