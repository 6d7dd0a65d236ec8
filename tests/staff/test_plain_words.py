"""Intents and quick replies in the staff's words (web/staff/plain_words.py): every intent of
the domain has a readable name and two examples read from data/nlu.yml, and a tapped button
reads as its title."""

from __future__ import annotations

from tests.staff.staff_helpers import training_examples
from web.staff import plain_words
from web.staff.domain import domain_info


def test_every_intent_has_a_readable_name_and_two_examples_from_the_training_data():
    intents = domain_info()["intents"]
    assert len(intents) >= 30
    training = training_examples()
    names = {}
    for intent in intents:
        words = plain_words.intent_words(intent)
        assert words.name and "_" not in words.name, intent
        assert len(words.examples) == 2, intent
        assert set(words.examples) <= training[intent], intent
        names[words.name] = intent
    assert len(names) == len(intents), "two intents read the same"
    assert plain_words.intent_name("deny") == "No"
    assert plain_words.intent_name("ask_price") == "Price"
    # the three the issue found indistinguishable now read differently, with examples
    confusable = [
        plain_words.intent_words(i).with_examples
        for i in ("ask_after_effects", "ask_side_effects", "ask_aftercare")
    ]
    assert len(set(confusable)) == 3 and all("(e.g. “" in text for text in confusable)


def test_an_intent_unknown_to_the_console_still_reads_as_words():
    assert plain_words.intent_name("ask_parking") == "Ask parking"
    assert plain_words.intent_name(None) == ""
    assert plain_words.intent_examples("ask_parking") == ()
    sections = dict(plain_words.grouped(["ask_parking", "deny", "ask_pain"]))
    assert [w.intent for w in sections["Other"]] == ["ask_parking"]
    assert [w.intent for w in sections["Questions about the treatment"]] == ["ask_pain"]


def test_examples_are_short_and_without_entity_markup(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: ask_treats\n  examples: |\n'
        "    - is microneedling any good for my very old and deep [acne](concern) scars\n"
        "    - good for [acne](concern) scars?\n    - pores\n    - helps [wrinkles](concern)?\n",
        encoding="utf-8",
    )
    assert plain_words.read_examples(path) == {
        "ask_treats": ("good for acne scars?", "helps wrinkles?")
    }
    assert plain_words.read_examples(tmp_path / "missing.yml") == {}


def test_a_tapped_button_reads_as_its_title():
    offered = [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
        {"title": "Yes, send it", "payload": "/affirm"},  # offered later: wins
    ]
    assert plain_words.button_title("/affirm", offered) == "Yes, send it"
    assert plain_words.button_title("/deny", offered) == "No"
    assert plain_words.button_title("/unsure", offered) is None
    assert plain_words.button_title("/affirm", None) is None
    assert plain_words.visitor_text("/deny", offered) == "No"
    assert plain_words.visitor_text("no thanks", offered) == "no thanks"
    rasa_event = {"event": "bot", "text": "Send?", "data": {"buttons": offered[:1]}}
    console_event = {"type": "bot", "data": rasa_event}
    assert plain_words.buttons_of(rasa_event) == offered[:1]
    assert plain_words.buttons_of(console_event) == offered[:1]
    assert plain_words.buttons_of({"type": "user", "data": {"event": "user", "text": "hi"}}) == []


def test_a_visitors_name_is_masked_like_contact_details():
    from web.staff.masking import mask_name, mask_names

    assert mask_name("Jane  Doe") == "J*** D***"
    assert mask_name("Anne-Marie Tremblay") == "A*** T***"
    assert mask_name("jane@example.org") == "j***@e***.org"  # typed where a name was asked
    assert mask_name("+44 20 7946 0123") == "*** *** **23"
    assert mask_name(None) == mask_name("  ") == ""
    said = "Jane Doe, is that right? JANE DOE. Janet Doer"
    assert mask_names(said, ["Jane Doe", None]) == "J*** D***, is that right? J*** D***. Janet Doer"


def test_the_visitors_name_is_the_latest_requests_else_the_one_given():
    from datetime import datetime

    from web.staff.visitors import Visitor, visitor_of

    given = [{"type": "slot", "data": {"event": "slot", "name": "name", "value": "sam"}}]
    assert visitor_of([], given) == Visitor("sam")
    assert visitor_of([], []) == Visitor()
    requests = [  # as clinic_queries.requests_of gives them
        {"id": 2, "name": "Sam Okafor", "status": "new", "created_at": datetime(2024, 2, 1)},
        {"id": 1, "name": "Sam O", "status": "closed", "created_at": datetime(2024, 1, 1)},
    ]
    for request in requests:
        request["sender_id"] = "sam"
    assert visitor_of(requests, given) == Visitor("Sam Okafor", "new", 2)


def test_a_transcript_shows_a_tap_as_the_title_and_keeps_the_payload():
    from web.staff.transcript import build_transcript

    def event(kind, **data):
        return {"type": kind, "data": {"event": kind, **data}}

    evts = [
        event(
            "bot", text="Send?", data={"buttons": [{"title": "Yes, send it", "payload": "/affirm"}]}
        ),
        event("user", text="/affirm", parse_data={"intent": {"name": "affirm", "confidence": 1.0}}),
        event("user", text="/affirm", parse_data={"intent": {"name": "affirm", "confidence": 1.0}}),
        event("user", text="/deny", parse_data={"intent": {"name": "deny", "confidence": 1.0}}),
    ]
    said = [(m["text"], m["payload"], m["intent_name"]) for m in build_transcript(evts)[1:]]
    assert said == [
        ("Yes, send it", "/affirm", "Yes"),
        ("Yes, send it", "/affirm", "Yes"),  # tapped again, still that button
        ("/deny", None, "No"),  # no button sent this: what the visitor typed stays
    ]
