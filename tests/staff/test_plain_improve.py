"""Improve in the staff's words, in Chromium at a phone's size and a desktop's
(tests/staff/plain_console.py): each message with the assistant's question it answered, nothing
the assistant handled with confidence, a chooser of readable names with two examples each, and
a confirmation with an Undo after saving a label. Labels are checked in the clinic database
with plain SQL."""

from __future__ import annotations

import json
import re

import pytest

from tests.staff.plain_console import (
    CONFIDENT_OFF_TOPIC,
    NOT_UNDERSTOOD,
    PRICE_QUESTION,
    SIZES,
    UNSURE_OFF_TOPIC,
    axe_violations,
    browser_pages,
    logged_in,
    plain_console,
    shot,
)
from tests.staff.review_helpers import audit_since, last_audit_id, rows
from tests.staff.staff_helpers import training_examples
from web.staff.unclear import HANDLED_WITH_CONFIDENCE


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with plain_console(tmp_path_factory.mktemp("plain_improve")) as (base, clinic):
        yield base, clinic


@pytest.fixture(scope="module")
def pages(console):
    with browser_pages(console[0]) as opened:
        yield opened


def labels(clinic) -> dict[str, str]:
    return {r["text"]: r["intent"] for r in rows(clinic, "SELECT text, intent FROM nlu_labels")}


def group(page, text: str):
    return page.locator("li.group", has_text=text)


def test_what_the_assistant_handled_with_confidence_is_left_out(console):
    base, clinic = console
    page = logged_in(base).get("/staff/improve")
    assert page.status_code == 200
    tracker = clinic.parent / "tracker.db"
    listed, left_out = set(), set()
    for row in rows(tracker, "SELECT data FROM events WHERE type_name = 'user'"):
        data = json.loads(row["data"])
        text, intent = data["text"], data["parse_data"]["intent"]
        if text.startswith("/") or intent["name"] == "inform":
            continue  # taps and contact-form answers are never listed
        confident = intent["confidence"] >= HANDLED_WITH_CONFIDENCE
        (left_out if confident and intent["name"] != "nlu_fallback" else listed).add(text)
    assert CONFIDENT_OFF_TOPIC in left_out and "how much is it" in left_out
    assert {NOT_UNDERSTOOD, UNSURE_OFF_TOPIC} == listed
    for text in listed:
        assert f"“{text}”" in page.text, text
    for text in left_out:
        assert text not in page.text, text
    assert f"confidence below {HANDLED_WITH_CONFIDENCE}" in page.text


def test_an_unusable_confirmation_argument_is_a_400(console):
    staff = logged_in(console[0])
    assert staff.get("/staff/improve?saved=abc").status_code == 400
    assert "Saved:" not in staff.get("/staff/improve?saved=999999").text  # no such label


@pytest.mark.parametrize("size", SIZES)
def test_label_with_readable_names_then_undo(console, pages, size, test_output):
    base, clinic = console
    page = pages[size]
    page.goto(base + "/staff/improve")
    shown = page.inner_text("main")
    assert UNSURE_OFF_TOPIC in shown and CONFIDENT_OFF_TOPIC not in shown  # handled: left out
    unclear = group(page, NOT_UNDERSTOOD)
    # the question the visitor was answering
    assert (
        unclear.locator(".asked").inner_text() == f"In answer to the assistant's “{PRICE_QUESTION}”"
    )
    # readable names, two examples each, straight from the training data
    training = training_examples()
    options = unclear.locator("select[name=intent] option").all()
    offered = {o.get_attribute("value"): o.inner_text() for o in options[1:]}
    assert len(offered) >= 30 and "nlu_fallback" not in offered
    for intent, text in offered.items():
        name, _, rest = text.partition(" (e.g. ")
        examples = re.findall(r"“(.*?)”", rest)
        assert name and "_" not in name and len(examples) == 2, text
        assert set(examples) <= training[intent], text
    assert offered["ask_pain"].startswith("Pain and numbing (e.g. “")
    assert len(set(offered.values())) == len(offered)
    assert unclear.locator("optgroup").count() >= 4
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-improve-{size}")

    since = last_audit_id(clinic)
    unclear.locator("select[name=intent]").select_option(value="ask_pain")
    with page.expect_navigation():
        unclear.locator("form.label-form button").click()
    saved = page.locator("#label-saved")
    assert saved.is_visible()
    assert " ".join(saved.inner_text().split()) == (
        f"Saved: 1 message labelled Pain and numbing: “{NOT_UNDERSTOOD}”. Undo"
    )
    assert labels(clinic) == {NOT_UNDERSTOOD: "ask_pain"}
    assert group(page, NOT_UNDERSTOOD).count() == 0  # handled: out of the inbox
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-improve-saved-{size}")

    with page.expect_navigation():
        saved.get_by_role("button", name="Undo").click()
    assert "Undone: 1 label deleted; the message is new again." in page.inner_text("main")
    assert labels(clinic) == {}
    assert group(page, NOT_UNDERSTOOD).count() == 1
    assert "saved=" not in page.url  # a reload does not show the confirmation again
    shot(page, test_output, f"staff-plain-improve-undone-{size}")

    # ignoring is confirmed and undone the same way
    off_topic = group(page, UNSURE_OFF_TOPIC)
    off_topic.locator("input[name=reason]").fill("a test message")
    with page.expect_navigation():
        off_topic.locator("form.ignore-form button").click()
    assert "Ignored 1 message (“a test message”)" in page.inner_text("#label-saved")
    assert labels(clinic) == {UNSURE_OFF_TOPIC: "__dismissed__"}
    with page.expect_navigation():
        page.locator("#label-saved").get_by_role("button", name="Undo").click()
    assert labels(clinic) == {}
    assert [r["action"] for r in audit_since(clinic, since)].count("unlabel") == 2
    assert [
        json.loads(r["detail"])["intent"]
        for r in audit_since(clinic, since)
        if r["action"] == "label"
    ] == ["ask_pain", "__dismissed__"]


@pytest.mark.parametrize("size", SIZES)
def test_labels_and_handled_groups_read_in_plain_words(console, pages, size, test_output):
    base, _ = console
    staff = logged_in(base)
    improve = staff.get("/staff/improve?handled=1").text  # new or labelled: its ids are there
    ids = re.findall(
        r'name="event_id" value="(\d+)"',
        improve[improve.index(UNSURE_OFF_TOPIC) :].split('class="group"')[0],
    )
    assert ids
    assert staff.post("/staff/improve/label", {"event_id": ids, "intent": "ask_clinic"}).status_code
    page = pages[size]
    page.goto(base + "/staff/improve/labels")
    row = page.locator("tr", has_text=UNSURE_OFF_TOPIC)
    cells = [" ".join(c.split()) for c in row.locator("td").all_inner_texts()]
    assert cells[2:4] == ["About the clinic", "Not about the clinic"]  # labelled as, assistant had
    assert "ask_clinic" not in page.inner_text("main") and "out_of_scope" not in page.inner_text(
        "main"
    )
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-labels-{size}")
    page.goto(base + "/staff/improve?handled=1")
    handled = page.locator("li.group.handled", has_text=UNSURE_OFF_TOPIC)
    assert "labelled About the clinic by" in " ".join(handled.inner_text().split())
    assert axe_violations(page) == []
