"""Which responses answer a message (actions/answers.py), against the real domain.yml."""

import re
from pathlib import Path

import pytest
import yaml

from understanding.answers import (
    TOPICS,
    select_responses,
    several_questions,
    split_questions,
    topic_buttons,
)

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
RESPONSES = set(DOMAIN["responses"])


def entity(text, phrase, label, value):
    start = text.lower().index(phrase)
    return {"entity": label, "value": value, "start": start, "end": start + len(phrase)}


def answer(intent, text, entities=(), ranking=()):
    return [
        a.response for a in select_responses(intent, list(ranking), list(entities), text, RESPONSES)
    ]


def test_every_question_intent_has_its_general_answer():
    for intent, (general, _prefix) in TOPICS.items():
        assert general in RESPONSES, intent
        assert intent in DOMAIN["intents"], intent


def test_a_specific_subject_gets_the_specific_answer_not_the_whole_list():
    text = "can I go to the gym after?"
    assert answer(
        "ask_aftercare", text, [entity(text, "gym", "activity", "pools_saunas_gyms")]
    ) == ["utter_aftercare_pools_saunas_gyms"]


def test_a_listed_concern_gets_a_yes_and_an_unlisted_one_an_honest_not_listed():
    text = "does it help with rosacea"
    assert answer("ask_treats", text, [entity(text, "rosacea", "concern", "rosacea")]) == [
        "utter_treats_rosacea"
    ]
    text = "does it help with tattoos"
    result = select_responses(
        "ask_treats", [], [entity(text, "tattoos", "concern", "tattoo")], text, RESPONSES
    )
    assert [a.response for a in result] == ["utter_treats_not_listed"]
    assert result[0].kwargs == {"subject": "tattoos"}


def test_a_condition_decides_even_when_the_intent_is_a_near_miss():
    text = "can pregnant women get microneedling"
    assert answer("ask_what_is", text, [entity(text, "pregnant", "condition", "pregnancy")]) == [
        "utter_contra_pregnancy"
    ]


def test_a_product_in_a_preparation_question_does_not_become_another_topic():
    text = "should my skin be clean and dry"
    assert answer("ask_prep", text, [entity(text, "dry", "symptom", "flaking_dryness")]) == [
        "utter_prep"
    ]


def test_warning_signs_come_alone_whatever_the_intent():
    text = "is pus normal after needling"
    assert answer(
        "ask_side_effects", text, [entity(text, "pus", "warning_sign", "warning_sign")]
    ) == ["utter_warning_signs"]
    assert answer("report_warning_signs", "my face is hot and weird") == ["utter_warning_signs"]
    text = "my throat is swelling"
    assert answer(
        "ask_after_effects",
        text,
        [entity(text, "throat is swelling", "emergency_sign", "emergency_sign")],
    ) == ["utter_emergency"]


def test_two_questions_in_one_message_get_two_answers():
    text = "does it hurt and how long does it take"
    ranking = [{"name": "ask_pain", "confidence": 0.6}, {"name": "ask_duration", "confidence": 0.3}]
    assert answer("ask_pain", text, ranking=ranking) == ["utter_pain", "utter_duration"]


def test_one_question_gets_one_answer_even_with_a_close_second_intent():
    ranking = [{"name": "ask_pain", "confidence": 0.6}, {"name": "ask_duration", "confidence": 0.3}]
    assert answer("ask_pain", "does it hurt", ranking=ranking) == ["utter_pain"]


def test_unsure_classification_offers_the_likeliest_topics_and_off_topic_an_honest_no():
    ranking = [
        {"name": "ask_sessions", "confidence": 0.25},
        {"name": "ask_downtime", "confidence": 0.2},
    ]
    assert answer("nlu_fallback", "hw mny tmes til its done", ranking=ranking) == [
        "utter_fallback_choose"
    ]
    [offer] = select_responses("nlu_fallback", ranking, [], "hw mny tmes til its done", RESPONSES)
    buttons = topic_buttons(offer.kwargs["topics"])
    titles = [b["title"] for b in buttons]
    assert titles == ["How many sessions you need", "How long recovery takes", "Something else"]
    assert [b["payload"] for b in buttons][:2] == ["/ask_sessions", "/ask_downtime"]
    french = [b["title"] for b in topic_buttons(offer.kwargs["topics"], "fr")]
    assert french[-1] == "Autre chose" and french[0] != titles[0]
    # nothing likely enough (keyboard mash has every confidence at 0): a plain rephrase
    assert answer("nlu_fallback", "blorp", ranking=[{"name": "ask_pain", "confidence": 0.0}]) == [
        "utter_fallback"
    ]
    assert answer("out_of_scope", "who won the hockey game") == ["utter_out_of_scope"]
    text = "tattoo removal?"
    assert answer("out_of_scope", text, [entity(text, "tattoo removal", "concern", "tattoo")]) == [
        "utter_treats_not_listed"
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("does it hurt and how long does it take", True),
        ("price? hours?", True),
        ("how much is it? and where are you", True),
        ("does it help with acne and wrinkles", False),
        ("does it hurt", False),
    ],
)
def test_several_questions_are_detected(text, expected):
    assert several_questions(text) is expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("does it hurt and how long does it take?", ["does it hurt", "how long does it take"]),
        ("Does it hurt? And how many sessions?", ["Does it hurt", "how many sessions"]),
        ("price? hours?", ["price", "hours"]),
        ("does it help with acne and wrinkles", ["does it help with acne and wrinkles"]),
        # a follow-up asking how likely or how bad stays with the question it follows
        ("dirty needles = infection?? how likely", ["dirty needles = infection? how likely"]),
        ("scarring? how common? and does it hurt", ["scarring? how common", "does it hurt"]),
        (
            "side effects? n can i go to the gym after",
            ["side effects", "can i go to the gym after"],
        ),
        ("", []),
    ],
)
def test_a_message_is_split_into_its_questions(text, expected):
    assert split_questions(text) == expected


def test_an_unsure_classification_still_answers_a_named_topic_and_nothing_else():
    text = "my friend said its absolute agony, true?"
    ranking = [{"name": "ask_side_effects", "confidence": 0.3}]
    assert answer("nlu_fallback", text, [entity(text, "agony", "topic", "pain")], ranking) == [
        "utter_pain"
    ]
    assert answer(
        "nlu_fallback", "blorp blorp", ranking=[{"name": "ask_pain", "confidence": 0.0}]
    ) == ["utter_fallback"]


def test_topic_words_do_not_change_a_confident_answer():
    text = "does the numbing cream go on before"
    assert answer("ask_duration", text, [entity(text, "numbing", "topic", "pain")]) == [
        "utter_duration"
    ]


def test_products_answer_as_preparation_when_the_message_says_before():
    text = "im on a retinoid cream does that matter b4 treatment"
    assert answer("ask_medical_advice", text, [entity(text, "retinoid", "product", "retinol")]) == [
        "utter_prep_retinol"
    ]
    text = "when can i use retinol again"
    assert answer("ask_medical_advice", text, [entity(text, "retinol", "product", "retinol")]) == [
        "utter_aftercare_retinol"
    ]


def test_before_and_after_gets_both_lists():
    assert answer("ask_prep", "what should i avoid before and after?") == [
        "utter_prep",
        "utter_aftercare",
    ]


def test_a_comparison_named_in_another_question_is_answered_as_a_comparison():
    text = "does it give the same results as a peel"
    assert answer("ask_results", text, [entity(text, "peel", "treatment", "chemical_peel")]) == [
        "utter_compare_chemical_peel"
    ]


def test_texting_spellings_of_question_words_split_questions():
    assert several_questions("how many sessions will i need and whats the downtime")


def test_a_product_in_a_downtime_question_gets_its_own_answer():
    text = "can i wear makeup the same day"
    assert answer("ask_downtime", text, [entity(text, "makeup", "product", "makeup")]) == [
        "utter_aftercare_makeup"
    ]
    assert answer("ask_downtime", "when can i go back to work") == ["utter_downtime"]


WARNINGS = {"utter_warning_signs", "utter_emergency"}


def alarming(responses):
    """Whether any answer tells the visitor to contact the clinic or a doctor."""
    texts = [t["text"] for r in responses for t in DOMAIN["responses"][r]]
    return bool(WARNINGS & set(responses)) or any("promptly" in t or "911" in t for t in texts)


@pytest.mark.parametrize(
    "intent, text, phrase, label, value",
    [
        (
            "report_warning_signs",
            "i have loads of wrinkles on my forehead",
            "wrinkles",
            "concern",
            "fine_lines_wrinkles",
        ),
        (
            "ask_side_effects",
            "my skin goes red when i'm nervous",
            "red",
            "symptom",
            "redness_swelling",
        ),
        ("nlu_fallback", "my hands get itchy from the cold", "itchy", "symptom", "irritation"),
        (
            "report_warning_signs",
            "my cheeks are swollen from a toothache",
            "swollen",
            "symptom",
            "redness_swelling",
        ),
        (
            "report_emergency",
            "my nose goes bright red when its windy",
            "red",
            "symptom",
            "redness_swelling",
        ),
        (
            "report_warning_signs",
            "my cheeks go pink after a long run",
            "pink",
            "symptom",
            "redness_swelling",
        ),
    ],
)
def test_everyday_skin_described_is_no_alarm(intent, text, phrase, label, value):
    responses = answer(intent, text, [entity(text, phrase, label, value)])
    assert not alarming(responses), responses


@pytest.mark.parametrize("intent", ["report_warning_signs", "report_emergency"])
@pytest.mark.parametrize(
    "text", ["i pluck my eyebrows every week", "i wax my upper lip once a month"]
)
def test_a_habit_told_is_no_alarm(intent, text):
    assert not alarming(answer(intent, text)), text


def test_a_mole_had_since_childhood_is_no_alarm():
    text = "got a freckle on my chin since i was a teenager, looks the same as ever"
    assert not alarming(answer("report_warning_signs", text))


def test_skin_described_without_i_or_my_is_no_alarm():
    text = "cheeks all blotchy and red from the wind today"
    red = [entity(text, "red", "symptom", "redness_swelling")]
    assert not alarming(answer("report_emergency", text, red))


def test_skin_that_was_always_so_is_no_alarm_even_in_a_question():
    text = "my neck gets red every time i laugh, always has, is that a problem for needling?"
    red = [entity(text, "red", "symptom", "redness_swelling")]
    assert answer("report_warning_signs", text, red) == ["utter_medical_advice"]


def test_an_emergency_reading_without_a_stated_cause_keeps_its_warning():
    assert answer("report_emergency", "my whole face blew up") == ["utter_emergency"]


def test_a_concern_stated_is_a_question_about_treating_it():
    text = "i have loads of wrinkles on my forehead"
    wrinkles = [entity(text, "wrinkles", "concern", "fine_lines_wrinkles")]
    assert answer("report_warning_signs", text, wrinkles)[0].startswith("utter_treats")


@pytest.mark.parametrize(
    "intent, text, phrase, label, value",
    [
        (
            "report_warning_signs",
            "my face is still swollen 4 days after the treatment",
            "swollen",
            "symptom",
            "redness_swelling",
        ),
        (
            "report_warning_signs",
            "my face is really swollen and red",
            "swollen",
            "symptom",
            "redness_swelling",
        ),
        ("nlu_fallback", "there's pus from my scars", "pus", "warning_sign", "warning_sign"),
        (
            "report_emergency",
            "my lips swelled up from the numbing cream",
            "swelled",
            "symptom",
            "redness_swelling",
        ),
        (
            "report_emergency",
            "my throat feels weird when i swallow",
            "weird",
            "symptom",
            "redness_swelling",
        ),
        (
            "report_warning_signs",
            "it's red and hot 3 days after my session",
            "red",
            "symptom",
            "redness_swelling",
        ),
        (
            "ask_side_effects",
            "i cant breathe from the cream",
            "cant breathe",
            "emergency_sign",
            "emergency_sign",
        ),
    ],
)
def test_warning_signs_keep_their_warning(intent, text, phrase, label, value):
    assert answer(intent, text, [entity(text, phrase, label, value)])[0] in WARNINGS


@pytest.mark.parametrize(
    "text",
    [
        "my ears go hot after a glass of red wine",
        "my cheeks get warm and pink after sitting in the car with the heat on",
        "face went red after eating that chili",
    ],
)
def test_after_something_other_than_a_treatment_is_an_everyday_cause(text):
    red = [entity(text, "red" if "red" in text else "pink", "symptom", "redness_swelling")]
    assert not alarming(answer("report_warning_signs", text, red)), text


@pytest.mark.parametrize(
    "text",
    [
        "my face is red and hot 3 days after getting it done",
        "still swollen after 5 days and it's getting worse",
        "red and throbbing after my appointment on monday",
    ],
)
def test_after_a_treatment_or_a_span_of_time_keeps_the_warning(text):
    assert answer("report_warning_signs", text)[0] in WARNINGS, text


@pytest.mark.parametrize(
    "text",
    [
        "It's been a week and my skin is getting redder and hotter, not better.",
        "5 days on and my cheek is puffier than yesterday",
        "a week later it's more swollen than yesterday and no better",
    ],
)
def test_a_symptom_told_as_growing_keeps_the_warning(text):
    assert answer("report_warning_signs", text)[0] in WARNINGS, text


def test_a_symptom_growing_from_an_everyday_cause_is_no_alarm():
    text = "my cheeks get redder the longer i'm out in the cold wind"
    assert not alarming(answer("report_warning_signs", text)), text


def test_a_stated_everyday_doing_is_a_cause():
    text = "did a spin class and now my face is bright red"
    red = [entity(text, "red", "symptom", "redness_swelling")]
    assert not alarming(answer("report_warning_signs", text, red))


def test_an_emergency_reading_with_nothing_felt_is_no_alarm():
    assert not alarming(answer("report_emergency", "had two espressos and i'm all jumpy"))


def test_an_emergency_reading_naming_the_throat_is_kept_even_so():
    assert answer("report_emergency", "my throat is closing up") == ["utter_emergency"]


def test_a_fear_of_fainting_at_needles_is_a_pain_question_not_an_emergency():
    text = "needles make me go faint usually, will i feel them?"
    assert answer("report_emergency", text) == ["utter_pain"]


def test_a_graze_with_an_everyday_cause_is_no_side_effect_question():
    text = "little graze on my chin from the hedge"
    assert answer("ask_side_effects", text) == ["utter_fallback"]


@pytest.mark.parametrize(
    "text",
    [
        "got my needling done this morning and i'm still quite pink",
        "day 2 after the session, cheeks a little puffy still",
        "had the treatment yesterday, face feels warm and looks flushed",
        "it's been a day since my session and my skin is warm and a bit puffy",
        "a couple of days out from needling and still a little pink",
    ],
)
def test_mild_effects_in_the_first_two_days_are_after_effects_not_warnings(text):
    assert answer("report_warning_signs", text) == ["utter_after_effects"], text


@pytest.mark.parametrize(
    "text",
    [
        "treatment was yesterday and the redness is spreading to my neck",
        "did it this morning and now there are blisters",
        "day 2 and the swelling keeps getting worse",
        "had it yesterday, my eye is swollen shut",
        "it's been a day since my session and the redness is spreading",
    ],
)
def test_the_first_two_days_keep_the_warning_when_it_gets_worse(text):
    assert answer("report_warning_signs", text)[0] in WARNINGS, text


def test_a_contraindication_decides_even_from_a_pain_question():
    text = "i reacted badly to lidocaine numbing cream before, is that a problem"
    condition = entity(text, "lidocaine", "condition", "lidocaine_allergy")
    assert answer("ask_pain", text, [condition]) == ["utter_contra_lidocaine_allergy"]


def test_a_condition_word_telling_of_an_effect_is_no_contraindication():
    text = "is it normal that my face looks a little sunburnt the day after?"
    sunburnt = entity(text, "sunburnt", "condition", "sunburn")
    assert "utter_contra_sunburn" not in answer("ask_after_effects", text, [sunburnt])


def test_a_condition_after_something_other_than_the_treatment_keeps_its_caution():
    text = "still peeling from a sunburn after our trip to florida, ok for my appointment?"
    sunburn = entity(text, "sunburn", "condition", "sunburn")
    assert "utter_contra_sunburn" in answer("ask_aftercare", text, [sunburn])
    text = "got a little sunburn the day after my session, what should i put on it"
    sunburn = entity(text, "sunburn", "condition", "sunburn")
    assert "utter_contra_sunburn" not in answer("ask_aftercare", text, [sunburn])


def test_scarring_as_a_risk_gets_the_articles_rare_risks():
    text = "can microneedling scar you"
    scar = entity(text, "scar", "concern", "acne_scars")
    replies = answer("ask_side_effects", text, [scar])
    assert replies == ["utter_side_acne_scars"]
    assert re.search(r"rare.*infection.*pigment", DOMAIN["responses"][replies[0]][0]["text"])


@pytest.mark.parametrize(
    "text",
    [
        "I tend to faint around needles, will I feel them going in?",
        "i fainted once getting blood taken lol, how much will this hurt",
        "always pass out at the sight of needles, is it painful",
    ],
)
def test_a_history_of_fainting_at_needles_is_a_pain_question(text):
    start = re.search(r"faint\w*|pass out", text).start()
    sign = {"entity": "emergency_sign", "value": "emergency_sign", "start": start, "end": start + 5}
    assert answer("ask_pain", text, [sign]) == ["utter_pain"], text


@pytest.mark.parametrize(
    "text",
    [
        "i fainted after my treatment",
        "passed out after the session and my throat feels tight",
        "i always faint at needles but now my lips are swelling",
    ],
)
def test_fainting_after_a_treatment_or_with_a_severe_sign_stays_an_emergency(text):
    start = re.search(r"faint\w*|pass\w* out", text).start()
    sign = {"entity": "emergency_sign", "value": "emergency_sign", "start": start, "end": start + 5}
    assert answer("report_emergency", text, [sign]) == ["utter_emergency"], text


def test_a_warning_reading_of_a_question_about_the_treatment_to_come_is_that_question():
    text = "my upper lip is super sensitive, is microneedling gonna be sore there"
    assert answer("report_warning_signs", text) == ["utter_pain"]


def test_a_question_with_a_sign_told_afterwards_keeps_the_warning():
    text = "face still swollen 5 days later, will it go down?"
    swollen = entity(text, "swollen", "symptom", "redness_swelling")
    assert answer("report_warning_signs", text, [swollen])[0] in WARNINGS


def test_an_allergy_to_numbing_told_is_a_contraindication_not_an_emergency():
    text = "numbing cream always gives me hives"
    allergy = entity(text, "numbing cream always gives me hives", "condition", "lidocaine_allergy")
    assert answer("report_emergency", text, [allergy]) == ["utter_contra_lidocaine_allergy"]


def test_an_allergic_reaction_happening_now_stays_an_emergency():
    text = "hives from the numbing cream and my throat is tight"
    allergy = entity(text, "hives from the numbing", "condition", "lidocaine_allergy")
    assert answer("report_emergency", text, [allergy]) == ["utter_emergency"]


def test_a_plus_sign_joins_two_questions():
    assert split_questions("does it hurt + how long is it") == ["does it hurt", "how long is it"]


def test_a_product_used_again_is_aftercare_even_with_before():
    text = "how long should i wait before using retinol again"
    retinol = entity(text, "retinol", "product", "retinol")
    assert answer("ask_what_is", text, [retinol])[0].startswith("utter_aftercare")


@pytest.mark.parametrize(
    "text,phrase,value",
    [
        ("skin's gone really flaky since the session", "flaky", "flaking_dryness"),
        ("got a small bruise on my cheek from the needling", "bruise", "bruising"),
        ("a week on and my face is still a bit itchy", "itchy", "irritation"),
    ],
)
def test_a_listed_mild_side_effect_told_is_a_side_effect_not_a_warning(text, phrase, value):
    symptom = entity(text, phrase, "symptom", value)
    assert answer("report_warning_signs", text, [symptom]) == [f"utter_side_{value}"], text


def test_a_listed_side_effect_getting_worse_keeps_the_warning():
    text = "the bruise from my treatment is getting bigger and hot"
    bruise = entity(text, "bruise", "symptom", "bruising")
    assert answer("report_warning_signs", text, [bruise])[0] in WARNINGS


def test_a_listed_mild_effect_with_an_everyday_cause_is_no_side_effect_either():
    text = "my hands get itchy from the cold"
    itchy = entity(text, "itchy", "symptom", "irritation")
    assert not alarming(answer("report_warning_signs", text, [itchy]))
    assert "utter_side_irritation" not in answer("report_warning_signs", text, [itchy])


def test_a_concern_named_as_a_risk_of_the_treatment_is_a_side_effect_question():
    text = "could needling give me breakouts"
    acne = entity(text, "breakouts", "concern", "acne_scars")
    assert answer("ask_treats", text, [acne]) == ["utter_side_acne_scars"]
    treats = "will it clear up my breakouts"
    acne = entity(treats, "breakouts", "concern", "acne_scars")
    assert answer("ask_treats", treats, [acne]) == ["utter_treats_acne_scars"]


def test_an_activity_as_a_cause_a_comparison_or_an_idiom_is_no_aftercare_subject():
    for text, phrase in [
        ("brown spots on my cheeks from too much sun", "sun"),
        ("my face feels hot like after the gym", "gym"),
        ("when am i up and running", "running"),
    ]:
        found = entity(text, phrase, "activity", "x")
        found["value"] = "sun" if phrase == "sun" else "pools_saunas_gyms"
        assert not any(r.startswith("utter_aftercare") for r in answer("ask_treats", text, [found]))


def test_a_session_named_as_a_point_in_time_is_no_sessions_question():
    text = "flying to cuba 2 weeks after my session, anything to know"
    cues = [entity(text, "session", "topic", "sessions"), entity(text, "cuba", "activity", "sun")]
    assert answer("nlu_fallback", text, cues) == ["utter_aftercare_sun"]


def test_a_numbered_list_of_questions_is_split():
    text = "1) does it hurt 2) how much is it"
    assert several_questions(text)
    assert split_questions(text) == ["does it hurt", "how much is it"]


def test_a_reported_change_of_colour_gets_the_rare_risk_and_contact_the_clinic():
    text = "my skin went darker where i had it done"
    found = entity(text, "went darker", "symptom", "pigment_changes")
    assert answer("report_warning_signs", text, [found]) == ["utter_side_pigment_changes"]
    assert "contact the clinic" in DOMAIN["responses"]["utter_side_pigment_changes"][0]["text"]


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("got a mosquito bite on my cheek and its a bit red", "red"),
        ("burned my hand a little on the oven door, just a red mark", "red"),
        ("nicked my chin shaving, it's a bit red", "red"),
    ],
)
def test_an_everyday_mishap_is_no_alarm(text, phrase):
    found = entity(text, phrase, "symptom", "redness_swelling")
    assert not alarming(answer("report_warning_signs", text, [found]))


def test_marks_right_after_the_needling_are_an_after_effect_not_a_warning():
    text = "tiny red dots all over my face right after the needling"
    found = entity(text, "red", "symptom", "redness_swelling")
    # the expected-redness answer, which says when to contact the clinic, not the warning
    assert answer("report_warning_signs", text, [found]) == ["utter_side_redness_swelling"]


@pytest.mark.parametrize(
    "intent, text",
    [
        (
            "ask_contraindications",
            "came out in bumps everywhere after the lidocaine and im lightheaded",
        ),
        ("ask_side_effects", "whole body itchy n blotchy since the anesthetic"),
        ("ask_after_effects", "feeling dizzy and faint since the numbing cream"),
    ],
)
def test_a_spreading_reaction_or_light_head_after_the_numbing_is_an_emergency(intent, text):
    assert answer(intent, text) == ["utter_emergency"]


def test_a_reaction_to_numbing_long_ago_is_no_emergency():
    assert answer("ask_pain", "i felt dizzy after the numbing cream last time, is that normal") != [
        "utter_emergency"
    ]


EMERGENCY_SIGN = {"entity": "emergency_sign", "value": "emergency_sign", "start": 0, "end": 0}


@pytest.mark.parametrize(
    "text",
    [
        "every time the dentist freezes my mouth my lips swell up like crazy",
        "got a rash all over my arm from numbing gel when i got my tattoo",
        "last time i had lidocaine my throat felt tight",
        "the dentist's freezing makes my lips swell up, is that a problem",
    ],
)
def test_a_reaction_to_the_numbing_told_as_a_habit_or_past_occasion_is_the_allergy(text):
    assert answer("report_emergency", text, [EMERGENCY_SIGN]) == ["utter_contra_lidocaine_allergy"]


@pytest.mark.parametrize(
    "text",
    [
        "every time i swallow my throat hurts and its swelling after the lidocaine",
        "the numbing cream is making my lips swell",
        "lips swell up every time and now i can't breathe since the numbing",
        "whenever i tried the lidocaine before it was fine but today my throat is tight",
    ],
)
def test_a_reaction_to_the_numbing_placed_now_keeps_the_emergency_reply(text):
    assert answer("report_emergency", text, [EMERGENCY_SIGN]) == ["utter_emergency"]
    assert answer("report_emergency", text) == ["utter_emergency"]


@pytest.mark.parametrize(
    "intent, text",
    [
        ("ask_downtime", "how long does it take a broken finger to heal"),
        ("ask_downtime", "how many days off work after knee surgery"),
        ("ask_after_effects", "my new ear piercing is red, how long till it heals"),
    ],
)
def test_recovery_from_something_else_is_off_topic(intent, text):
    assert answer(intent, text) == ["utter_out_of_scope"]


def test_recovery_after_needling_is_still_downtime_whatever_else_is_named():
    text = "how long after needling till i can swim, i had knee surgery last year"
    assert answer("ask_downtime", text) != ["utter_out_of_scope"]


def test_waiting_before_the_treatment_stays_preparation():
    assert answer("ask_prep", "how long should i wait before the treatment") == ["utter_prep"]


def test_a_fainting_history_told_with_agony_is_a_pain_question():
    text = "I fainted getting blood taken once... is needling going to be agony?"
    found = entity(text, "fainted", "emergency_sign", "emergency_sign")
    assert answer("report_emergency", text, [found]) == ["utter_pain"]


@pytest.mark.parametrize(
    "intent,text,phrase,label,value,expected",
    [
        ("ask_maintenance", "how long b4 do i quit the acids", "acids", "product", "acids",
         "utter_prep"),
        ("ask_maintenance", "do i have to stop running after needling?", "running", "activity",
         "pools_saunas_gyms", "utter_aftercare"),
        ("ask_results", "will makeup mess up the results", "makeup", "product", "makeup",
         "utter_aftercare"),
    ],
)  # fmt: skip
def test_how_long_or_how_often_of_a_product_or_activity_is_its_timing_around_the_treatment(
    intent, text, phrase, label, value, expected
):
    named = entity(text, phrase, label, value)
    assert answer(intent, text, [named])[0].startswith(expected), text


def test_how_often_the_treatment_is_repeated_stays_maintenance():
    assert answer("ask_maintenance", "how often do i need a top up") == ["utter_maintenance"]
    text = "how frequently should i repeat it in the long run"
    run = entity(text, "run", "activity", "pools_saunas_gyms")
    assert answer("ask_maintenance", text, [run]) == ["utter_maintenance"]
    text = "tried every retinol serum, so before i spend more, how many sessions will it take"
    retinol = entity(text, "retinol", "product", "retinol")
    assert answer("ask_sessions", text, [retinol]) == ["utter_sessions"]


@pytest.mark.parametrize(
    "intent,text,expected",
    [
        # how long results last, and when they fade, stay maintenance
        ("ask_maintenance", "how long do the results of the treatment last", "utter_maintenance"),
        ("ask_maintenance", "when do the results start to fade", "utter_maintenance"),
        # one's own surgery is advice on one's own case
        ("ask_medical_advice", "i had surgery last month, can i get it", "utter_medical_advice"),
    ],
)
def test_how_long_and_what_kind_are_read_from_the_wording(intent, text, expected):
    assert answer(intent, text) == [expected], text


def test_an_unsure_reading_naming_safety_gets_how_to_be_safe():
    text = "how do i know its being done safely"
    cue = [entity(text, "safely", "topic", "safety")]
    assert answer("nlu_fallback", text, cue) == ["utter_side_effects"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("whats a good moisturiser for winter", "utter_out_of_scope"),
        ("recommend me a good moisturiser brand", "utter_out_of_scope"),
        ("whats a good moisturiser to use after my session", "utter_aftercare_serums"),
    ],
)
def test_a_product_pick_with_no_treatment_in_view_is_everyday_skincare(text, expected):
    cream = [entity(text, "moisturiser", "product", "serums")]
    assert answer("ask_aftercare", text, cream) == [expected], text


def test_an_off_topic_reading_of_a_product_pick_stays_off_topic():
    text = "recommend me a good moisturiser brand"
    cream = [entity(text, "moisturiser", "product", "serums")]
    assert answer("out_of_scope", text, cream) == ["utter_out_of_scope"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("do I need sunscreen", "utter_aftercare_sunscreen"),
        ("do I need sunscreen before my appointment", "utter_prep"),
    ],
)
def test_a_product_no_preparation_names_is_asked_of_aftercare_unless_before(text, expected):
    spf = [entity(text, "sunscreen", "product", "sunscreen")]
    assert answer("ask_prep", text, spf) == [expected], text


def test_what_it_triggers_in_the_body_is_how_it_works_not_a_risk():
    text = "whats the science behind microneedling, like what does it actually trigger in the body"
    assert answer("ask_what_is", text) == ["utter_what_is"]
    assert answer("ask_what_is", "can it trigger a rosacea flare") == ["utter_side_effects"]


def test_an_activity_told_as_years_of_it_is_a_cause_not_a_subject():
    text = "years of sun have left me with blotchy brown patches on my cheeks"
    sun = [entity(text, "sun", "activity", "sun")]
    assert answer("ask_treats", text, sun) == ["utter_treats"]


@pytest.mark.parametrize(
    "intent,text,phrase,label,value",
    [
        (
            "ask_aftercare",
            "what's a good aftercare routine for a new tattoo",
            "routine",
            "product",
            "serums",
        ),
        (
            "out_of_scope",
            "best running shoes for flat feet?",
            "running",
            "activity",
            "pools_saunas_gyms",
        ),
    ],
)
def test_aftercare_of_something_else_and_everyday_gear_are_off_topic(
    intent, text, phrase, label, value
):
    assert answer(intent, text, [entity(text, phrase, label, value)]) == ["utter_out_of_scope"]
