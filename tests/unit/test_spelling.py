"""The spelling corrector (nlp/spelling.py), learnt from the real training data and the real
English word table: texting and typos are read as the words they stand for, real words are
left alone, and no correction ever makes a negation or a yes or no."""

from __future__ import annotations

from functools import cache

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from nlp.spelling import NEVER_MADE, Speller, speller_for, word_counts


@cache
def speller() -> Speller:
    return speller_for(word_counts(load_data("data/nlu.yml")))


@pytest.mark.parametrize(
    "typed,meant",
    [
        ("hw lng is the appt", "how long is the appt"),  # vowels left out
        ("whn do u see rslts", "when do u see results"),
        ("how mch recvery time", "how much recovery time"),
        ("wat abt the tiem off", "wat about the time off"),  # letters swapped
        ("how many sesions", "how many sessions"),  # a letter missing
        ("is it pianful", "is it painful"),
    ],
)
def test_texting_and_typos_are_read_as_the_words_they_stand_for(typed, meant):
    assert speller().correct(typed) == meant


@pytest.mark.parametrize(
    "text",
    ["does microneedling hurt", "NKDA", "preggo lol", "dermaroller vs botox", "Is it safe?"],
)
def test_words_it_knows_are_left_as_typed(text):
    assert speller().correct(text) == text


@pytest.mark.parametrize("typed", ["nt", "mot", "nevr", "yse", "yeas", "nothin", "nop", "yup"])
def test_no_correction_makes_a_negation_or_a_yes_or_no(typed):
    corrected = speller().correct_word(typed)
    assert corrected == typed or corrected not in NEVER_MADE


def test_a_typo_in_the_training_data_is_still_corrected():
    # "hw" is in the training data, as visitors type it; the rules read "how".
    assert speller().correct_word("hw") == "how"
