"""The screening reader, trained on nlp/screening_answers.yml with the real sentence encoder,
reads answers worded unlike any of its examples; its reading counts only where no rule speaks."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from actions.parsing import parse_yes_no
from nlp.screening_reader import OUTPUT_KEY, ScreeningAnswerReader, load_answers


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> ScreeningAnswerReader:
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("screening_reader")
    context = ExecutionContext(GraphSchema({}), "reader")
    trained = ScreeningAnswerReader.create({}, storage, resource, context)
    trained.train(load_data("data/nlu.yml"))
    return ScreeningAnswerReader.load({}, storage, resource, context)


def read(reader: ScreeningAnswerReader, text: str) -> dict[str, str]:
    message = Message(data={TEXT: text})
    reader.process([message])
    return message.get(OUTPUT_KEY)


@pytest.mark.parametrize(
    "slot,text,expected",
    [
        ("sunburn", "i've been snowed in at home for the whole month", "no"),
        ("pregnant", "my little one arrives in about eight weeks", "yes"),
        ("inflamed_skin", "my face is covered in sore red lumps right now", "yes"),
        ("lidocaine_allergy", "i had freezing for a root canal and was totally fine", "no"),
    ],
)
def test_answers_in_unseen_words_are_read_against_their_question(reader, slot, text, expected):
    assert all(text.lower() not in map(str.lower, v) for v in load_answers()[slot].values())
    assert read(reader, text).get(slot) == expected


def test_a_quick_reply_payload_is_not_read(reader):
    assert read(reader, "/deny") is None


def test_the_reading_counts_only_where_no_rule_speaks_and_never_makes_a_no():
    couch = "spent the week reading on the couch"
    assert parse_yes_no(couch, None, "sunburn", reading="unsure") == "unsure"
    # a reading by meaning may add caution; a no needs the visitor's own negation
    assert parse_yes_no(couch, None, "sunburn", reading="no") is None
    assert parse_yes_no(couch, None, "sunburn") is None
    assert parse_yes_no("nope", None, "sunburn", reading="yes") == "no"
    # hesitation is no answer, whatever the classifier read
    assert parse_yes_no("hmm", "affirm", "sunburn", reading=None) is None


def test_a_question_or_a_command_is_no_answer_whatever_its_reading():
    assert parse_yes_no("does it hurt?", "ask_pain", "sunburn", reading="unsure") is None
    assert parse_yes_no("stop", "stop", "sunburn", reading="no") is None


def test_a_question_asked_mid_form_gets_no_reading(reader):
    for question in ("how long does it take", "stop", "can i talk to someone"):
        assert read(reader, question) == {}, question
