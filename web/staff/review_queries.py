"""The review workflow's queries on the clinic database: a conversation's review status, its
tags and notes, and each staff member's saved filters. SQLAlchemy Core, the same on SQLite and
PostgreSQL. Every change writes its audit line in its own transaction (clinic_queries.audit).
The functions block: the services (web/staff/services) run them off the event loop.

Conversations are the tracker store's sender_id; that database is another one (and read-only
to the console), so nothing here can join it: the list's status and tag filters become a
SenderScope (scope_for) that the tracker query applies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from clinic.db import utcnow
from clinic.schema import (
    REVIEW_STATUSES,
    conversation_notes,
    conversation_reviews,
    conversation_tags,
    saved_filters,
    tags,
)
from web.staff.clinic_queries import audit, fetch_rows
from web.staff.filters import Filters, SenderScope, tag_name

Row = dict[str, Any]
T = TypeVar("T")
reviews_c, tags_c, links_c = conversation_reviews.c, tags.c, conversation_tags.c
NOTE_LENGTH = 2000  # a note on a conversation
FOLLOW_UP_LENGTH = 200  # conversation_reviews.note
FILTER_NAME_LENGTH = 80  # saved_filters.name


def _twice(work: Callable[[], T]) -> T:
    """Runs a transaction again once when another staff member's simultaneous one took the
    same unique key (a new tag's name, a saved filter's name): the second run sees theirs."""
    try:
        return work()
    except sa.exc.IntegrityError:
        return work()


# --- review status -------------------------------------------------------------------------


def set_review(
    engine: Engine, sender_id: str, status: str | None, note: str | None, who: str, ip: str
) -> bool:
    """Marks a conversation reviewed or needing a follow-up (with a short note), or unread
    again (status None). Returns whether anything changed; only a change is audited."""
    if status is not None and status not in REVIEW_STATUSES:
        raise ValueError(f"unknown review status {status!r}")
    note = " ".join((note or "").split())[:FOLLOW_UP_LENGTH] if status == "follow_up" else ""

    def work() -> bool:
        with engine.begin() as conn:
            old = (
                conn.execute(
                    sa.select(reviews_c.status, reviews_c.note).where(
                        reviews_c.sender_id == sender_id
                    )
                )
                .mappings()
                .first()
            )
            if old is None and status is None:
                return False
            if old is not None and (old["status"], old["note"] or "") == (status, note):
                return False
            conn.execute(conversation_reviews.delete().where(reviews_c.sender_id == sender_id))
            if status is not None:
                conn.execute(
                    conversation_reviews.insert().values(
                        sender_id=sender_id,
                        status=status,
                        note=note or None,
                        changed_by=who,
                        changed_at=utcnow(),
                    )
                )
            # The note itself stays out of the audit log, which is kept for good: it may name
            # the visitor, and retention deletes it with the conversation.
            detail = {"from": old["status"] if old else "unread", "to": status or "unread"}
            audit(conn, who, "review", sender_id, {**detail, "note": bool(note)}, ip)
            return True

    return _twice(work)


def review_of(engine: Engine, sender_id: str) -> Row | None:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(conversation_reviews).where(reviews_c.sender_id == sender_id))
            .mappings()
            .first()
        )
    return dict(row) if row else None


def marks_for(engine: Engine, senders: Iterable[str]) -> dict[str, Row]:
    """The review and tags of each of these conversations (a page of the list):
    {sender_id: {"review": row or None, "tags": [tag rows]}}."""
    wanted = sorted(set(senders))
    out: dict[str, Row] = {s: {"review": None, "tags": []} for s in wanted}
    if not wanted:
        return out
    with engine.connect() as conn:
        for row in conn.execute(
            sa.select(conversation_reviews).where(reviews_c.sender_id.in_(wanted))
        ).mappings():
            out[row["sender_id"]]["review"] = dict(row)
        for row in conn.execute(
            sa.select(links_c.sender_id, tags_c.id, tags_c.name)
            .join(tags, tags_c.id == links_c.tag_id)
            .where(links_c.sender_id.in_(wanted))
            .order_by(tags_c.name_key)
        ).mappings():
            out[row["sender_id"]]["tags"].append({"id": row["id"], "name": row["name"]})
    return out


def review_senders(engine: Engine) -> dict[str, set[str]]:
    """The conversations with each review status (what the dashboard counts)."""
    out: dict[str, set[str]] = {status: set() for status in REVIEW_STATUSES}
    with engine.connect() as conn:
        for sender_id, status in conn.execute(sa.select(reviews_c.sender_id, reviews_c.status)):
            out.setdefault(status, set()).add(sender_id)
    return out


def scope_for(engine: Engine, filters: Filters) -> SenderScope | None:
    """The clinic database's side of the list filters (review status, tag); None when they
    ask nothing of it."""
    if not filters.status and not filters.tag:
        return None
    only: set[str] | None = None
    excluded: set[str] = set()
    with engine.connect() as conn:
        if filters.status == "unread":
            excluded = set(conn.execute(sa.select(reviews_c.sender_id)).scalars())
        elif filters.status:
            only = set(
                conn.execute(
                    sa.select(reviews_c.sender_id).where(reviews_c.status == filters.status)
                ).scalars()
            )
        if filters.tag:
            tagged = set(
                conn.execute(
                    sa.select(links_c.sender_id)
                    .join(tags, tags_c.id == links_c.tag_id)
                    .where(tags_c.name_key == filters.tag.casefold())
                ).scalars()
            )
            only = tagged if only is None else only & tagged
    return SenderScope(None if only is None else frozenset(only), frozenset(excluded))


# --- tags ----------------------------------------------------------------------------------


def all_tags(engine: Engine) -> list[Row]:
    """Every tag staff made, by name, with the number of conversations that carry it."""
    used = sa.func.count(links_c.sender_id)
    return fetch_rows(
        engine,
        sa.select(tags_c.id, tags_c.name, used.label("conversations"))
        .select_from(tags.outerjoin(conversation_tags, links_c.tag_id == tags_c.id))
        .group_by(tags_c.id, tags_c.name, tags_c.name_key)
        .order_by(tags_c.name_key),
    )


def tags_of(engine: Engine, sender_id: str) -> list[Row]:
    return fetch_rows(
        engine,
        sa.select(tags_c.id, tags_c.name, links_c.added_by, links_c.added_at)
        .join(conversation_tags, links_c.tag_id == tags_c.id)
        .where(links_c.sender_id == sender_id)
        .order_by(tags_c.name_key),
    )


def _tag_id(conn: Connection, name: str, who: str, ip: str) -> int:
    """The tag of that name (case aside), made when there is none yet."""
    key = name.casefold()
    found = conn.execute(sa.select(tags_c.id).where(tags_c.name_key == key)).scalar()
    if found is not None:
        return int(found)
    made = conn.execute(
        tags.insert().values(name=name, name_key=key, created_by=who, created_at=utcnow())
    ).inserted_primary_key[0]
    audit(conn, who, "create_tag", name, {"tag": int(made)}, ip)
    return int(made)


def add_tag(engine: Engine, sender_id: str, typed: str, who: str, ip: str) -> str | None:
    """Tags a conversation, making the tag when it is new; returns the tag's name, None when
    nothing usable was typed."""
    name = tag_name(typed)
    if not name:
        return None

    def work() -> str:
        with engine.begin() as conn:
            tag_id = _tag_id(conn, name, who, ip)
            present = conn.execute(
                sa.select(links_c.tag_id).where(
                    links_c.sender_id == sender_id, links_c.tag_id == tag_id
                )
            ).first()
            if present is None:
                conn.execute(
                    conversation_tags.insert().values(
                        sender_id=sender_id, tag_id=tag_id, added_by=who, added_at=utcnow()
                    )
                )
                audit(conn, who, "tag", sender_id, {"tag": tag_id, "name": name}, ip)
            return str(conn.execute(sa.select(tags_c.name).where(tags_c.id == tag_id)).scalar())

    return _twice(work)


def remove_tag(engine: Engine, sender_id: str, tag_id: int, who: str, ip: str) -> bool:
    with engine.begin() as conn:
        name = conn.execute(sa.select(tags_c.name).where(tags_c.id == tag_id)).scalar()
        gone = conn.execute(
            conversation_tags.delete().where(
                links_c.sender_id == sender_id, links_c.tag_id == tag_id
            )
        ).rowcount
        if gone:
            audit(conn, who, "untag", sender_id, {"tag": tag_id, "name": name}, ip)
    return bool(gone)


def tag_counts(engine: Engine) -> list[tuple[str, int]]:
    """Tags in use and how many conversations carry each, most used first."""
    return [
        (row["name"], row["conversations"])
        for row in sorted(all_tags(engine), key=lambda r: -r["conversations"])
        if row["conversations"]
    ]


# --- notes ---------------------------------------------------------------------------------


def add_note(engine: Engine, sender_id: str, text: str, who: str, ip: str) -> int | None:
    """Keeps a staff note on a conversation; None when the note was empty. The audit line
    names the note, not its text (see set_review)."""
    text = text.replace("\r\n", "\n").strip()[:NOTE_LENGTH]
    if not text:
        return None
    with engine.begin() as conn:
        note_id = int(
            conn.execute(
                conversation_notes.insert().values(
                    sender_id=sender_id, text=text, author=who, created_at=utcnow()
                )
            ).inserted_primary_key[0]
        )
        audit(conn, who, "add_note", sender_id, {"note": note_id, "chars": len(text)}, ip)
    return note_id


def notes_of(engine: Engine, sender_id: str) -> list[Row]:
    """A conversation's notes, oldest first (they read as a thread)."""
    return fetch_rows(
        engine,
        sa.select(conversation_notes)
        .where(conversation_notes.c.sender_id == sender_id)
        .order_by(conversation_notes.c.created_at, conversation_notes.c.id),
    )


# --- saved filters -------------------------------------------------------------------------


def save_filter(engine: Engine, username: str, name: str, query: str, ip: str) -> int | None:
    """Saves the list's filters (a query string) under a name for this staff member, replacing
    the filters saved under that name before; None when the name is empty."""
    name = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    name = name[:FILTER_NAME_LENGTH]
    if not name:
        return None

    def work() -> int:
        with engine.begin() as conn:
            same = sa.and_(saved_filters.c.username == username, saved_filters.c.name == name)
            saved = conn.execute(sa.select(saved_filters.c.id).where(same)).scalar()
            if saved is None:
                saved = conn.execute(
                    saved_filters.insert().values(
                        username=username, name=name, query=query, created_at=utcnow()
                    )
                ).inserted_primary_key[0]
            else:  # the same id: a link or a delete button already on a page still works
                conn.execute(
                    saved_filters.update().where(same).values(query=query, created_at=utcnow())
                )
            audit(conn, username, "save_filter", name, {"filter": saved, "query": query}, ip)
            return int(saved)

    return _twice(work)


def saved_filters_of(engine: Engine, username: str) -> list[Row]:
    return fetch_rows(
        engine,
        sa.select(saved_filters)
        .where(saved_filters.c.username == username)
        .order_by(saved_filters.c.name),
    )


def delete_filter(engine: Engine, username: str, filter_id: int, ip: str) -> bool:
    """Deletes one of this staff member's saved filters (never another's)."""
    with engine.begin() as conn:
        mine = sa.and_(saved_filters.c.id == filter_id, saved_filters.c.username == username)
        name = conn.execute(sa.select(saved_filters.c.name).where(mine)).scalar()
        if name is None:
            return False
        conn.execute(saved_filters.delete().where(mine))
        audit(conn, username, "delete_filter", name, {"filter": filter_id}, ip)
    return True


# --- retention -----------------------------------------------------------------------------


def forget_conversations(conn: Connection, senders: Iterable[str], dry_run: bool = False) -> int:
    """Deletes the reviews, tags and notes of these conversations, in the caller's transaction
    (retention, as it deletes the conversations); returns how many rows went (or would go)."""
    ordered = sorted(set(senders))
    gone = 0
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for table in (conversation_reviews, conversation_tags, conversation_notes):
            theirs = table.c.sender_id.in_(chunk)
            if dry_run:
                count = sa.select(sa.func.count()).select_from(table).where(theirs)
                gone += conn.execute(count).scalar_one()
            else:
                gone += conn.execute(table.delete().where(theirs)).rowcount
    return gone


# --- what a page shows ---------------------------------------------------------------------


def review_panel(engine: Engine, sender_id: str) -> Row:
    """Everything the transcript page shows of the review: status, tags, notes, and the tags
    there are (offered while typing a new one)."""
    return {
        "review": review_of(engine, sender_id),
        "tags": tags_of(engine, sender_id),
        "notes": notes_of(engine, sender_id),
        "all_tags": all_tags(engine),
    }


def list_panel(engine: Engine, username: str) -> Row:
    """What the conversation list offers besides the conversations: the tags to filter by and
    this staff member's saved filters."""
    return {"tags": all_tags(engine), "saved": saved_filters_of(engine, username)}
