"""axe-core finds nothing wrong with the widget, at phone (390 x 844) and desktop size: closed,
open, in a conversation with quick replies and alerts, with the disclaimer unfolded, with Clear
chat asking, and with a message that may not have been delivered. The real bot and web app;
axe-core comes bundled with axe-playwright-python (nothing downloaded).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.browser.visitor import DESKTOP, PHONE, Visitor
from tools.stack import Stack

SIZES = {"phone": PHONE, "desktop": DESKTOP}
# label-content-name-mismatch is experimental in axe-core, so off unless asked for.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}


def violations(visitor: Visitor) -> list[str]:
    """axe's violations on the whole page (the widget's shadow root included), one line each."""
    found = Axe().run(visitor.page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in found]


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_no_violations_in_the_widget(
    browser: Browser, bot: Stack, screenshots: Path, size: str
) -> None:
    visitor = Visitor(browser, bot.web_url, SIZES[size])
    panel = visitor.panel
    found: dict[str, list[str]] = {}

    def check(state: str, action: Callable[[], Any]) -> None:
        action()
        found[state] = violations(visitor)
        visitor.page.screenshot(path=str(screenshots / f"{size}-axe-{state}.png"))

    def conversation() -> None:
        before = visitor.bot_message_count()
        panel.get_by_role("button", name="Does it hurt?").click()
        visitor.wait_for_answer(before)
        visitor.say("my throat is closing up after my treatment")
        visitor.say("it's been 4 days and there's pus and it's getting redder")
        visitor.say("I want to book a consultation")
        expect(visitor.log.locator(".cw-qr:enabled").first).to_be_visible()

    def not_delivered() -> None:
        visitor.page.route("**/api/chat", lambda route: route.abort("connectionreset"))
        visitor.textbox.fill("No")
        visitor.textbox.press("Enter")
        expect(panel.get_by_role("button", name="Retry")).to_be_visible()

    try:
        check("closed", visitor.goto)
        check("open", visitor.open)
        check("conversation", conversation)
        check("about", panel.get_by_role("button", name="About this assistant").click)
        check("clear-confirm", panel.get_by_role("button", name="Clear chat").click)
        panel.get_by_role("button", name="Keep it").click()
        check("may-not-have-been-delivered", not_delivered)
    finally:
        visitor.close()
    assert {state: v for state, v in found.items() if v} == {}


def test_axe_would_see_a_name_that_differs_from_the_label(browser: Browser, bot: Stack) -> None:
    # The check above can fail: the label-content-name-mismatch that Clear chat once had.
    visitor = Visitor(browser, bot.web_url, DESKTOP)
    try:
        visitor.goto()
        visitor.open()
        visitor.panel.get_by_role("button", name="Clear chat").evaluate(
            "b => b.setAttribute('aria-label', 'Clear this conversation')"
        )
        assert any(v.startswith("label-content-name-mismatch") for v in violations(visitor))
    finally:
        visitor.close()
