"""The understanding engine's safety invariants through the real servers: a stated
contraindication is never an all-clear, a circumstance asks again, hesitation sends nothing,
an allergy to the numbing told by its symptom gets the contraindication, and the tracker keeps
the reading that was answered with the rules that decided it."""

from __future__ import annotations

import json
import re
import sqlite3

from tests.test_conversations import answer_screening, reach_the_confirmation, requests_of


def test_a_burn_told_beside_a_winter_month_is_a_sunburn_not_an_all_clear(conversation):
    conversation.say("I'd like to book a consultation")
    outcome = answer_screening(
        conversation, ["no", "no", "yes, went skiing in january and my nose is burnt", "no"]
    )[-1]
    assert re.search(r"sunburn", outcome, re.I)
    assert not re.search(r"none of the situations", outcome, re.I)


def test_a_pregnancy_told_through_a_double_negative_is_no_all_clear(conversation):
    conversation.say("I'd like to book a consultation")
    answers = ["i can't say i'm not - 14 weeks along", "no", "no", "no"]
    outcome = answer_screening(conversation, answers)[-1]
    assert re.search(r"pregnan", outcome, re.I)
    assert not re.search(r"none of the situations", outcome, re.I)


def test_a_circumstance_alone_asks_the_question_again(conversation):
    conversation.say("I'd like to book a consultation")
    answer_screening(conversation, ["no", "no"])
    reply = conversation.say("it's november lol")
    assert re.search(r"just to be sure|didn't catch", reply, re.I)
    assert re.search(r"sunburnt", reply, re.I)
    assert not re.search(r"lidocaine", reply, re.I)  # not taken for a no
    assert re.search(r"lidocaine", conversation.say("nope, haven't been in the sun"), re.I)


def test_hesitation_at_the_consent_step_sends_nothing(stack, conversation):
    reach_the_confirmation(conversation, "Ana Silva", "613 555 0142", "mornings")
    for hesitation in ("hmm", "umm", "ok?"):
        reply = conversation.say(hesitation)
        assert not re.search(r"sent to the clinic", reply, re.I), hesitation
        assert requests_of(stack, conversation.sender) == []
    assert re.search(r"sent to the clinic", conversation.say("yes, send it"), re.I)
    assert len(requests_of(stack, conversation.sender)) == 1


def test_an_allergy_to_the_numbing_told_by_its_symptom_gets_the_contraindication(conversation):
    reply = conversation.say("numbing creams give me hives, is that a problem?")
    assert re.search(r"lidocaine", reply, re.I)
    assert re.search(r"not recommended", reply, re.I)


def test_the_tracker_keeps_the_reading_answered_and_its_rules(stack, conversation):
    conversation.say("i break out in a rash from emla cream")
    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
            (conversation.sender,),
        ).fetchall()
    [reading] = [json.loads(data)["parse_data"]["reading"] for (data,) in rows]
    assert reading["intent"] == "ask_contraindications"
    assert "statement.numbing_allergy_told" in reading["rules"]
    assert reading["answers"][0]["response"] == "utter_contra_lidocaine_allergy"


def test_an_unsure_reading_offers_the_likeliest_topics_to_tap(conversation):
    from understanding.answers import TOPIC_NAMES

    offer = conversation.say("is it worth it")
    assert re.search(r"did you mean", offer, re.I)
    titles = {names["visitor"] for names in TOPIC_NAMES.values()}
    offered = [line for line in offer.splitlines() if line in titles]
    assert 1 <= len(offered) <= 3 and offer.splitlines()[-1] == "Something else"


def test_texting_is_read_as_the_words_it_stands_for_and_kept_as_typed(stack, conversation):
    typed = "hw lng dos it tk"
    assert re.search(r"\bhour\b", conversation.say(typed), re.I)
    with sqlite3.connect(stack.tracker_db) as db:
        [(data,)] = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
            (conversation.sender,),
        ).fetchall()
    event = json.loads(data)
    assert event["text"] == event["parse_data"]["text"] == typed
    assert event["parse_data"]["reading"]["intent"] == "ask_duration"


def test_details_that_look_like_typos_are_sent_as_typed(stack, conversation):
    confirmation = reach_the_confirmation(conversation, "Jon Smth", "613 555 0142", "tmrw aftrnoon")
    assert "Jon Smth" in confirmation and "tmrw aftrnoon" in confirmation
    conversation.say("yes, send it")
    [request] = requests_of(stack, conversation.sender)
    assert "Jon Smth" in json.dumps(request) and "tmrw aftrnoon" in json.dumps(request)
