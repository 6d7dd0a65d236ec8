"""A consultation request's notes and call log, on SQLite and on PostgreSQL: the real web app
(`python -m web.app`) on a clinic database of each kind, staff logged in through the login
form, and what was stored read back with plain SQL, independently of the console's queries.

PostgreSQL is the session's throwaway server (tests/pg.py), as in test_staff_postgres.py;
STAFF_TEST_POSTGRES_URL may name a scratch server instead (this module makes its databases
beside it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic.requests import save_request
from tests.pg import postgres  # noqa: F401  (the session's throwaway PostgreSQL server)
from tests.staff.staff_helpers import (
    ROOT,
    Staff,
    booking_events,
    pg_database,
    request_fields,
    staff_cli,
    write_tracker,
)
from tests.web_process import FakeRasa, web_app
from web.staff import retention

USERNAME = "follow.nurse"
ZONE = "Europe/Paris"  # not the machine's (UTC), so a time read in the wrong zone shows
PARIS = ZoneInfo(ZONE)
RECEIVED = datetime.now(timezone.utc) - timedelta(hours=3)
HUGE = "9" * 30


def a_request(sender: str, **extra) -> dict:
    ana = request_fields(sender, "Ana Follow", "+33 6 12 34 56 78", preferred_time="evenings")
    return {**ana, **extra}


@dataclass
class Site:
    backend: str
    base: str
    url: str
    folder: Path
    request_id: int
    staff: Staff

    def sql(self, query: str, **params) -> list[dict]:
        engine = sa.create_engine(self.url, future=True)
        try:
            with engine.connect() as conn:
                return [dict(r) for r in conn.execute(sa.text(query), params).mappings()]
        finally:
            engine.dispose()

    def follow_ups(self, request_id: int | None = None) -> list[dict]:
        return self.sql(
            "SELECT * FROM request_follow_ups WHERE request_id = :r ORDER BY id",
            r=request_id or self.request_id,
        )

    def audit_after(self, after: int) -> list[dict]:
        return self.sql("SELECT * FROM audit_log WHERE id > :a ORDER BY id", a=after)

    def last_audit(self) -> int:
        return self.sql("SELECT COALESCE(MAX(id), 0) AS n FROM audit_log")[0]["n"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp(f"follow_up_{request.param}")
    write_tracker(folder / "tracker.db", "booked-ana", booking_events(), time.time() - 3 * 3600)
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'clinic.db'}"
    else:
        url = pg_database(request, "follow_up_clinic")
    made = staff_cli(folder / "clinic.db", "add", USERNAME, extra_env={"CLINIC_DB_URL": url})
    assert made.returncode == 0, made.stderr
    request_id = save_request(url, a_request("booked-ana", created_at=RECEIVED))
    rasa = FakeRasa()
    env = {"CLINIC_DB_URL": url, "STAFF_TIMEZONE": ZONE}
    try:
        with web_app(folder / "web", rasa.url, env) as base:
            staff = Staff(base)
            assert staff.login(USERNAME).status_code == 303
            yield Site(request.param, base, url, folder, request_id, staff)
    finally:
        rasa.close()


def paris_input(moment: datetime) -> str:
    """A time as a person types it in the datetime-local field, in the clinic's zone."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def stored_utc(value) -> datetime:
    """A stored time as plain SQL gives it back (SQLite: text), as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def history(html: str) -> list[str]:
    """The follow-ups the request page lists, in its order, as their text."""
    items = re.findall(r'<li class="follow-up-item (?:call|note)">(.*?)</li>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]


# --- notes ---------------------------------------------------------------------------------


def test_a_note_is_stored_shown_and_audited_without_its_text(site: Site) -> None:
    since = site.last_audit()
    text = "She prefers evenings.\r\nCall back Thursday after 18:00 – Ça va."
    added = site.staff.post(f"/staff/requests/{site.request_id}/notes", {"text": text})
    assert added.status_code == 303, added.text[:300]
    assert added.headers["Location"] == f"/staff/requests/{site.request_id}#follow-up"
    notes = [r for r in site.follow_ups() if r["kind"] == "note"]
    assert len(notes) == 1
    note = notes[0]
    assert note["text"] == "She prefers evenings.\nCall back Thursday after 18:00 – Ça va."
    assert (note["staff"], note["recorded_by"], note["outcome"]) == (USERNAME, USERNAME, None)
    assert abs(stored_utc(note["at"]) - datetime.now(timezone.utc)) < timedelta(minutes=2)
    lines = [r for r in site.audit_after(since) if r["action"] == "add_request_note"]
    assert [(r["username"], r["target"]) for r in lines] == [
        (USERNAME, f"request:{site.request_id}")
    ]
    detail = json.loads(lines[0]["detail"])
    assert detail == {
        "request": site.request_id,
        "follow_up": note["id"],
        "chars": len(note["text"]),
    }
    assert "Thursday" not in lines[0]["detail"]  # the audit log outlives the note
    page = site.staff.get(f"/staff/requests/{site.request_id}")
    assert page.status_code == 200
    assert "Call back Thursday after 18:00 – Ça va." in page.text
    assert history(page.text)[0].startswith(f"Note by {USERNAME}")


# --- calls ---------------------------------------------------------------------------------


def test_a_call_is_logged_with_who_when_outcome_and_note(site: Site) -> None:
    since = site.last_audit()
    when = datetime.now(timezone.utc) - timedelta(minutes=40)
    logged = site.staff.post(
        f"/staff/requests/{site.request_id}/calls",
        {
            "staff": "Dr  Martin",
            "at": paris_input(when),
            "outcome": "left_message",
            "text": "Voicemail; said we would try again tomorrow.",
        },
    )
    assert logged.status_code == 303, logged.text[:500]
    calls = [r for r in site.follow_ups() if r["kind"] == "call"]
    assert len(calls) == 1
    call = calls[0]
    assert (call["staff"], call["outcome"], call["recorded_by"]) == (
        "Dr Martin",
        "left_message",
        USERNAME,
    )
    # typed in Paris time, to the minute; stored as that moment
    assert stored_utc(call["at"]) == when.replace(second=0, microsecond=0)
    assert call["text"] == "Voicemail; said we would try again tomorrow."
    lines = [r for r in site.audit_after(since) if r["action"] == "log_call"]
    assert len(lines) == 1 and lines[0]["target"] == f"request:{site.request_id}"
    assert json.loads(lines[0]["detail"]) == {
        "request": site.request_id,
        "follow_up": call["id"],
        "outcome": "left_message",
        "caller": "Dr Martin",
        "chars": len(call["text"]),
    }
    page = site.staff.get(f"/staff/requests/{site.request_id}").text
    shown = next(item for item in history(page) if "Dr Martin" in item)
    local = when.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
    assert shown.startswith(f"Call by Dr Martin, {local}: Left a message")
    assert f"(logged by {USERNAME})" in shown and "try again tomorrow" in shown


def test_the_history_is_newest_first_by_when_it_happened(site: Site) -> None:
    base = f"/staff/requests/{site.request_id}/calls"
    now = datetime.now(timezone.utc)
    for minutes, outcome, words in (
        (10, "no_answer", "rang ten minutes ago"),
        (150, "wrong_number", "rang long ago"),  # logged last, happened first
    ):
        answer = site.staff.post(
            base,
            {
                "staff": USERNAME,
                "at": paris_input(now - timedelta(minutes=minutes)),
                "outcome": outcome,
                "text": words,
            },
        )
        assert answer.status_code == 303, answer.text[:300]
    site.staff.post(f"/staff/requests/{site.request_id}/notes", {"text": "newest of all"})
    shown = history(site.staff.get(f"/staff/requests/{site.request_id}").text)
    rows = sorted(
        site.follow_ups(),
        key=lambda r: (stored_utc(r["at"]).replace(second=0, microsecond=0), r["id"]),
        reverse=True,
    )
    assert len(shown) == len(rows) >= 5
    for item, row in zip(shown, rows, strict=True):
        assert " ".join((row["text"] or "").split()) in item, (item, row)
    assert "newest of all" in shown[0] and "rang long ago" in shown[-1]


def test_a_status_saved_on_the_request_page_is_confirmed_there(site: Site) -> None:
    page = f"/staff/requests/{site.request_id}"
    saved = site.staff.post(f"{page}/status", {"status": "contacted", "next": page})
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"{page}?saved={site.request_id}"
    shown = site.staff.get(saved.headers["Location"]).text
    assert '<p class="confirm" role="status">Saved: this request is now <strong>contacted' in shown
    stored = site.sql("SELECT status FROM consultation_requests WHERE id = :i", i=site.request_id)
    assert stored == [{"status": "contacted"}]
    assert 'class="confirm"' not in site.staff.get(page).text  # only right after saving
    assert site.staff.get("/staff/requests?saved=twelve").status_code == 400


# --- what staff may get wrong --------------------------------------------------------------

FUTURE = datetime.now(timezone.utc) + timedelta(days=1)
BEFORE = RECEIVED - timedelta(days=2)
GOOD_CALL = {"staff": USERNAME, "outcome": "reached", "text": "typed before the mistake"}
MISTAKES = [
    ("notes", {"text": "   \r\n "}, "The note was empty"),
    ("notes", {"text": "x" * 2001}, "the limit is 2000"),
    ("calls", {**GOOD_CALL, "at": "now", "outcome": ""}, "Choose how the call went"),
    ("calls", {**GOOD_CALL, "at": "now", "outcome": "voicemail"}, "Choose how the call went"),
    ("calls", {**GOOD_CALL, "at": "2026-02-30T10:00"}, "is not a date and time"),
    ("calls", {**GOOD_CALL, "at": "tomorrow"}, "is not a date and time"),
    ("calls", {**GOOD_CALL, "at": ""}, "Say when the call was made"),
    ("calls", {**GOOD_CALL, "at": paris_input(FUTURE)}, "is in the future"),
    ("calls", {**GOOD_CALL, "at": paris_input(BEFORE)}, "before the request was received"),
    ("calls", {**GOOD_CALL, "at": "now", "staff": " \t"}, "Say who made the call"),
    ("calls", {**GOOD_CALL, "at": "now", "staff": "x" * 65}, "the limit is 64"),
    ("calls", {**GOOD_CALL, "at": "now", "text": "y" * 1001}, "the limit is 1000"),
]


@pytest.mark.parametrize(
    ("form", "data", "message"), MISTAKES, ids=[f"{f}-{m[:28]}" for f, _, m in MISTAKES]
)
def test_a_mistake_is_a_400_saying_what_to_fix_keeping_what_was_typed(
    site: Site, form: str, data: dict, message: str
) -> None:
    if data.get("at") == "now":
        data = {**data, "at": paris_input(datetime.now(timezone.utc))}
    before, since = site.follow_ups(), site.last_audit()
    answer = site.staff.post(f"/staff/requests/{site.request_id}/{form}", data)
    assert answer.status_code == 400, answer.text[:300]
    alert = re.search(r'<p class="error" role="alert" id="(\w+)-problem">(.*?)</p>', answer.text)
    assert alert and alert.group(1) == form[:-1] and message in alert.group(2), answer.text[:800]
    if data.get("text", "").strip() and len(data["text"]) < 100:
        assert data["text"] in answer.text  # what was typed is there to fix, not lost
    assert "Ana Follow" in answer.text  # the request itself is shown again
    assert site.follow_ups() == before
    actions = [r["action"] for r in site.audit_after(since)]
    assert actions == ["view_request"]  # the page shown was recorded; nothing was changed


def test_control_characters_and_broken_utf8_are_not_a_crash(site: Site) -> None:
    path = f"/staff/requests/{site.request_id}/notes"
    nul = site.staff.post(path, {"text": "before\x00after\x07 bell"})
    assert nul.status_code == 303
    assert site.follow_ups()[-1]["text"] == "beforeafter bell"
    raw = f"csrf_token={site.staff.csrf}&text=broken+%ED%A0%80+%FF+utf8".encode()
    broken = site.staff.http.post(
        site.staff.url(path),
        data=raw,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=30,
    )
    assert broken.status_code in (303, 400), broken.text[:300]
    if broken.status_code == 303:
        kept = site.follow_ups()[-1]["text"]
        assert kept.startswith("broken") and kept.endswith("utf8")
        kept.encode("utf-8")  # storable and showable: no lone surrogate
    assert site.staff.get(f"/staff/requests/{site.request_id}").status_code == 200


def test_no_such_request_no_session_and_no_csrf_change_nothing(site: Site) -> None:
    before = site.sql("SELECT COUNT(*) AS n FROM request_follow_ups")[0]["n"]
    note, call = {"text": "x"}, {**GOOD_CALL, "at": paris_input(datetime.now(timezone.utc))}
    assert site.staff.post("/staff/requests/999999/notes", note).status_code == 404
    assert site.staff.post("/staff/requests/999999/calls", call).status_code == 404
    assert site.staff.post(f"/staff/requests/{HUGE}/notes", note).status_code == 400
    assert site.staff.post(f"/staff/requests/{HUGE}/calls", call).status_code == 400
    for kind, form in (("notes", note), ("calls", call)):
        path = f"/staff/requests/{site.request_id}/{kind}"
        forged = site.staff.post(path, {**form, "csrf_token": "forged"}, csrf=False)
        assert forged.status_code == 403
        anonymous = Staff(site.base).post(path, form, csrf=False)
        assert anonymous.status_code == 401
    assert site.sql("SELECT COUNT(*) AS n FROM request_follow_ups")[0]["n"] == before


# --- the table in deployed databases, and retention ----------------------------------------


def test_an_existing_database_gains_the_table_and_keeps_its_requests(
    site: Site, request: pytest.FixtureRequest
) -> None:
    """A clinic database made before follow-ups existed: the next start adds the table, and a
    second start (another process) changes nothing."""
    from clinic.schema import metadata, request_follow_ups

    if site.backend == "sqlite":
        url = f"sqlite:///{site.folder / f'old-{uuid.uuid4().hex}.db'}"
    else:
        url = pg_database(request, "follow_up_old_clinic")
    old = sa.create_engine(url, future=True)
    before = [t for t in metadata.sorted_tables if t is not request_follow_ups]
    metadata.create_all(old, tables=before)
    with old.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO consultation_requests (created_at, sender_id, name, contact, "
                "contact_kind, preferred_time, request_type, status) VALUES (:at, 'old', "
                "'Old Visitor', 'old@example.com', 'email', 'any', 'treatment_consultation', "
                "'new')"
            ),
            {"at": RECEIVED},
        )
    assert not sa.inspect(old).has_table("request_follow_ups")
    start = "from clinic.db import engine_for; import sys; engine_for(sys.argv[1])"
    for _ in range(2):  # as two starts of the web app or the action server
        started = subprocess.run(
            [sys.executable, "-c", start, url],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode == 0, started.stderr
    inspector = sa.inspect(old)
    assert inspector.has_table("request_follow_ups")
    columns = {c["name"] for c in inspector.get_columns("request_follow_ups")}
    assert {"request_id", "kind", "at", "staff", "outcome", "text", "recorded_by"} <= columns
    with old.connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM consultation_requests")).scalars().all()
    assert names == ["Old Visitor"]
    old.dispose()


def test_retention_deletes_a_requests_notes_and_calls_with_it(site: Site) -> None:
    """Runs last in the module: it deletes the old request it makes (and only that)."""
    old_id = save_request(
        site.url, a_request("booked-ana", name="Old Ana", created_at=RECEIVED - timedelta(days=400))
    )
    when = paris_input(RECEIVED - timedelta(days=399))
    call = {**GOOD_CALL, "at": when, "text": "an old call"}
    assert site.staff.post(f"/staff/requests/{old_id}/calls", call).status_code == 303
    assert site.staff.post(f"/staff/requests/{old_id}/notes", {"text": "old"}).status_code == 303
    assert len(site.follow_ups(old_id)) == 2
    kept = site.follow_ups()
    tracker = f"sqlite:///{site.folder / 'tracker.db'}"
    done = retention.run(365, tracker, site.url)
    assert done["requests"] == 1
    assert site.follow_ups(old_id) == []
    assert site.sql("SELECT id FROM consultation_requests WHERE id = :i", i=old_id) == []
    assert site.follow_ups() == kept  # the recent request's history is untouched
    assert retention.run(365, tracker, site.url)["requests"] == 0
