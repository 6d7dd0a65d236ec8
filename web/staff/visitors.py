"""Who a conversation's visitor is, in the staff's words: the name they gave and where their
consultation request stands, for the conversation list and a transcript's title (a sender id
means nothing to staff). Names are returned as given; the templates mask them (masking.py's
`mask_name`) unless staff revealed the conversation's contact details.

The name is the latest request's, which the visitor confirmed, else the last `name` the contact
form stored in the tracker (a visitor who gave a name and left before sending). Blocking:
the services run these off the event loop."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from clinic.schema import consultation_requests
from web.staff.tracker_store import names_given

NAME_SLOT = "name"  # domain.yml: the contact form's question for the visitor's name
LANGUAGE_SLOT = "language"  # domain.yml: "en" or "fr" (nlp/language.py)


@dataclass(frozen=True)
class Visitor:
    name: str = ""  # as given, unmasked; "" when the visitor gave none
    request_status: str | None = None  # the latest request's (REQUEST_STATUSES); None: no request
    request_id: int | None = None
    language: str = "en"  # the conversation's (the `language` slot): whom to call in which


def _latest_requests(rows: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    latest: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        kept = latest.get(row["sender_id"])
        if kept is None or (row["created_at"], row["id"]) > (kept["created_at"], kept["id"]):
            latest[row["sender_id"]] = row
    return latest


def visitor_of(requests: Sequence[Mapping[str, Any]], evts: Sequence[Mapping[str, Any]]) -> Visitor:
    """One conversation's visitor, from its requests and its events (as load_events gives them)."""
    given, language = "", "en"
    for ev in evts:
        data = ev.get("data") or {}
        if (ev.get("type") or data.get("event")) != "slot":
            continue
        if data.get("name") == NAME_SLOT:
            given = str(data.get("value") or "").strip() or given
        elif data.get("name") == LANGUAGE_SLOT and data.get("value") in ("en", "fr"):
            language = str(data["value"])
    latest = next(iter(_latest_requests(requests).values()), None)
    if latest is None:
        return Visitor(given, language=language)
    return Visitor(str(latest["name"] or given), latest["status"], latest["id"], language)


def visitors(
    clinic: sa.engine.Engine, tracker: sa.engine.Engine, senders: Sequence[str]
) -> dict[str, Visitor]:
    """The visitor of each of these conversations (a page of the list: two queries)."""
    senders = list(dict.fromkeys(senders))
    if not senders:
        return {}
    c = consultation_requests.c
    with clinic.connect() as conn:
        requests = _latest_requests(
            conn.execute(
                sa.select(c.id, c.sender_id, c.name, c.status, c.created_at).where(
                    c.sender_id.in_(senders)
                )
            ).mappings()
        )
    given = names_given(tracker, senders, NAME_SLOT)
    languages = names_given(tracker, senders, LANGUAGE_SLOT)
    out = {}
    for sender in senders:
        request = requests.get(sender)
        language = languages.get(sender, "en") if languages.get(sender) == "fr" else "en"
        if request is None:
            out[sender] = Visitor(given.get(sender, ""), language=language)
        else:
            name = str(request["name"] or given.get(sender, ""))
            out[sender] = Visitor(name, request["status"], request["id"], language)
    return out
