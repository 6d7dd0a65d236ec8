"""Emergency and warning replies look and sound like alerts, and phone numbers are a tap away.

The REST channel marks a reply by the name of the response it was uttered from
(channels/alerts.py), never by its words; the widget styles what is marked. Real bot, real web
app, phone (390 x 844) and desktop.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.visitor import (
    DESKTOP,
    PHONE,
    Visitor,
    assert_clean,
    contrast_failures,
    typed_in,
)
from tools.stack import Stack

SIZES = {"phone": PHONE, "desktop": DESKTOP}
THROAT = "my throat is closing up after my treatment"
PUS = "it's been 4 days and there's pus and it's getting redder"
EMERGENCY_BACKGROUND = "rgb(253, 236, 236)"
WARNING_BACKGROUND = "rgb(255, 246, 214)"


def rest_turn(stack: Stack, sender: str, text: str, message_id: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text, "message_id": message_id}).encode()
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_the_rest_channel_marks_alerts_by_response_name_also_when_replayed(bot: Stack) -> None:
    sender = f"alerts-{uuid.uuid4().hex}"
    for text, kind in ((THROAT, "emergency"), (PUS, "warning"), ("does it hurt?", None)):
        message_id = uuid.uuid4().hex
        answer = rest_turn(bot, sender, text, message_id)
        assert answer and {m.get("alert") for m in answer} == {kind}, answer
        # A retry of the same message is answered from the tracker, marked the same way.
        assert rest_turn(bot, sender, text, message_id) == answer
    assert typed_in(bot, sender) == [THROAT, PUS, "does it hurt?"]


def background(locator: Any) -> str:
    return locator.evaluate("e => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("size", SIZES)
def test_emergency_and_warning_replies_are_alerts_with_tap_to_call(
    browser: Browser, bot: Stack, screenshots: Path, size: str
) -> None:
    visitor = Visitor(browser, bot.web_url, SIZES[size])
    try:
        visitor.goto()
        visitor.open()
        visitor.say(THROAT)
        alerts = visitor.log.get_by_role("alert")
        expect(alerts).to_have_count(1)
        emergency = alerts.first
        expect(emergency).to_contain_text("Emergency")
        expect(emergency.locator("svg")).to_have_count(1)
        expect(emergency.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
        assert background(emergency) == EMERGENCY_BACKGROUND
        visitor.page.screenshot(path=str(screenshots / f"{size}-emergency-alert.png"))

        visitor.say(PUS)
        expect(alerts).to_have_count(2)
        warning = alerts.last
        expect(warning).to_contain_text("Warning sign")
        expect(warning.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
        assert background(warning) == WARNING_BACKGROUND
        assert contrast_failures(visitor) == []
        visitor.page.screenshot(path=str(screenshots / f"{size}-warning-alert.png"))

        # An ordinary answer is an ordinary bubble.
        visitor.say("does it hurt?")
        expect(alerts).to_have_count(2)
        expect(visitor.log.locator(".cw-bot").last.locator(".cw-alert-tag")).to_have_count(0)

        # After a reload the alerts keep their look, but are not announced again.
        visitor.page.reload()
        visitor.open()
        expect(visitor.log.locator(".cw-emergency")).to_have_count(1)
        expect(visitor.log.locator(".cw-warning")).to_have_count(1)
        expect(alerts).to_have_count(0)
        assert_clean(visitor)
    finally:
        visitor.close()


@pytest.mark.parametrize("size", SIZES)
def test_phone_numbers_in_the_bots_words_are_tap_to_call_and_other_numbers_are_not(
    browser: Browser, bot: Stack, screenshots: Path, size: str
) -> None:
    # As the clinic's own number will come, from its settings, in the bot's answers.
    said = (
        "Call the clinic at (613) 555-0142, or +33 1 23 45 67 89 from France; in an emergency"
        " call 911. Expect redness for 48 hours and 3 to 4 sessions, from 2024-05-01 at 10:30."
    )
    visitor = Visitor(browser, bot.web_url, SIZES[size])
    try:
        visitor.seed(
            [
                {"from": "user", "text": "my number is 613-555-0199", "ts": 1},
                {"from": "bot", "text": said, "ts": 2},
            ]
        )
        visitor.open()
        links = visitor.log.get_by_role("link")
        expect(links).to_have_count(3)
        found = [(a.inner_text(), a.get_attribute("href")) for a in links.all()]
        assert found == [
            ("(613) 555-0142", "tel:6135550142"),
            ("+33 1 23 45 67 89", "tel:+33123456789"),
            ("911", "tel:911"),
        ]
        expect(visitor.user_bubbles().get_by_role("link")).to_have_count(0)
        visitor.page.screenshot(path=str(screenshots / f"{size}-tap-to-call-numbers.png"))
    finally:
        visitor.close()
