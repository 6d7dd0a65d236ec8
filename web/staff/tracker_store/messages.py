"""The visitors' messages the Improve page lists and labels, read from the tracker store:
those the assistant did not handle with confidence (web/staff/unclear.py says which), and
messages by id; never the answers visitors gave to the contact form's personal questions."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from web.staff.tracker_store.schema import events, loads
from web.staff.tracker_store.sql import dialect_of, json_text
from web.staff.transcript import intent_of
from web.staff.unclear import (
    CONTACT_FORM,
    HANDLED_WITH_CONFIDENCE,
    NOT_UNDERSTOOD,
    OFFER_RULE,
    PERSONAL_QUESTIONS,
    answered_as,
    chosen_topic,
    classifier_guess,
)


def load_user_events(engine: sa.engine.Engine, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The user messages with these ids, except answers to the contact form's personal
    questions (they cannot be labelled even with a hand-made form)."""
    ids = [int(i) for i in ids][:500]
    if not ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(events).where(events.c.id.in_(ids), events.c.type_name == "user")
        ).all()
        personal = personal_answer_ids(conn, {r.sender_id for r in rows})
        return [
            {
                "id": r.id,
                "sender_id": r.sender_id,
                "timestamp": r.timestamp,
                "intent": r.intent_name,
                "data": loads(r.data),
            }
            for r in rows
            if r.id not in personal
        ]


def personal_answer_ids(conn: sa.engine.Connection, senders: Iterable[str]) -> set[int]:
    """Ids of the user messages of these conversations typed while the contact form was
    asking for personal details (PERSONAL_QUESTIONS).

    Rasa stores no "answer to" on a message; what was asked follows from the events before
    it: the form's ActiveLoop event and the requested_slot SlotSet. Only conversations that
    ever ran the contact form are read, event by event, in order."""
    dialect = dialect_of(conn.engine)
    e = events.c
    name = json_text(dialect, e.data, "name")
    found: set[int] = set()
    ordered = sorted(set(senders))
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        with_form = (
            sa.select(e.sender_id)
            .where(e.sender_id.in_(chunk), e.type_name == "active_loop", name == CONTACT_FORM)
            .distinct()
        )
        rows = conn.execute(
            sa.select(
                e.id,
                e.sender_id,
                e.type_name,
                name.label("name"),
                json_text(dialect, e.data, "value").label("value"),
            )
            .where(
                e.sender_id.in_(with_form),
                sa.or_(
                    e.type_name.in_(("user", "active_loop", "session_started", "restart")),
                    sa.and_(e.type_name == "slot", name == "requested_slot"),
                ),
            )
            .order_by(e.sender_id, e.id)
        )
        sender, loop, asked = None, None, None
        for row in rows:
            if row.sender_id != sender:
                sender, loop, asked = row.sender_id, None, None
            if row.type_name in ("session_started", "restart"):
                loop, asked = None, None  # a new session starts with no form running
            elif row.type_name == "active_loop":
                loop = row.name
            elif row.type_name == "slot":
                asked = row.value
            elif loop == CONTACT_FORM and asked in PERSONAL_QUESTIONS:
                found.add(row.id)
    return found


def unclear_messages(
    engine: sa.engine.Engine,
    since: float | None = None,
    threshold: float = HANDLED_WITH_CONFIDENCE,
    limit: int = 5000,
) -> list[dict[str, Any]]:
    """The user messages the assistant did not handle with confidence (see
    HANDLED_WITH_CONFIDENCE): not understood, offered topics to choose from, or placed below
    `threshold`; except answers to the contact form's personal questions. Each with the
    assistant's last message before it (`asked`: what the visitor was answering)."""
    dialect = dialect_of(engine)
    e = events.c
    confidence = sa.cast(json_text(dialect, e.data, "parse_data", "intent", "confidence"), sa.Float)
    answered = json_text(dialect, e.data, "parse_data", "reading", "intent")
    query = (
        sa.select(e.id, e.sender_id, e.timestamp, e.intent_name, e.data)
        .where(
            e.type_name == "user",
            sa.or_(
                e.intent_name == NOT_UNDERSTOOD,
                answered == NOT_UNDERSTOOD,
                confidence < threshold,
                # the rule id, quoted as the reading's JSON list holds it
                e.data.contains(f'"{OFFER_RULE}"', autoescape=True),
            ),
        )
        .order_by(e.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(e.timestamp >= since)
    out = []
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        personal = personal_answer_ids(conn, {row.sender_id for row in rows})
        chosen = choices_after(conn, rows)
        asked = bot_messages_before(conn, rows)
        for row in rows:
            if row.id in personal:
                continue
            data = loads(row.data)
            text = (data.get("text") or "").strip()
            if not text or text.startswith("/"):  # button payloads are not language
                continue
            name, confidence_value = intent_of(data)
            out.append(
                {
                    "answered": answered_as(data),
                    "id": row.id,
                    "sender_id": row.sender_id,
                    "timestamp": row.timestamp,
                    "text": text,
                    "intent": name,
                    "confidence": confidence_value,
                    # the topic the visitor tapped when offered the likeliest ones
                    "chosen": chosen.get(row.id),
                    "guess": chosen.get(row.id) or classifier_guess(data),
                    "asked": asked.get(row.id),
                }
            )
    return out


def _by_sender(
    conn: sa.engine.Connection, type_name: str, rows: Sequence[Any], after: bool
) -> dict[str, list[Any]]:
    """The events of one type in the conversations of `rows`, by conversation in order: those
    after the first of `rows`, or before the last of them."""
    e = events.c
    bound = e.id > min(r.id for r in rows) if after else e.id < max(r.id for r in rows)
    found = conn.execute(
        sa.select(e.id, e.sender_id, e.data)
        .where(e.type_name == type_name, e.sender_id.in_({r.sender_id for r in rows}), bound)
        .order_by(e.id)
    ).all()
    by_sender: dict[str, list[Any]] = {}
    for event in found:
        by_sender.setdefault(event.sender_id, []).append(event)
    return by_sender


def choices_after(conn: sa.engine.Connection, rows: Iterable[Any]) -> dict[int, str]:
    """{message id: the intent of the quick reply the visitor sent right after it} for the
    messages whose next message was a button of the unsure reply ("/ask_sessions")."""
    rows = list(rows)
    if not rows:
        return {}
    later = _by_sender(conn, "user", rows, after=True)
    chosen = {}
    for row in rows:
        following = next((ev for ev in later.get(row.sender_id, []) if ev.id > row.id), None)
        text = (loads(following.data).get("text") or "") if following is not None else ""
        topic = chosen_topic(text)
        if topic is not None:
            chosen[row.id] = topic
    return chosen


def bot_messages_before(conn: sa.engine.Connection, rows: Iterable[Any]) -> dict[int, str]:
    """{message id: the text of the assistant's last message before it in its conversation},
    the question the visitor was answering (no entry when the visitor spoke first)."""
    rows = list(rows)
    if not rows:
        return {}
    said = _by_sender(conn, "bot", rows, after=False)
    ids = {sender: [ev.id for ev in evs] for sender, evs in said.items()}
    asked = {}
    for row in rows:
        at = bisect.bisect_left(ids.get(row.sender_id, []), row.id)
        if at:
            text = (loads(said[row.sender_id][at - 1].data).get("text") or "").strip()
            if text:
                asked[row.id] = text
    return asked
