"""Reading the conversation: a new answer from its start, the place kept across a reload, a
disclaimer that folds away once read, a Clear chat that asks first, and no hover look that
sticks on a touch screen. Real bot, real web app, phone (390 x 844) and desktop.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.visitor import DESKTOP, PHONE, WIDGET_ROOT_JS, Visitor, assert_clean
from tools.stack import Stack

SIZES = {"phone": PHONE, "desktop": DESKTOP}
LONG_QUESTION = "what should I do after the treatment"  # the aftercare answer, the longest

# Where a row is in the scrolling log: its top and bottom relative to the visible area's top.
PLACE_JS = f"""row => {{
  const view = {WIDGET_ROOT_JS}.querySelector('.cw-scroll');
  const top = view.getBoundingClientRect().top, r = row.getBoundingClientRect();
  return {{top: r.top - top, bottom: r.bottom - top, view: view.clientHeight,
          atEnd: view.scrollTop + view.clientHeight >= view.scrollHeight - 2}};
}}"""


def place(locator: Any) -> dict[str, Any]:
    return locator.evaluate(PLACE_JS)


@pytest.fixture(params=list(SIZES))
def visitor(request: pytest.FixtureRequest, browser: Browser, bot: Stack) -> Any:
    v = Visitor(browser, bot.web_url, SIZES[request.param])
    v.size = request.param  # type: ignore[attr-defined]
    yield v
    v.close()


def test_a_new_answer_is_shown_from_its_start(visitor: Any, screenshots: Path) -> None:
    visitor.goto()
    visitor.open()
    visitor.say("does it hurt?")
    before = visitor.bot_message_count()
    visitor.say(LONG_QUESTION)
    bots = visitor.log.locator(".cw-bot")
    first, last = place(bots.nth(before)), place(bots.last)
    turn_height = last["bottom"] - first["top"]
    if visitor.size == "desktop":  # the panel is shorter than this answer: where it starts shows
        assert turn_height > first["view"], "the answer fits: this test could not tell"
    if turn_height > first["view"]:
        assert 0 <= first["top"] <= 16, first  # read from its first line, not its last
        assert not last["atEnd"] or last["bottom"] > last["view"]
    else:
        assert first["top"] >= 0 and last["atEnd"], (first, last)
    shot = screenshots / f"{visitor.size}-long-answer-from-its-start.png"
    visitor.page.screenshot(path=str(shot))
    assert_clean(visitor)


def test_the_reading_place_is_kept_across_a_reload_and_a_close(visitor: Any) -> None:
    visitor.goto()
    visitor.open()
    for question in ("does it hurt?", LONG_QUESTION, "how many sessions do I need?"):
        visitor.say(question)
    # The visitor scrolls back to their first question.
    mine = visitor.user_bubbles().first
    mine.evaluate(
        f"b => {{ {WIDGET_ROOT_JS}.querySelector('.cw-scroll').scrollTop ="
        " b.parentElement.offsetTop; }"
    )
    visitor.page.wait_for_timeout(400)  # the widget notes the place once scrolling stops
    assert abs(place(mine)["top"]) <= 2
    visitor.page.reload()
    visitor.open()  # it stayed open across the reload
    expect(visitor.user_bubbles().first).to_have_text("does it hurt?")
    assert abs(place(visitor.user_bubbles().first)["top"]) <= 2, "the place was lost on reload"
    visitor.panel.get_by_role("button", name="Close chat").click()
    visitor.open()
    assert abs(place(visitor.user_bubbles().first)["top"]) <= 2, "the place was lost on close"
    assert_clean(visitor)


def test_the_disclaimer_folds_away_after_the_first_answer_and_stays_a_tap_away(
    visitor: Any, screenshots: Path
) -> None:
    visitor.goto()
    visitor.open()
    note = visitor.panel.get_by_text(re.compile("virtual assistant.*not medical advice", re.I))
    about = visitor.panel.get_by_role("button", name="About this assistant")
    expect(note).to_be_visible()  # read first
    expect(about).to_have_attribute("aria-expanded", "true")
    visitor.page.screenshot(path=str(screenshots / f"{visitor.size}-disclaimer-before-answer.png"))

    visitor.say("does it hurt?")
    expect(note).to_be_hidden()
    expect(about).to_have_attribute("aria-expanded", "false")
    top = visitor.panel.evaluate("p => p.querySelector('.cw-scroll').getBoundingClientRect().top")
    panel_top = visitor.panel.bounding_box()["y"]
    assert top - panel_top <= 60, f"header and disclaimer take {top - panel_top} px"
    visitor.page.screenshot(path=str(screenshots / f"{visitor.size}-disclaimer-folded.png"))

    about.click()
    expect(note).to_be_visible()
    expect(about).to_have_attribute("aria-expanded", "true")
    about.click()
    expect(note).to_be_hidden()
    visitor.page.reload()
    visitor.open()
    expect(note).to_be_hidden()  # still folded: it was read
    assert_clean(visitor)


def test_clear_chat_asks_before_clearing(visitor: Any, screenshots: Path) -> None:
    visitor.goto()
    visitor.open()
    visitor.say("does it hurt?")
    sender = visitor.page.evaluate("localStorage.getItem('clinicChat.sender')")
    clear = visitor.panel.get_by_role("button", name="Clear chat", exact=True)
    # Its accessible name is its visible label (no aria-label that says something else).
    assert clear.evaluate("b => b.getAttribute('aria-label')") is None
    confirm = visitor.panel.get_by_role("group", name=re.compile("clear this conversation", re.I))

    clear.click()
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Keep it")).to_be_focused()
    visitor.page.screenshot(path=str(screenshots / f"{visitor.size}-clear-chat-confirm.png"))
    confirm.get_by_role("button", name="Keep it").click()
    expect(confirm).to_be_hidden()
    expect(clear).to_be_focused()
    expect(visitor.user_bubbles()).to_have_count(1)

    clear.click()
    visitor.page.keyboard.press("Escape")  # cancels the question, keeps the panel open
    expect(confirm).to_be_hidden()
    expect(visitor.panel).to_be_visible()
    expect(visitor.user_bubbles()).to_have_count(1)

    visitor.clear_chat()
    expect(visitor.user_bubbles()).to_have_count(0)
    visitor.page.wait_for_function(
        "old => { const id = localStorage.getItem('clinicChat.sender'); return id && id !== old; }",
        arg=sender,
    )
    assert visitor.dialogs == []  # asked in the panel, not with a browser dialog
    assert_clean(visitor)


@pytest.mark.parametrize("touch", [True, False], ids=["touch-phone", "mouse-desktop"])
def test_a_quick_reply_never_looks_chosen_after_a_tap_on_a_touch_screen(
    browser: Browser, bot: Stack, touch: bool
) -> None:
    if touch:
        visitor = Visitor(browser, bot.web_url, PHONE, has_touch=True, is_mobile=True)
    else:
        visitor = Visitor(browser, bot.web_url, DESKTOP)
    try:
        visitor.goto()
        visitor.open()
        reply = visitor.panel.get_by_role("button", name="Does it hurt?")
        resting = reply.evaluate("b => getComputedStyle(b).backgroundColor")
        reply.hover()  # where a finger last touched, a touch screen keeps :hover
        visitor.page.wait_for_timeout(100)
        hovered = reply.evaluate("b => getComputedStyle(b).backgroundColor")
        assert visitor.page.evaluate("matchMedia('(hover: hover)').matches") is not touch
        if touch:
            assert hovered == resting, "a hover style sticks on a touch screen"
        else:
            assert hovered != resting  # a mouse still gets its hover feedback
    finally:
        visitor.close()
