"""The conversation list's filters, read from a query string (pure: no database).

Most filters are answered by the tracker store. Review status and tag live in the clinic
database, another database: review_queries.scope_for turns them into a SenderScope, the
conversations they allow or exclude, which the tracker query then applies. A date the calendar
or the query cannot use is a BadInput (inputs.py): staff see what to fix rather than a list
that silently ignored their filter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo
from typing import Any

from web.staff.inputs import day, text

# The query-string names of the filters, as the list, its pagination and the exports use them.
FILTER_ARGS = (
    "from",
    "to",
    "request",
    "contra",
    "fallback",
    "intent",
    "q",
    "status",
    "tag",
    "lang",
)
# The languages a conversation is held in (its `language` slot), as staff filter by them.
LANGUAGES = {"en": "English", "fr": "French"}
# A conversation's review status as the list filters by it; "unread" has no review row.
REVIEW_FILTERS = ("unread", "reviewed", "follow_up")
TAG_LENGTH = 40  # tags.name


def tag_name(text: str) -> str:
    """A tag as staff typed it, tidied: printable characters, single spaces, at most
    TAG_LENGTH characters ("" when nothing is left)."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())[:TAG_LENGTH].strip()


def _tristate(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").strip().lower())


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    has_request: bool | None = None
    contraindication: bool | None = None
    fallback: bool | None = None
    intent: str | None = None
    q: str | None = None
    status: str | None = None  # one of REVIEW_FILTERS
    tag: str | None = None  # a tag's name
    language: str | None = None  # one of LANGUAGES

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Filters:
        status = text(args, "status", strip=True)
        return cls(
            date_from=day(text(args, "from"), "“from” date"),
            date_to=day(text(args, "to"), "“to” date"),
            has_request=_tristate(text(args, "request")),
            contraindication=_tristate(text(args, "contra")),
            fallback=_tristate(text(args, "fallback")),
            intent=text(args, "intent", 255, strip=True) or None,
            q=text(args, "q", 500, strip=True) or None,
            status=status if status in REVIEW_FILTERS else None,
            tag=tag_name(text(args, "tag")) or None,
            language=language
            if (language := text(args, "lang", strip=True)) in LANGUAGES
            else None,
        )

    def as_args(self) -> dict[str, str]:
        """Query-string form, for pagination and export links."""
        out: dict[str, str] = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        for key, value in (
            ("request", self.has_request),
            ("contra", self.contraindication),
            ("fallback", self.fallback),
        ):
            if value is not None:
                out[key] = "yes" if value else "no"
        if self.intent:
            out["intent"] = self.intent
        if self.q:
            out["q"] = self.q
        if self.status:
            out["status"] = self.status
        if self.tag:
            out["tag"] = self.tag
        if self.language:
            out["lang"] = self.language
        return out

    def but(self, **changes: Any) -> Filters:
        """The same filters with some changed: "next unread" keeps the rest of the list's."""
        return replace(self, **changes)


@dataclass(frozen=True)
class SenderScope:
    """The conversations the clinic database's side of the filters allows: `only` these
    (None: any) and never `excluded`."""

    only: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()


def day_start(day: date, tz: tzinfo) -> float:
    return datetime.combine(day, time.min, tzinfo=tz).timestamp()
