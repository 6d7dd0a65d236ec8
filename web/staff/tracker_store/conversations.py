"""The conversation list, "next unread" and one conversation, read from the tracker store.
A conversation is one sender_id; its events come back as plain dicts, never as rows of Rasa's
table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa

from web.staff.filters import Filters, SenderScope
from web.staff.pager import Pager
from web.staff.tracker_store.matching import matching
from web.staff.tracker_store.schema import events, loads
from web.staff.tracker_store.sql import dialect_of, json_text


@dataclass
class ConversationPage:
    rows: list[dict[str, Any]]
    with_fallback: int  # of all the conversations matching, not only this page's
    with_flag: int
    with_request: int
    pager: Pager


def list_conversations(
    engine: sa.engine.Engine,
    filters: Filters,
    request_senders: set[str],
    tz: tzinfo,
    page: int = 1,
    per_page: int = 25,
    scope: SenderScope | None = None,
) -> ConversationPage:
    """Conversations matching the filters (and `scope`, the clinic database's side of them),
    newest first, with counts over all matches."""
    dialect = dialect_of(engine)
    query = matching(dialect, filters, request_senders, tz, scope).subquery("matches")
    in_requests = sa.case((query.c.sender_id.in_(sorted(request_senders)), 1), else_=0)
    with engine.connect() as conn:
        total, fallbacks, flags, requests = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.sum(query.c.fallback),
                sa.func.sum(query.c.flagged),
                sa.func.sum(in_requests),
            )
        ).one()
        pager = Pager.at(page, int(total or 0), per_page)
        rows = [
            dict(r)
            for r in conn.execute(
                sa.select(query)
                .order_by(query.c.last.desc(), query.c.sender_id)
                .limit(per_page)
                .offset(pager.offset)
            ).mappings()
        ]
        previews = first_user_texts(conn, [r["sender_id"] for r in rows])
    for row in rows:
        row["preview"] = previews.get(row["sender_id"], "")
        row["has_request"] = row["sender_id"] in request_senders
    return ConversationPage(rows, int(fallbacks or 0), int(flags or 0), int(requests or 0), pager)


def all_matching(
    engine: sa.engine.Engine,
    filters: Filters,
    request_senders: set[str],
    tz: tzinfo,
    limit: int = 10000,
    scope: SenderScope | None = None,
) -> list[dict[str, Any]]:
    """Every conversation matching the filters (for exports), newest first."""
    query = matching(dialect_of(engine), filters, request_senders, tz, scope).subquery("matches")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(query).order_by(query.c.last.desc()).limit(limit)).mappings()
        return [dict(r) for r in rows]


def next_conversation(
    engine: sa.engine.Engine,
    filters: Filters,
    request_senders: set[str],
    tz: tzinfo,
    scope: SenderScope,
    after: str,
) -> str | None:
    """The conversation after `after` in the list's order (newest first) among those matching,
    wrapping round to the top; never `after` itself. None when no other matches.

    `after` need not match: it is usually the conversation just marked reviewed, which an
    "unread" filter no longer lets through."""
    query = matching(dialect_of(engine), filters, request_senders, tz, scope).subquery("m")
    m = query.c
    with engine.connect() as conn:
        last = conn.execute(
            sa.select(sa.func.max(events.c.timestamp)).where(events.c.sender_id == after)
        ).scalar()
        ordered = (
            sa.select(m.sender_id).where(m.sender_id != after).order_by(m.last.desc(), m.sender_id)
        )
        if last is not None:
            below = sa.or_(m.last < last, sa.and_(m.last == last, m.sender_id > after))
            found = conn.execute(ordered.where(below).limit(1)).scalar()
            if found is not None:
                return found
        return conn.execute(ordered.limit(1)).scalar()


def conversation_exists(engine: sa.engine.Engine, sender_id: str) -> bool:
    """Whether the tracker store holds this conversation: reviews, tags and notes are only
    kept for conversations that exist."""
    with engine.connect() as conn:
        return (
            conn.execute(
                sa.select(events.c.id).where(events.c.sender_id == sender_id).limit(1)
            ).first()
            is not None
        )


def first_user_texts(conn: sa.engine.Connection, senders: Sequence[str]) -> dict[str, str]:
    if not senders:
        return {}
    first_ids = (
        sa.select(sa.func.min(events.c.id))
        .where(events.c.type_name == "user", events.c.sender_id.in_(list(senders)))
        .group_by(events.c.sender_id)
    )
    out = {}
    for row in conn.execute(
        sa.select(events.c.sender_id, events.c.data).where(events.c.id.in_(first_ids))
    ):
        out[row.sender_id] = loads(row.data).get("text") or ""
    return out


def intents_seen(engine: sa.engine.Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                sa.select(events.c.intent_name)
                .where(events.c.type_name == "user", events.c.intent_name.isnot(None))
                .distinct()
                .order_by(events.c.intent_name)
            )
        ]


def load_events(engine: sa.engine.Engine, sender_id: str) -> list[dict[str, Any]]:
    """A conversation's events in order: {id, type, timestamp, intent, action, data}."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(events).where(events.c.sender_id == sender_id).order_by(events.c.id)
        )
        return [
            {
                "id": r.id,
                "type": r.type_name,
                "timestamp": r.timestamp,
                "intent": r.intent_name,
                "action": r.action_name,
                "data": loads(r.data),
            }
            for r in rows
        ]


def names_given(engine: sa.engine.Engine, senders: Sequence[str], slot: str) -> dict[str, str]:
    """The last non-empty value the bot stored in `slot` (the contact form's name, the
    conversation's language) in each of these conversations; those without one are left out."""
    dialect = dialect_of(engine)
    e = events.c
    given: dict[str, str] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(e.sender_id, e.data)
            .where(
                e.sender_id.in_(list(senders)),
                e.type_name == "slot",
                json_text(dialect, e.data, "name") == slot,
            )
            .order_by(e.id)
        )
        for row in rows:
            value = str(loads(row.data).get("value") or "").strip()
            if value:
                given[row.sender_id] = value
    return given
