"""The one write the console makes to the tracker store: retention deleting the conversations
whose last event is older than its cutoff (web/staff/retention.py runs it). Each call opens its
own engine, a writable one, and disposes of it; the console's engine stays read-only."""

from __future__ import annotations

import sqlalchemy as sa

from web.staff.tracker_store.schema import events, sqlite_path


def _old(cutoff: float) -> sa.sql.Select:
    return (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )


def old_senders(url: str, cutoff: float) -> list[str]:
    """The conversations whose last event is older than the cutoff."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return []
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(events.name):
                return []
            return list(conn.execute(_old(cutoff)).scalars())
    finally:
        engine.dispose()


def purge_tracker(url: str, cutoff: float, dry_run: bool) -> dict[str, int]:
    """Deletes (with `dry_run`, only counts) the old conversations and their events."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return {"conversations": 0, "events": 0}
    engine = sa.create_engine(url, future=True)
    try:
        old = _old(cutoff)
        with engine.begin() as conn:
            if not sa.inspect(conn).has_table(events.name):
                return {"conversations": 0, "events": 0}
            senders = conn.execute(
                sa.select(sa.func.count()).select_from(old.subquery())
            ).scalar_one()
            n_events = conn.execute(
                sa.select(sa.func.count()).select_from(events).where(events.c.sender_id.in_(old))
            ).scalar_one()
            if not dry_run and senders:
                conn.execute(events.delete().where(events.c.sender_id.in_(old)))
        return {"conversations": int(senders), "events": int(n_events)}
    finally:
        engine.dispose()
