"""Gathers what an export holds from both databases (blocking: handlers run these through
context.off_loop); exports.py turns it into files."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sqlalchemy.engine import Engine

from web.staff import clinic_queries, exports, review_queries
from web.staff.domain import domain_info
from web.staff.filters import Filters
from web.staff.masking import is_phone
from web.staff.tracker_store import TRACKER_MISSING, all_matching, load_events
from web.staff.transcript import build_transcript, conversation_flags


def conversation_records(
    tracker: Engine, clinic: Engine, filters: Filters, tz: tzinfo, reveal: bool
) -> list[dict[str, Any]]:
    """Every conversation matching the filters, as export records (masked unless `reveal`)."""
    senders = clinic_queries.request_senders(clinic)
    scope = review_queries.scope_for(clinic, filters)
    try:
        rows = all_matching(tracker, filters, senders, tz, scope=scope)
    except TRACKER_MISSING:
        return []
    records = []
    for row in rows:
        evts = load_events(tracker, row["sender_id"])
        flags = conversation_flags(evts)
        flags["has_request"] = row["sender_id"] in senders
        records.append(
            exports.conversation_record(row["sender_id"], flags, build_transcript(evts), reveal)
        )
    return records


def request_records(clinic: Engine, status: str, reveal: bool) -> list[dict[str, Any]]:
    return [
        exports.request_record(row, reveal) for row in clinic_queries.all_requests(clinic, status)
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
    sessions = exports.story_sessions(
        evts,
        slots=set(info["slots"]) or None,
        forms=set(info["forms"]) or None,
        entities=set(info["entities"]) or None,
        known=known,
    )
    return exports.story_yaml(sender_id, sessions)
