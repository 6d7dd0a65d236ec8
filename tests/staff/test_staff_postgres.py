"""The console's tracker queries on PostgreSQL give what they give on SQLite.

Runs on the session's throwaway PostgreSQL server (tests/pg.py), in a database of its own. To use
another server instead, set STAFF_TEST_POSTGRES_URL to a scratch database the test may fill and
empty, e.g. STAFF_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:55432/scratch
"""

from __future__ import annotations

import os
import time
from datetime import timezone

import pytest
import sqlalchemy as sa

from tests.pg import postgres  # noqa: F401  (the session's throwaway PostgreSQL server)
from tests.staff.staff_helpers import action, booking_events, session_start, user, write_tracker
from web.staff import retention
from web.staff.filters import Filters
from web.staff.tracker_store import (
    dashboard_stats,
    list_conversations,
    tracker_engine,
    unclear_messages,
)
from web.staff.tracker_store.schema import events

NOW = time.time()


@pytest.fixture(scope="module")
def both(tmp_path_factory, request):
    url = os.environ.get("STAFF_TEST_POSTGRES_URL") or request.getfixturevalue(
        "postgres"
    ).create_database("staff_console")
    db = tmp_path_factory.mktemp("pg") / "tracker.db"
    write_tracker(db, "booked", booking_events(), NOW - 3600)
    write_tracker(
        db,
        "flagged",
        booking_events("Mary", "+44 20 7946 0123", ("yes", "no", "unsure", "no")),
        NOW - 86400,
    )
    write_tracker(
        db,
        "odd",
        session_start()
        + [
            user("' OR 1=1 -- 100% sure_ly", "nlu_fallback", 0.3),
            action("action_default_fallback"),
        ],
        NOW - 3 * 86400,
    )
    write_tracker(
        db, "old", session_start() + [user("Does it hurt?", "ask_pain", 0.5)], NOW - 400 * 86400
    )
    writer = sa.create_engine(url, future=True)
    events.metadata.drop_all(writer)
    events.metadata.create_all(writer)
    lite = sa.create_engine(f"sqlite:///{db}", future=True)
    with lite.connect() as src, writer.begin() as dst:
        rows = [dict(r) for r in src.execute(sa.select(events)).mappings()]
        dst.execute(events.insert(), rows)
    yield tracker_engine(f"sqlite:///{db}"), tracker_engine(url), url
    events.metadata.drop_all(writer)
    writer.dispose()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(contraindication=True),
        Filters(fallback=True),
        Filters(fallback=False),
        Filters(has_request=True),
        Filters(has_request=False),
        Filters(intent="inform"),
        Filters(q="' OR 1=1 --"),
        Filters(q="%"),
        Filters(q="_"),
        Filters(q="DOES it"),
    ],
)
def test_same_results_as_sqlite(both, filters):
    lite, pg, _ = both
    senders = {"booked"}
    a = list_conversations(lite, filters, senders, timezone.utc)
    b = list_conversations(pg, filters, senders, timezone.utc)
    assert [r["sender_id"] for r in a.rows] == [r["sender_id"] for r in b.rows]
    assert (a.pager.total, a.with_flag, a.with_fallback, a.with_request) == (
        b.pager.total,
        b.with_flag,
        b.with_fallback,
        b.with_request,
    )


def test_unclear_and_dashboard_same_as_sqlite(both):
    lite, pg, _ = both
    assert {m["id"] for m in unclear_messages(lite)} == {m["id"] for m in unclear_messages(pg)}
    args = (NOW - 30 * 86400, NOW + 60, {"booked"}, timezone.utc)
    a, b = dashboard_stats(lite, *args), dashboard_stats(pg, *args)
    assert a == b


def test_console_engine_cannot_write(both):
    _, pg, _ = both
    with pytest.raises(sa.exc.DBAPIError, match="read-only"), pg.begin() as conn:
        conn.execute(events.delete())


def test_retention_on_postgresql(both, tmp_path):
    _, pg, url = both
    clinic = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert retention.run(365, url, clinic, dry_run=True)["conversations"] == 1
    assert retention.run(365, url, clinic)["conversations"] == 1
    assert retention.run(365, url, clinic)["conversations"] == 0
    with pg.connect() as conn:
        left = {r[0] for r in conn.execute(sa.select(events.c.sender_id).distinct())}
    assert left == {"booked", "flagged", "odd"}
