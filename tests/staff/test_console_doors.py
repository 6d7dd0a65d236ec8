"""The staff console's doors, against the real web app process on a real SQLite tracker store
(written the way Rasa writes it) and a clinic database made by the real CLI:

- login throttling counts each account over all addresses and each address over all accounts,
  blocks with one short message whether or not the account exists, and believes no forwarding
  header unless TRUSTED_PROXIES names the proxy;
- every page that shows patients' data leaves a line in the audit log;
- an id, date, page number or limit the console cannot use is a 400 page that says what to fix,
  never a 500.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic.requests import save_request
from tests.staff.staff_helpers import (
    Staff,
    action,
    booking_events,
    csrf_of,
    request_fields,
    staff_cli,
    user,
    write_tracker,
)
from tests.web_process import FakeRasa, web_app

USERNAME = "doors.nurse"
LOCKED_ACCOUNT = "doors.locked"  # a real account the per-account test locks
NAME = "Jane Doorstep"
HUGE = "9" * 30  # beyond any database's integer


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("console_doors")
    write_tracker(
        folder / "tracker.db",
        "booked-jane",
        booking_events(NAME, "jane.doorstep@gmail.com", ("yes", "no", "no", "no"))
        + [user("xqzv blorp", "nlu_fallback", 0.2), action("action_listen")],
        time.time() - 3600,
    )
    for account in (USERNAME, LOCKED_ACCOUNT):
        created = staff_cli(folder / "clinic.db", "add", account)
        assert created.returncode == 0, created.stderr
    return folder


@pytest.fixture(scope="module")
def request_id(workdir: Path) -> int:
    return save_request(
        f"sqlite:///{workdir / 'clinic.db'}",
        request_fields(
            "booked-jane",
            NAME,
            "jane.doorstep@gmail.com",
            request_type="doctor_consultation",
            pregnant="yes",
        ),
    )


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.close()


def _dbs(workdir: Path, **extra: str) -> dict[str, str]:
    return {
        "CLINIC_DB_URL": f"sqlite:///{workdir / 'clinic.db'}",
        "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
        **extra,
    }


@pytest.fixture(scope="module")
def console(workdir: Path, rasa: FakeRasa) -> Iterator[str]:
    """Behind a proxy on this machine, as TRUSTED_PROXIES says: its X-Real-IP is believed."""
    with web_app(workdir / "proxied", rasa.url, _dbs(workdir, TRUSTED_PROXIES="127.0.0.1")) as base:
        yield base


@pytest.fixture(scope="module")
def staff(console: str) -> Staff:
    client = Staff(console)
    assert client.login(USERNAME).status_code == 303
    return client


def _audit(workdir: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(workdir / "clinic.db")
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


# --- login throttling ----------------------------------------------------------------------


def _wrong_login(base: str, username: str, address: str | None = None) -> tuple[int, str]:
    client = Staff(base)
    headers = {"X-Real-IP": address} if address else {}
    page = client.get("/staff/login", headers=headers)
    answer = client.post(
        "/staff/login",
        {"username": username, "password": "wrong guess 12345", "csrf_token": csrf_of(page.text)},
        csrf=False,
        headers=headers,
    )
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', answer.text)
    return answer.status_code, error.group(1) if error else ""


def test_one_address_trying_password_after_password_on_many_accounts_is_slowed(
    console: str,
) -> None:
    statuses = [_wrong_login(console, f"spray.{i}", "192.0.2.77")[0] for i in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    # another address trying one of those accounts is not held up by the sprayer
    assert _wrong_login(console, "spray.0", "192.0.2.78")[0] == 401


def test_one_account_guessed_from_ever_new_addresses_is_slowed_saying_nothing_of_the_account(
    console: str,
) -> None:
    answers = {}
    for account in (LOCKED_ACCOUNT, "nobody.by.this.name"):
        tries = [_wrong_login(console, account, f"198.51.100.{i}") for i in range(12)]
        assert [status for status, _ in tries] == [401] * 10 + [429] * 2, account
        answers[account] = tries[-1][1]
    # the same short answer whether the account exists or not
    assert answers[LOCKED_ACCOUNT] == answers["nobody.by.this.name"]
    message = answers[LOCKED_ACCOUNT]
    assert "15 minutes" in message and len(message) < 80
    assert "account" not in message.lower() and LOCKED_ACCOUNT not in message


def test_no_forwarding_header_is_believed_unless_a_proxy_is_configured(
    workdir: Path, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)  # the default, whatever the shell has
    with web_app(workdir / "no-proxy", rasa.url, _dbs(workdir)) as base:
        assert _wrong_login(base, "forged.address", "203.0.113.9")[0] == 401
        claimed = Staff(base).get("/staff/login", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in claimed.headers
    addresses = _audit(workdir, "SELECT ip FROM audit_log WHERE username = 'forged.address'")
    assert [row["ip"] for row in addresses] == ["127.0.0.1"]


# --- every view of personal data is audited ------------------------------------------------


def test_every_page_showing_patients_data_leaves_an_audit_line(
    staff: Staff, workdir: Path, request_id: int
) -> None:
    pages = {
        "/staff/": ("view_dashboard", None),
        "/staff/conversations": ("view_conversations", None),
        "/staff/conversations/view?sender=booked-jane": ("view_transcript", "booked-jane"),
        "/staff/requests?status=all": ("view_requests", None),
        f"/staff/requests/{request_id}": ("view_request", f"request:{request_id}"),
        "/staff/improve": ("view_improve", None),
        "/staff/improve/labels": ("view_labels", None),
        "/staff/audit": ("view_audit", None),
    }
    for path, (action_name, target) in pages.items():
        (before,) = _audit(workdir, "SELECT COALESCE(MAX(id), 0) AS n FROM audit_log")
        page = staff.get(path)
        assert page.status_code == 200, path
        lines = _audit(workdir, "SELECT * FROM audit_log WHERE id > ?", before["n"])
        assert [(r["username"], r["action"], r["target"]) for r in lines] == [
            (USERNAME, action_name, target)
        ], path
        assert lines[0]["ip"] == "127.0.0.1"
    # the requests list names whose requests were on the screen
    (listed,) = _audit(workdir, "SELECT detail FROM audit_log WHERE action = 'view_requests'")
    assert request_id in json.loads(listed["detail"])["requests"]
    # the request's page shows her name and her answer about pregnancy
    assert NAME in staff.get(f"/staff/requests/{request_id}").text


# --- bad input is a 400 with a page that says what to fix ----------------------------------

BAD_INPUTS = [
    ("GET", f"/staff/requests/{HUGE}", {}),
    ("POST", f"/staff/requests/{HUGE}/reveal", {}),
    ("POST", f"/staff/requests/{HUGE}/status", {"status": "contacted"}),
    ("POST", f"/staff/filters/{HUGE}/delete", {}),
    ("POST", f"/staff/improve/labels/{HUGE}/delete", {}),
    ("POST", "/staff/improve/label", {"event_id": HUGE, "intent": "greet"}),
    ("POST", "/staff/improve/label", {"event_id": "twelve", "intent": "greet"}),
    ("POST", "/staff/conversations/tags/remove", {"sender": "booked-jane", "tag_id": HUGE}),
    ("GET", "/staff/conversations?to=9999-12-31", {}),
    ("GET", "/staff/conversations?from=2024-02-30", {}),
    ("GET", "/staff/conversations/next?sender=x&to=9999-12-31", {}),
    ("GET", "/staff/export/conversations.csv?to=9999-12-31", {}),
    ("POST", "/staff/export/conversations.json", {"to": "9999-12-31", "reveal": "1"}),
    ("POST", "/staff/filters", {"name": "far future", "to": "9999-12-31"}),
    ("GET", "/staff/conversations?page=-3", {}),
    ("GET", f"/staff/requests?page={HUGE}", {}),
    ("GET", "/staff/audit?page=first", {}),
    ("GET", "/staff/?days=0", {}),
    ("GET", f"/staff/improve?days={HUGE}", {}),
]


@pytest.mark.parametrize(
    ("method", "path", "form"), BAD_INPUTS, ids=[f"{m} {p}" for m, p, _ in BAD_INPUTS]
)
def test_bad_staff_input_is_a_400_page_saying_what_to_fix(
    staff: Staff, method: str, path: str, form: dict[str, str]
) -> None:
    answer = staff.get(path) if method == "GET" else staff.post(path, form)
    assert answer.status_code == 400, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("text/html")
    message = re.search(r"<main>.*?<p>(.*?)</p>", answer.text, re.S)
    assert message and len(message.group(1)) > 20, answer.text[:500]
    assert "/staff/" in answer.text  # a way back
    assert staff.get("/staff/").status_code == 200  # and the console still answers
