"""Rasa's SQLTrackerStore as this package reads it: the `events` table, how its JSON is read,
and the read-only engine. Nothing outside web/staff/tracker_store imports this module: the rest
of the console asks the package's functions for conversations and messages, so that a change
of Rasa's schema is a change here (tests/staff/test_console_layers.py holds this declaration
against Rasa's own model, and the imports to this package)."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

_meta = sa.MetaData()
# One row per event (rasa.core.tracker_store.SQLTrackerStore.SQLEvent); `data` is the event as
# JSON text. Declared for queries only: never created, and written only by retention.py. Not
# taken from Rasa itself, which would load Rasa into the web process for one table.
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


def loads(data: str | None) -> dict[str, Any]:
    """An event's `data`, {} when it is not a JSON object."""
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


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
