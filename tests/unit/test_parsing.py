"""How visitors' answers are read (actions/parsing.py)."""

import pytest

from actions.parsing import (
    parse_contact,
    parse_name,
    parse_preferred_time,
    parse_yes_no,
    stated_conditions,
)


@pytest.mark.parametrize(
    "text,intent,expected",
    [
        ("yes", None, "yes"),
        ("Yes, 20 weeks", "inform", "yes"),
        ("yep", None, "yes"),
        ("yeah about 5 months along", None, "yes"),
        ("i am", None, "yes"),
        ("a little", None, "yes"),
        ("no", None, "no"),
        ("nope", None, "no"),
        ("Nah", None, "no"),
        ("not at all", None, "no"),
        ("i'm not", None, "no"),
        ("I don't think so no", None, "no"),
        ("not sure", "deny", "unsure"),
        ("I don't know", None, "unsure"),
        ("maybe", None, "unsure"),
        ("/affirm", "affirm", "yes"),
        ("/deny", "deny", "no"),
        ("/unsure", "unsure", "unsure"),
        ("does it hurt?", "ask_pain", None),
        # asking what a word of the question means is not sure, with or without "?"
        ("what is lidocaine", "ask_what_is", "unsure"),
        ("whats cystic acne", "ask_what_is", "unsure"),
        ("what counts as sunburnt", None, "unsure"),
    ],
)
def test_screening_answers_are_read_from_words_then_intent(text, intent, expected):
    assert parse_yes_no(text, intent) == expected


def _condition(text, phrase, value):
    start = text.lower().index(phrase)
    return {"entity": "condition", "value": value, "start": start, "end": start + len(phrase)}


@pytest.mark.parametrize(
    "text,phrase,value,expected",
    [
        ("I'm pregnant, can I book?", "pregnant", "pregnancy", {"pregnant": "yes"}),
        ("im 20 weeks pregnant", "pregnant", "pregnancy", {"pregnant": "yes"}),
        ("I have a sunburn, can I still do it", "sunburn", "sunburn", {"sunburn": "yes"}),
        (
            "I'm allergic to lidocaine",
            "allergic to lidocaine",
            "lidocaine_allergy",
            {"lidocaine_allergy": "yes"},
        ),
        ("my skin is inflamed", "inflamed", "inflamed_skin", {"inflamed_skin": "yes"}),
        ("I'm not pregnant", "pregnant", "pregnancy", {"pregnant": "no"}),
        ("no, but I have a sunburn", "sunburn", "sunburn", {"sunburn": "yes"}),
        ("can pregnant women get microneedling", "pregnant", "pregnancy", {}),
        ("what if I'm pregnant?", "pregnant", "pregnancy", {}),
        ("is it safe with a sunburn", "sunburn", "sunburn", {}),
        (
            "just found out im expecting!! is it safe",
            "im expecting!",
            "pregnancy",
            {"pregnant": "yes"},
        ),
    ],
)
def test_only_first_person_statements_count_as_screening_facts(text, phrase, value, expected):
    assert stated_conditions(text, [_condition(text, phrase, value)]) == expected


def test_other_entities_and_unlisted_conditions_state_nothing():
    text = "I have diabetes and rosacea"
    entities = [
        {"entity": "condition", "value": "diabetes", "start": 7, "end": 15},
        {"entity": "concern", "value": "rosacea", "start": 20, "end": 27},
    ]
    assert stated_conditions(text, entities) == {}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("jane.doe@gmail.com", ("email", "jane.doe@gmail.com")),
        (
            "my email is Bob.Smith+clinic@Example.org thanks",
            ("email", "bob.smith+clinic@example.org"),
        ),
        ("613 555 0199", ("phone", "613 555 0199")),
        ("+1 (613) 555-0123", ("phone", "613 555 0123")),
        ("call me at 6135550101", ("phone", "613 555 0101")),
        ("+44 20 7946 0958", ("phone", "+442079460958")),
    ],
)
def test_contacts_are_recognised_and_normalised(text, expected):
    assert parse_contact(text) == expected


@pytest.mark.parametrize("text", ["tomorrow", "555-1234", "bob@", "12345", "0123456789", "", "a@b"])
def test_wrong_contacts_are_rejected(text):
    assert parse_contact(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Maria Lopez", "Maria Lopez"),
        ("my name is john", "John"),
        ("it's Anne-Marie", "Anne-Marie"),
        ("I'm Priya", "Priya"),
        ("Hi, I'm sam o'neil", "Sam O'neil"),
        ("Zoë", "Zoë"),
    ],
)
def test_names_are_read(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yes",
        "no",
        "613 555 0199",
        "bob@example.com",
        "<script>alert(1)</script>",
        "x" * 200,
        "does it hurt?",
    ],
)
def test_non_names_are_rejected(text):
    assert parse_name(text) is None


def test_preferred_time_is_free_text_within_reason():
    assert parse_preferred_time("  tuesday   morning ") == "tuesday morning"
    assert parse_preferred_time("asap") == "asap"
    assert parse_preferred_time("") is None
    assert parse_preferred_time("x" * 500) is None


def test_the_rasa_api_token_is_passed_so_that_no_token_reads_as_an_option(tmp_path, monkeypatch):
    from serving.rasa_server import rasa_argv
    from tools.stack import Stack

    monkeypatch.setenv("RASA_API_TOKEN", "-starts-with-a-dash")
    stack = Stack(tmp_path, rasa_port=1, actions_port=2, web_port=3)
    assert stack.rasa.env["RASA_API_TOKEN"] == "-starts-with-a-dash"
    assert not any("starts-with-a-dash" in arg for arg in stack.rasa.argv)
    assert rasa_argv(["run"], "-starts-with-a-dash") == [
        "rasa",
        "run",
        "--auth-token=-starts-with-a-dash",
    ]
    monkeypatch.delenv("RASA_API_TOKEN")
    generated = Stack(tmp_path / "b", rasa_port=1, actions_port=2, web_port=3).api_token
    assert len(generated) == 64 and not generated.startswith("-")


@pytest.mark.parametrize(
    "slot, text, expected",
    [
        # the answer's content, read against the question asked
        ("pregnant", "yep 14 wks", "yes"),
        ("pregnant", "just found out last week actually", "yes"),
        ("pregnant", "baby #2 on the way 😊", "yes"),
        ("pregnant", "waiting on a test rn", "unsure"),
        ("pregnant", "im a man haha", "no"),
        ("pregnant", "definitely not", "no"),
        ("inflamed_skin", "nope my skin is calm right now", "no"),
        ("inflamed_skin", "all clear", "no"),
        ("inflamed_skin", "a couple of sore cysts on my chin", "yes"),
        ("inflamed_skin", "no cysts, just old scars", "no"),
        ("sunburn", "got burnt at the lake on sunday", "yes"),
        # a circumstance makes a no likely, never certain: the question is asked again
        ("sunburn", "been indoors all month", None),
        ("sunburn", "it's not burnt", "no"),
        ("lidocaine_allergy", "yes im allergic", "yes"),
        ("lidocaine_allergy", "not allergic", "no"),
        ("lidocaine_allergy", "never had it tested", "unsure"),
        # no known allergy, as an intake form reads it; a doubt added keeps it unsure
        ("lidocaine_allergy", "not that i know of", "no"),
        ("lidocaine_allergy", "not that i'm aware of", "no"),
        ("pregnant", "not that i know of, but we're trying", "unsure"),
        # asking how to tell, a small amount, a burn elsewhere than the face
        ("inflamed_skin", "how do i tell if its inflamed or just normal redness", "unsure"),
        ("sunburn", "a tiny bit on my nose", "yes"),
        ("sunburn", "my shoulders are burnt but not my face", "unsure"),
        ("sunburn", "my back got fried at the beach, face was under an umbrella", "unsure"),
        ("lidocaine_allergy", "allergic to penicillin but not that", "no"),
        ("pregnant", "kinda hoping i am, find out next week", "unsure"),
        ("inflamed_skin", "sort of?", "unsure"),
        # an interjection first, a bare "it is", a no with a reservation, asking back
        ("pregnant", "haha no, my youngest is 4", "no"),
        ("inflamed_skin", "um nope", "no"),
        ("inflamed_skin", "it is, broke out again on monday", "yes"),
        ("pregnant", "its fine", None),
        ("pregnant", "no but we are trying", "unsure"),
        ("sunburn", "no but the tip of my nose is a bit red", "unsure"),
        ("sunburn", "slightly red from the lake, would that count?", "unsure"),
        ("lidocaine_allergy", "whats an anaesthetic?", "unsure"),
        ("pregnant", "how long does it take?", None),
        ("pregnant", "nope not pregnent", "no"),
        ("pregnant", "took a test yesterday and turns out i am", "yes"),
    ],
)
def test_a_screening_answer_is_read_against_its_question(slot, text, expected):
    assert parse_yes_no(text, None, slot) == expected


def test_a_cue_for_another_question_is_not_an_answer():
    assert parse_yes_no("got burnt at the lake", None, "pregnant") is None


@pytest.mark.parametrize(
    "slot, text, expected",
    [
        ("inflamed_skin", "had bad cysts in my twenties, long gone now", "no"),
        ("inflamed_skin", "no longer, it cleared up last year", "no"),
        ("pregnant", "not anymore, she's 2 now", "no"),
        ("lidocaine_allergy", "i used to react to it years ago", "unsure"),
        ("inflamed_skin", "it's been behaving for months", "no"),
        ("sunburn", "nope, pasty as always", "no"),
        ("sunburn", "got some colour but not burnt", "no"),
        ("sunburn", "a little maybe, hard to tell", "unsure"),
        ("lidocaine_allergy", "just allergic to peanuts", "no"),
        ("lidocaine_allergy", "wait whats lignocaine??", "unsure"),
        ("lidocaine_allergy", "sorry what do you mean", "unsure"),
        ("sunburn", "oof yes, a whole day at the lake", "yes"),
        ("pregnant", "my youngest is 5, so no", "no"),
        ("pregnant", "had the baby in spring", "no"),
        ("inflamed_skin", "only some old scars on my chin", "no"),
        ("sunburn", "have not seen the sun since october", "no"),
        ("lidocaine_allergy", "got numbed for a tooth last year without any problems", "no"),
        ("lidocaine_allergy", "is it like what they use for stitches?", "unsure"),
    ],
)
def test_answers_read_by_meaning_against_the_question(slot, text, expected):
    assert parse_yes_no(text, None, slot) == expected


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        ("too soon to say honestly", "pregnant", "unsure"),
        ("kinda, it depends on the week", "inflamed_skin", "unsure"),
        ("it comes and goes", "inflamed_skin", "unsure"),
        ("lidocaine gives me hives", "lidocaine_allergy", "yes"),
        ("i reacted to it at the dentist once", "lidocaine_allergy", "yes"),
        ("never had a reaction", "lidocaine_allergy", "no"),
    ],
)
def test_hedges_and_reactions_told_in_ones_own_words(text, slot, expected):
    assert parse_yes_no(text, None, slot) == expected


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        ("pregnant yes, is that a problem?", "pregnant", "yes"),
        ("it's january, i haven't seen the sun in weeks", "sunburn", "no"),
        ("still pink and tender from the lake on sunday", "sunburn", "yes"),
        ("had lidocaine for a filling last year, no issues", "lidocaine_allergy", "no"),
    ],
)
def test_answers_read_against_the_question_in_the_visitors_words(text, slot, expected):
    assert parse_yes_no(text, None, slot) == expected


def test_naming_lidocaine_states_no_allergy_but_a_reaction_does():
    def lidocaine(text):
        start = text.lower().index("lidocaine")
        value = {"entity": "condition", "value": "lidocaine_allergy"}
        return [{**value, "start": start, "end": start + len("lidocaine")}]

    had = "I've had lidocaine at the dentist before"
    assert "lidocaine_allergy" not in stated_conditions(had, lidocaine(had))
    hives = "I get hives from lidocaine"
    assert stated_conditions(hives, lidocaine(hives)) == {"lidocaine_allergy": "yes"}


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        # who cannot be pregnant, and what shows that one is
        ("haha i'm 58", "pregnant", "no"),
        ("went through menopause years back", "pregnant", "no"),
        ("took a test this morning, it came back negative", "pregnant", "no"),
        ("the bump is getting big now", "pregnant", "yes"),
        # asking back what a word means or whether something counts
        ("how do i tell if my skin is inflamed?", "inflamed_skin", "unsure"),
        ("is redness from the wind the same thing?", "sunburn", "unsure"),
        ("would a bit of peeling from skiing count?", "sunburn", "unsure"),
        ("what's a local anaesthetic?", "lidocaine_allergy", "unsure"),
        ("sorta", "sunburn", "unsure"),
        # a life that keeps one out of the sun, or a burn long healed
        ("i'm on night shifts, barely see daylight", "sunburn", None),
        ("got burnt back in the summer, it's long healed", "sunburn", "no"),
        ("spent the afternoon at the beach and now i'm bright red", "sunburn", "yes"),
        # numbing used before without trouble, or an allergy in other words
        ("my tattoo artist used numbing cream, worked fine", "lidocaine_allergy", "no"),
        ("the freezing at my dentist never a problem", "lidocaine_allergy", "no"),
        ("it's on my chart as an allergy", "lidocaine_allergy", "yes"),
        ("i swell up when they use it", "lidocaine_allergy", "yes"),
        ("never been numbed, so i can't say", "lidocaine_allergy", "unsure"),
        ("nuh uh", "pregnant", "no"),
        ("my youngest is 6 and we're done having kids", "pregnant", "no"),
        # whether something counts, a guess asked back, a condition that comes and goes
        ("i have a couple of pimples, does that count", "inflamed_skin", "unsure"),
        ("is a tan ok?", "sunburn", "unsure"),
        ("i think its just windburn?", "sunburn", "unsure"),
        ("i dont think so?", "lidocaine_allergy", "unsure"),
        ("i dont think so", "lidocaine_allergy", "no"),
        ("sometimes?", "inflamed_skin", "unsure"),
        ("hmm some days yes some days no", "inflamed_skin", "unsure"),
        ("I have a long list of allergies, I'd have to check", "lidocaine_allergy", "unsure"),
        ("eating for two rn 😅", "pregnant", "yes"),
    ],
)
def test_answers_told_by_circumstance_age_or_a_question_back(text, slot, expected):
    assert parse_yes_no(text, None, slot) == expected
