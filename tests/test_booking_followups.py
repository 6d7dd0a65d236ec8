"""What a visitor says around a consultation request, with the real trained bot and servers:
follow-ups after sending, changing one detail, a change of mind, stopping, reaching the clinic."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Conversation
from tests.test_conversations import answer_screening, reach_the_confirmation, requests_of

SCREENING_STARTS = re.compile(r"are you pregnant", re.I)


def send_request(chat: Conversation) -> str:
    reach_the_confirmation(chat, "Maria Lopez", "maria.lopez@example.com", "weekday mornings")
    return chat.say("yes")


@pytest.mark.parametrize(
    "follow_up", ["will someone call me?", "did my request go through?", "I want to book"]
)
def test_a_follow_up_after_sending_is_answered_from_what_was_sent(stack, conversation, follow_up):
    assert re.search(r"sent to the clinic", send_request(conversation), re.I)
    reply = conversation.say(follow_up)
    assert "maria.lopez@example.com" in reply and "weekday mornings" in reply
    assert not SCREENING_STARTS.search(reply)
    assert len(requests_of(stack, conversation.sender)) == 1


def test_stop_after_sending_never_says_nothing_was_sent(stack, conversation):
    send_request(conversation)
    conversation.say("when will they call me")
    reply = conversation.say("stop")
    assert not re.search(r"nothing was sent", reply, re.I)
    assert len(requests_of(stack, conversation.sender)) == 1


def test_the_wrong_detail_named_at_the_confirmation_is_the_only_one_asked(stack, conversation):
    reach_the_confirmation(conversation, "Carlos Mendes", "carlos@example.com", "friday afternoon")
    reply = conversation.say("the phone number is wrong")
    assert re.search(r"phone number or email", reply, re.I)
    assert not re.search(r"what's your name", reply, re.I)
    summary = conversation.say("carlos.m@example.org")
    assert "Carlos Mendes" in summary and "friday afternoon" in summary
    assert "carlos.m@example.org" in summary
    assert requests_of(stack, conversation.sender) == []  # nothing goes before the yes
    conversation.say("yes")
    [stored] = requests_of(stack, conversation.sender)
    assert stored["contact"] == "carlos.m@example.org" and stored["name"] == "Carlos Mendes"


def test_no_change_it_asks_which_detail_then_only_that_one(stack, conversation):
    reach_the_confirmation(conversation, "Ana Silva", "ana@example.com", "mornings")
    which = conversation.say("/deny")  # the "No, change it" button
    assert re.search(r"which detail", which, re.I)
    assert re.search(r"when would you prefer", conversation.say("the preferred time"), re.I)
    summary = conversation.say("evenings after 6")
    assert "Ana Silva" in summary and "ana@example.com" in summary and "evenings" in summary
    assert requests_of(stack, conversation.sender) == []
    conversation.say("yes, send it")
    [stored] = requests_of(stack, conversation.sender)
    assert stored["preferred_time"] == "evenings after 6"


def test_hesitation_while_changing_a_detail_never_sends(stack, conversation):
    reach_the_confirmation(conversation, "Ana Silva", "ana@example.com", "mornings")
    conversation.say("no, change it")
    assert re.search(r"which detail", conversation.say("hmm"), re.I)
    assert requests_of(stack, conversation.sender) == []


def test_a_change_of_mind_after_declining_does_not_ask_the_screening_again(stack, conversation):
    conversation.say("can I book")
    outcome = answer_screening(conversation, ["yes, 20 weeks", "no", "no", "no"])[-1]
    assert re.search(r"doctor", outcome, re.I)
    declined = conversation.say("no thanks")
    assert re.search(r"nothing was sent", declined, re.I)
    again = conversation.say("actually yes please")
    assert not SCREENING_STARTS.search(again)
    assert re.search(r"pregnan", again, re.I) and re.search(r"doctor", again, re.I)
    assert re.search(r"name", conversation.say("yes"), re.I)


def test_screening_answers_are_remembered_after_a_stop(conversation):
    conversation.say("I want to book")
    answer_screening(conversation, ["no", "no", "no", "no"])
    conversation.say("stop")
    again = conversation.say("ok I'd like to book after all")
    assert not SCREENING_STARTS.search(again)
    assert re.search(r"name", again, re.I)


@pytest.fixture
def clinic_profile(stack) -> Iterator[Path]:
    """The clinic's own contact facts, as a clinic that installs the assistant writes them."""
    path = stack.workdir / "clinic.yml"
    path.write_text(
        "name: Ottawa Vein and Cosmetic Medical Clinic\n"
        "phone: 613-555-0100\n"
        "email: info@clinic.example\n"
        "hours: Monday to Friday, 9 to 5\n"
        "reply_time: within one business day\n",
        encoding="utf-8",
    )
    yield path
    path.unlink()


def test_talk_to_someone_offers_first_and_never_invents_a_number(conversation):
    reply = conversation.say("can I talk to a real person")
    assert re.search(r"pass a consultation request", reply, re.I)
    assert not SCREENING_STARTS.search(reply)
    assert not re.search(r"\d{3}\D?\d{4}", reply)


def test_a_clinic_profile_answers_how_to_reach_the_clinic(clinic_profile, conversation):
    reply = conversation.say("can I talk to a real person")
    assert "613-555-0100" in reply and "info@clinic.example" in reply
    assert not SCREENING_STARTS.search(reply)
    assert "Monday to Friday, 9 to 5" in conversation.say("what are your opening hours")
    warning = conversation.say("3 days after my treatment there's pus and it's getting redder")
    assert re.search(r"contact the clinic", warning, re.I) and "613-555-0100" in warning


def test_a_follow_up_quotes_the_clinic_reply_time_when_given(clinic_profile, conversation):
    send_request(conversation)
    assert "within one business day" in conversation.say("did it go through?")


def test_a_wrong_answer_is_explained_and_asked_once(conversation):
    conversation.say("book me in")
    answer_screening(conversation, ["no", "no", "no", "no"])
    for wrong, then in (("12345", "Rachel Green"), ("tomorrow", "rachel@example.org")):
        reply = conversation.say(wrong)
        assert reply.count("?") == 1, reply  # the reason, then the question once
        conversation.say(then)


def test_a_visit_proposed_by_day_and_time_gets_an_honest_answer_and_the_request(conversation):
    reply = conversation.say("Tuesday at 10am?")
    assert re.search(r"opening hours|how soon appointments", reply, re.I)
    assert re.search(r"request a consultation", reply, re.I)
    assert not re.search(r"72|downtime|rephrase", reply, re.I)


def test_a_day_and_time_given_as_the_preferred_time_is_taken_as_it(stack, conversation):
    reach_the_confirmation(conversation, "Ana Silva", "ana@example.com", "Tuesday at 10am")
    conversation.say("yes")
    [stored] = requests_of(stack, conversation.sender)
    assert stored["preferred_time"] == "Tuesday at 10am"
