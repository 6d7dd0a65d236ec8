"""Following up requests and exporting, in Chromium at a phone's size (390 × 844) and a desktop's:
the real web app on a real SQLite tracker store and clinic database (STAFF_TIMEZONE=
Europe/Paris), staff logged in through the login form, the database checked with plain SQL.

- a status chosen in the requests list but not saved: a warning on the page, and a question
  before leaving it; Save then confirms;
- a request's call log and notes: logged, listed newest first, a mistake shown with what to fix;
- exports: one status select, no enabled empty NLU export, the unmasked export's confirmation
  page, and CSV files with a BOM, local times and quick replies in words;
- axe finds no violation on the login, requests, request, exports, confirmation and audit pages.

Screenshots go to test-output/screenshots/ (staff-requests-*, staff-request-*, staff-export*).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinic.requests import save_request
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.staff.review_helpers import rows
from tests.staff.staff_helpers import console_app, record_console_errors, request_fields, sign_in
from tests.staff.test_exports_for_staff import with_conversations  # a quick reply, accents

USERNAME = "browser.nurse"
ZONE = "Europe/Paris"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_conversations(tmp_path_factory.mktemp("staff_browser"), USERNAME)


@pytest.fixture(scope="module")
def base(folder: Path) -> Iterator[str]:
    with console_app(folder, STAFF_TIMEZONE=ZONE) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """One staff member's browser tab at one size, logged in through the form."""

    def __init__(self, browser, base: str, size: str, shots: Path):
        self.base, self.size, self.shots = base, size, shots
        self.context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        record_console_errors(self.page, self.errors)

        def on_dialog(dialog) -> None:
            self.dialogs.append(dialog.type)
            dialog.dismiss()  # "stay on this page"

        self.page.on("dialog", on_dialog)

    def login(self) -> None:
        self.page.goto(self.base + "/staff/login")
        sign_in(self.page, USERNAME)
        self.page.wait_for_url(self.base + "/staff/")

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}-{self.size}.png"), full_page=True)

    def axe(self) -> list[str]:
        from axe_playwright_python.sync_playwright import Axe

        result = Axe().run(self.page)
        return [
            f"{self.page.url}: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=list(SIZES))
def visit(request, browser, base: str, test_output: Path) -> Iterator[Visit]:
    shots = test_output / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    tab = Visit(browser, base, request.param, shots)
    try:
        yield tab
    finally:
        tab.close()
    assert tab.errors == [], tab.errors


def new_request(folder: Path, name: str, **extra) -> int:
    return save_request(
        f"sqlite:///{folder / 'clinic.db'}",
        request_fields(
            "booked",
            name,
            f"{uuid.uuid4().hex[:8]}@gmail.com",
            created_at=datetime.now(timezone.utc) - timedelta(hours=2),
            **extra,
        ),
    )


def sql(folder: Path, query: str, *args) -> list[sqlite3.Row]:
    return rows(folder / "clinic.db", query, *args)


def status_of(folder: Path, request_id: int) -> str:
    return sql(folder, "SELECT status FROM consultation_requests WHERE id = ?", request_id)[0][0]


# --- the requests list: a status chosen but not saved --------------------------------------


def test_a_status_chosen_but_not_saved_is_not_lost_silently(visit: Visit, folder: Path) -> None:
    request_id = new_request(folder, f"Unsaved {visit.size.title()}")
    page = visit.page
    visit.login()
    visit.goto("/staff/requests?status=new")
    assert page.title() == "Consultation requests · Clinic assistant"  # no script in the title
    form = page.locator(f"form[action='/staff/requests/{request_id}/status']")
    banner = page.locator("#unsaved-banner")
    assert banner.inner_text().strip() == "" and form.locator(".unsaved-note").is_hidden()

    page.click("nav >> text=Exports")  # nothing changed: leaving asks nothing
    page.wait_for_url(visit.base + "/staff/exports")
    assert visit.dialogs == []
    page.go_back()
    page.wait_for_url(visit.base + "/staff/requests?status=new")

    form.locator("select").click()  # a person's click: the page may then ask before leaving
    form.locator("select").select_option("contacted")
    page.keyboard.press("Escape")
    assert form.locator(".unsaved-note").is_visible()
    assert f"Not saved yet: the status of request {request_id}." in banner.inner_text()
    assert banner.get_attribute("role") == "status"
    visit.shot("staff-requests-unsaved-warning")

    page.click("nav >> text=Exports")  # leaving now asks; the test answers "stay"
    page.wait_for_timeout(500)
    assert visit.dialogs == ["beforeunload"]
    assert page.url == visit.base + "/staff/requests?status=new"
    assert status_of(folder, request_id) == "new"

    form.locator("button", has_text="Save").click()  # its own Save asks nothing
    page.wait_for_url(f"**/staff/requests?status=new&saved={request_id}")
    assert visit.dialogs == ["beforeunload"]
    assert status_of(folder, request_id) == "contacted"
    confirmation = page.locator("p.confirm")
    assert confirmation.is_visible()
    assert (
        f"Saved: request #{request_id} (Unsaved {visit.size.title()}) is now contacted, so it "
        "has moved to contacted." in confirmation.inner_text()
    )
    assert banner.inner_text().strip() == ""
    assert page.locator(f"form[action='/staff/requests/{request_id}/status']").count() == 0
    visit.shot("staff-requests-status-saved")
    assert visit.axe() == []


# --- a request's call log and notes --------------------------------------------------------


def test_calls_and_notes_are_logged_and_listed_newest_first(visit: Visit, folder: Path) -> None:
    request_id = new_request(folder, f"Follow {visit.size.title()}")
    page = visit.page
    visit.login()
    visit.goto(f"/staff/requests/{request_id}")
    assert page.locator(".follow-ups").count() == 0 and "No calls or notes yet." in page.content()
    assert page.input_value("#call-staff") == USERNAME
    shown_now = datetime.strptime(page.input_value("#call-at"), "%Y-%m-%dT%H:%M")
    paris_now = datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None)
    assert abs(shown_now - paris_now) < timedelta(minutes=2)  # the clinic's time, not UTC

    page.fill("#note-text", "Prefers a call after 6 pm.")
    assert "the note you are writing" in page.inner_text("#unsaved-banner")
    page.click("#note-form button[type=submit]")
    page.wait_for_url(f"**/staff/requests/{request_id}#follow-up")

    page.check("input[name=outcome][value=no_answer]")
    page.fill("#call-text", "Rang twice, no voicemail.")
    page.click("#call-form button[type=submit]")
    page.wait_for_url(f"**/staff/requests/{request_id}#follow-up")

    earlier = (datetime.now(ZoneInfo(ZONE)) - timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#call-staff", "Dr Martin")
    page.fill("#call-at", earlier)
    page.check("input[name=outcome][value=reached]")
    page.fill("#call-text", "Booked for Tuesday.")
    page.click("#call-form button[type=submit]")
    page.wait_for_url(f"**/staff/requests/{request_id}#follow-up")
    assert visit.dialogs == []  # saving a form never asks "leave the page?"

    items = page.locator(".follow-up-item")
    texts = [items.nth(i).inner_text() for i in range(items.count())]
    assert len(texts) == 3
    assert texts[0].startswith(f"Call by {USERNAME}") and "No answer" in texts[0]
    assert texts[1].startswith(f"Note by {USERNAME}") and "after 6 pm" in texts[1]
    assert texts[2].startswith("Call by Dr Martin") and "Reached" in texts[2]
    assert f"(logged by {USERNAME})" in texts[2]
    stored = sql(
        folder,
        "SELECT kind, staff, outcome, text, recorded_by FROM request_follow_ups "
        "WHERE request_id = ? ORDER BY id",
        request_id,
    )
    assert [tuple(r) for r in stored] == [
        ("note", USERNAME, None, "Prefers a call after 6 pm.", USERNAME),
        ("call", USERNAME, "no_answer", "Rang twice, no voicemail.", USERNAME),
        ("call", "Dr Martin", "reached", "Booked for Tuesday.", USERNAME),
    ]
    page.locator("#follow-up").scroll_into_view_if_needed()
    visit.shot("staff-request-follow-up")
    assert visit.axe() == []

    audited = sql(
        folder,
        "SELECT action FROM audit_log WHERE target = ? AND action IN "
        "('add_request_note', 'log_call') ORDER BY id",
        f"request:{request_id}",
    )
    assert [r[0] for r in audited] == ["add_request_note", "log_call", "log_call"]


def test_a_mistake_in_the_call_form_says_what_to_fix_and_keeps_the_text(
    visit: Visit, folder: Path
) -> None:
    request_id = new_request(folder, f"Mistake {visit.size.title()}")
    page = visit.page
    visit.login()
    visit.goto(f"/staff/requests/{request_id}")
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#call-at", tomorrow)
    page.check("input[name=outcome][value=left_message]")
    page.fill("#call-text", "Left a message about the price.")
    page.click("#call-form button[type=submit]")
    page.wait_for_load_state()
    # the page came back as a 400, which Chromium logs; nothing else went wrong
    assert [e for e in visit.errors if "status of 400" not in e] == []
    visit.errors.clear()
    alert = page.locator("#call-problem")
    assert alert.is_visible() and alert.get_attribute("role") == "alert"
    assert "is in the future: log a call once made." in alert.inner_text()
    assert page.input_value("#call-text") == "Left a message about the price."
    assert page.input_value("#call-at") == tomorrow
    assert page.is_checked("input[name=outcome][value=left_message]")
    assert "the call you are logging" in page.inner_text("#unsaved-banner")
    alert.scroll_into_view_if_needed()
    visit.shot("staff-request-call-error")
    assert visit.axe() == []
    assert sql(folder, "SELECT * FROM request_follow_ups WHERE request_id = ?", request_id) == []

    page.fill("#call-at", datetime.now(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#call-form button[type=submit]")
    page.wait_for_url(f"**/staff/requests/{request_id}#follow-up")
    assert "Left a message about the price." in page.inner_text(".follow-ups")


# --- exports -------------------------------------------------------------------------------


def test_exports_one_select_confirmed_unmasked_export_and_readable_csv(
    visit: Visit, folder: Path
) -> None:
    request_id = new_request(folder, f"Export {visit.size.title()}")
    email = sql(folder, "SELECT contact FROM consultation_requests WHERE id = ?", request_id)[0][0]
    page = visit.page
    visit.login()
    visit.goto("/staff/exports")
    assert page.locator("select").count() == 1
    nlu = page.locator("button", has_text="new examples as Rasa NLU YAML")
    assert nlu.is_disabled()
    reason = page.locator("#" + nlu.get_attribute("aria-describedby"))
    assert reason.is_visible() and reason.inner_text().startswith("Nothing new to export")
    visit.shot("staff-exports")
    assert visit.axe() == []

    with page.expect_download() as masked:
        page.click("a.button:has-text('Messages, one row each (CSV)')")
    raw = Path(masked.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.startswith("sender_id,time (Europe/Paris),from,text")
    assert "Ça fait mal ?" in text and "Yes, send it" in text and "/affirm" not in text
    assert ",fallback," not in text.splitlines()[0]

    page.select_option("#request-status", "new")
    page.click("button:has-text('CSV with contact details…')")
    page.wait_for_url("**/staff/exports/unmasked?**")
    assert "what=requests.csv" in page.url and "status=new" in page.url
    assert page.locator("h1").inner_text() == "Export with contact details?"
    assert email not in page.content()
    visit.shot("staff-export-confirm")
    assert visit.axe() == []
    since = sql(folder, "SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    with page.expect_download() as unmasked:
        page.click("button:has-text('Download CSV with contact details')")
    raw = Path(unmasked.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and email in raw.decode("utf-8-sig")
    assert "UNMASKED" in unmasked.value.suggested_filename
    lines = sql(
        folder, "SELECT target, detail FROM audit_log WHERE id > ? AND action = 'export'", since
    )
    assert [(r[0], '"masked": false' in r[1]) for r in lines] == [("requests.csv", True)]


# --- accessibility -------------------------------------------------------------------------


def test_axe_finds_no_violation_on_the_pages_of_requests_exports_and_audit(
    visit: Visit, folder: Path
) -> None:
    request_id = new_request(folder, f"Axe {visit.size.title()}")
    visit.goto("/staff/login")
    found = visit.axe()
    visit.login()
    for path in (
        "/staff/requests?status=all",
        f"/staff/requests/{request_id}",
        "/staff/exports",
        "/staff/exports/unmasked?what=conversations.csv&fallback=yes",
        "/staff/audit",
    ):
        visit.goto(path)
        assert visit.page.locator("h1").count() == 1, path
        found += visit.axe()
    assert found == []
