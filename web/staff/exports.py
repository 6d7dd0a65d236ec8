"""Exports: CSV and JSON of conversations and requests, masked unless the caller asks otherwise
(the views only do so on a POST that the audit log records). Training and test data (NLU YAML,
stories) are in web/staff/training_data.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone, tzinfo
from typing import Any

from clinic.schema import REQUEST_COLUMNS
from web.staff.masking import mask_contact, mask_text, mask_value

# The same, but carriage return, which is part of line breaks in CSV and JSON text.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
REPLACEMENT = "\ufffd"  # shows that a character was there, unlike dropping it


def safe_text(value: Any) -> Any:
    """`value` with every string in it (also inside lists and dicts) free of control
    characters and lone surrogates, each replaced by U+FFFD."""
    if isinstance(value, str):
        return _UNSAFE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {safe_text(k): safe_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_text(v) for v in value]
    return value


def csv_safe(value: Any) -> Any:
    """A cell any CSV reader takes: no control characters, and no visitor's text that a
    spreadsheet program would run as a formula."""
    value = safe_text(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# Excel reads a CSV file as the computer's legacy code page unless it starts with a UTF-8 byte
# order mark: without it, "Ça fait mal" opens as "Ã‡a fait mal". Other readers skip it.
BOM = "\ufeff"
# Times in a CSV cell: local, to the second, no zone (the column's header names it), which
# spreadsheet programs read as a date and time.
CSV_TIME = "%Y-%m-%d %H:%M:%S"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(CSV_TIME)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return csv_safe(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def local_time(value: float | datetime | None, tz: tzinfo) -> datetime | None:
    """A stored time (epoch seconds or a UTC datetime) in the clinic's zone, to the second."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    else:
        moment = datetime.fromtimestamp(value, timezone.utc)
    return moment.astimezone(tz).replace(microsecond=0)


def zone_name(tz: tzinfo) -> str:
    """The zone as a CSV header names it: "Europe/Paris", else its abbreviation or offset."""
    key = getattr(tz, "key", None)
    return str(key) if key else (datetime.now(tz).tzname() or "local time")


def with_zone(column: str, tz: tzinfo) -> str:
    return f"{column} ({zone_name(tz)})"


def conversation_record(
    sender_id: str,
    flags: Mapping[str, Any],
    transcript: Sequence[Mapping[str, Any]],
    reveal: bool,
    tz: tzinfo,
    said: Mapping[Any, str] | None = None,
) -> dict[str, Any]:
    """A conversation as the exports hold it, times in `tz`. `said`: by user event id, the
    words of a quick reply the visitor tapped (its button's title), shown instead of its
    payload, which is kept beside it."""
    show = (lambda v: v) if reveal else mask_text
    messages = []
    for item in transcript:
        if item["kind"] == "user":
            message = {
                "time": local_time(item["timestamp"], tz),
                "from": "visitor",
                "text": show(item["text"]),
                "intent": item["intent"],
                "confidence": item["confidence"],
                "not_understood": bool(item.get("low_confidence")),
                "entities": item["entities"] if reveal else mask_value(item["entities"]),
            }
            title = (said or {}).get(item.get("id"))
            if title and title != item["text"]:
                message["text"], message["payload"] = show(title), item["text"]
            elif item.get("payload"):  # the transcript read the button's title already
                message["payload"] = item["payload"]
            messages.append(message)
        elif item["kind"] == "bot":
            messages.append(
                {
                    "time": local_time(item["timestamp"], tz),
                    "from": "assistant",
                    "text": show(item["text"]),
                }
            )
    return {
        "sender_id": sender_id,
        "started": local_time(flags.get("started"), tz),
        "last": local_time(flags.get("last"), tz),
        "visitor_messages": flags.get("user_messages"),
        "fallback": flags.get("fallback"),
        "low_confidence_messages": flags.get("low_confidence"),
        "contraindications": dict(flags.get("contraindications") or []),
        "has_request": flags.get("has_request", False),
        "messages": messages,
    }


def _contraindications(record: Mapping[str, Any]) -> str:
    return ";".join(f"{k}={v}" for k, v in record["contraindications"].items())


def conversations_csv(records: Sequence[Mapping[str, Any]], tz: tzinfo) -> str:
    """One row per message, with what belongs to the message only: what belongs to the whole
    conversation (a fallback somewhere in it, contraindications, a request) would read as if
    it were about each message, and is in conversation_summary_csv."""
    header = [
        "sender_id",
        with_zone("time", tz),
        "from",
        "text",
        "intent",
        "confidence",
        "not understood",
    ]
    rows = []
    for rec in records:
        for m in rec["messages"]:
            visitor = m["from"] == "visitor"
            rows.append(
                [
                    rec["sender_id"],
                    m["time"],
                    m["from"],
                    m["text"],
                    m.get("intent"),
                    m.get("confidence"),
                    ("yes" if m.get("not_understood") else "") if visitor else "",
                ]
            )
    return to_csv(header, rows)


def conversation_summary_csv(records: Sequence[Mapping[str, Any]], tz: tzinfo) -> str:
    """One row per conversation: its times and what holds for it as a whole."""
    header = [
        "sender_id",
        with_zone("started", tz),
        with_zone("last message", tz),
        "visitor messages",
        "fallback",
        "messages not understood",
        "contraindications",
        "consultation request",
    ]
    rows = [
        [
            rec["sender_id"],
            rec["started"],
            rec["last"],
            rec["visitor_messages"],
            bool(rec["fallback"]),
            rec["low_confidence_messages"],
            _contraindications(rec),
            bool(rec["has_request"]),
        ]
        for rec in records
    ]
    return to_csv(header, rows)


REQUEST_FIELDS = list(REQUEST_COLUMNS)
REQUEST_TIMES = ("created_at", "status_changed_at")


def request_record(row: Mapping[str, Any], reveal: bool, tz: tzinfo) -> dict[str, Any]:
    record = {key: row.get(key) for key in REQUEST_FIELDS}
    for key in REQUEST_TIMES:
        record[key] = local_time(record[key], tz)
    if not reveal:
        record["contact"] = mask_contact(row.get("contact"), row.get("contact_kind"))
        record["preferred_time"] = mask_text(row.get("preferred_time"))
    return record


def requests_csv(records: Sequence[Mapping[str, Any]], tz: tzinfo) -> str:
    header = [with_zone(k, tz) if k in REQUEST_TIMES else k for k in REQUEST_FIELDS]
    return to_csv(header, ([rec[k] for k in REQUEST_FIELDS] for rec in records))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")  # local, with its offset
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(safe_text(value), ensure_ascii=False, indent=2, default=_json_value) + "\n"
