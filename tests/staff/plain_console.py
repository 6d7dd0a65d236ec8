"""A staff console in the staff's own words, to test in Chromium: the real web app on a tracker
store written the way Rasa's SQLTrackerStore writes it (events from Rasa's own classes, with the
readings and buttons the assistant stores) and a clinic database holding the requests the action
server's own code saved. Screenshots go to test-output/screenshots/, at a phone's size and a
desktop's.

The conversations:
- `jane`: books, taps "No" to the screening questions and "Yes, send it" to send the request
  (saved as Jane Doe, status new); she also asks whether it hurts, answered by the reading.
- `sam`: gives a name, never sends a request; asks the price, then something off-topic the
  assistant placed with confidence, then two things it did not understand (one answering its
  question about the price).
- `lee`: a request already contacted by a colleague, nothing said worth labelling.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.staff.staff_helpers import (
    Staff,
    action,
    console_app,
    loop,
    record_console_errors,
    request_fields,
    request_sent,
    session_start,
    sign_in,
    slot,
    staff_cli,
    user,
    write_tracker,
)

USERNAME = "plain.words"
NOW = time.time()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

JANE, SAM, LEE = "c0ffee0123456789abcdef0123456789", "5a115a11deadbeef", "1ee1ee1ee1ee"
SCREENING_BUTTONS = [("Yes", "/affirm"), ("No", "/deny"), ("Not sure", "/unsure")]
SEND_BUTTONS = [("Yes, send it", "/affirm"), ("No, change it", "/deny")]
PRICE_QUESTION = "Would you like to know about the price of a course of treatments?"
NOT_UNDERSTOOD = "wot abt the numbing thing tho"  # answering PRICE_QUESTION, not understood
UNSURE_OFF_TOPIC = "is the car park free on sundays"  # out of scope, but unsure: worth a look
CONFIDENT_OFF_TOPIC = "who won the football last night"  # out of scope, placed with confidence
PAIN_RULE = "answers.topic_from_intent"


def said(
    text: str,
    intent: str,
    confidence: float,
    answered: str | None = None,
    rules: tuple[str, ...] = (),
    entities: tuple[dict[str, Any], ...] = (),
):
    """A visitor message as the pipeline stores it: the classifier's intent and ranking and the
    reading (understanding/reading.py) with the intent answered and the rules that decided."""
    reading = {
        "intent": answered or intent,
        "classifier_intent": intent,
        "answers": [],
        "safety": "none",
        "rules": list(rules),
    }
    return user(text, intent, confidence, entities, reading=reading)


def says(text: str, template: str, buttons: tuple | list = ()):
    from rasa.shared.core.events import BotUttered

    data = {"buttons": [{"title": t, "payload": p} for t, p in buttons]} if buttons else {}
    return BotUttered(text, data, {"utter_action": template})


def jane_events() -> list[Any]:
    evts = session_start() + [
        said("Does it hurt?", "ask_pain", 0.93, rules=(PAIN_RULE,)),
        action("action_answer_question"),
        says("Most people feel a light scratching; a numbing cream is used.", "utter_pain"),
        action("action_listen"),
        said("I want to book", "book_consultation", 0.98),
        action("screening_form"),
        loop("screening_form"),
        slot("requested_slot", "pregnant"),
        says("Are you pregnant or breastfeeding?", "utter_ask_pregnant", SCREENING_BUTTONS),
        action("action_listen"),
        said("/deny", "deny", 1.0),
        slot("pregnant", "no"),
        slot("requested_slot", None),
        loop(None),
        action("contact_form"),
        loop("contact_form"),
        slot("requested_slot", "name"),
        says("What is your name?", "utter_ask_name"),
        action("action_listen"),
        said("Jane Doe", "inform", 0.91),
        slot("name", "Jane Doe"),
        slot("requested_slot", "contact"),
        says("How can we reach you?", "utter_ask_contact"),
        action("action_listen"),
        said("jane.doe@gmail.com", "inform", 0.95),
        slot("contact", "jane.doe@gmail.com"),
        slot("requested_slot", "contact_confirmed"),
        says(
            "Jane Doe, j***: send this to the clinic?", "utter_ask_contact_confirmed", SEND_BUTTONS
        ),
        action("action_listen"),
        said("/affirm", "affirm", 1.0),
        slot("contact_confirmed", True),
        *request_sent(),
    ]
    return evts


def sam_events() -> list[Any]:
    return session_start() + [
        said("how much is it", "ask_price", 0.88),
        says(PRICE_QUESTION, "utter_price", [("Yes, please", "/affirm"), ("No, thanks", "/deny")]),
        action("action_listen"),
        said(NOT_UNDERSTOOD, "nlu_fallback", 0.3),
        says("Sorry, I didn't get that. Could you say it another way?", "utter_default"),
        action("action_listen"),
        said(UNSURE_OFF_TOPIC, "out_of_scope", 0.45),
        says("I can only help with medical needling.", "utter_out_of_scope"),
        action("action_listen"),
        said(CONFIDENT_OFF_TOPIC, "out_of_scope", 0.97),
        says("I can only help with medical needling.", "utter_out_of_scope"),
        action("action_listen"),
        loop("contact_form"),
        slot("requested_slot", "name"),
        says("What is your name?", "utter_ask_name"),
        action("action_listen"),
        said("Sam Okafor", "inform", 0.9),
        slot("name", "Sam Okafor"),
        action("action_listen"),
    ]


def lee_events() -> list[Any]:
    return session_start() + [
        said("I want to book", "book_consultation", 0.97),
        says("Thank you, the clinic will contact you.", "utter_request_sent"),
        action("action_listen"),
    ]


def request_row(sender: str, name: str, contact: str, status: str = "new") -> dict[str, Any]:
    row = request_fields(sender, name, contact)
    if status != "new":
        row["status"] = status
        row["status_changed_by"] = "colleague"
    return row


@contextlib.contextmanager
def plain_console(folder: Path) -> Iterator[tuple[str, Path]]:
    """The web app on the conversations above; yields its base URL and the clinic database."""
    from clinic.requests import save_request

    tracker, clinic = folder / "tracker.db", folder / "clinic.db"
    for n, (sender, evts) in enumerate(
        ((LEE, lee_events()), (SAM, sam_events()), (JANE, jane_events()))
    ):
        write_tracker(tracker, sender, evts, NOW - 3600 + n * 600, step=1.0)
    url = f"sqlite:///{clinic}"
    save_request(url, request_row(JANE, "Jane Doe", "jane.doe@gmail.com"))
    save_request(url, request_row(LEE, "Lee Chang", "+44 20 7946 0991", "contacted"))
    assert staff_cli(clinic, "add", USERNAME).returncode == 0
    with console_app(folder) as base:
        yield base, clinic


def logged_in(base: str) -> Staff:
    client = Staff(base)
    assert client.login(USERNAME).status_code == 303
    return client


@contextlib.contextmanager
def browser_pages(base: str) -> Iterator[dict[str, Any]]:
    """A logged-in Chromium page per size ("phone", "desktop"), failing the test on any console
    error the pages log."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for name, size in SIZES.items():
                page = browser.new_context(viewport=size).new_page()
                record_console_errors(page, problems)
                page.goto(base + "/staff/login")
                with page.expect_navigation():
                    sign_in(page, USERNAME)
                pages[name] = page
            yield pages
        finally:
            browser.close()
    assert problems == []


def shot(page, output: Path, name: str) -> None:
    folder = output / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def axe_violations(page) -> list[str]:
    """What axe-core finds wrong on the page as shown, one line per rule and element; a page
    wider than the window (on a phone) counts as one, since axe does not check that."""
    from axe_playwright_python.sync_playwright import Axe

    wider = overflow(page)
    if wider > 0:
        return [f"page {wider}px wider than the window"]
    results = Axe().run(page)
    return [
        f"{v['id']}: {node['target']} {node.get('failureSummary', '')}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]
