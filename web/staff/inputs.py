"""What staff send the console (text fields, ids in paths and forms, dates, page numbers,
periods), read in one place. A value the console cannot use raises BadInput, which the console
answers with a 400 page saying what to fix (web/staff/__init__.py), rather than passing it on
to a query where it overflows a database integer or the calendar and becomes a 500.

Pure: no database. A `source` is a request's form or query string (Sanic's, whose get gives a
field's first value) or a plain mapping whose values may be lists, as parse_qs makes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

# The id columns of both databases are INTEGER, 32 bits on PostgreSQL; SQLite refuses a Python
# int beyond 64 bits outright.
ID_MAX = 2**31 - 1
# Conversations carry Unix timestamps, so nothing is older than 1970; far-future dates end in
# arithmetic the calendar cannot do (9999-12-31 plus the one day an "until" filter adds).
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)
PAGE_MAX = 1_000_000
SENDER_LENGTH = 255  # a conversation's id: the tracker store's sender_id column
# How a query-string number is named on the 400 page when it is wrong.
NUMBER_NAMES = {"page": "page number", "days": "number of days"}


class BadInput(ValueError):
    """A value staff typed, or edited into an address, that the console cannot use. Its message
    is shown to them on the 400 page, so it says what to send instead."""


def text(
    source: Mapping[str, Any], name: str, limit: int | None = None, strip: bool = False
) -> str:
    """A field as sent, "" when it is absent or empty; without its surrounding blanks when
    `strip` (a note, a reason), then cut at `limit` characters (a column's length)."""
    value = source.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    value = "" if value is None else str(value)
    if strip:
        value = value.strip()
    return value if limit is None else value[:limit]


def sender(source: Mapping[str, Any]) -> str:
    """The conversation a form or a link is about (its `sender`); "" when none is named."""
    return text(source, "sender", SENDER_LENGTH)


def one_of(source: Mapping[str, Any], name: str, allowed: Iterable[str], default: str) -> str:
    """A field that must be one of `allowed`, `default` when it is not (or absent)."""
    value = text(source, name)
    return value if value in allowed else default


def fields(source: Mapping[str, Any]) -> dict[str, str]:
    """Every field of a form as typed, for showing a form again with what was wrong in it."""
    return {name: text(source, name) for name in source}


def number(
    source: Mapping[str, Any], name: str, default: int, low: int = 1, high: int = PAGE_MAX
) -> int:
    """A whole number of a query string (a page, a period in days), `default` when absent;
    BadInput when it is not one from `low` to `high`."""
    return whole_number(text(source, name), NUMBER_NAMES.get(name, name), default, low, high)


def record_id(value: Any, what: str = "record") -> int:
    """An id as a path or a form gives it (text or, from the router, an int)."""
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= ID_MAX:
        raise BadInput(f"That is not the number of any {what}: “{text[:40]}”.")
    return int(text)


def record_ids(values: Iterable[Any], what: str = "record") -> list[int]:
    return [record_id(value, what) for value in values]


def id_list(value: str | None, what: str = "record", most: int = 500) -> list[int]:
    """Ids written one after another with commas ("3,4", the labels a confirmation names), at
    most `most` of them; BadInput when one is not an id."""
    parts = [part for part in (value or "").strip().split(",") if part.strip()]
    return record_ids(parts, what)[:most]


def path_ids(match_info: Mapping[str, Any]) -> None:
    """Every whole number in a route's path (`<request_id:int>` and the like) is an id: the
    router accepts any length of digits, and a minus sign."""
    for name, value in match_info.items():
        if isinstance(value, int):
            record_id(value, name.removesuffix("_id").replace("_", " "))


def whole_number(
    value: str | None, what: str, default: int, low: int = 1, high: int = PAGE_MAX
) -> int:
    """A page number or a period in days; `default` when the query has none."""
    text = (value or "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadInput(
            f"The {what} must be a whole number from {low} to {high}, not “{text[:40]}”."
        )
    return int(text)


def day(value: str | None, what: str = "date") -> date | None:
    """A date as a date field sends it (YYYY-MM-DD); None when the field was left empty."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"The {what} “{text[:40]}” is not a date: give it as YYYY-MM-DD.") from None
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise BadInput(
            f"The {what} {text} is out of range: give a date from {FIRST_DAY} to {LAST_DAY}."
        )
    return parsed
