"""Whole conversations with the real trained bot: Rasa server, action server, SQLite files."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import Conversation


def requests_of(stack, sender):
    if not stack.clinic_db.exists():
        return []
    with sqlite3.connect(stack.clinic_db) as db:
        db.row_factory = sqlite3.Row
        return [
            dict(r)
            for r in db.execute(
                "SELECT * FROM consultation_requests WHERE sender_id = ?", (sender,)
            )
        ]


def answer_screening(chat: Conversation, answers):
    replies = [chat.say(a) for a in answers]
    return replies


def reach_the_confirmation(chat: Conversation, name: str, contact: str, when: str) -> str:
    """Books with no contraindication and gives the details: the reply asks to confirm them."""
    chat.say("I want to book")
    answer_screening(chat, ["no", "no", "no", "no"])
    chat.say(name)
    chat.say(contact)
    return chat.say(when)


def test_a_nervous_visitor_gets_the_anaesthetic_answer(conversation):
    assert re.search(r"an(a)?esthetic|numb", conversation.say("dose it hurt??"), re.I)


def test_a_specific_aftercare_question_gets_the_specific_answer(conversation):
    reply = conversation.say("can i go to the gym after")
    assert re.search(r"gym", reply, re.I)
    assert "sunscreen" not in reply.lower()  # not the whole aftercare list


def test_a_concern_the_article_does_not_list_gets_an_honest_answer(conversation):
    reply = conversation.say("does microneedling get rid of tattoos")
    assert re.search(r"doesn't list|does not list", reply, re.I)
    assert not reply.lower().startswith("yes")


def test_two_questions_in_one_message_get_both_answers(conversation):
    reply = conversation.say("does it hurt and how long does it take?")
    assert re.search(r"an(a)?esthetic|numb", reply, re.I) and re.search(r"hour", reply, re.I)


def test_a_booking_asked_as_one_of_several_questions_gets_the_offer_of_a_consultation(
    conversation,
):
    reply = conversation.say("is there downtime, and how can i book an appointment?")
    assert re.search(r"72|three days", reply, re.I), reply
    assert re.search(r"consultation", reply, re.I), reply


def test_warning_signs_get_contact_a_doctor_and_never_normal(conversation):
    reply = conversation.say("its been 4 days, my cheek is oozing pus and I have a fever")
    assert re.search(r"contact the clinic or a doctor", reply, re.I)
    assert not re.search(r"\bnormal\b", reply, re.I)


ALARM = re.compile(r"911|emergency|infection|promptly", re.I)


@pytest.mark.parametrize(
    "statement",
    [
        "my skin goes all red when i'm nervous",
        "my hands get itchy from the cold",
        "i've got really deep wrinkles on my forehead",
        "my lips get dry and flaky in the winter",
    ],
)
def test_everyday_skin_described_is_never_a_false_alarm(conversation, statement):
    assert not ALARM.search(conversation.say(statement))


@pytest.mark.parametrize(
    "report",
    [
        "my face is still swollen and hot 4 days after the needling",
        "since the treatment there's yellow crust and it smells bad",
    ],
)
def test_warning_signs_after_a_treatment_still_get_the_warning(conversation, report):
    assert re.search(r"contact the clinic or a doctor|911", conversation.say(report), re.I)


def test_a_severe_allergic_reaction_gets_call_911(conversation):
    assert "911" in conversation.say(
        "after the numbing cream my throat is swelling and i can't breathe"
    )


def test_the_price_is_never_invented(conversation):
    reply = conversation.say("how much does it cost")
    assert not re.search(r"\$\s?\d", reply) and re.search(r"consultation", reply, re.I)


def test_all_clear_visitor_is_handed_over_and_the_request_is_stored(stack, conversation):
    first = conversation.say("I'd like to book a consultation")
    assert "pregnant" in first.lower()
    replies = answer_screening(conversation, ["no", "nope", "no", "no"])
    assert re.search(r"retinol", replies[-1], re.I)  # the preparation steps are reminded
    assert re.search(r"name", replies[-1], re.I)
    assert "Maria" in conversation.say("Maria Lopez")
    assert re.search(r"prefer", conversation.say("maria.lopez@example.com"), re.I)
    summary = conversation.say("weekday mornings")
    assert "maria.lopez@example.com" in summary and "weekday mornings" in summary
    done = conversation.say("yes")
    assert re.search(r"sent to the clinic", done, re.I)
    [stored] = requests_of(stack, conversation.sender)
    assert stored["name"] == "Maria Lopez" and stored["contact_kind"] == "email"
    assert stored["request_type"] == "treatment_consultation"
    assert [stored[s] for s in ("pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy")] == [
        "no"
    ] * 4


@pytest.mark.parametrize(
    "question_index,answer,explained",
    [
        (0, "yes, 20 weeks", r"pregnan"),
        (1, "yes I have cystic acne", r"inflamed|cystic"),
        (2, "yeah", r"sunburn"),
        (3, "I'm allergic to lidocaine", r"lidocaine"),
    ],
)
def test_each_contraindication_is_explained_and_the_doctor_offered_never_a_booking(
    stack, conversation, question_index, answer, explained
):
    conversation.say("can I book a treatment")
    answers = ["no"] * 4
    answers[question_index] = answer
    outcome = answer_screening(conversation, answers)[-1]
    assert re.search(explained, outcome, re.I)
    assert re.search(r"not recommended|isn't recommended", outcome, re.I)
    assert re.search(r"doctor", outcome, re.I)
    assert "name" not in outcome.lower()  # contact details are not collected unasked
    assert re.search(r"name", conversation.say("yes please"), re.I)
    conversation.say("Sam Carter")
    conversation.say("613-555-0199")
    conversation.say("afternoons")
    done = conversation.say("yes")
    assert re.search(r"consultation with the doctor", done, re.I)
    assert re.search(r"not a needling appointment", done, re.I)
    [stored] = requests_of(stack, conversation.sender)
    assert stored["request_type"] == "doctor_consultation" and stored["contact"] == "613 555 0199"


def test_facts_volunteered_earlier_are_not_asked_again(conversation):
    reply = conversation.say("I'm pregnant, can I book?")
    assert "are you pregnant" not in reply.lower()
    assert re.search(r"inflamed|cystic", reply, re.I)


def test_a_question_mid_screening_is_answered_and_the_screening_resumes(conversation):
    conversation.say("I want to book")
    reply = conversation.say("wait, does it hurt?")
    assert re.search(r"an(a)?esthetic|numb", reply, re.I)
    assert re.search(r"pregnant", reply, re.I)  # the question is asked again
    assert re.search(r"inflamed|cystic", conversation.say("no"), re.I)


def test_stop_ends_the_screening_politely_and_nothing_is_stored(stack, conversation):
    conversation.say("can I talk to a real person")
    assert re.search(r"pregnant", conversation.say("yes please"), re.I)
    conversation.say("no")
    reply = conversation.say("stop")
    assert re.search(r"stopped|nothing was sent", reply, re.I)
    assert requests_of(stack, conversation.sender) == []
    assert re.search(r"an(a)?esthetic|numb", conversation.say("does it hurt"), re.I)


def test_a_wrong_contact_is_asked_again_with_an_explanation(conversation):
    conversation.say("book me in")
    answer_screening(conversation, ["no", "no", "no", "no"])
    conversation.say("Rachel Green")
    reply = conversation.say("tomorrow")
    assert re.search(r"doesn't look like a phone number or an email", reply, re.I)
    assert re.search(r"prefer", conversation.say("rachel@example.org"), re.I)


def test_gibberish_gets_a_kind_rephrase_not_a_crash(conversation):
    reply = conversation.say("asdfgh qwerty zxcv")
    assert re.search(r"rephrase|not sure|sorry|only help", reply, re.I)


def test_an_empty_or_longest_message_gets_a_reply(conversation):
    # 1,000 characters is the most a message may hold (channels/chat_input.py); a longer one
    # is refused with a 400 (tests/test_rest_channel.py).
    assert conversation.say("?") != ""
    assert conversation.say(("does it hurt " * 77)[:1000]) != ""


def test_a_conversation_survives_a_restart_of_the_rasa_server(stack, conversation):
    assert "pregnant" in conversation.say("I want to book").lower()
    stack.restart_rasa()  # the tracker store is a SQLite file: the screening goes on
    assert re.search(r"inflamed|cystic", conversation.say("no"), re.I)


@pytest.mark.parametrize(
    "message,first,second",
    [
        ("price and sessions?", r"price", r"three|four"),
        ("risk of infection and time off work?", r"infection", r"72|downtime"),
        ("downtime / side effects", r"72|downtime", r"irritation"),
        ("acne scars + number of sessions", r"scar", r"three|four"),
    ],
)
def test_two_topics_joined_without_question_words_get_both_answers(
    conversation, message, first, second
):
    reply = conversation.say(message)
    assert re.search(first, reply, re.I) and re.search(second, reply, re.I), reply


def test_a_treatment_told_with_its_effect_is_one_question(conversation):
    reply = conversation.say("I had a peel before and was peeling for a week, is needling similar?")
    assert re.search(r"peel", reply, re.I) and not re.search(r"to prepare your skin", reply, re.I)


def test_an_allergy_told_with_a_joined_symptom_is_never_split_off(conversation):
    reply = conversation.say("numbing creams make my skin itchy and red")
    assert re.search(r"lidocaine", reply, re.I) and not re.search(r"pain.?free", reply, re.I)


@pytest.mark.parametrize(
    "statement",
    [
        "I confess I haven't the faintest idea what needling is",
        "nose totally blocked from my cold, cant breathe thru it lol",
        "that joke got me, i literally can't breathe 😂",
        "my throat is so sore from cheering at the hockey game",
    ],
)
def test_an_idiom_or_a_blocked_nose_is_no_emergency(conversation, statement):
    assert "911" not in conversation.say(statement)


@pytest.mark.parametrize(
    "report",
    [
        "i can't breathe",
        "cant breathe thru my nose and my throat feels tight",
        "had my session today and now i cant breathe haha help",
        "my throat is sore and it feels like it's closing up",
    ],
)
def test_breathing_trouble_beyond_the_nose_still_gets_911(conversation, report):
    assert "911" in conversation.say(report)


@pytest.mark.parametrize(
    "message",
    [
        "I had an anaphylactic reaction to a local anaesthetic years ago, is needling still ok?",
        "History of contact dermatitis to topical lignocaine (EMLA). Relevant?",
    ],
)
def test_an_allergy_to_the_numbing_told_in_a_question_gets_its_contraindication(
    conversation, message
):
    reply = conversation.say(message)
    assert re.search(r"lidocaine", reply, re.I) and "911" not in reply, reply


def test_a_question_asked_beside_a_booking_request_is_answered_before_the_screening(
    conversation,
):
    reply = conversation.say("quick one: does it hurt? also i'd like to book a consultation")
    assert re.search(r"an(a)?esthetic|numb", reply, re.I), reply
    assert re.search(r"pregnant", reply, re.I), reply  # the screening starts all the same
