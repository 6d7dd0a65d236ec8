"""Engines on the clinic database: one per URL, its tables created once, on first use."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from clinic.schema import metadata

DEFAULT_URL = "sqlite:///var/clinic.db"


@cache
def engine_for(url: str) -> sa.engine.Engine:
    """The engine for `url`, with every clinic table created (idempotent, once per process)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; everything stored here is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
