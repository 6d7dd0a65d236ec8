"""The staff console under abuse, against the real web app on a tracker store written the way
Rasa writes it (staff_helpers.write_tracker) and a clinic database made by the real CLI:

- exports stay 200 and readable when a stored message holds NUL or a lone surrogate;
- what a visitor typed when the contact form asked for their name, contact or time is never
  offered for labelling, nor exported;
- simultaneous wrong passwords are all counted (at most MAX_FAILURES get through to a check);
- forwarding headers count only from a trusted proxy: the login throttle and the audit log go
  by the real address, and cookies are Secure when a trusted proxy says it was HTTPS.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from clinic.db import engine_for
from tests.pg import postgres  # noqa: F401  (the session's throwaway PostgreSQL server)
from tests.staff.staff_helpers import (
    PASSWORD,
    ROOT,
    Staff,
    action,
    booking_events,
    bot,
    csrf_of,
    loop,
    session_start,
    slot,
    staff_cli,
    user,
    write_tracker,
)
from tests.web_process import FakeRasa, web_app

USERNAME = "hardening.nurse"
NAME = "Jane Tester"
EMAIL = "jane.tester@gmail.com"
NUL_TEXT = "price \x00 please"
SURROGATE_TEXT = "broken \ud800 text"
NOW = time.time()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("console_hardening")
    tracker = folder / "tracker.db"
    write_tracker(
        tracker,
        "booked-jane",
        booking_events(NAME, EMAIL)
        + [
            # after the form: an unclear message that is not personal stays on the Improve page
            user("xqzv blorp wibble", "nlu_fallback", 0.2),
            action("action_answer_question"),
            action("action_listen"),
        ],
        NOW - 3600,
    )
    write_tracker(
        tracker,
        "nul-and-surrogate",
        session_start()
        + [
            user(NUL_TEXT, "nlu_fallback", 0.3),
            bot("Sorry?", "utter_default"),
            user(SURROGATE_TEXT, "nlu_fallback", 0.3),
            bot("Sorry?", "utter_default"),
            user("=cmd|' /C calc'!A0", "nlu_fallback", 0.3),
        ],
        NOW - 1800,
    )
    # The contact form asked for a name in an earlier session; the new session has no form
    # running, so "Bob Unclear" is an ordinary (unclear) message there.
    write_tracker(
        tracker,
        "new-session",
        session_start()
        + [
            action("contact_form"),
            loop("contact_form"),
            slot("requested_slot", "name"),
            bot("What is your name?", "utter_ask_name"),
            action("action_listen"),
        ]
        + session_start()
        + [user("Bob Unclear", "inform", 0.3)],
        NOW - 900,
    )
    created = staff_cli(folder / "clinic.db", "add", USERNAME)
    assert created.returncode == 0, created.stderr
    return folder


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def console(workdir: Path, rasa: FakeRasa) -> Iterator[str]:
    """Behind a proxy on this machine (TRUSTED_PROXIES=127.0.0.1): the test client plays it."""
    with web_app(workdir / "proxied", rasa.url, _dbs(workdir, TRUSTED_PROXIES="127.0.0.1")) as base:
        yield base


def _dbs(workdir: Path, **extra: str) -> dict[str, str]:
    return {
        "CLINIC_DB_URL": f"sqlite:///{workdir / 'clinic.db'}",
        "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
        **extra,
    }


@pytest.fixture(scope="module")
def staff(console: str) -> Staff:
    client = Staff(console)
    assert client.login(USERNAME).status_code == 303
    return client


def _event_id(workdir: Path, text: str) -> int:
    conn = sqlite3.connect(workdir / "tracker.db")
    try:
        for row_id, data in conn.execute("SELECT id, data FROM events WHERE type_name = 'user'"):
            if json.loads(data).get("text") == text:
                return row_id
    finally:
        conn.close()
    raise AssertionError(f"no user event {text!r}")


# --- exports of stored text with control characters ----------------------------------------


@pytest.mark.parametrize("kind", ["conversations", "requests"])
def test_csv_and_json_exports_survive_control_characters(staff: Staff, kind: str) -> None:
    for reveal in (False, True):
        for fmt in ("csv", "json"):
            path = f"/staff/export/{kind}.{fmt}"
            unmasked = {"reveal": "1", "confirmed": "1"}  # past the confirmation page
            response = staff.post(path, unmasked) if reveal else staff.get(path)
            assert response.status_code == 200, (path, reveal, response.text[:300])
            body = response.content.decode("utf-8")  # strict: valid UTF-8 throughout
            assert "\x00" not in body
            if fmt == "csv":
                rows = list(csv.reader(io.StringIO(body)))
                texts = [cell for row in rows for cell in row]
            else:
                texts = [m["text"] for rec in json.loads(body) for m in rec.get("messages", [])]
            if kind == "conversations":
                assert "price \ufffd please" in texts and "broken \ufffd text" in texts
                assert "'=cmd|' /C calc'!A0" in texts or fmt == "json"


def test_transcript_nlu_and_story_exports_survive_control_characters(staff: Staff) -> None:
    assert staff.get("/staff/conversations/view?sender=nul-and-surrogate").status_code == 200
    story = staff.get("/staff/export/story.yml?sender=nul-and-surrogate")
    assert story.status_code == 200 and "\x00" not in story.text
    assert staff.get("/staff/improve").status_code == 200
    assert staff.get("/staff/export/nlu.yml").status_code == 200


# --- personal data stays off the Improve page ----------------------------------------------


def test_answers_to_the_contact_forms_personal_questions_are_not_offered_for_labelling(
    staff: Staff, workdir: Path
) -> None:
    page = staff.get("/staff/improve?days=30")
    assert page.status_code == 200
    assert NAME not in page.text and "Jane" not in page.text
    assert "xqzv blorp wibble" in page.text  # unclear, typed after the form: still listed
    assert "Bob Unclear" in page.text  # a new session: no form was asking


def test_a_personal_answer_cannot_be_labelled_or_exported_even_by_its_id(
    staff: Staff, workdir: Path
) -> None:
    jane = _event_id(workdir, NAME)
    refused = staff.post("/staff/improve/label", {"event_id": [str(jane)], "intent": "inform"})
    assert refused.status_code == 400
    exported = staff.get("/staff/export/nlu.yml")
    assert exported.status_code == 200 and NAME not in exported.text
    conn = sqlite3.connect(workdir / "clinic.db")
    try:
        assert conn.execute("SELECT COUNT(*) FROM nlu_labels").fetchone()[0] == 0
    finally:
        conn.close()


# --- login throttling ----------------------------------------------------------------------


def _login_form(base: str, headers: dict[str, str] | None = None) -> Staff:
    client = Staff(base)
    page = client.get("/staff/login", headers=headers or {})
    assert page.status_code == 200
    client.csrf = csrf_of(page.text)
    return client


def _wrong_login(client: Staff, username: str, headers: dict[str, str] | None = None) -> int:
    return client.post(
        "/staff/login",
        {"username": username, "password": "wrong guess 123", "csrf_token": client.csrf},
        csrf=False,
        headers=headers or {},
    ).status_code


def test_simultaneous_wrong_logins_are_all_counted(console: str) -> None:
    clients = [_login_form(console) for _ in range(15)]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def attempt(client: Staff) -> None:
        start.wait()
        statuses.append(_wrong_login(client, USERNAME, {"X-Real-IP": "192.0.2.15"}))

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [401] * 5 + [429] * 10, statuses
    # the right password is refused too while blocked; other addresses are not affected
    blocked = _login_form(console)
    assert (
        blocked.post(
            "/staff/login",
            {"username": USERNAME, "password": PASSWORD, "csrf_token": blocked.csrf},
            csrf=False,
            headers={"X-Real-IP": "192.0.2.15"},
        ).status_code
        == 429
    )
    assert Staff(console).login(USERNAME).status_code == 303


def test_a_forged_address_from_an_untrusted_peer_gets_no_fresh_guesses(
    workdir: Path, rasa: FakeRasa
) -> None:
    username = "forger.target"
    env = _dbs(workdir, TRUSTED_PROXIES="")
    with web_app(workdir / "untrusted", rasa.url, env) as base:
        statuses = []
        for i in range(7):
            client = _login_form(base)
            statuses.append(
                _wrong_login(
                    client,
                    username,
                    {"X-Real-IP": f"198.51.100.{i}", "X-Forwarded-For": f"10.0.0.{i}"},
                )
            )
        assert statuses == [401] * 5 + [429] * 2
    conn = sqlite3.connect(workdir / "clinic.db")
    try:
        addresses = {
            r[0] for r in conn.execute("SELECT ip FROM audit_log WHERE username = ?", (username,))
        }
    finally:
        conn.close()
    assert addresses == {"127.0.0.1"}


def test_the_audit_log_records_the_address_a_trusted_proxy_reports(
    console: str, workdir: Path
) -> None:
    client = _login_form(console)
    assert _wrong_login(client, "audited.user", {"X-Real-IP": "192.0.2.99"}) == 401
    conn = sqlite3.connect(workdir / "clinic.db")
    try:
        addresses = {
            r[0] for r in conn.execute("SELECT ip FROM audit_log WHERE username = 'audited.user'")
        }
    finally:
        conn.close()
    assert addresses == {"192.0.2.99"}


# --- HTTPS behind a trusted proxy ----------------------------------------------------------


def _set_cookies(response: requests.Response) -> list[str]:
    return response.raw.headers.getlist("Set-Cookie")


def test_cookies_are_secure_and_hsts_sent_when_a_trusted_proxy_reports_https(
    console: str, workdir: Path, rasa: FakeRasa
) -> None:
    over_https = requests.get(
        console + "/staff/login", headers={"X-Forwarded-Proto": "https"}, timeout=30
    )
    cookie = next(c for c in _set_cookies(over_https) if c.startswith("staff_prelogin="))
    assert re.search(r";\s*Secure", cookie), cookie
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = requests.get(console + "/staff/login", timeout=30)
    cookie = next(c for c in _set_cookies(plain) if c.startswith("staff_prelogin="))
    assert "Secure" not in cookie and "Strict-Transport-Security" not in plain.headers
    # a client claiming HTTPS itself is not believed
    with web_app(workdir / "untrusted-https", rasa.url, _dbs(workdir, TRUSTED_PROXIES="")) as base:
        claimed = requests.get(
            base + "/staff/login", headers={"X-Forwarded-Proto": "https"}, timeout=30
        )
        cookie = next(c for c in _set_cookies(claimed) if c.startswith("staff_prelogin="))
        assert "Secure" not in cookie and "Strict-Transport-Security" not in claimed.headers
    # COOKIE_SECURE=1 still makes them Secure on its own
    with web_app(workdir / "cookie-secure", rasa.url, _dbs(workdir, COOKIE_SECURE="1")) as base:
        page = requests.get(base + "/staff/login", timeout=30)
        cookie = next(c for c in _set_cookies(page) if c.startswith("staff_prelogin="))
        assert re.search(r";\s*Secure", cookie), cookie


# --- the same count across processes (several workers), on both databases ------------------

ATTEMPTS_SCRIPT = """
import sys, time
from clinic.db import engine_for
from web.staff.auth import record_attempt
url, at = sys.argv[1], float(sys.argv[2])
engine = engine_for(url)
time.sleep(max(0.0, at - time.time()))
print(sum(record_attempt(engine, "many.workers", "192.0.2.200") is None for _ in range(5)))
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_attempts_from_several_processes_are_counted_together(
    backend: str, tmp_path: Path, request
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'clinic.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database("login_throttle")
    engine_for(url)  # the tables, made once before the workers race
    at = time.time() + 3  # all start together, after their imports
    env = dict(os.environ, PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", ATTEMPTS_SCRIPT, url, str(at)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    admitted = [int(worker.communicate(timeout=60)[0].strip() or -1) for worker in workers]
    assert sum(admitted) == 5, admitted  # MAX_FAILURES in all, not 5 per process
