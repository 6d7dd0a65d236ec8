"""Every query the console makes on the clinic database: consultation requests, labelled
messages (and their Improve states) and the audit log. The functions block: the services
(web/staff/services) run them off the event loop. Staff accounts and sessions are in auth.py;
the review workflow's reviews, tags, notes and saved filters in review_queries.py."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from clinic.db import utcnow
from clinic.schema import (
    DISMISSED,
    REQUEST_STATUSES,
    audit_log,
    consultation_requests,
    nlu_label_replaced,
    nlu_label_states,
    nlu_labels,
)
from web.staff.grouping import comparable_text, text_key
from web.staff.masking import pseudonymise
from web.staff.pager import Pager

Row = dict[str, Any]
requests_c = consultation_requests.c
states_c = nlu_label_states.c
replaced_c = nlu_label_replaced.c
# What is kept of a label a labelling replaced: all but the message, which the new label holds.
REPLACED_FIELDS = [c for c in nlu_label_replaced.c if c.name != "label_id"]
IGNORE_REASON_LENGTH = 200  # nlu_label_states.ignore_reason


def fetch_rows(source: Engine | sa.engine.Connection, query: sa.sql.Select) -> list[Row]:
    """A query's rows as dicts (what the pages and exports take), on a connection of its own
    when given the engine."""
    if isinstance(source, Engine):
        with source.connect() as conn:
            return fetch_rows(conn, query)
    return [dict(row) for row in source.execute(query).mappings()]


def audit(
    to: Engine | sa.engine.Connection,
    username: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """One line of the audit log: in the caller's transaction, given its connection (a change
    and its line are written together), or in a transaction of its own, given the engine."""
    if isinstance(to, Engine):
        with to.begin() as conn:
            audit(conn, username, action, target, detail, ip)
        return
    to.execute(
        audit_log.insert().values(
            at=utcnow(),
            username=username,
            action=action,
            target=(target or "")[:255] or None,
            detail=json.dumps(detail, sort_keys=True) if detail else None,
            ip=(ip or "")[:64] or None,
        )
    )


# --- consultation requests -----------------------------------------------------------------


def new_request_count(engine: Engine) -> int:
    """For the navigation's badge; 0 rather than an error page when the database is away."""
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count())
                .select_from(consultation_requests)
                .where(requests_c.status == "new")
            ).scalar_one()
    except sa.exc.SQLAlchemyError:
        return 0


def request_senders(engine: Engine) -> set[str]:
    """The conversations that ended in a consultation request."""
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.select(requests_c.sender_id).distinct())}


def _status_counts(conn: sa.engine.Connection) -> dict[str, int]:
    query = sa.select(requests_c.status, sa.func.count()).group_by(requests_c.status)
    return {status: count for status, count in conn.execute(query).all()}


def status_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _status_counts(conn)


def requests_of(engine: Engine, sender_id: str) -> list[Row]:
    query = sa.select(consultation_requests).where(requests_c.sender_id == sender_id)
    return fetch_rows(engine, query.order_by(requests_c.created_at))


def requests_page(
    engine: Engine, status: str, page: int, per_page: int = 50
) -> tuple[list[Row], dict[str, int], Pager]:
    """One page of the queue (status "all" or one of REQUEST_STATUSES), newest first, with the
    count per status."""
    with engine.connect() as conn:
        counts = _status_counts(conn)
        query = sa.select(consultation_requests)
        if status != "all":
            query = query.where(requests_c.status == status)
        total = counts.get(status, 0) if status != "all" else sum(counts.values())
        pager = Pager.at(page, total, per_page)
        order = (requests_c.created_at.desc(), requests_c.id.desc())
        rows = fetch_rows(conn, query.order_by(*order).limit(per_page).offset(pager.offset))
    return rows, counts, pager


def all_requests(engine: Engine, status: str) -> list[Row]:
    """Every request with that status ("all": every one), newest first, for exports."""
    query = sa.select(consultation_requests).order_by(requests_c.created_at.desc())
    if status in REQUEST_STATUSES:
        query = query.where(requests_c.status == status)
    return fetch_rows(engine, query)


def change_status(
    engine: Engine, request_id: int, new_status: str, who: str, ip: str
) -> str | None:
    """Sets a request's status (audited when it changes); the old status, None when no such
    request."""
    with engine.begin() as conn:
        old = conn.execute(
            sa.select(requests_c.status).where(requests_c.id == request_id)
        ).scalar_one_or_none()
        if old is not None and old != new_status:
            conn.execute(
                consultation_requests.update()
                .where(requests_c.id == request_id)
                .values(status=new_status, status_changed_by=who, status_changed_at=utcnow())
            )
            audit(
                conn,
                who,
                "change_status",
                f"request:{request_id}",
                {"request": request_id, "from": old, "to": new_status},
                ip,
            )
    return old


# --- labelled messages ---------------------------------------------------------------------


def store_labels(
    engine: Engine,
    user_events: Iterable[Mapping[str, Any]],
    intent: str,
    who: str,
    ip: str,
    reason: str | None = None,
) -> list[int]:
    """Labels visitor messages (pseudonymised) with an intent, replacing an earlier label of
    the same text (and its state: a new label is not exported yet); returns the new labels'
    ids (for the confirmation's Undo). `reason` says why messages were ignored (DISMISSED)."""
    now = utcnow()
    reason = " ".join((reason or "").split())[:IGNORE_REASON_LENGTH] if intent == DISMISSED else ""
    stored: list[int] = []
    with engine.begin() as conn:
        for ev in user_events:
            text = (ev["data"].get("text") or "").strip()
            if not comparable_text(text):
                continue
            key = text_key(text)
            predicted = ((ev["data"].get("parse_data") or {}).get("intent") or {}).get("name")
            earlier = conn.execute(_labels_query().where(nlu_labels.c.text_key == key)).first()
            if earlier is not None:
                _delete_label_rows(conn, earlier.id)
            label_id = conn.execute(
                nlu_labels.insert().values(
                    text=pseudonymise(text),
                    text_key=key,
                    intent=intent,
                    predicted_intent=predicted,
                    sender_id=ev["sender_id"],
                    labelled_by=who,
                    labelled_at=now,
                )
            ).inserted_primary_key[0]
            if reason:
                conn.execute(
                    nlu_label_states.insert().values(label_id=label_id, ignore_reason=reason)
                )
            if earlier is not None:
                kept = {c.name: earlier._mapping[c.name] for c in REPLACED_FIELDS}
                conn.execute(nlu_label_replaced.insert().values(label_id=label_id, **kept))
            stored.append(int(label_id))
        detail: dict[str, Any] = {"messages": len(stored), "intent": intent}
        if reason:
            detail["reason"] = reason
        audit(conn, who, "label", intent, detail, ip)
    return stored


def label_state(intent: str, exported_at: Any) -> str:
    """Where a label stands in the Improve inbox (a message with no label is "new")."""
    if intent == DISMISSED:
        return "ignored"
    return "exported" if exported_at is not None else "labelled"


def _labels_query() -> sa.sql.Select:
    return sa.select(
        nlu_labels, states_c.ignore_reason, states_c.exported_at, states_c.exported_by
    ).select_from(nlu_labels.outerjoin(nlu_label_states, states_c.label_id == nlu_labels.c.id))


def _with_state(row: Mapping[str, Any]) -> Row:
    out = dict(row)
    out["state"] = label_state(out["intent"], out["exported_at"])
    return out


def labels(engine: Engine, newest_first: bool = True) -> list[Row]:
    """Every label with its state, ignore reason and export time."""
    order = (
        (nlu_labels.c.labelled_at.desc(), nlu_labels.c.id.desc())
        if newest_first
        else (nlu_labels.c.id,)
    )
    with engine.connect() as conn:
        return [_with_state(r) for r in conn.execute(_labels_query().order_by(*order)).mappings()]


def labels_with_ids(engine: Engine, ids: Iterable[int]) -> list[Row]:
    """These labels with their state (those that still exist), for the confirmation shown
    after labelling."""
    ids = sorted(set(ids))
    if not ids:
        return []
    with engine.connect() as conn:
        query = _labels_query().where(nlu_labels.c.id.in_(ids)).order_by(nlu_labels.c.id)
        return [_with_state(r) for r in conn.execute(query).mappings()]


def labels_by_key(engine: Engine) -> dict[str, Row]:
    """Each label (with its state) by the key of the message text it labels."""
    return {row["text_key"]: row for row in labels(engine, newest_first=False)}


def state_counts(engine: Engine) -> dict[str, int]:
    """How many labels are labelled (not exported yet), ignored and exported."""
    counts = {"labelled": 0, "ignored": 0, "exported": 0}
    for row in labels(engine, newest_first=False):
        counts[row["state"]] += 1
    return counts


def take_nlu_export(engine: Engine, who: str, ip: str, everything: bool = False) -> list[Row]:
    """The labels an NLU export holds, marked exported and audited in the same transaction:
    those labelled and not exported yet, or with `everything` every label but the ignored
    ones (for a file lost after download). Oldest first."""
    with engine.begin() as conn:
        query = _labels_query().where(nlu_labels.c.intent != DISMISSED)
        if not everything:
            query = query.where(states_c.exported_at.is_(None))
        rows = [_with_state(r) for r in conn.execute(query.order_by(nlu_labels.c.id)).mappings()]
        fresh = [r["id"] for r in rows if r["exported_at"] is None]
        now = utcnow()
        with_state = set(
            conn.execute(sa.select(states_c.label_id).where(states_c.label_id.in_(fresh))).scalars()
        )
        if with_state:
            conn.execute(
                nlu_label_states.update()
                .where(states_c.label_id.in_(sorted(with_state)))
                .values(exported_at=now, exported_by=who)
            )
        for label_id in fresh:
            if label_id not in with_state:
                conn.execute(
                    nlu_label_states.insert().values(
                        label_id=label_id, exported_at=now, exported_by=who
                    )
                )
        detail = {"masked": True, "count": len(rows), "newly_exported": len(fresh)}
        audit(conn, who, "export", "nlu.yml", {**detail, "everything": everything}, ip)
    return rows


def delete_label(engine: Engine, label_id: int, who: str, ip: str) -> None:
    delete_labels(engine, [label_id], who, ip)


def _delete_label_rows(conn: sa.engine.Connection, label_id: int) -> int:
    conn.execute(nlu_label_states.delete().where(states_c.label_id == label_id))
    conn.execute(nlu_label_replaced.delete().where(replaced_c.label_id == label_id))
    return conn.execute(nlu_labels.delete().where(nlu_labels.c.id == label_id)).rowcount


def delete_labels(
    engine: Engine, label_ids: Iterable[int], who: str, ip: str, restore: bool = False
) -> tuple[int, int]:
    """Deletes these labels in one transaction, with an "unlabel" audit line for each that
    existed; returns how many, and how many earlier labels came back. With `restore` (the Undo
    of a labelling) a label the labelling replaced comes back as it was, exported or not;
    otherwise the message is new again."""
    deleted = restored = 0
    with engine.begin() as conn:
        for label_id in sorted(set(label_ids)):
            label = conn.execute(sa.select(nlu_labels).where(nlu_labels.c.id == label_id)).first()
            replaced = conn.execute(
                sa.select(nlu_label_replaced).where(replaced_c.label_id == label_id)
            ).first()
            if label is None or not _delete_label_rows(conn, label_id):
                continue
            detail = None
            if restore and replaced is not None:
                _restore(conn, label, replaced)
                detail = {"restored": replaced.intent}
                restored += 1
            audit(conn, who, "unlabel", str(label_id), detail, ip)
            deleted += 1
    return deleted, restored


def _restore(conn: sa.engine.Connection, label: Any, replaced: Any) -> None:
    """The label a labelling replaced, back under a new id, with its state."""
    fields = ("intent", "predicted_intent", "sender_id", "labelled_by", "labelled_at")
    values = {f: replaced._mapping[f] for f in fields}
    new_id = conn.execute(
        nlu_labels.insert().values(text=label.text, text_key=label.text_key, **values)
    ).inserted_primary_key[0]
    state = {f: replaced._mapping[f] for f in ("ignore_reason", "exported_at", "exported_by")}
    if any(v is not None for v in state.values()):
        conn.execute(nlu_label_states.insert().values(label_id=new_id, **state))


# --- audit log -----------------------------------------------------------------------------


def audit_page(
    engine: Engine, action: str, page: int, per_page: int = 100
) -> tuple[list[Row], Pager, list[str]]:
    """One page of the audit log, newest first, and the actions it holds."""
    query = sa.select(audit_log)
    count = sa.select(sa.func.count()).select_from(audit_log)
    if action:
        query = query.where(audit_log.c.action == action)
        count = count.where(audit_log.c.action == action)
    with engine.connect() as conn:
        pager = Pager.at(page, conn.execute(count).scalar_one(), per_page)
        newest = query.order_by(audit_log.c.id.desc())
        rows = fetch_rows(conn, newest.limit(per_page).offset(pager.offset))
        actions = list(
            conn.execute(
                sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)
            ).scalars()
        )
    return rows, pager, actions
