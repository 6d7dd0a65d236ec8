"""Engines on the clinic database: one per URL, its tables created once, on first use."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from clinic.schema import metadata

DEFAULT_URL = "sqlite:///var/clinic.db"


_create_lock = threading.Lock()
# Any fixed number: the PostgreSQL advisory lock that serialises table creation between the
# processes of several servers starting on an empty database at once.
_CREATE_LOCK_KEY = 7_110_421


_engines: dict[str, sa.engine.Engine] = {}


def engine_for(url: str) -> sa.engine.Engine:
    """The engine for `url`, with every clinic table created (idempotent, once per process).

    Threads of one process share one engine (the lock), and on PostgreSQL the processes of
    several servers starting at once take turns creating the tables (an advisory lock), since
    two simultaneous CREATE TABLEs of the same table fail."""
    engine = _engines.get(url)
    if engine is not None:
        return engine
    with _create_lock:
        if url in _engines:
            return _engines[url]
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, future=True, pool_pre_ping=True)
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_CREATE_LOCK_KEY)))
            metadata.create_all(conn)
            _add_missing_columns(conn)
        _engines[url] = engine
        return engine


def _add_missing_columns(conn: sa.engine.Connection) -> None:
    """Adds to each existing table the columns added to its schema since it was created, so a
    database from an earlier version keeps its rows and takes the new fields. Only nullable
    columns are ever added to a table (clinic/schema.py): the rows already there hold None."""
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(conn.dialect)
                conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; everything stored here is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
