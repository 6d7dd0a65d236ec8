"""Helpers for the staff console tests: a tracker store written the way Rasa's SQLTrackerStore
writes it (for unit tests that must not wait for the trained bot), consultation requests as the
action server saves them, staff accounts made through the real CLI, an HTTP client that logs in
like a browser, the web app on a folder's databases, and signing in with Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.web_process import FakeRasa, web_app

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "correct horse battery staple"

EVENTS_DDL = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
);
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""


# --- a synthetic tracker store (unit tests only) -------------------------------------------


def user(
    text: str,
    intent: str,
    confidence: float = 0.95,
    entities: Iterable[dict] = (),
    ranking: list[tuple[str, float]] | None = None,
    reading: dict[str, Any] | None = None,
):
    """A visitor message as the pipeline stores it; `reading`, when given, is the stored
    reading (understanding/reading.py)."""
    from rasa.shared.core.events import UserUttered

    parse = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "text": text,
        "message_id": None,
        "metadata": {},
        "intent_ranking": [
            {"name": n, "confidence": c} for n, c in (ranking or [(intent, confidence)])
        ],
    }
    if reading is not None:
        parse["reading"] = reading
    return UserUttered(
        text, parse["intent"], parse["entities"], parse_data=parse, input_channel="rest"
    )


def bot(text: str, template: str | None = None, buttons: Iterable[str] = ()):
    from rasa.shared.core.events import BotUttered

    return BotUttered(
        text,
        {"buttons": [{"title": b, "payload": "/x"} for b in buttons]} if buttons else {},
        {"utter_action": template} if template else {},
    )


def action(name: str):
    from rasa.shared.core.events import ActionExecuted

    return ActionExecuted(name, policy="RulePolicy", confidence=1.0)


def slot(name: str, value: Any):
    from rasa.shared.core.events import SlotSet

    return SlotSet(name, value)


def loop(name: str | None):
    from rasa.shared.core.events import ActiveLoop

    return ActiveLoop(name)


def session_start() -> list[Any]:
    from rasa.shared.core.events import SessionStarted

    return [action("action_session_start"), SessionStarted(), action("action_listen")]


def request_sent() -> list[Any]:
    """The end of the booking flow: the contact form closed, the request sent and thanked for."""
    return [
        slot("requested_slot", None),
        loop(None),
        action("action_submit_consultation_request"),
        bot("Thank you, the clinic will contact you.", "utter_request_sent"),
        action("action_listen"),
    ]


def write_tracker(
    db: Path, sender: str, evts: Iterable[Any], start: float, step: float = 2.0
) -> None:
    """Stores events like SQLTrackerStore.save does (type_name, intent_name, action_name,
    data = json.dumps(event.as_dict()))."""
    connection = sqlite3.connect(db)
    connection.executescript(EVENTS_DDL)
    ts = start
    for event in evts:
        event.timestamp = ts
        data = event.as_dict()
        intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (sender, event.type_name, ts, intent, data.get("name"), json.dumps(data)),
        )
        ts += step
    connection.commit()
    connection.close()


def booking_events(
    name: str = "Jane Doe", contact: str = "jane.doe@gmail.com", answers=("no", "no", "no", "no")
) -> list[Any]:
    """What the bot's booking flow records (screening form, contact form, submission)."""
    slots = ("pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy")
    evts = session_start() + [
        user("I want to book", "book_consultation", 0.98),
        action("action_extract_slots"),
        action("screening_form"),
        loop("screening_form"),
        slot("requested_slot", "pregnant"),
        bot("Are you pregnant or breastfeeding?", "utter_ask_pregnant", ["Yes", "No"]),
        action("action_listen"),
    ]
    for i, answer in enumerate(answers):
        evts += [
            user(answer, "deny" if answer == "no" else "affirm", 0.97),
            action("action_extract_slots"),
            slot(slots[i], answer),
            action("screening_form"),
        ]
        if i + 1 < len(slots):
            evts += [
                slot("requested_slot", slots[i + 1]),
                bot(f"Question about {slots[i + 1]}?", f"utter_ask_{slots[i + 1]}"),
                action("action_listen"),
            ]
    evts += [
        slot("requested_slot", None),
        loop(None),
        action("action_screening_outcome"),
        slot("screening_result", "clear" if set(answers) == {"no"} else "contraindicated"),
        action("contact_form"),
        loop("contact_form"),
        slot("requested_slot", "name"),
        bot("What is your name?", "utter_ask_name"),
        action("action_listen"),
        user(name, "inform", 0.41, ranking=[("inform", 0.41), ("greet", 0.2)]),
        action("action_extract_slots"),
        slot("name", name),
        action("validate_contact_form"),
        action("contact_form"),
        slot("requested_slot", "contact"),
        bot("How can we reach you?", "utter_ask_contact"),
        action("action_listen"),
        user(contact, "inform", 0.88),
        action("action_extract_slots"),
        slot("contact", contact),
        action("validate_contact_form"),
        slot("contact_kind", "email"),
        action("contact_form"),
        slot("requested_slot", "preferred_time"),
        bot("When suits you?", "utter_ask_preferred_time"),
        action("action_listen"),
        user("Monday morning", "inform", 0.9),
        action("action_extract_slots"),
        slot("preferred_time", "Monday morning"),
        action("contact_form"),
        slot("requested_slot", "contact_confirmed"),
        bot(f"{name}, {contact}, Monday morning: correct?", "utter_ask_contact_confirmed"),
        action("action_listen"),
        user("yes", "affirm", 0.99),
        action("action_extract_slots"),
        slot("contact_confirmed", True),
        action("contact_form"),
        *request_sent(),
    ]
    return evts


def request_fields(sender: str, name: str, contact: str, **extra: Any) -> dict[str, Any]:
    """A consultation request as the action server saves it (clinic.requests.save_request):
    a treatment consultation, every screening answer "no", unless `extra` says otherwise."""
    return {
        "sender_id": sender,
        "name": name,
        "contact": contact,
        "contact_kind": "email" if "@" in contact else "phone",
        "preferred_time": "Monday morning",
        "request_type": "treatment_consultation",
        "pregnant": "no",
        "inflamed_skin": "no",
        "sunburn": "no",
        "lidocaine_allergy": "no",
        **extra,
    }


def training_examples() -> dict[str, set[str]]:
    """Every example of data/nlu.yml by intent, entity markup removed, read independently."""
    data = yaml.safe_load((ROOT / "data" / "nlu.yml").read_text(encoding="utf-8"))
    return {
        item["intent"]: {
            re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:].strip())
            for line in item["examples"].splitlines()
            if line.strip().startswith("- ")
        }
        for item in data["nlu"]
        if "intent" in item
    }


def pg_database(request: Any, name: str) -> str:
    """An empty PostgreSQL database `name`: on the session's throwaway server (tests/pg.py), or
    beside STAFF_TEST_POSTGRES_URL when that names a scratch server (dropped first if there)."""
    scratch = os.environ.get("STAFF_TEST_POSTGRES_URL")
    if not scratch:
        return request.getfixturevalue("postgres").create_database(name)
    import sqlalchemy as sa

    url = sa.engine.make_url(scratch)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(url.set(database=name))


# --- staff accounts and a logged-in client -------------------------------------------------


def staff_cli(
    clinic_db: Path,
    *args: str,
    password: str | None = PASSWORD,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        CLINIC_DB_URL=f"sqlite:///{clinic_db}",
        PYTHONPATH=str(ROOT),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    env.pop("STAFF_PASSWORD", None)
    if password is not None:
        env["STAFF_PASSWORD"] = password
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "web.staff.users", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Staff:
    """A requests.Session that logs in through the login form, like a browser."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        self.csrf = ""

    def url(self, path: str) -> str:
        return self.base + path

    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 30)
        return self.http.get(self.url(path), **kw)

    def post(
        self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kw
    ) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 30)
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.http.post(self.url(path), data=data, **kw)

    def login(self, username: str, password: str = PASSWORD) -> requests.Response:
        page = self.get("/staff/login")
        assert page.status_code == 200, page.status_code
        response = self.post(
            "/staff/login",
            {"username": username, "password": password, "csrf_token": csrf_of(page.text)},
            csrf=False,
        )
        if response.status_code == 303:
            home = self.get("/staff/")
            assert home.status_code == 200, home.status_code
            self.csrf = csrf_of(home.text)
        return response


@contextlib.contextmanager
def console_app(folder: Path, **env: str) -> Iterator[str]:
    """The web app on folder/clinic.db and folder/tracker.db (SQLite), with `env` added and a
    fake Rasa server behind it; yields its base URL."""
    rasa = FakeRasa()
    dbs = {
        "CLINIC_DB_URL": f"sqlite:///{folder / 'clinic.db'}",
        "TRACKER_DB_URL": f"sqlite:///{folder / 'tracker.db'}",
    }
    try:
        with web_app(folder / "web", rasa.url, {**dbs, **env}) as base:
            yield base
    finally:
        rasa.close()


# --- in Chromium ---------------------------------------------------------------------------


def record_console_errors(page, errors: list[str]) -> None:
    """Appends to `errors` each error the page logs to its console (a missing favicon aside)."""
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "favicon" not in (m.location or {}).get("url", "")
            else None
        ),
    )


def sign_in(page, username: str) -> None:
    """Fills the login form shown and submits it, as a person does."""
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[action='/staff/login'] button[type=submit]")


def wait_for(predicate, timeout: float = 20.0, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return predicate()
