"""The staff console's own tables, in the clinic database next to consultation_requests.

SQLAlchemy Core, created with metadata.create_all on first use, so the same code runs on the
SQLite file of one machine and on PostgreSQL. Times are stored in UTC.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any, Dict, Optional

import sqlalchemy as sa

from actions.store import consultation_requests, engine_for

__all__ = [
    "metadata", "staff_users", "staff_sessions", "audit_log", "nlu_labels", "login_failures",
    "consultation_requests", "clinic_engine", "utcnow", "as_utc", "audit",
]

metadata = sa.MetaData()

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # SHA-256 of the cookie's random token: a copy of the table does not log anyone in.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("ip", sa.String(64)),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    # view_transcript, change_status, reveal_contact, export, label, login, logout, login_failed
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("target", sa.String(255)),
    sa.Column("detail", sa.Text),  # JSON
    sa.Column("ip", sa.String(64)),
)

nlu_labels = sa.Table(
    "nlu_labels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The message with emails and phone numbers replaced by fictitious ones (masking.pseudonymise).
    sa.Column("text", sa.Text, nullable=False),
    # SHA-256 of the original message, normalised (conversations.text_key): recognises messages
    # already labelled without keeping their original wording.
    sa.Column("text_key", sa.String(64), nullable=False, unique=True),
    # An intent of domain.yml, "out_of_scope", or "__dismissed__" (not exported).
    sa.Column("intent", sa.String(100), nullable=False),
    sa.Column("predicted_intent", sa.String(100)),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("labelled_by", sa.String(64), nullable=False),
    sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
)

login_failures = sa.Table(
    "staff_login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)

DISMISSED = "__dismissed__"

_created: set = set()
_lock = threading.Lock()


def clinic_engine(url: str) -> sa.engine.Engine:
    """The clinic database (shared with the action server), with the staff tables created."""
    engine = engine_for(url)
    if url not in _created:
        with _lock:
            if url not in _created:
                metadata.create_all(engine)
                _created.add(url)
    return engine


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: Optional[datetime]) -> Optional[datetime]:
    """SQLite gives back naive datetimes; everything stored here is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def audit(conn: sa.engine.Connection, username: str, action: str, target: Optional[str] = None,
          detail: Optional[Dict[str, Any]] = None, ip: Optional[str] = None) -> None:
    conn.execute(audit_log.insert().values(
        at=utcnow(), username=username, action=action, target=(target or "")[:255] or None,
        detail=json.dumps(detail, sort_keys=True) if detail else None, ip=(ip or "")[:64] or None,
    ))
