"""The review workflow's queries give on PostgreSQL what they give on SQLite: reviews, tags,
notes, saved filters, Improve states and the NLU export's marking on the clinic database; the
list, "next unread" and the dashboard's review figures on the tracker store; and retention
deleting reviews, tags and notes with their conversation.

Runs on the session's throwaway PostgreSQL server (tests/pg.py). STAFF_TEST_POSTGRES_URL may
name a scratch server database instead (see test_staff_postgres.py); this module makes two
databases beside it.
"""

from __future__ import annotations

import time
from datetime import timezone
from typing import Any

import pytest
import sqlalchemy as sa

from clinic.db import engine_for
from clinic.schema import DISMISSED, conversation_notes, conversation_reviews, conversation_tags
from tests.pg import postgres  # noqa: F401  (the session's throwaway PostgreSQL server)
from tests.staff.staff_helpers import (
    action,
    booking_events,
    pg_database,
    session_start,
    user,
    write_tracker,
)
from web.staff import clinic_queries, retention, review_queries
from web.staff.filters import Filters, SenderScope
from web.staff.tracker_store import (
    list_conversations,
    next_conversation,
    review_counts,
    tracker_engine,
)
from web.staff.tracker_store.schema import events

NOW = time.time()
SENDERS = ("newest", "middle", "oldest", "ancient")
IP = "192.0.2.1"


@pytest.fixture(scope="module")
def dbs(tmp_path_factory, request) -> dict[str, dict[str, str]]:
    """A tracker store and a clinic database on each backend, the trackers alike."""
    folder = tmp_path_factory.mktemp("review_pg")
    lite_tracker = folder / "tracker.db"
    for n, sender in enumerate(SENDERS[:3]):
        write_tracker(
            lite_tracker,
            sender,
            session_start()
            + [
                user(f"question {n}", "nlu_fallback" if n else "ask_pain", 0.3 if n else 0.9),
                action("action_listen"),
            ],
            NOW - 3600 * (n + 1),
        )
    write_tracker(lite_tracker, "ancient", booking_events(), NOW - 400 * 86400)
    pg_tracker = pg_database(request, "review_tracker")
    writer = sa.create_engine(pg_tracker, future=True)
    events.metadata.create_all(writer)
    lite = sa.create_engine(f"sqlite:///{lite_tracker}", future=True)
    with lite.connect() as src, writer.begin() as dst:
        dst.execute(events.insert(), [dict(r) for r in src.execute(sa.select(events)).mappings()])
    writer.dispose()
    lite.dispose()
    return {
        "sqlite": {
            "tracker": f"sqlite:///{lite_tracker}",
            "clinic": f"sqlite:///{folder / 'clinic.db'}",
        },
        "postgresql": {"tracker": pg_tracker, "clinic": pg_database(request, "review_clinic")},
    }


def _plain(value: Any) -> Any:
    """Query results without times (they differ by the run), comparable across backends."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.endswith(("_at", "_by"))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, SenderScope):
        return {
            "only": _plain(value.only) if value.only is not None else None,
            "excluded": _plain(value.excluded),
        }
    return value


def _clinic_story(url: str) -> dict[str, Any]:
    """The same changes on a fresh clinic database; what the queries read back after each."""
    engine = engine_for(url)
    rq, out = review_queries, {}
    out["changed"] = [
        rq.set_review(engine, "newest", "reviewed", None, "anna", IP),
        rq.set_review(engine, "middle", "follow_up", "  call   back ", "anna", IP),
        rq.set_review(engine, "middle", "follow_up", "call back", "ben", IP),  # no change
        rq.set_review(engine, "oldest", "reviewed", None, "ben", IP),
        rq.set_review(engine, "oldest", None, None, "ben", IP),  # unread again
        rq.set_review(engine, "ancient", "reviewed", None, "anna", IP),
    ]
    out["tags"] = [
        rq.add_tag(engine, "newest", "Wrong answer", "anna", IP),
        rq.add_tag(engine, "middle", " wrong   ANSWER", "ben", IP),
        rq.add_tag(engine, "middle", "For the doctor", "ben", IP),
        rq.add_tag(engine, "ancient", "great example", "ben", IP),
        rq.add_tag(engine, "newest", " \t ", "anna", IP),
    ]
    wrong = next(t["id"] for t in rq.all_tags(engine) if t["name"] == "Wrong answer")
    out["removed"] = [
        rq.remove_tag(engine, "newest", wrong, "anna", IP),
        rq.remove_tag(engine, "newest", wrong, "anna", IP),
    ]
    out["notes"] = [
        rq.add_note(engine, "middle", "first note", "anna", IP),
        rq.add_note(engine, "ancient", "an old note", "ben", IP),
        rq.add_note(engine, "middle", "  ", "anna", IP),
    ]
    mine = rq.save_filter(engine, "anna", "unread", "status=unread", IP)
    out["filters"] = [
        mine,
        rq.save_filter(engine, "anna", "unread", "status=unread&tag=x", IP),
        rq.save_filter(engine, "ben", "unread", "status=unread", IP),
        rq.delete_filter(engine, "ben", 999, IP),
    ]
    out["read"] = {
        "marks": rq.marks_for(engine, SENDERS + ("unknown",)),
        "panel": rq.review_panel(engine, "middle"),
        "saved": rq.list_panel(engine, "anna"),
        "counts": rq.tag_counts(engine),
        "by_status": rq.review_senders(engine),
        "scopes": [
            rq.scope_for(engine, Filters(status=s, tag=t))
            for s in (None, "unread", "reviewed", "follow_up")
            for t in (None, "WRONG answer", "no such tag")
        ],
    }
    texts = [
        {"sender_id": "newest", "data": {"text": "how much iz it"}},
        {"sender_id": "middle", "data": {"text": "asdf qwerty"}},
    ]
    clinic_queries.store_labels(engine, texts[:1], "ask_price", "anna", IP)
    clinic_queries.store_labels(engine, texts[1:], DISMISSED, "anna", IP, "keyboard mash")
    out["improve"] = [
        clinic_queries.state_counts(engine),
        clinic_queries.take_nlu_export(engine, "anna", IP),
        clinic_queries.take_nlu_export(engine, "anna", IP),
        clinic_queries.take_nlu_export(engine, "anna", IP, everything=True),
        clinic_queries.state_counts(engine),
        clinic_queries.labels(engine),
    ]
    with engine.connect() as conn:
        out["audit"] = [
            tuple(r)
            for r in conn.execute(
                sa.text("SELECT username, action, target, detail FROM audit_log ORDER BY id")
            )
        ]
    return _plain(out)


@pytest.fixture(scope="module")
def stories(dbs):
    return {backend: _clinic_story(urls["clinic"]) for backend, urls in dbs.items()}


def test_clinic_queries_same_on_postgresql(stories):
    lite, pg = stories["sqlite"], stories["postgresql"]
    for part in lite:
        assert lite[part] == pg[part], part
    assert lite["changed"] == [True, True, False, True, True, True]
    assert lite["filters"] == [1, 1, 2, False]
    assert lite["tags"] == ["Wrong answer", "Wrong answer", "For the doctor", "great example", None]
    assert lite["read"]["by_status"] == {"reviewed": ["ancient", "newest"], "follow_up": ["middle"]}
    assert lite["read"]["marks"]["middle"]["review"]["note"] == "call back"
    assert [n["text"] for n in lite["read"]["panel"]["notes"]] == ["first note"]
    assert [f["query"] for f in lite["read"]["saved"]["saved"]] == ["status=unread&tag=x"]
    assert lite["improve"][0] == {"labelled": 1, "ignored": 1, "exported": 0}
    assert [len(lite["improve"][i]) for i in (1, 2, 3)] == [1, 0, 1]
    assert lite["improve"][4] == {"labelled": 0, "ignored": 1, "exported": 1}
    actions = [a[1] for a in lite["audit"]]
    assert actions.count("review") == 5 and actions.count("export") == 3
    assert {"create_tag", "tag", "untag", "add_note", "save_filter", "label"} <= set(actions)


@pytest.mark.parametrize(
    "status, tag",
    [
        (None, None),
        ("unread", None),
        ("reviewed", None),
        ("follow_up", None),
        (None, "wrong answer"),
        ("unread", "wrong answer"),
    ],
)
def test_list_next_and_dashboard_same_on_postgresql(dbs, stories, status, tag):
    filters = Filters(status=status, tag=tag)
    seen = {}
    for backend, urls in dbs.items():
        clinic, tracker = engine_for(urls["clinic"]), tracker_engine(urls["tracker"])
        scope = review_queries.scope_for(clinic, filters)
        page = list_conversations(tracker, filters, set(), timezone.utc, scope=scope)
        unread = filters.but(status="unread")
        unread_scope = review_queries.scope_for(clinic, unread) or SenderScope()
        nexts = [
            next_conversation(tracker, unread, set(), timezone.utc, unread_scope, after)
            for after in SENDERS
        ]
        counts = review_counts(tracker, NOW - 86400, review_queries.review_senders(clinic))
        seen[backend] = ([r["sender_id"] for r in page.rows], page.pager.total, nexts, counts)
    assert seen["sqlite"] == seen["postgresql"]
    if (status, tag) == ("unread", None):
        assert seen["sqlite"][0] == ["oldest"]
    if (status, tag) == (None, None):
        assert seen["sqlite"][2] == ["oldest", "oldest", None, "oldest"]
        assert seen["sqlite"][3] == {"unread": 1, "reviewed": 1, "follow_up": 1}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_retention_deletes_reviews_tags_and_notes_with_the_conversation(dbs, stories, backend):
    urls = dbs[backend]
    engine = engine_for(urls["clinic"])

    def about(sender: str):
        with engine.connect() as conn:
            return [
                conn.execute(
                    sa.select(sa.func.count()).select_from(t).where(t.c.sender_id == sender)
                ).scalar_one()
                for t in (conversation_reviews, conversation_tags, conversation_notes)
            ]

    assert about("ancient") == [1, 1, 1] and about("middle") == [1, 2, 1]
    dry = retention.run(365, urls["tracker"], urls["clinic"], dry_run=True)
    assert (dry["conversations"], dry["review_rows"]) == (1, 3) and about("ancient") == [1, 1, 1]
    done = retention.run(365, urls["tracker"], urls["clinic"])
    assert (done["conversations"], done["review_rows"]) == (1, 3)
    assert about("ancient") == [0, 0, 0] and about("middle") == [1, 2, 1]
    again = retention.run(365, urls["tracker"], urls["clinic"])
    assert (again["conversations"], again["review_rows"]) == (0, 0)
