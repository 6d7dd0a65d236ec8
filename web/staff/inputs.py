"""What staff send the console (ids in paths and forms, dates, page numbers, periods), read in
one place. A value the console cannot use raises BadInput, which the console answers with a 400
page saying what to fix (web/staff/__init__.py), rather than passing it on to a query where it
overflows a database integer or the calendar and becomes a 500.

Pure: no request, no database.
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


class BadInput(ValueError):
    """A value staff typed, or edited into an address, that the console cannot use. Its message
    is shown to them on the 400 page, so it says what to send instead."""


def record_id(value: Any, what: str = "record") -> int:
    """An id as a path or a form gives it (text or, from the router, an int)."""
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= ID_MAX:
        raise BadInput(f"That is not the number of any {what}: “{text[:40]}”.")
    return int(text)


def record_ids(values: Iterable[Any], what: str = "record") -> list[int]:
    return [record_id(value, what) for value in values]


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
