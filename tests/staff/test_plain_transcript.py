"""Transcripts and the conversation list in plain words, in Chromium at a phone's size and a
desktop's (tests/staff/plain_console.py): the visitor's name (masked) and request status in
the title and the list, tapped buttons as their titles, what the assistant understood behind
one "Show details" switch, and the whole list row as the link."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.staff.plain_console import (
    JANE,
    LEE,
    PAIN_RULE,
    SAM,
    SIZES,
    axe_violations,
    browser_pages,
    logged_in,
    plain_console,
    shot,
)
from tests.staff.review_helpers import rows

JANE_MASKED, SAM_MASKED, LEE_MASKED = "J*** D***", "S*** O***", "L*** C***"


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with plain_console(tmp_path_factory.mktemp("plain_transcript")) as (base, clinic):
        yield base, clinic


@pytest.fixture(scope="module")
def pages(console):
    with browser_pages(console[0]) as opened:
        yield opened


def transcript_url(base: str, sender: str) -> str:
    return base + "/staff/conversations/view?" + urllib.parse.urlencode({"sender": sender})


def visible_text(page, selector: str) -> str:
    return " ".join(page.locator(selector).inner_text().split())


@pytest.mark.parametrize("size", SIZES)
def test_the_title_names_the_visitor_masked_with_the_request_status(
    console, pages, size, test_output
):
    base, clinic = console
    page = pages[size]
    page.goto(transcript_url(base, JANE))
    title = visible_text(page, "h1")
    assert title == f"{JANE_MASKED} request new"
    assert JANE not in title and JANE not in page.inner_text("main")  # the id is a detail
    assert "Jane Doe" not in page.content()  # masked in the title and the messages alike
    assert page.title().startswith(JANE_MASKED)
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-transcript-{size}")
    # a colleague's "contacted" shows, and a visitor who sent nothing says so
    page.goto(transcript_url(base, LEE))
    assert visible_text(page, "h1") == f"{LEE_MASKED} request contacted"
    page.goto(transcript_url(base, SAM))
    assert visible_text(page, "h1") == f"{SAM_MASKED} no request"
    # revealing contact details (audited) reveals the name too
    page.goto(transcript_url(base, JANE))
    with page.expect_navigation():
        page.click("form[action='/staff/conversations/reveal'] button")
    assert visible_text(page, "h1") == "Jane Doe request new"
    assert rows(clinic, "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0][0] == (
        "reveal_contact"
    )


@pytest.mark.parametrize("size", SIZES)
def test_tapped_quick_replies_read_as_the_buttons_titles(console, pages, size):
    base, _ = console
    page = pages[size]
    page.goto(transcript_url(base, JANE))
    visitor = [" ".join(t.split()) for t in page.locator("li.msg.user p.text").all_inner_texts()]
    assert visitor == ["Does it hurt?", "I want to book", "No", JANE_MASKED, "j***@g***.com"] + [
        "Yes, send it"
    ]
    tapped = page.locator("li.msg.user:has(.tapped) p.text").all_inner_texts()
    assert tapped == ["No", "Yes, send it"]
    assert "/affirm" not in page.inner_text("main") and "/deny" not in page.inner_text("main")
    # the payload is kept, behind the details
    page.check("#show-details")
    assert "button payload /affirm" in visible_text(page, "li.msg.user:has(.tapped) >> nth=1")
    page.uncheck("#show-details")


@pytest.mark.parametrize("size", SIZES)
def test_what_the_assistant_understood_is_behind_one_switch_closed_by_default(
    console, pages, size, test_output
):
    base, _ = console
    page = pages[size]
    page.goto(transcript_url(base, JANE))
    switch = page.locator("#show-details")
    assert switch.is_visible() and not switch.is_checked()
    hidden = ("p.nlu", "li.internal", "li.msg.bot .meta .details")
    for selector in hidden:
        assert page.locator(selector).count() >= 1, selector
        assert not any(page.locator(selector).nth(i).is_visible() for i in range(3)), selector
    shown = page.inner_text("ol.transcript")
    for jargon in ("ask_pain", "0.93", "utter_pain", PAIN_RULE, "answered as", "entities"):
        assert jargon not in shown, jargon
    assert not re.search(r"\d+ (action|slot|form change)", shown)  # "1 action, 2 slots"
    # by keyboard: the switch is a labelled checkbox
    switch.focus()
    page.keyboard.press("Space")
    assert switch.is_checked()
    first = visible_text(page, "li.msg.user >> nth=0")
    assert "answered as Pain and numbing ask_pain (0.93)" in first
    assert f"decided by: {PAIN_RULE}" in first  # the rule ids stay, behind the switch
    assert page.locator("li.internal").first.is_visible()
    assert "utter_pain" in page.inner_text("li.msg.bot >> nth=0")
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-transcript-details-{size}")
    page.keyboard.press("Space")
    assert not page.locator("p.nlu").first.is_visible()


@pytest.mark.parametrize("size", SIZES)
def test_the_list_shows_name_and_request_status_and_the_whole_row_opens_it(
    console, pages, size, test_output
):
    base, _ = console
    page = pages[size]
    page.goto(base + "/staff/conversations")
    assert "Visitor" in page.inner_text("table.conversations thead")
    assert "Request" in page.inner_text("table.conversations thead")
    listed = {}
    for row in page.locator("table.conversations tbody tr").all():
        link = row.locator("td.who a")
        assert link.count() == 1
        sender = urllib.parse.parse_qs(urllib.parse.urlparse(link.get_attribute("href")).query)
        request = " ".join(row.locator("td").nth(1).inner_text().split())
        name = link.inner_text().splitlines()[0].strip()  # then, for screen readers, the time
        listed[sender["sender"][0]] = (name, request.split(": ")[-1])
    assert listed == {
        JANE: (JANE_MASKED, "new"),
        SAM: (SAM_MASKED, "none"),
        LEE: (LEE_MASKED, "contacted"),
    }
    assert "Jane Doe" not in page.content() and "Sam Okafor" not in page.content()
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-list-{size}")
    # a click anywhere on the row, here on the first message, opens the conversation
    preview = page.locator("tr", has_text=SAM_MASKED).locator(".preview")
    preview.scroll_into_view_if_needed()
    box = preview.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r".*/conversations/view\?sender=" + SAM + "$"))
    assert visible_text(page, "h1") == f"{SAM_MASKED} no request"
    # a tag chip in a row still filters by its tag rather than opening the row
    tag = f"checked on {size}"
    staff = logged_in(base)
    assert staff.post("/staff/conversations/tags", {"sender": SAM, "name": tag}).status_code == 303
    page.goto(base + "/staff/conversations")
    page.locator("table.conversations a.tag", has_text=tag).click()
    page.wait_for_url(re.compile(r".*/conversations\?tag="))
    assert page.locator("table.conversations tbody tr").count() == 1
