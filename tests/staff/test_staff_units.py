"""Staff console: pure functions and queries on a tracker store written like Rasa writes it.

No trained model needed; the console against the real bot is tested in test_staff_console.py.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import warnings
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic.db import engine_for as clinic_engine
from clinic.schema import DISMISSED, consultation_requests, staff_sessions
from tests.staff.staff_helpers import (
    ROOT,
    action,
    booking_events,
    bot,
    session_start,
    staff_cli,
    user,
    write_tracker,
)
from web.staff import auth, charts, exports, retention, training_data
from web.staff.filters import Filters
from web.staff.grouping import comparable_text, group_messages, jaccard
from web.staff.masking import mask_contact, mask_email, mask_phone, mask_text, pseudonymise
from web.staff.tracker_store import (
    dashboard_stats,
    list_conversations,
    tracker_engine,
    unclear_messages,
)
from web.staff.tracker_store.matching import matching
from web.staff.tracker_store.sql import escape_like
from web.staff.transcript import build_transcript, conversation_flags
from web.staff.unclear import answered_as, answered_name

UTC = timezone.utc
NOW = time.time()


# --- masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email, masked",
    [
        ("jane.doe@gmail.com", "j***@g***.com"),
        ("J@example.co.uk", "J***@e***.uk"),
        ("x@localhost", "x***@l***"),
    ],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    "phone", ["+44 20 7946 0123", "07946-000123", "(020) 7946 0123", "+4915112340123"]
)
def test_mask_phone_keeps_last_two_digits(phone):
    assert mask_phone(phone) == "*** *** **23"


def test_mask_text_masks_emails_and_phones_but_not_dates_or_small_numbers():
    text = "Mail jane@gmail.com or call +44 20 7946 0123. Free 2024-05-06 or 14.05.2024, 35 years"
    masked = mask_text(text)
    assert "jane@gmail.com" not in masked and "7946" not in masked
    assert "j***@g***.com" in masked and "*** *** **23." in masked
    assert "2024-05-06" in masked and "14.05.2024" in masked and "35 years" in masked


def test_mask_contact_by_kind():
    assert mask_contact("jane@gmail.com", "email") == "j***@g***.com"
    assert mask_contact("020 7946 0123", "phone") == "*** *** **23"
    assert mask_contact("0207946 0123", "unknown") == "*** *** **23"
    assert mask_contact("", "email") == ""


def test_pseudonymise_replaces_personal_values_with_fictitious_ones():
    out = pseudonymise("I'm Jane Doe, jane@gmail.com, 020 7946 0123", known=["Jane Doe"])
    assert out == "I'm Alex Example, someone@example.com, +44 20 7946 0000"
    # short or partial-word values are not taken for a name ("no" was typed into a name field)
    assert pseudonymise("no, not now", known=["no", "now"]) == "no, not Alex Example"


# --- SQL helpers and grouping --------------------------------------------------------------


def test_escape_like():
    assert escape_like("100%") == "100\\%"
    assert escape_like("a_b") == "a\\_b"
    assert escape_like("c:\\x") == "c:\\\\x"
    assert escape_like("' OR 1=1 --") == "' OR 1=1 --"


def test_comparable_text():
    assert comparable_text("  What's   the PRICE?!  ") == "whats the price"
    assert comparable_text("Größe, bitte…") == "größe bitte"
    assert comparable_text("???") == ""


def test_text_key_is_the_same_for_alike_messages():
    from web.staff.grouping import text_key

    assert text_key("How much?") == text_key("  how   MUCH ") != text_key("how many")
    assert len(text_key("x")) == 64


def test_jaccard():
    assert jaccard({"a", "b"}, {"a", "b"}) == 1.0
    assert jaccard({"a", "b", "c"}, {"a", "b", "d"}) == 0.5
    assert jaccard(set(), set()) == 1.0


def test_group_messages_exact_and_near_duplicates():
    msgs = [
        {"id": 1, "text": "How much does it cost?", "sender_id": "a", "timestamp": 1},
        {"id": 2, "text": "how much does it cost", "sender_id": "b", "timestamp": 2},
        {"id": 3, "text": "How much does it cost in total?", "sender_id": "c", "timestamp": 3},
        {"id": 4, "text": "Is parking available", "sender_id": "d", "timestamp": 4},
        {"id": 5, "text": "!!!", "sender_id": "e", "timestamp": 5},
    ]
    groups = group_messages(msgs)
    assert [g["count"] for g in groups] == [3, 1]
    assert sorted(groups[0]["ids"]) == [1, 2, 3]
    assert groups[0]["keys"] == ["how much does it cost", "how much does it cost in total"]
    exact_only = group_messages(msgs, near=None)
    assert [g["count"] for g in exact_only] == [2, 1, 1]


def test_messages_are_grouped_by_how_the_assistant_answered_them():
    msgs = [
        {
            "id": 1,
            "text": "how long does it take b4",
            "answered": "offered_choices",
            "timestamp": 1,
        },
        {"id": 2, "text": "how long does it take b4", "answered": "ask_duration", "timestamp": 2},
        {
            "id": 3,
            "text": "how long does it take before",
            "answered": "offered_choices",
            "timestamp": 3,
        },
        {"id": 4, "text": "xqzv", "answered": "nlu_fallback", "timestamp": 4},
    ]
    groups = group_messages(msgs)
    # the same words answered two ways are two groups; the reading with most messages first
    assert [(g["answered"], sorted(g["ids"])) for g in groups] == [
        ("offered_choices", [1, 3]),
        ("ask_duration", [2]),
        ("nlu_fallback", [4]),
    ]
    assert answered_name("offered_choices") == "Not sure: offered the likeliest topics"
    assert answered_name("ask_duration") == "Answered as: Length of the appointment"
    assert answered_name(None) == "Not understood: asked to rephrase"


def test_how_a_message_was_answered_is_the_readings_decision():
    fallback = {"parse_data": {"intent": {"name": "nlu_fallback"}, "reading": {
        "intent": "nlu_fallback", "rules": ["answers.offer_likeliest_topics"]}}}  # fmt: skip
    moved = {"parse_data": {"intent": {"name": "ask_prep"}, "reading": {
        "intent": "ask_aftercare", "rules": ["wording.subject_placed_after"]}}}  # fmt: skip
    assert answered_as(fallback) == "offered_choices"
    assert answered_as(moved) == "ask_aftercare"


# --- transcripts and flags -----------------------------------------------------------------


def _as_rows(evts):
    rows = []
    for i, event in enumerate(evts):
        event.timestamp = 1000.0 + i
        data = event.as_dict()
        rows.append(
            {
                "id": i + 1,
                "type": event.type_name,
                "timestamp": event.timestamp,
                "intent": None,
                "action": data.get("name"),
                "data": data,
            }
        )
    return rows


def test_transcript_and_flags_of_a_booking_with_contraindications():
    rows = _as_rows(booking_events("Mary Major", "+44 20 7946 0123", ("yes", "no", "unsure", "no")))
    transcript = build_transcript(rows)
    users = [t for t in transcript if t["kind"] == "user"]
    bots = [t for t in transcript if t["kind"] == "bot"]
    assert users[0]["text"] == "I want to book" and users[0]["intent"] == "book_consultation"
    assert users[0]["confidence"] == pytest.approx(0.98)
    assert bots[0]["buttons"] == ["Yes", "No"]
    internals = [t for t in transcript if t["kind"] == "internal"]
    names = [i["name"] for t in internals for i in t["items"] if i["kind"] == "action"]
    assert "action_listen" not in names and "screening_form" in names
    # messages and internal groups alternate: no two internal groups in a row
    kinds = [t["kind"] for t in transcript]
    assert all(not (a == b == "internal") for a, b in zip(kinds, kinds[1:], strict=False))
    flags = conversation_flags(rows)
    assert flags["contraindications"] == [("pregnant", "yes"), ("sunburn", "unsure")]
    assert flags["fallback"] is False and flags["low_confidence"] == 1


def test_count_fallback_turns():
    from web.staff.transcript import count_fallback_turns

    rows = [
        ("a", "user", "nlu_fallback"),
        ("a", "action", None),  # one turn, counted once
        ("a", "user", "greet"),
        ("a", "action", None),  # core fallback
        ("a", "user", "greet"),
        ("b", "action", None),  # no message before it
        ("b", "user", "ask_price"),
    ]
    assert count_fallback_turns(rows) == 2


def test_fallback_flag_from_intent_or_action():
    by_intent = _as_rows([user("blah", "nlu_fallback", 0.3)])
    by_action = _as_rows([user("blah", "greet", 0.9), action("action_default_fallback")])
    clean = _as_rows([user("hi", "greet", 0.9), action("utter_greet")])
    assert conversation_flags(by_intent)["fallback"]
    assert conversation_flags(by_action)["fallback"]
    assert not conversation_flags(clean)["fallback"]


# --- queries on a tracker store ------------------------------------------------------------


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    write_tracker(db, "booked", booking_events(), NOW - 3600)
    write_tracker(
        db,
        "flagged",
        booking_events("Mary Major", "+44 20 7946 0123", ("yes", "no", "no", "no")),
        NOW - 2 * 86400,
    )
    write_tracker(
        db,
        "injection",
        session_start()
        + [
            user(
                "' OR 1=1 -- is it safe",
                "nlu_fallback",
                0.3,
                ranking=[("nlu_fallback", 0.7), ("ask_side_effects", 0.3)],
            ),
            action("action_default_fallback"),
            bot("Sorry?", "utter_fallback"),
        ],
        NOW - 5 * 86400,
    )
    write_tracker(
        db,
        "percent",
        session_start()
        + [
            user("Is it 100% safe_ly done?", "ask_side_effects", 0.55),
            action("utter_side_effects"),
        ],
        NOW - 6 * 86400,
    )
    write_tracker(
        db,
        "plain",
        session_start()
        + [
            user("Does it hurt?", "ask_pain", 0.97),
            action("utter_pain"),
            bot("No.", "utter_pain"),
            user("does it hurt", "ask_pain", 0.5),
            user("Is parking available", "out_of_scope", 0.9),
        ],
        NOW - 40 * 86400,
    )
    write_tracker(db, "empty", session_start(), NOW - 86400)  # no visitor message
    return db


def _senders(page):
    return {row["sender_id"] for row in page.rows}


def test_list_and_filters(tracker_db):
    engine = tracker_engine(f"sqlite:///{tracker_db}")
    tz = timezone.utc
    requests = {"booked", "flagged"}
    everything = list_conversations(engine, Filters(), requests, tz)
    assert everything.pager.total == 5 and "empty" not in _senders(everything)
    assert [r["sender_id"] for r in everything.rows][:2] == ["booked", "flagged"]  # newest first
    assert (everything.with_request, everything.with_flag, everything.with_fallback) == (2, 1, 1)

    def only(**kw):
        return _senders(list_conversations(engine, Filters(**kw), requests, tz))

    assert only(contraindication=True) == {"flagged"}
    assert only(fallback=True) == {"injection"}
    assert only(has_request=True) == {"booked", "flagged"}
    assert only(has_request=False) == {"injection", "percent", "plain"}
    assert only(intent="out_of_scope") == {"plain"}
    assert only(q="' OR 1=1 --") == {"injection"}
    assert only(q="%") == {"percent"}
    assert only(q="_") == {"percent"}
    assert only(q="100%") == {"percent"}
    assert only(q="DOES IT HURT") == {"plain"}
    assert only(q="nothing like this") == set()
    today = datetime.now(tz).date()
    assert only(date_from=today - timedelta(days=3)) == {"booked", "flagged"}
    assert only(date_to=today - timedelta(days=10)) == {"plain"}
    paged = list_conversations(engine, Filters(), requests, tz, page=2, per_page=2)
    assert paged.pager.pages == 3 and len(paged.rows) == 2 and paged.pager.page == 2


def test_filters_from_query_args():
    f = Filters.from_args(
        {
            "from": "2024-05-01",
            "to": "",
            "request": "yes",
            "contra": "no",
            "fallback": "",
            "intent": "greet",
            "q": "  hi  ",
        }
    )
    assert f.date_from == date(2024, 5, 1) and f.date_to is None
    assert (f.has_request, f.contraindication, f.fallback) == (True, False, None)
    assert f.as_args() == {
        "from": "2024-05-01",
        "request": "yes",
        "contra": "no",
        "intent": "greet",
        "q": "hi",
    }


def test_a_date_or_id_the_console_cannot_use_is_bad_input_not_a_crash_later():
    from web.staff.inputs import BadInput, record_id, whole_number

    for name, value in (("to", "bad"), ("to", "9999-12-31"), ("from", "2024-02-30")):
        with pytest.raises(BadInput):
            Filters.from_args({name: value})
    assert Filters.from_args({"to": "2999-12-31"}).date_to == date(2999, 12, 31)
    for bad_id in ("9" * 30, "0", "-4", "1e3", "", 2**31):
        with pytest.raises(BadInput):
            record_id(bad_id)
    assert record_id(2**31 - 1) == 2**31 - 1
    assert whole_number(None, "page number", 1) == 1
    with pytest.raises(BadInput, match="from 1 to 366"):
        whole_number("0", "number of days", 30, 1, 366)


def test_tracker_engine_is_read_only_and_creates_nothing(tracker_db, tmp_path):
    engine = tracker_engine(f"sqlite:///{tracker_db}")
    with pytest.raises(sa.exc.OperationalError, match="readonly"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM events"))
    missing = tmp_path / "nothing-here.db"
    with pytest.raises(sa.exc.OperationalError):
        list_conversations(tracker_engine(f"sqlite:///{missing}"), Filters(), set(), timezone.utc)
    assert not missing.exists()


def test_queries_compile_for_postgresql():
    from sqlalchemy.dialects import postgresql

    query = matching(
        "postgresql", Filters(q="50%", contraindication=True, intent="greet"), {"a"}, timezone.utc
    )
    sql = str(query.compile(dialect=postgresql.dialect()))
    assert "->>" in sql and "ILIKE" in sql and "ESCAPE" in sql and "50%" not in sql


def test_unclear_messages_and_dashboard(tracker_db):
    engine = tracker_engine(f"sqlite:///{tracker_db}")
    unclear = unclear_messages(engine)
    texts = {m["text"] for m in unclear}
    assert "' OR 1=1 -- is it safe" in texts  # nlu_fallback
    # out_of_scope at 0.9: handled with confidence (HANDLED_WITH_CONFIDENCE), nothing to teach
    assert "Is parking available" not in texts
    assert "Is it 100% safe_ly done?" in texts  # confidence 0.55
    assert "Jane Doe" not in texts  # confidence 0.41, but typed as the contact form's name
    assert "Does it hurt?" not in texts and "does it hurt" in texts
    fallback = next(m for m in unclear if m["intent"] == "nlu_fallback")
    assert fallback["guess"] == "ask_side_effects"
    stats = dashboard_stats(engine, NOW - 30 * 86400, NOW + 60, {"booked", "flagged"}, timezone.utc)
    assert stats["conversations"] == 4
    assert stats["with_request"] == 2 and stats["request_share"] == 0.5
    assert stats["with_flag"] == 1 and stats["flags_by_slot"] == {"pregnant": 1}
    assert stats["fallback_messages"] == 1 and stats["with_fallback"] == 1
    assert sum(n for _, n in stats["per_day"]) == 4 and len(stats["per_day"]) in (31, 32)


# --- exports -------------------------------------------------------------------------------


def test_nlu_export_loads_with_rasa(tmp_path):
    from rasa.shared.nlu.training_data.loading import load_data

    labels = [
        {"text": "How much is it?", "intent": "ask_price"},
        {"text": "how much is it?", "intent": "ask_price"},  # duplicate
        {"text": "what does [it](cost) cost, mail me at jane@gmail.com", "intent": "ask_price"},
        {"text": "Is parking available", "intent": "out_of_scope"},
        {"text": "asdf", "intent": DISMISSED},
        {"text": "- starts with a dash: and # hash", "intent": "ask_clinic"},
    ]
    body = training_data.nlu_yaml(labels, skip={DISMISSED})
    path = tmp_path / "nlu.yml"
    path.write_text(body)
    data = load_data(str(path))
    examples = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    assert examples == {
        ("ask_price", "How much is it?"),
        ("ask_price", "what does (it) (cost) cost, mail me at someone@example.com"),
        ("out_of_scope", "Is parking available"),
        ("ask_clinic", "- starts with a dash: and # hash"),
    }
    assert not data.entity_examples
    empty = tmp_path / "empty.yml"
    empty.write_text(training_data.nlu_yaml([]))
    assert load_data(str(empty)).intent_examples == []


def test_nlu_export_marks_french_examples_as_the_french_data_is(tmp_path):
    from rasa.shared.nlu.training_data.loading import load_data

    labels = [
        {"text": "est-ce que ça fait mal?", "intent": "ask_pain"},
        {"text": "does it hurt a lot?", "intent": "ask_pain"},
    ]
    path = tmp_path / "nlu.yml"
    path.write_text(training_data.nlu_yaml(labels))
    languages = {
        m.get("text"): ((m.get("metadata") or {}).get("intent") or {}).get("language", "en")
        for m in load_data(str(path)).intent_examples
    }
    assert languages == {"est-ce que ça fait mal?": "fr", "does it hurt a lot?": "en"}


def _read_stories(body: str, tmp_path: Path):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    path = tmp_path / "test_story.yml"
    path.write_text(body)
    domain = Domain.load(str(ROOT / "domain.yml"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        steps = YAMLStoryReader(domain).read_from_file(str(path))
    problems = [
        str(w.message)
        for w in caught
        if "rasa" in (w.filename or "")
        or "story" in str(w.message).lower()
        or "domain" in str(w.message).lower()
    ]
    return steps, domain, problems


@pytest.mark.skipif(not (ROOT / "domain.yml").exists(), reason="domain.yml not written yet")
def test_story_export_reads_with_rasa(tmp_path):
    evts = booking_events() + [
        user(
            "What does it cost for acne scars?",
            "ask_price",
            0.9,
            entities=[
                {
                    "entity": "concern",
                    "value": "acne scars",
                    "start": 21,
                    "end": 31,
                    "extractor": "RegexEntityExtractor",
                }
            ],
        ),
        action("action_answer_question"),
        bot("...", "utter_price"),
        action("action_listen"),
        user("/goodbye", "goodbye", 1.0),
        action("utter_goodbye"),
        action("action_listen"),
    ]
    rows = _as_rows(evts)
    from web.staff.domain import domain_info

    info = domain_info()
    sessions = training_data.story_sessions(
        rows,
        info["slots"],
        info["forms"],
        info["entities"],
        known=["Jane Doe", "jane.doe@gmail.com"],
    )
    assert len(sessions) == 1
    body = training_data.story_yaml("sender-1", sessions)
    assert "Jane Doe" not in body and "jane.doe@gmail.com" not in body
    assert "action_listen" not in body and "action_extract_slots" not in body
    assert "validate_contact_form" not in body and "action_session_start" not in body
    steps, domain, problems = _read_stories(body, tmp_path)
    assert problems == []
    assert len(steps) == 1 and steps[0].block_name == "conversation sender-1"
    events = steps[0].events
    user_events = [e for e in events if e.type_name == "user"]
    assert [e.intent_name for e in user_events][:2] == ["book_consultation", "deny"]
    assert user_events[0].text == "I want to book"
    assert any(e.text == "Alex Example" for e in user_events)
    priced = next(e for e in user_events if e.intent_name == "ask_price")
    assert priced.entities[0]["entity"] == "concern" and priced.entities[0]["value"] == "acne scars"
    assert user_events[-1].text is None and user_events[-1].intent_name == "goodbye"
    actions = [e.action_name for e in events if e.type_name == "action"]
    assert actions[0] == "screening_form" and actions[-1] == "utter_goodbye"
    assert "action_submit_consultation_request" in actions
    # the reader only warns about unknown intents: check actions, slots and forms here
    assert set(actions) <= set(domain.action_names_or_texts)
    assert {e.key for e in events if e.type_name == "slot"} <= {s.name for s in domain.slots}
    assert {e.name for e in events if e.type_name == "active_loop" and e.name} <= set(
        domain.form_names
    )
    assert any(e.type_name == "active_loop" and e.name == "contact_form" for e in events)
    assert any(e.type_name == "slot" and e.key == "pregnant" and e.value == "no" for e in events)


def test_story_sessions_split_and_rewind():
    rows = _as_rows(
        session_start()
        + [user("hi", "greet"), action("utter_greet")]
        + session_start()
        + [user("huh", "nlu_fallback", 0.2), action("action_default_fallback")]
    )
    from rasa.shared.core.events import UserUtteranceReverted

    reverted = UserUtteranceReverted()
    reverted.timestamp = 5000.0
    rows.append({"id": 99, "type": "rewind", "timestamp": 5000.0, "data": reverted.as_dict()})
    rows += _as_rows([user("price?", "ask_price", 0.9), action("utter_price")])
    sessions = training_data.story_sessions(rows)
    assert sessions[0] == [{"user": "hi", "intent": "greet"}, {"action": "utter_greet"}]
    assert sessions[1] == [{"user": "price?", "intent": "ask_price"}, {"action": "utter_price"}]
    assert "session 2" in training_data.story_yaml("x", sessions)


def test_csv_cells_cannot_become_formulas():
    body = exports.to_csv(["a", "b"], [['=HYPERLINK("x")', "+1"], ["-2", "plain"]])
    assert body.splitlines()[1] == '"\'=HYPERLINK(""x"")",\'+1'
    assert body.splitlines()[2] == "'-2,plain"


def test_charts_are_wellformed_svg_and_escape_labels():
    days = [(date(2024, 5, 1) + timedelta(days=i), i % 3) for i in range(30)]
    for svg in (
        charts.bar_chart(days, "Per <day>"),
        charts.hbar_chart([("<script>alert(1)</script>", 3), ("greet", 1)], "Top"),
        charts.hbar_chart([], "Nothing"),
        charts.share_bar(0.25, "Share"),
    ):
        root = ET.fromstring(str(svg))
        assert root.tag.endswith("svg")
        assert "<script>" not in str(svg)


# --- accounts, sessions, retention ---------------------------------------------------------


def test_password_policy_sessions_and_rate_limit(tmp_path):
    from web.staff.users import add, remove

    engine = clinic_engine(f"sqlite:///{tmp_path / 'clinic.db'}")
    with pytest.raises(auth.PasswordPolicyError):
        add(engine, "bob", "short")
    add(engine, "bob", "a long enough password")
    with pytest.raises(ValueError):
        add(engine, "bob", "a long enough password")
    assert auth.authenticate(engine, "bob", "a long enough password")
    assert not auth.authenticate(engine, "bob", "wrong password!!")
    assert not auth.authenticate(engine, "nobody", "a long enough password")
    token = auth.create_session(engine, "bob")
    session = auth.load_session(engine, token)
    assert session and session.username == "bob" and len(session.csrf_token) > 30
    with engine.connect() as conn:  # only a hash of the token is stored
        stored = conn.execute(sa.select(staff_sessions.c.token_hash)).scalar_one()
    assert stored != token and stored == auth.token_hash(token)
    with engine.begin() as conn:  # idle for longer than the idle timeout
        conn.execute(
            staff_sessions.update().values(
                last_seen_at=datetime.now(UTC) - auth.SESSION_IDLE - timedelta(minutes=1)
            )
        )
    assert auth.load_session(engine, token) is None
    token = auth.create_session(engine, "bob")
    remove(engine, "bob")
    assert auth.load_session(engine, token) is None
    for _ in range(auth.MAX_FAILURES):
        assert auth.record_attempt(engine, "bob", "10.0.0.1") is None
    # one more than MAX_FAILURES
    assert auth.record_attempt(engine, "bob", "10.0.0.1") == "username_address"
    assert auth.record_attempt(engine, "bob", "10.0.0.2") is None  # another address: apart
    auth.clear_failures(engine, "bob", "10.0.0.1")  # a right password clears the count
    assert auth.record_attempt(engine, "bob", "10.0.0.1") is None
    # the username over every address, and the address over every username
    for i in range(auth.MAX_ACCOUNT_FAILURES - 2):
        assert auth.record_attempt(engine, "bob", f"10.0.1.{i}") is None
    assert auth.record_attempt(engine, "bob", "10.0.2.1") == "username"
    for i in range(auth.MAX_ADDRESS_FAILURES):
        assert auth.record_attempt(engine, f"user{i}", "10.0.3.1") is None
    assert auth.record_attempt(engine, "someone.else", "10.0.3.1") == "address"
    assert auth.csrf_ok("abc", "abc") and not auth.csrf_ok("abc", "abd")
    assert not auth.csrf_ok("abc", None) and not auth.csrf_ok("", "")


def test_users_cli(tmp_path):
    db = tmp_path / "clinic.db"
    short = staff_cli(db, "add", "carol", password="too short")
    assert short.returncode == 1 and "at least 12" in short.stderr
    assert staff_cli(db, "add", "carol").returncode == 0
    again = staff_cli(db, "add", "carol")
    assert again.returncode == 1 and "exists" in again.stderr
    assert staff_cli(db, "add", "bad name!").returncode != 0
    listed = staff_cli(db, "list")
    assert listed.returncode == 0 and "carol" in listed.stdout and "never" in listed.stdout
    assert staff_cli(db, "remove", "carol").returncode == 0
    assert "carol" not in staff_cli(db, "list").stdout
    assert staff_cli(db, "remove", "carol").returncode == 1
    no_terminal = staff_cli(db, "add", "dave", password=None)
    assert no_terminal.returncode != 0
    assert "STAFF_PASSWORD" in no_terminal.stderr + no_terminal.stdout


def test_retention(tracker_db, tmp_path):
    from clinic.requests import save_request

    tracker_copy = tmp_path / "tracker.db"
    shutil.copy(tracker_db, tracker_copy)
    clinic_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    save_request(
        clinic_url,
        {
            "sender_id": "old",
            "name": "Old",
            "contact": "o@x.org",
            "contact_kind": "email",
            "preferred_time": "any",
            "request_type": "treatment_consultation",
            "created_at": datetime.now(UTC) - timedelta(days=45),
        },
    )
    save_request(
        clinic_url,
        {
            "sender_id": "booked",
            "name": "New",
            "contact": "n@x.org",
            "contact_kind": "email",
            "preferred_time": "any",
            "request_type": "treatment_consultation",
        },
    )
    tracker_url = f"sqlite:///{tracker_copy}"

    def counts():
        with sqlite3.connect(tracker_copy) as conn:
            senders = {r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events")}
        with clinic_engine(clinic_url).connect() as conn:
            names = {r[0] for r in conn.execute(sa.select(consultation_requests.c.name))}
        return senders, names

    before = counts()
    dry = retention.run(30, tracker_url, clinic_url, dry_run=True)
    assert dry["conversations"] == 1 and dry["requests"] == 1 and dry["events"] > 0
    assert counts() == before
    done = retention.run(30, tracker_url, clinic_url)
    assert done == dry
    senders, names = counts()
    assert senders == before[0] - {"plain"} and names == {"New"}
    assert retention.run(30, tracker_url, clinic_url) == {
        "conversations": 0,
        "events": 0,
        "requests": 0,
        "review_rows": 0,
    }
    missing = retention.run(30, f"sqlite:///{tmp_path / 'none.db'}", clinic_url)
    assert missing["conversations"] == 0 and not (tmp_path / "none.db").exists()
    with pytest.raises(ValueError):
        retention.run(0, tracker_url, clinic_url)
