"""The dashboard's figures, from the tracker store: conversations per day, top intents,
fallbacks and contraindications over a period, and the conversations of each review status."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa

from clinic.schema import SCREENING_SLOTS
from web.staff.tracker_store.matching import summary_query
from web.staff.tracker_store.schema import events
from web.staff.tracker_store.sql import dialect_of, json_text
from web.staff.transcript import FLAGGED_VALUES, count_fallback_turns


def dashboard_stats(
    engine: sa.engine.Engine, since: float, until: float, request_senders: set[str], tz: tzinfo
) -> dict[str, Any]:
    """Figures over conversations that started in [since, until)."""
    dialect = dialect_of(engine)
    s = summary_query(dialect)
    e = events.c
    with engine.connect() as conn:
        convs = (
            conn.execute(
                sa.select(s).where(s.c.n_user > 0, s.c.started >= since, s.c.started < until)
            )
            .mappings()
            .all()
        )
        intents = conn.execute(
            sa.select(e.intent_name, sa.func.count())
            .where(e.type_name == "user", e.timestamp >= since, e.timestamp < until)
            .group_by(e.intent_name)
            .order_by(sa.func.count().desc(), e.intent_name)
        ).all()
        turns = conn.execute(
            sa.select(e.sender_id, e.type_name, e.intent_name)
            .where(
                e.timestamp >= since,
                e.timestamp < until,
                sa.or_(
                    e.type_name == "user",
                    sa.and_(e.type_name == "action", e.action_name == "action_default_fallback"),
                ),
            )
            .order_by(e.sender_id, e.id)
        ).all()
        slot_name = json_text(dialect, e.data, "name")
        flagged_rows = conn.execute(
            sa.select(slot_name.label("slot"), sa.func.count(sa.distinct(e.sender_id)))
            .where(
                e.type_name == "slot",
                e.timestamp >= since,
                e.timestamp < until,
                slot_name.in_(SCREENING_SLOTS),
                sa.func.lower(json_text(dialect, e.data, "value")).in_(FLAGGED_VALUES),
            )
            .group_by(slot_name)
        ).all()
    per_day: Counter = Counter(datetime.fromtimestamp(c["started"], tz).date() for c in convs)
    first = datetime.fromtimestamp(since, tz).date()
    last = datetime.fromtimestamp(until - 1, tz).date()
    days = [(first + timedelta(days=i)) for i in range((last - first).days + 1)]
    user_messages = sum(count for _, count in intents)
    fallback_messages = count_fallback_turns(turns)
    n = len(convs)
    with_request = sum(1 for c in convs if c["sender_id"] in request_senders)
    return {
        "conversations": n,
        "per_day": [(d, per_day.get(d, 0)) for d in days],
        "top_intents": [(name or "(none)", count) for name, count in intents[:10]],
        "user_messages": user_messages,
        "fallback_messages": fallback_messages,
        "fallback_rate": fallback_messages / user_messages if user_messages else 0.0,
        "with_fallback": sum(1 for c in convs if c["fallback"]),
        "with_request": with_request,
        "request_share": with_request / n if n else 0.0,
        "with_flag": sum(1 for c in convs if c["flagged"]),
        "flags_by_slot": {slot: count for slot, count in flagged_rows},
    }


def review_counts(
    engine: sa.engine.Engine, since: float, by_status: dict[str, set[str]]
) -> dict[str, int]:
    """Conversations with a visitor message since `since` (what the list's "from" filter lets
    through), by review status: "unread" and each status of `by_status` (the clinic
    database's reviews, another database, hence sender sets)."""
    s = summary_query(dialect_of(engine))
    statuses = sorted(by_status)
    columns = [sa.func.count()] + [
        sa.func.sum(sa.case((s.c.sender_id.in_(sorted(by_status[status])), 1), else_=0))
        for status in statuses
    ]
    with engine.connect() as conn:
        total, *counts = conn.execute(
            sa.select(*columns).where(s.c.n_user > 0, s.c.last >= since)
        ).one()
    out = {status: int(count or 0) for status, count in zip(statuses, counts, strict=True)}
    out["unread"] = int(total or 0) - sum(out.values())
    return out
