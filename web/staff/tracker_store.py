"""Queries on Rasa's tracker store, read-only: the conversation list and one conversation.
Messages not understood are read in unclear.py, dashboard figures in tracker_stats.py.

The SQLTrackerStore keeps one row per event in `events` (id, sender_id, type_name, timestamp,
intent_name, action_name, data = the event as JSON text). Queries here are SQLAlchemy Core
expressions with bound parameters; fields inside `data` are read with the dialect's JSON
functions (web/staff/sql.py). A conversation is one sender_id. The functions block: handlers
call them through web.staff.context.off_loop.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from clinic.schema import SCREENING_SLOTS
from web.staff.filters import Filters, SenderScope, day_start
from web.staff.sql import contains_pattern, dialect_of, json_text
from web.staff.transcript import (
    FLAGGED_VALUES,
)

_meta = sa.MetaData()
# The SQLTrackerStore schema, declared here for queries only: never created, never written
# (except by retention.py, on its own engine).
events = sa.Table(
    "events",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

# Errors that mean "the tracker store has no conversations yet" (no file, no table).
TRACKER_MISSING = (sa.exc.OperationalError, sa.exc.ProgrammingError)


# --- engines -------------------------------------------------------------------------------


def sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


@cache
def tracker_engine(url: str) -> sa.engine.Engine:
    """A read-only engine on the tracker store: SQLite opened with mode=ro (the file is never
    created or written), PostgreSQL sessions with default_transaction_read_only."""
    path = sqlite_path(url)
    if path is not None:
        uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)

        return sa.create_engine("sqlite://", creator=connect, poolclass=NullPool, future=True)
    connect_args: dict[str, Any] = {}
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        connect_args["options"] = "-c default_transaction_read_only=on"
    return sa.create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)


def summary_query(dialect: str) -> sa.sql.Subquery:
    e = events.c
    is_user = sa.case((e.type_name == "user", 1), else_=0)
    is_fallback = sa.case(
        (sa.and_(e.type_name == "user", e.intent_name == "nlu_fallback"), 1),
        (sa.and_(e.type_name == "action", e.action_name == "action_default_fallback"), 1),
        else_=0,
    )
    is_flagged = sa.case(
        (e.type_name != "slot", 0),
        (
            sa.and_(
                json_text(dialect, e.data, "name").in_(SCREENING_SLOTS),
                sa.func.lower(json_text(dialect, e.data, "value")).in_(FLAGGED_VALUES),
            ),
            1,
        ),
        else_=0,
    )
    return (
        sa.select(
            e.sender_id,
            sa.func.min(e.timestamp).label("started"),
            sa.func.max(e.timestamp).label("last"),
            sa.func.sum(is_user).label("n_user"),
            sa.func.max(is_fallback).label("fallback"),
            sa.func.max(is_flagged).label("flagged"),
        )
        .group_by(e.sender_id)
        .subquery("summary")
    )


def _filtered(
    dialect: str,
    filters: Filters,
    request_senders: set[str],
    tz: tzinfo,
    scope: SenderScope | None = None,
):
    s = summary_query(dialect)
    query = sa.select(s).where(s.c.n_user > 0)
    if scope is not None and scope.only is not None:
        query = query.where(s.c.sender_id.in_(sorted(scope.only)))
    if scope is not None and scope.excluded:
        query = query.where(s.c.sender_id.not_in(sorted(scope.excluded)))
    if filters.date_from:
        query = query.where(s.c.last >= day_start(filters.date_from, tz))
    if filters.date_to:
        query = query.where(s.c.started < day_start(filters.date_to + timedelta(days=1), tz))
    if filters.fallback is not None:
        query = query.where(s.c.fallback == (1 if filters.fallback else 0))
    if filters.contraindication is not None:
        query = query.where(s.c.flagged == (1 if filters.contraindication else 0))
    if filters.has_request is not None:
        in_requests = s.c.sender_id.in_(sorted(request_senders))
        query = query.where(in_requests if filters.has_request else sa.not_(in_requests))
    if filters.intent:
        query = query.where(
            s.c.sender_id.in_(
                sa.select(events.c.sender_id).where(
                    events.c.type_name == "user", events.c.intent_name == filters.intent
                )
            )
        )
    if filters.q:
        text = json_text(dialect, events.c.data, "text")
        query = query.where(
            s.c.sender_id.in_(
                sa.select(events.c.sender_id).where(
                    events.c.type_name == "user",
                    text.ilike(contains_pattern(filters.q), escape="\\"),
                )
            )
        )
    return query


@dataclass
class ConversationPage:
    rows: list[dict[str, Any]]
    total: int
    with_fallback: int
    with_flag: int
    with_request: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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
    query = _filtered(dialect, filters, request_senders, tz, scope).subquery("matches")
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
        page = max(1, min(page, max(1, -(-int(total or 0) // per_page))))
        rows = [
            dict(r)
            for r in conn.execute(
                sa.select(query)
                .order_by(query.c.last.desc(), query.c.sender_id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).mappings()
        ]
        previews = first_user_texts(conn, [r["sender_id"] for r in rows])
    for row in rows:
        row["preview"] = previews.get(row["sender_id"], "")
        row["has_request"] = row["sender_id"] in request_senders
    return ConversationPage(
        rows,
        int(total or 0),
        int(fallbacks or 0),
        int(flags or 0),
        int(requests or 0),
        page,
        per_page,
    )


def all_matching(
    engine: sa.engine.Engine,
    filters: Filters,
    request_senders: set[str],
    tz: tzinfo,
    limit: int = 10000,
    scope: SenderScope | None = None,
) -> list[dict[str, Any]]:
    """Every conversation matching the filters (for exports), newest first."""
    query = _filtered(dialect_of(engine), filters, request_senders, tz, scope).subquery("matches")
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
    query = _filtered(dialect_of(engine), filters, request_senders, tz, scope).subquery("m")
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


# --- one conversation ----------------------------------------------------------------------


def loads(data: str | None) -> dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


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
