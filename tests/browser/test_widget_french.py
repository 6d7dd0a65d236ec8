"""The widget in English and French: the switch in its header re-labels it at once, the choice
survives a reload, and from then on every message carries it ("language" in the /api/chat
body, which wins over the assistant's own detection). A French page (<html lang="fr-CA">)
counts as a choice of French; a French browser only sets the widget's words.

One test talks to the real bot (the French answer); the others run against a web app alone and
answer /api/chat in the page (Playwright's routing), which records every body the widget sends.
web/site.py serves only index.html, so the French demo page is served here the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Route, expect

from tests.browser.test_widget_axe import AXE_OPTIONS
from tests.browser.visitor import (
    ANAESTHETIC,
    DESKTOP,
    PHONE,
    Visitor,
    assert_clean,
    contrast_failures,
)

FRENCH_PAGE = Path(__file__).resolve().parents[2] / "web" / "pages" / "fr.html"
TALK = "Parler \u00e0 quelqu'un de la clinique"
NOT_DELIVERED = "Votre message n'a peut-\u00eatre pas \u00e9t\u00e9 transmis"
FRENCH_ANSWER = re.compile(r"anesth", re.I)  # "crème anesthésiante"


class RecordingVisitor(Visitor):
    """A visitor whose /api/chat is answered in the page, with every body the widget sent."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int], **context: Any):
        super().__init__(browser, base_url, viewport, **context)
        self.bodies: list[dict[str, Any]] = []
        self.page.route("**/api/chat", self._answer)
        self.page.route(
            f"{base_url}/fr",
            lambda route: route.fulfill(
                body=FRENCH_PAGE.read_text(encoding="utf-8"),
                content_type="text/html; charset=utf-8",
            ),
        )

    def _answer(self, route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        self.bodies.append(body)
        route.fulfill(
            json=[{"recipient_id": body["sender"], "text": f"answer {len(self.bodies)}"}],
            headers={"X-Conversation-Id": body["sender"]},
        )

    @property
    def french_launcher(self):
        return self.page.get_by_role("button", name=re.compile("^Ouvrir le clavardage"))

    def open_in_french(self, path: str) -> None:
        """Opens the page at `path`, then the chat from its French launcher."""
        self.page.goto(self.base_url + path)
        self.french_launcher.click()
        expect(self.panel).to_be_visible()


@pytest.fixture
def recording(browser: Browser, web_alone: str) -> Iterator[RecordingVisitor]:
    visitor = RecordingVisitor(browser, web_alone, DESKTOP)
    yield visitor
    visitor.close()


def switch(visitor: Visitor, language: str) -> None:
    visitor.panel.get_by_role("button", name=language, exact=True).click()


def expect_french(visitor: Visitor) -> None:
    panel = visitor.panel
    expect(panel).to_have_attribute("lang", "fr")
    expect(visitor.textbox).to_have_attribute("placeholder", "\u00c9crivez votre question\u2026")
    expect(panel.get_by_role("button", name="Envoyer", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Send", exact=True)).to_have_count(0)
    expect(panel.get_by_role("button", name="Fran\u00e7ais")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(panel.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "false")
    expect(panel.get_by_role("group", name="Langue")).to_be_visible()
    expect(panel.get_by_role("button", name=TALK)).to_be_visible()
    expect(panel.get_by_role("button", name="\u00c0 propos de cet assistant")).to_be_visible()


def test_switching_to_french_relabels_the_widget_and_the_assistant_answers_in_french(
    desktop: Visitor, screenshots: Path
) -> None:
    visitor = desktop
    visitor.goto()
    visitor.open()
    expect(visitor.panel).to_have_attribute("lang", "en")
    expect(visitor.panel.get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )
    english = visitor.say("does it hurt?")
    assert ANAESTHETIC.search(" ".join(english)), english

    # The switch is keyboard-operable: a button like any other.
    visitor.panel.get_by_role("button", name="Fran\u00e7ais").focus()
    visitor.page.keyboard.press("Enter")
    expect_french(visitor)
    # What is already in the log stays as it was.
    expect(visitor.user_bubbles().first).to_have_text("does it hurt?")
    expect(visitor.log.get_by_text(ANAESTHETIC).first).to_be_visible()

    answer = visitor.say("est-ce que \u00e7a fait mal")
    assert FRENCH_ANSWER.search(" ".join(answer)), answer
    assert not ANAESTHETIC.search(" ".join(answer)), answer
    assert contrast_failures(visitor) == []
    visitor.page.screenshot(path=str(screenshots / "desktop-french.png"))
    assert_clean(visitor)


def test_the_choice_survives_a_reload_and_switching_back_returns_to_english(
    recording: RecordingVisitor,
) -> None:
    visitor = recording
    visitor.goto()
    visitor.open()
    switch(visitor, "Fran\u00e7ais")
    expect_french(visitor)
    assert visitor.page.evaluate("localStorage.getItem('clinicChat.lang')") == "fr"

    visitor.page.reload()
    visitor.open()
    expect_french(visitor)
    visitor.panel.get_by_role("button", name="Fermer le clavardage").click()
    expect(visitor.french_launcher).to_have_text("Clavarder")
    visitor.french_launcher.click()

    switch(visitor, "English")
    expect(visitor.panel).to_have_attribute("lang", "en")
    expect(visitor.textbox).to_have_attribute("placeholder", "Type your question\u2026")
    expect(visitor.panel.get_by_role("button", name="Send", exact=True)).to_be_visible()
    visitor.page.reload()
    visitor.open()
    expect(visitor.panel).to_have_attribute("lang", "en")
    visitor.say("hello")
    assert [b.get("language") for b in visitor.bodies] == ["en"]
    assert_clean(visitor)


def test_messages_carry_the_language_only_once_chosen(recording: RecordingVisitor) -> None:
    visitor = recording
    visitor.goto()
    visitor.open()
    visitor.say("hello there")  # never switched: the server detects the language
    assert "language" not in visitor.bodies[-1]

    switch(visitor, "Fran\u00e7ais")
    # The starters and the "talk to someone" message go in the widget's language.
    before = visitor.bot_message_count()
    visitor.page.get_by_role("button", name=TALK).click()
    visitor.wait_for_answer(before)
    visitor.say("bonjour")
    assert visitor.bodies[1:] == [
        {
            "sender": visitor.bodies[0]["sender"],
            "message": "J'aimerais parler \u00e0 quelqu'un de la clinique",
            "message_id": visitor.bodies[1]["message_id"],
            "language": "fr",
        },
        {
            "sender": visitor.bodies[0]["sender"],
            "message": "bonjour",
            "message_id": visitor.bodies[2]["message_id"],
            "language": "fr",
        },
    ]
    assert visitor.user_bubbles().all_inner_texts()[0] == "hello there"  # kept as written

    # What went wrong, and Clear chat's question, in French too.
    visitor.page.unroute("**/api/chat")
    visitor.page.route("**/api/chat", lambda route: route.abort("connectionreset"))
    visitor.textbox.fill("merci")
    visitor.textbox.press("Enter")
    panel = visitor.panel
    expect(panel.get_by_role("button", name="R\u00e9essayer")).to_be_visible()
    expect(panel.get_by_text(NOT_DELIVERED)).to_be_visible()
    panel.get_by_role("button", name="Effacer la conversation").click()
    confirm = panel.get_by_role("group", name=re.compile("Effacer cette conversation"))
    expect(confirm.get_by_role("button", name="La garder")).to_be_focused()
    confirm.get_by_role("button", name="Effacer la conversation").click()
    expect(visitor.log.locator(".cw-user")).to_have_count(0)
    expect(panel.get_by_role("button", name="Est-ce que \u00e7a fait mal?")).to_be_visible()
    visitor.console_errors.clear()  # the aborted request's
    assert_clean(visitor)


def test_a_french_page_starts_in_french_and_counts_as_a_choice(
    browser: Browser, web_alone: str, screenshots: Path
) -> None:
    visitor = RecordingVisitor(browser, web_alone, PHONE)
    try:
        visitor.open_in_french("/fr")
        expect_french(visitor)
        starter = visitor.panel.get_by_role("button", name="Est-ce que \u00e7a fait mal?")
        before = visitor.bot_message_count()
        starter.click()
        visitor.wait_for_answer(before)
        assert visitor.bodies[-1]["message"] == "Est-ce que \u00e7a fait mal?"
        assert visitor.bodies[-1]["language"] == "fr"
        # The demo pages link to each other.
        expect(visitor.page.locator("main a[hreflang=en]")).to_have_attribute("href", "/")
        found = Axe().run(visitor.page, options=AXE_OPTIONS).response["violations"]
        assert [v["id"] for v in found] == []
        assert contrast_failures(visitor) == []
        visitor.page.screenshot(path=str(screenshots / "phone-french-page.png"))
        assert_clean(visitor)
    finally:
        visitor.close()


def test_a_french_browser_sees_french_but_the_server_still_detects(
    browser: Browser, web_alone: str
) -> None:
    visitor = RecordingVisitor(browser, web_alone, DESKTOP, locale="fr-CA")
    try:
        visitor.open_in_french("/")  # the English page
        expect_french(visitor)
        visitor.say("bonjour")
        assert "language" not in visitor.bodies[-1]
        assert_clean(visitor)
    finally:
        visitor.close()
