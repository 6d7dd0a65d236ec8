"""Following up a consultation request: staff notes and the call log (who called, when, how it
went, what was said), kept in the clinic database beside the request (request_follow_ups).

`read_note` and `read_call` read what staff typed (pure) and raise BadInput with what to fix;
the queries block, so services/requests.py runs them off the event loop. Each change writes its
audit line in its own transaction, naming the follow-up and never its text: the audit log is
kept for good, while the notes go with their request at retention and may name the visitor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from clinic.db import as_utc, utcnow
from clinic.schema import CALL_OUTCOMES, consultation_requests, request_follow_ups
from web.staff.clinic_queries import audit, fetch_rows
from web.staff.inputs import FIRST_DAY, BadInput

NOTE_LENGTH = 2000  # a note on a request
CALL_NOTE_LENGTH = 1000  # what was said on a call
STAFF_LENGTH = 64  # request_follow_ups.staff, as long as a username
# How a call went, as the form and the page word it.
OUTCOME_LABELS = {
    "reached": "Reached",
    "no_answer": "No answer",
    "left_message": "Left a message",
    "wrong_number": "Wrong number",
}
assert tuple(OUTCOME_LABELS) == CALL_OUTCOMES
# A call logged a little "in the future" is a clock a few minutes off, not a mistake.
CLOCK_SLACK = timedelta(minutes=5)
# The value of an <input type="datetime-local">, to the minute (seconds when the browser adds
# them).
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
# Control characters but tab and line feed, and lone surrogates: PostgreSQL refuses NUL in text
# and a UTF-8 encoder refuses surrogates, so either would be a 500 instead of a saved note.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

Row = dict[str, Any]


@dataclass(frozen=True)
class Call:
    at: datetime  # aware
    staff: str
    outcome: str
    text: str


def clean_text(value: str | None) -> str:
    """Typed text as it is kept: line breaks as \\n, no control characters, no surrounding
    blank space."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", text).strip()


def _limited(text: str, limit: int, what: str) -> str:
    if len(text) > limit:
        raise BadInput(
            f"The {what} is {len(text)} characters long; the limit is {limit}. Shorten it, or "
            "split it into two."
        )
    return text


def read_note(form: Mapping[str, Any]) -> str:
    text = _limited(clean_text(form.get("text")), NOTE_LENGTH, "note")
    if not text:
        raise BadInput("The note was empty: type what you want to keep, then press Add note.")
    return text


def read_when(value: str | None, tz: tzinfo, now: datetime, received: datetime) -> datetime:
    """When a call was made, as the datetime-local field sends it in the staff's zone."""
    text = (value or "").strip()
    if not text:
        raise BadInput("Say when the call was made (date and time).")
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"“{text[:40]}” is not a date and time: give it as YYYY-MM-DD HH:MM."
        ) from None
    if naive.tzinfo is not None or naive.date() < FIRST_DAY:
        raise BadInput(f"“{text[:40]}” is not a date and time: give it as YYYY-MM-DD HH:MM.")
    at = naive.replace(tzinfo=tz)
    if at > now + CLOCK_SLACK:
        raise BadInput(
            f"The call's time {naive:%Y-%m-%d %H:%M} is in the future: log a call once made."
        )
    # The field has minutes only, so a call in the minute the request came is not "before" it.
    if at < as_utc(received).replace(second=0, microsecond=0):
        raise BadInput(
            f"The call's time {naive:%Y-%m-%d %H:%M} is before the request was received "
            f"({as_utc(received).astimezone(tz):%Y-%m-%d %H:%M})."
        )
    # In UTC: SQLite keeps a time's digits and drops its zone, so every stored time is UTC.
    return at.astimezone(timezone.utc)


def read_call(form: Mapping[str, Any], tz: tzinfo, now: datetime, received: datetime) -> Call:
    staff = " ".join(clean_text(form.get("staff")).split())
    if not staff:
        raise BadInput("Say who made the call.")
    staff = _limited(staff, STAFF_LENGTH, "name of who called")
    outcome = form.get("outcome") or ""
    if outcome not in CALL_OUTCOMES:
        raise BadInput(
            "Choose how the call went: " + ", ".join(OUTCOME_LABELS.values()).lower() + "."
        )
    at = read_when(form.get("at"), tz, now, received)
    text = _limited(clean_text(form.get("text")), CALL_NOTE_LENGTH, "call's note")
    return Call(at=at, staff=staff, outcome=outcome, text=text)


def local_input(moment: datetime, tz: tzinfo) -> str:
    """A time as a datetime-local field shows it, in the staff's zone."""
    return as_utc(moment).astimezone(tz).strftime(LOCAL_INPUT)


# --- the clinic database -------------------------------------------------------------------


def _exists(conn: sa.engine.Connection, request_id: int) -> bool:
    found = conn.execute(
        sa.select(consultation_requests.c.id).where(consultation_requests.c.id == request_id)
    ).first()
    return found is not None


def add_note(engine: Engine, request_id: int, text: str, who: str, ip: str) -> int | None:
    """Keeps a note on a request; its id, None when there is no such request."""
    with engine.begin() as conn:
        if not _exists(conn, request_id):
            return None
        now = utcnow()
        note_id = int(
            conn.execute(
                request_follow_ups.insert().values(
                    request_id=request_id,
                    kind="note",
                    at=now,
                    staff=who,
                    text=text,
                    recorded_by=who,
                    recorded_at=now,
                )
            ).inserted_primary_key[0]
        )
        detail = {"request": request_id, "follow_up": note_id, "chars": len(text)}
        audit(conn, who, "add_request_note", f"request:{request_id}", detail, ip)
    return note_id


def log_call(engine: Engine, request_id: int, call: Call, who: str, ip: str) -> int | None:
    """Adds a call to a request's log; its id, None when there is no such request."""
    with engine.begin() as conn:
        if not _exists(conn, request_id):
            return None
        call_id = int(
            conn.execute(
                request_follow_ups.insert().values(
                    request_id=request_id,
                    kind="call",
                    at=call.at,
                    staff=call.staff,
                    outcome=call.outcome,
                    text=call.text or None,
                    recorded_by=who,
                    recorded_at=utcnow(),
                )
            ).inserted_primary_key[0]
        )
        detail = {
            "request": request_id,
            "follow_up": call_id,
            "outcome": call.outcome,
            "caller": call.staff,
            "chars": len(call.text),
        }
        audit(conn, who, "log_call", f"request:{request_id}", detail, ip)
    return call_id


def _newest_first(row: Row) -> tuple[datetime, int]:
    """A call's time has minutes only: within one minute, the one logged last comes first."""
    return as_utc(row["at"]).replace(second=0, microsecond=0), row["id"]


def follow_ups_of(engine: Engine, request_id: int) -> list[Row]:
    """A request's notes and calls, newest first (what happened last is what staff need)."""
    c = request_follow_ups.c
    rows = fetch_rows(engine, sa.select(request_follow_ups).where(c.request_id == request_id))
    return sorted(rows, key=_newest_first, reverse=True)
