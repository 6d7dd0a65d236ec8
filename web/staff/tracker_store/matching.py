"""Which conversations match the list's filters: one row per conversation (sender_id) with
its first and last event, visitor messages and flags, filtered by the tracker store's side of
the filters and by the clinic database's (a SenderScope)."""

from __future__ import annotations

from datetime import timedelta, tzinfo

import sqlalchemy as sa

from clinic.schema import SCREENING_SLOTS
from web.staff.filters import Filters, SenderScope, day_start
from web.staff.tracker_store.schema import events
from web.staff.tracker_store.sql import contains_pattern, json_text
from web.staff.transcript import FLAGGED_VALUES


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
    # Held in French: the language slot was set to French at some point (nlp/language.py).
    in_french = sa.case(
        (
            sa.and_(
                e.type_name == "slot",
                json_text(dialect, e.data, "name") == "language",
                json_text(dialect, e.data, "value") == "fr",
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
            sa.func.max(in_french).label("french"),
        )
        .group_by(e.sender_id)
        .subquery("summary")
    )


def matching(
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
    if filters.language:
        query = query.where(s.c.french == (1 if filters.language == "fr" else 0))
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
