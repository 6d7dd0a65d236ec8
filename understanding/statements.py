"""How a statement about one's skin is read, before it is answered: what a front-desk person
hears in "I've got big pores on my cheeks", "my cheeks go red from the cold" or "2 weeks after
my sessions I have brown patches". Pure functions over the message's text, its intent and its
entities (understanding/answers.py calls them); tested through tests/unit/test_answer_routing.py.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import yaml

from understanding.airway import airway_explained
from understanding.numbing_reaction import (
    a_reaction_to_the_numbing,
    an_allergy_told,
    with_the_allergy,
)
from understanding.registry import patterns_of

# The patterns, their reasons and their examples: understanding/statements.yml.
_pattern = patterns_of("statements")


# The vocabulary's safety labels (answers.SAFETY): a message holding one keeps its warning.
_WARNING_LABELS = {"emergency_sign", "warning_sign"}

# Messages that describe the visitor's own skin today ("my eyes are puffy from crying") are not
# reports of a treatment's effects: no question, no word placing them around a treatment. A
# warning-sign word always counts, whatever the wording.
_TREATMENT_WORDS = _pattern("treatment_words")
# "Warm after sitting by the fire", "a mole since I was a kid": an everyday "after" or "since".
_EVERYDAY_AFTER = _pattern("everyday_after")
_ASKING = _pattern("asking")
# An everyday cause stated with a symptom: "puffy from crying", "red when I'm embarrassed".
_EVERYDAY_CAUSE = _pattern("everyday_cause")
# A classifier's warning reading needs something felt or seen.
_SENSATION = _pattern("sensation")
# Topics a symptom statement is mistaken for.
_SYMPTOM_TOPICS = ("ask_side_effects", "ask_after_effects")
_SAFETY_INTENTS = ("report_warning_signs", "report_emergency")
# A symptom placed after one's own treatment ("2 weeks after my sessions i have brown patches").
_AFTER_MY_TREATMENT = _pattern("after_my_treatment")
_EFFECT_TOPICS = (
    *_SYMPTOM_TOPICS,
    *_SAFETY_INTENTS,
    "ask_downtime",
    "ask_aftercare",
    "ask_medical_advice",
)
# Skin that has always been so: never a treatment's effect, even in a question about it.
_LIFELONG = _pattern("lifelong")
# Where a severe allergic reaction shows: an emergency reading that names one is always kept.
_EMERGENCY_PLACES = _pattern("emergency_places")


# A fear or a tendency told before a treatment ("I tend to faint around needles") is no reaction
# happening now; told with needles or pain it is a question about pain.
_TENDENCY = _pattern("tendency")
_PAIN_WORDS = _pattern("pain_words")
# Fainting told as one's history with needles or blood ("I fainted once getting blood taken",
# "I tend to pass out around needles") is a fear to answer with the pain answer, not a reaction
# happening now. Only fainting: breathing, the throat or hives always keep the emergency reply,
# and so does fainting after a treatment.
_FAINTING = _pattern("fainting")
_FAINTING_HISTORY = _pattern("fainting_history")
# Signs of a severe allergic reaction in the airway, or hives: never a fear or a habit told.
_SEVERE_NOT_FAINTING = _pattern("severe_not_fainting")
# A treatment already had ("my son had it done last week").
_TREATMENT_HAD = _pattern("treatment_had")
# A treatment still to come ("my appointment's next month") has no after-effects yet.
_TREATMENT_TO_COME = _pattern("treatment_to_come")
# "Is microneedling gonna be sore there?" asks about the treatment to come.
_ASKS_WHAT_WILL_HAPPEN = _pattern("asks_what_will_happen")

# What places a message after a treatment or now: then it may report a sign, and keeps its reading.
_TOLD_AFTERWARDS = _pattern("told_afterwards")

# A sign told of somebody else who had no treatment ("my husband has a fever but I'm fine"): not
# the visitor's reaction. Never when a treatment, a time after one or the airway is named.
_SOMEONE_ELSE = _pattern("someone_else")


def _someone_elses_sign(labels: set, intent: str | None, text: str) -> bool:
    return bool(
        (labels & _WARNING_LABELS or intent in _SAFETY_INTENTS)
        and _SOMEONE_ELSE.search(text)
        and not _TREATMENT_WORDS.search(text)
        and not _TREATMENT_HAD.search(text)
        and not _SEVERE_NOT_FAINTING.search(text)
    )


def _a_fear_of_fainting(labels: set, text: str) -> bool:
    return bool(
        labels & _WARNING_LABELS == {"emergency_sign"}
        and _FAINTING.search(text)
        and _FAINTING_HISTORY.search(text)
        and not _SEVERE_NOT_FAINTING.search(text)
        and not _AFTER_MY_TREATMENT.search(text)
    )


# Redness, swelling or warmth in the first two days is what the article says to expect ("goes
# away after about 48 hours"): "did needling yesterday and my face is still pink" is an
# after-effect, not a warning sign. What turns it into one is change for the worse or a sign of
# infection, and then the warning stays.
_FIRST_DAYS = _pattern("first_days")
# Side effects the article lists with no time limit: dryness, bruising, irritation told with no
# sign of getting worse are side effects to expect, whatever day it is.
_LISTED_MILD_EFFECTS = {"flaking_dryness", "bruising", "irritation"}
_GETTING_WORSE = _pattern("getting_worse")
_SWELLING_PAST_TWO_DAYS = _pattern("swelling_past_two_days")
_SMALL_BLEMISH = _pattern("small_blemish")


def _everyday_cause(text: str) -> re.Match | None:
    """An everyday cause stated: "from the cold", "after a hot shower"."""
    return _EVERYDAY_CAUSE.search(text) or _EVERYDAY_AFTER.search(text)


def describes_everyday_skin(text: str) -> bool:
    """The visitor tells about skin ("my pores are huge", "lips chapped from the wind"), asking
    nothing and naming no treatment."""
    text = text or ""
    return bool(
        not _ASKING.search(text) and not _TREATMENT_WORDS.search(_EVERYDAY_AFTER.sub(" ", text))
    )


def _not_an_alarm_after_all(
    intent: str | None, entities: Sequence[Mapping], labels: set, text: str
) -> tuple[str | None, list[Mapping], str] | None:
    """A safety reading that tells of something other than a reaction happening now: a fear
    ("I tend to faint around needles"), an allergy told as a habit ("I break out in hives with
    numbing cream"), a question about the treatment to come ("is it gonna be sore there?"), or
    an effect the article says to expect (dryness or a bruise, or redness in the first two
    days) with no sign of getting worse. None when the reading stands or is not a safety one."""
    emergency = intent == "report_emergency" or "emergency_sign" in labels
    explained = airway_explained(text) if emergency and "warning_sign" not in labels else None
    if explained:
        kept = [e for e in entities if e.get("entity") != "emergency_sign"]
        return None, kept, explained
    if an_allergy_told(intent, entities, labels, text):
        # before a tendency, which lowers the alarm: an allergy told keeps its caution
        return (
            "ask_contraindications",
            with_the_allergy(entities),
            "statement.numbing_allergy_told",
        )
    if (
        intent == "report_emergency"
        and not labels & _WARNING_LABELS
        and _TENDENCY.search(text)
        and not _SEVERE_NOT_FAINTING.search(text)
    ):
        topic = "ask_pain" if _PAIN_WORDS.search(text) else None
        return topic, list(entities), "statement.fear_or_tendency"
    if (
        intent == "report_warning_signs"
        and not labels & _WARNING_LABELS
        and _TREATMENT_TO_COME.search(text)
        and not _AFTER_MY_TREATMENT.search(text)
        and not _TREATMENT_HAD.search(text)
        and not _SEVERE_NOT_FAINTING.search(text)
    ):
        kept = [e for e in entities if e.get("entity") != "symptom"]
        return "ask_medical_advice", kept, "statement.treatment_to_come"
    if (
        intent == "report_warning_signs"
        and not labels & _WARNING_LABELS
        and _SMALL_BLEMISH.search(text)
        and not _GETTING_WORSE.search(text)
    ):
        kept = [e for e in entities if e.get("entity") != "concern"]
        return "ask_after_effects", kept, "statement.small_blemish"
    if _a_fear_of_fainting(labels, text):
        kept = [e for e in entities if e.get("entity") != "emergency_sign"]
        return "ask_pain", kept, "statement.fear_of_fainting"
    if (
        intent in _SAFETY_INTENTS
        and not labels & _WARNING_LABELS
        and "symptom" not in labels
        and _ASKS_WHAT_WILL_HAPPEN.search(text)
        and not _TOLD_AFTERWARDS.search(text)
    ):
        topic = "ask_pain" if _PAIN_WORDS.search(text) else "ask_side_effects"
        return topic, list(entities), "statement.asks_what_will_happen"
    if labels & _WARNING_LABELS or intent != "report_warning_signs" or _GETTING_WORSE.search(text):
        return None
    everyday = describes_everyday_skin(text)
    if everyday and _everyday_cause(text):
        return None  # "itchy from the cold": no effect of a treatment at all, read below
    symptoms = {e.get("value") for e in entities if e.get("entity") == "symptom"}
    if symptoms and symptoms <= _LISTED_MILD_EFFECTS:
        return "ask_side_effects", list(entities), "statement.listed_mild_effect"
    if not everyday and _FIRST_DAYS.search(text):
        return "ask_after_effects", list(entities), "statement.first_two_days"
    return None


def reading_of_a_statement(
    intent: str | None,
    entities: Sequence[Mapping],
    text: str,
    topics: Collection[str],
    trace: list[str] | None = None,
) -> tuple[str | None, list[Mapping]]:
    """What a statement about one's skin really asks, as (intent, entities).

    A concern and no symptom ("big pores on my cheeks") asks whether needling treats it. A
    symptom with an everyday cause ("puffy from crying", "a scratch from my cat") is no side
    effect and no warning sign: the message is none of the assistant's topics. Fears,
    allergies told as habits, questions about the treatment to come, expected effects
    (`_not_an_alarm_after_all`) and a warning reading with nothing felt or seen ("just had
    coffee and i'm jittery") are no alarm. A warning-sign word always keeps its warning, so
    does an emergency reading naming the throat or breathing, and so does a symptom with no
    stated cause: on a needling clinic's chat it may well follow a treatment."""
    text, figures = FIGURES_OF_SPEECH.subn(lambda m: " " * len(m.group()), text or "")
    felt = any(e.get("entity") == "symptom" for e in entities) or _SENSATION.search(text)
    if figures and intent in _SAFETY_INTENTS and not felt and not _EMERGENCY_PLACES.search(text):
        # "needling fever lol", "feverish with excitement": the only sign was a figure of speech
        if trace is not None:
            trace.append("statement.figure_of_speech")
        return None, [e for e in entities if e.get("entity") not in _WARNING_LABELS]
    negated = _signs_negated(entities, text)
    if negated:
        # "no fever, no pus, just a little pink": read on without the signs said to be absent
        entities = [e for e in entities if e not in negated]
        text = without_words_of(text, negated)
        if trace is not None:
            trace.append("statement.sign_negated")
    topic, kept, rule_id = _statement(intent, entities, text, topics)
    if rule_id and trace is not None:
        trace.append(rule_id)
    return topic, kept


_SIGN_NEGATED = _pattern("sign_negated")


def _figures_of_speech() -> re.Pattern[str]:
    """The vocabulary's phrases that sound like a sign and are not one ("baby fever"): the
    entity extractor leaves them out, and a statement is read without them."""
    phrases = [
        re.escape(str(p))
        for path in _VOCABULARIES
        for entries in (
            (yaml.safe_load(path.read_text("utf-8")) or {}).get("figure_of_speech") or {}
        ).values()
        for p in entries
        if isinstance(p, str)
    ]
    return re.compile(r"\b(" + "|".join(phrases) + r")\b", re.I) if phrases else re.compile(r"$^")


_VOCABULARIES = [
    Path(__file__).resolve().parents[1] / "nlp" / name
    for name in ("vocabulary.yml", "vocabulary_fr.yml")
]
FIGURES_OF_SPEECH = _figures_of_speech()


def without_words_of(text: str, entities: Sequence[Mapping]) -> str:
    """The text with the entities' words blanked, so the other offsets still hold: what the
    message says besides them."""
    for entity in entities:
        start, end = int(entity.get("start", 0)), int(entity.get("end", 0))
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _signs_negated(entities: Sequence[Mapping], text: str) -> list[Mapping]:
    """The warning signs said to be absent, each by a negation right before it ("no pus")."""
    return [
        e
        for e in entities
        if e.get("entity") in _WARNING_LABELS and _SIGN_NEGATED.search(text[: e.get("start", 0)])
    ]


# A burn told by its cause and its look ("got burnt at the lake", "red and sore from tanning"):
# a sunburn, a reason not to be treated, whatever the classifier read. Only adds caution: never
# after one's own treatment, nor beside a warning sign.
_BURNT_BY_THE_SUN = _pattern("burnt_by_the_sun")


def _a_sunburn_told(entities: Sequence[Mapping], labels: set, text: str) -> bool:
    return bool(
        any(e.get("entity") == "activity" and e.get("value") == "sun" for e in entities)
        and _BURNT_BY_THE_SUN.search(text)
        and not labels & _WARNING_LABELS
        and not _AFTER_MY_TREATMENT.search(text)
        and not _ASKS_WHAT_WILL_HAPPEN.search(text)
        and not any(e.get("value") == "sunburn" for e in entities)
    )


def _statement(
    intent: str | None, entities: Sequence[Mapping], text: str, topics: Collection[str]
) -> tuple[str | None, list[Mapping], str | None]:
    text = text or ""
    labels = {entity.get("entity") for entity in entities}
    if a_reaction_to_the_numbing(text):
        return "report_emergency", list(entities), "statement.reaction_to_the_numbing"
    if (
        intent not in _SAFETY_INTENTS
        and _GETTING_WORSE.search(text)
        and ("symptom" in labels or _SENSATION.search(text))
        and (_TREATMENT_HAD.search(text) or _AFTER_MY_TREATMENT.search(text))
        and not _ASKING.search(text)
        and not _ASKS_WHAT_WILL_HAPPEN.search(text)
    ):
        # A sign growing after a treatment already had: a warning, whatever was read.
        return "report_warning_signs", list(entities), "statement.growing_after_treatment"
    if (
        intent not in _SAFETY_INTENTS
        and _SWELLING_PAST_TWO_DAYS.search(text)
        and not _ASKS_WHAT_WILL_HAPPEN.search(text)
    ):
        # Redness, swelling or heat not gone after about 48 hours is what the article says to
        # call about: a warning, whatever else is told beside it ("the gym sauna didn't help").
        return "report_warning_signs", list(entities), "statement.sign_past_two_days"
    if _a_sunburn_told(entities, labels, text):
        kept = [e for e in entities if e.get("entity") not in ("activity", "symptom")]
        sunburn = {"entity": "condition", "value": "sunburn", "start": 0, "end": 0}
        return "ask_contraindications", [*kept, sunburn], "statement.sunburn_told"
    symptoms = {e.get("value") for e in entities if e.get("entity") == "symptom"}
    if (
        intent == "report_warning_signs"
        and symptoms == {"pigment_changes"}
        and not labels & _WARNING_LABELS
    ):
        # A rare risk the article names, with its own reply (which says to contact the clinic).
        return "ask_side_effects", list(entities), "statement.pigment_change_is_a_listed_risk"
    if _someone_elses_sign(labels, intent, text):
        kept = [e for e in entities if e.get("entity") not in (*_WARNING_LABELS, "symptom")]
        return None, kept, "statement.someone_elses_sign"
    reading = _not_an_alarm_after_all(intent, entities, labels, text)
    if reading is not None:
        return reading
    severe = intent == "report_emergency" and _EMERGENCY_PLACES.search(text)
    if labels & _WARNING_LABELS or severe:
        return intent, list(entities), "safety.warning_kept"
    if "symptom" in labels and intent not in _EFFECT_TOPICS and _AFTER_MY_TREATMENT.search(text):
        return "ask_side_effects", list(entities), "statement.symptom_after_treatment"
    felt = "symptom" in labels or bool(_SENSATION.search(text))
    if (
        intent == "ask_side_effects"
        and felt
        and not _ASKING.search(text)
        and (_TREATMENT_WORDS.search(text) or _FIRST_DAYS.search(text))
        and not _LIFELONG.search(text)
    ):
        # Told of one's own treatment, asking nothing ("a bit of pinpoint bleeding during the
        # session, it stopped"): what to expect right after, and when to call, not the list
        # of everything that may happen.
        return "ask_after_effects", list(entities), "statement.own_treatment_told"
    if felt and _LIFELONG.search(text) and intent in (*_SYMPTOM_TOPICS, *_SAFETY_INTENTS):
        # Whether skin like that suits needling is the doctor's to judge, at a consultation.
        kept = [e for e in entities if e.get("entity") != "symptom"]
        topic = "ask_medical_advice" if _ASKING.search(text) else None
        return topic, kept, "statement.lifelong_skin"
    if not describes_everyday_skin(text):
        return intent, list(entities), None
    cause = _everyday_cause(text)
    effect_reading = intent in (*_SYMPTOM_TOPICS, *_SAFETY_INTENTS)
    lasting = _SWELLING_PAST_TWO_DAYS.search(text)
    if cause and (felt or effect_reading) and not _GETTING_WORSE.search(text) and not lasting:
        # "red from the cold" lowers no alarm when it grows: "worse every day" keeps it.
        kept = [e for e in entities if e.get("entity") != "symptom"]
        return (None if effect_reading else intent), kept, "statement.everyday_cause"
    concern_only = "concern" in labels and "symptom" not in labels
    if concern_only and (effect_reading or intent not in topics):
        return "ask_treats", list(entities), "statement.concern_stated"
    if not felt and intent in _SAFETY_INTENTS:
        return None, list(entities), "statement.nothing_felt"
    return intent, list(entities), None
