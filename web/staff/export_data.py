"""Gathers what an export holds from both databases (blocking: services/exports.py runs these
off the event loop); exports.py turns it into files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from sqlalchemy.engine import Engine

from web.staff import clinic_queries, exports, review_queries, training_data
from web.staff.domain import domain_info
from web.staff.filters import Filters
from web.staff.masking import is_phone
from web.staff.plain_words import buttons_of, visitor_text
from web.staff.tracker_store import TRACKER_MISSING, all_matching, load_events
from web.staff.transcript import build_transcript, conversation_flags


def quick_reply_words(evts: Sequence[Mapping[str, Any]]) -> dict[Any, str]:
    """By user event id, the words of each quick reply the visitor tapped: the title of the
    button, among those the assistant had offered before, whose payload the message is. The
    offer is the buttons of the assistant's messages since the visitor last spoke (a turn may
    spread them over several messages), or the offer before when that turn had none."""
    offered: list[Mapping[str, Any]] = []
    fresh_turn = True
    words: dict[Any, str] = {}
    for ev in evts:
        if ev.get("type") == "bot":
            buttons = buttons_of(ev)
            if buttons:
                offered = list(buttons) if fresh_turn else offered + list(buttons)
                fresh_turn = False
        elif ev.get("type") == "user":
            text = (ev.get("data") or {}).get("text") or ""
            said = visitor_text(text, offered)
            if said != text:
                words[ev.get("id")] = said
            fresh_turn = True
    return words


def _matching(
    tracker: Engine, clinic: Engine, filters: Filters, tz: tzinfo
) -> tuple[list[dict[str, Any]], set[str]]:
    """The conversations matching the filters (none without a tracker store yet), and those
    that ended in a consultation request."""
    senders = clinic_queries.request_senders(clinic)
    scope = review_queries.scope_for(clinic, filters)
    try:
        return all_matching(tracker, filters, senders, tz, scope=scope), senders
    except TRACKER_MISSING:
        return [], senders


def matching_senders(
    tracker: Engine, clinic: Engine, args: Mapping[str, str], tz: tzinfo
) -> list[str]:
    """The conversations an export with these filters (query-string arguments) holds, without
    reading their messages: what the unmasked export's confirmation counts."""
    rows, _senders = _matching(tracker, clinic, Filters.from_args(args), tz)
    return [row["sender_id"] for row in rows]


def conversation_records(
    tracker: Engine, clinic: Engine, filters: Filters, tz: tzinfo, reveal: bool
) -> list[dict[str, Any]]:
    """Every conversation matching the filters, as export records (masked unless `reveal`),
    times in `tz`."""
    rows, senders = _matching(tracker, clinic, filters, tz)
    records = []
    for row in rows:
        evts = load_events(tracker, row["sender_id"])
        flags = conversation_flags(evts)
        flags["has_request"] = row["sender_id"] in senders
        records.append(
            exports.conversation_record(
                row["sender_id"],
                flags,
                build_transcript(evts),
                reveal,
                tz,
                quick_reply_words(evts),
            )
        )
    return records


def request_records(clinic: Engine, status: str, reveal: bool, tz: tzinfo) -> list[dict[str, Any]]:
    return [
        exports.request_record(row, reveal, tz)
        for row in clinic_queries.all_requests(clinic, status)
    ]


def story(tracker: Engine, clinic: Engine, sender_id: str) -> str | None:
    """One conversation as a Rasa test story, the visitor's name and contact pseudonymised;
    None when there is no such conversation."""
    try:
        evts = load_events(tracker, sender_id)
    except TRACKER_MISSING:
        evts = []
    if not evts:
        return None
    known: list[str] = []
    for row in clinic_queries.requests_of(clinic, sender_id):
        known.extend([row["name"], row["contact"]])
    for ev in evts:  # the visitor's name and contact as the bot stored them
        value = ev["data"].get("value")
        if ev["type"] != "slot" or not isinstance(value, str):
            continue
        if ev["data"].get("name") == "name" or (
            ev["data"].get("name") == "contact" and ("@" in value or is_phone(value))
        ):
            known.append(value)
    info = domain_info()
    sessions = training_data.story_sessions(
        evts,
        slots=set(info["slots"]) or None,
        forms=set(info["forms"]) or None,
        entities=set(info["entities"]) or None,
        known=known,
    )
    return training_data.story_yaml(sender_id, sessions)
