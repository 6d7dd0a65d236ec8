"""The screening reader's safety invariants (understanding/screening.py), each on answers that
attack a rule: a no needs a negation, any sign that the condition applies is a yes or not sure,
a yes and a no together are not sure, and consent needs an explicit yes."""

import pytest

from understanding.consent import read_consent
from understanding.screening import NO, UNCLEAR, UNSURE, YES, read_answer

STATED_CONDITIONS = [
    ("sunburn", "yes, went skiing in january and my nose is burnt"),
    ("sunburn", "my office has no windows but i got fried at the lake on sunday"),
    ("lidocaine_allergy", "I'm allergic to penicillin and lidocaine"),
    ("lidocaine_allergy", "latex, codeine and the numbing cream at the dentist"),
    ("lidocaine_allergy", "numbing cream gives me hives"),
    ("lidocaine_allergy", "my lips swelled up when the dentist froze me"),
    ("pregnant", "no doubt about it, 20 weeks"),
    ("pregnant", "not that I know of, oh wait, yes I am"),
    ("pregnant", "no... wait yes, sorry, 12 weeks"),
    ("inflamed_skin", "yes but only a little, on my chin"),
    ("inflamed_skin", "it's winter but my cheeks are flared up"),
    # told through two negations, or with a sign negated after the yes
    ("sunburn", "I didn't not get burnt"),
    ("pregnant", "it's not like I'm not pregnant haha"),
    ("pregnant", "I am. Not showing yet though."),
    # an absence negated, a no asked back, a doubt behind a no
    ("inflamed_skin", "not calm at all, it's really inflamed"),
    ("sunburn", "not really? it's a bit red"),
    ("pregnant", "i dont think so but i havent checked"),
    # a correction in other words; a negation that ends with its clause
    ("pregnant", "not that i know of... oh hang on, yes, found out on sunday"),
    ("pregnant", "nope... jk yes i am lol"),
    ("inflamed_skin", "not really calm no, it's red and hot"),
    ("sunburn", "it was burnt last week, mostly healed, still peeling a bit"),
    # an earlier time told beside a yes or a sign says nothing of now
    ("inflamed_skin", "yes flaring up, like i had as a teen"),
    ("inflamed_skin", "yes it is, flared up in high school too and now again"),
    ("sunburn", "yeah burnt my nose, same as years ago in florida"),
    ("inflamed_skin", "had cystic acne as a teenager"),
    ("pregnant", "yes, lost one in the past but this time 8 weeks along"),
    ("inflamed_skin", "yes, though it's long gone on my forehead"),
]


@pytest.mark.parametrize("slot,text", STATED_CONDITIONS)
def test_a_stated_contraindication_is_never_read_as_a_no(slot, text):
    assert read_answer(text, slot).value in (YES, UNSURE)


@pytest.mark.parametrize(
    "slot,text",
    [
        ("sunburn", "it's november lol"),
        ("sunburn", "i work in an office all day"),
        ("sunburn", "been indoors all month"),
        ("lidocaine_allergy", "i'm allergic to penicillin"),
    ],
)
def test_a_circumstance_without_a_negation_asks_again(slot, text):
    assert read_answer(text, slot).value == UNCLEAR


@pytest.mark.parametrize("slot", ["pregnant", "sunburn", "inflamed_skin", "lidocaine_allergy"])
def test_neither_a_classifier_deny_nor_a_reading_by_meaning_makes_a_no(slot):
    assert read_answer("spent the week on the couch", slot, "deny", None).value == UNCLEAR
    assert read_answer("spent the week on the couch", slot, None, "no").value == UNCLEAR
    assert read_answer("/deny", slot, "deny").value == NO  # the "No" button is explicit


@pytest.mark.parametrize(
    "slot,text",
    [
        ("pregnant", "nope"),
        ("pregnant", "i'm a guy lol"),
        ("sunburn", "haven't been in the sun for months"),
        ("inflamed_skin", "nah skin's calm"),
        ("lidocaine_allergy", "had lidocaine at the dentist, no problems"),
        ("lidocaine_allergy", "only allergic to penicillin"),
        ("sunburn", "a bit tanned but not burnt"),
        ("lidocaine_allergy", "zero allergies"),
        ("pregnant", "zero chance"),
    ],
)
def test_an_explicit_no_is_a_no(slot, text):
    assert read_answer(text, slot).value == NO


@pytest.mark.parametrize(
    "slot,text",
    [("sunburn", "no, but my cheeks are warm"), ("inflamed_skin", "no cysts but it's inflamed")],
)
def test_a_yes_and_a_no_together_are_not_sure(slot, text):
    assert read_answer(text, slot).value == UNSURE


@pytest.mark.parametrize("text", ["hmm", "umm", "ok?", "wait", "let me think", "is it free?", ""])
def test_hesitation_or_a_question_is_no_consent(text):
    assert read_consent(text).value == "ask"


@pytest.mark.parametrize("text", ["yes send it", "ok", "/affirm", "go ahead", "looks good"])
def test_an_explicit_yes_consents(text):
    assert read_consent(text).value == "yes"


@pytest.mark.parametrize("text", ["no", "the phone number is wrong", "/deny", "yes but wait no"])
def test_a_no_or_a_correction_holds_the_request_back_or_asks_again(text):
    assert read_consent(text).value in ("no", "ask")


@pytest.mark.parametrize(
    "slot,text",
    [
        ("sunburn", "no, last sunburn was years ago"),
        ("inflamed_skin", "no, had cystic acne as a teen but that was 20 years ago"),
        ("inflamed_skin", "had cystic acne as a teen, long gone"),
    ],
)
def test_a_no_or_a_condition_said_to_be_gone_stays_a_no_beside_an_earlier_time(slot, text):
    assert read_answer(text, slot).value == NO
