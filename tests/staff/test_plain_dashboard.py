"""Readable intent names on the dashboard and in the conversation filters, in Chromium at a
phone's size and a desktop's (tests/staff/plain_console.py). The expected counts come from
the tracker store with plain SQL."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.staff.plain_console import (
    JANE,
    LEE,
    SAM,
    SIZES,
    axe_violations,
    browser_pages,
    plain_console,
    shot,
)
from tests.staff.review_helpers import listed_senders, rows

# What the conversations of plain_console.py meant, in the staff's words.
READABLE = {
    "inform": "Gives their details",
    "book_consultation": "Wants a consultation",
    "out_of_scope": "Not about the clinic",
    "ask_pain": "Pain and numbing",
    "ask_price": "Price",
    "deny": "No",
    "affirm": "Yes",
    "nlu_fallback": "Not understood",
}


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with plain_console(tmp_path_factory.mktemp("plain_dashboard")) as (base, clinic):
        yield base, clinic


@pytest.fixture(scope="module")
def pages(console):
    with browser_pages(console[0]) as opened:
        yield opened


def intent_counts(clinic) -> Counter:
    tracker = clinic.parent / "tracker.db"
    found = rows(tracker, "SELECT intent_name FROM events WHERE type_name = 'user'")
    return Counter(r["intent_name"] for r in found)


@pytest.mark.parametrize("size", SIZES)
def test_the_dashboard_names_top_intents_in_plain_words(console, pages, size, test_output):
    base, clinic = console
    page = pages[size]
    page.goto(base + "/staff/?days=7")
    counts = intent_counts(clinic)
    assert set(counts) <= set(READABLE)
    chart = page.locator("svg.chart[aria-label='Top intents']")
    labels = [t for t in chart.locator("text").all_text_contents() if not t.isdigit()]
    values = [int(t) for t in chart.locator("text").all_text_contents() if t.isdigit()]
    assert dict(zip(labels, values, strict=True)) == {
        READABLE[name]: n for name, n in counts.items()
    }
    assert labels[0] == "Gives their details" and values[0] == counts["inform"] == 3
    assert not [label for label in labels if "_" in label]
    # the table under the chart links each to the conversations that meant it
    page.locator("details", has_text="Figures as a table").locator("summary").click()
    table = page.locator("table", has_text="The visitor meant")
    assert table.locator("tbody tr").count() == len(counts)
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-dashboard-{size}")
    with page.expect_navigation():
        table.get_by_role("link", name="Wants a consultation").click()
    assert "intent=book_consultation" in page.url
    assert sorted(listed_senders(page.content())) == sorted({JANE, LEE})


@pytest.mark.parametrize("size", SIZES)
def test_the_filters_list_what_visitors_meant_in_plain_words(console, pages, size, test_output):
    base, _ = console
    page = pages[size]
    page.goto(base + "/staff/conversations")
    assert page.inner_text("label[for=intent]") == "The visitor meant"
    options = page.locator("#intent option").all()
    shown = {o.get_attribute("value"): o.inner_text().strip() for o in options[1:]}
    assert len(shown) >= 30
    for intent, name in READABLE.items():
        assert shown[intent] == name, intent
    assert not [name for name in shown.values() if "_" in name or re.match(r"^[a-z]", name)]
    assert page.locator("#intent optgroup").count() >= 4
    page.select_option("#intent", label="No")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "intent=deny" in page.url
    assert listed_senders(page.content()) == [JANE]
    assert page.locator("#intent option:checked").inner_text() == "No"
    assert axe_violations(page) == []
    shot(page, test_output, f"staff-plain-filters-{size}")
    page.select_option("#intent", label="Not about the clinic")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert listed_senders(page.content()) == [SAM]
