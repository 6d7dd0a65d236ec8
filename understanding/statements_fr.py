"""How a statement in French about one's skin is read, before it is answered: French rules of their
own (understanding/statements_fr.yml), since the English ones (statements.py) read English. A
reaction to the numbing told of another time is the lidocaine allergy; a fear told, or a sign of
redness or swelling told with an everyday cause, is no warning; a concern or a contraindication
told with nothing felt asks of itself; every sign or symptom said absent, or redness said to go
down, to be less than before or almost gone, with only a little redness left, asks what to
expect after; a first or second day counted places the first days after a treatment. Each lowers
an alarm only on its own words, and the alarm stays beside the treatment, something worse or
lasting, the airway, a reaction placed now, or a warning sign's own word."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from understanding.numbing_reaction import with_the_allergy
from understanding.registry import load, patterns_of
from understanding.statements import FIGURES_OF_SPEECH, without_words_of

_pattern = patterns_of("statements_fr")
# The numbing and a reaction, in the screening's words (both languages), so the two readings of
# an allergy share one vocabulary.
_SCREENING_RULES = load("screening")
_NUMBING_NAMED = _SCREENING_RULES.by_id("lidocaine.caution.numbing_named")
_A_REACTION = _SCREENING_RULES.by_id("lidocaine.yes.allergy_named")
_TOLD_AS_HISTORY = _pattern("told_as_history")
_ALLERGY_WORD = _pattern("allergy_word")
_FEAR = _pattern("fear_told")
_NEEDLES_PAIN = _pattern("needles_pain")
_HAPPENING_NOW = _pattern("happening_now")
_EVERYDAY_CAUSE = _pattern("everyday_cause")
_AIRWAY = _pattern("airway")
_GETTING_WORSE = _pattern("getting_worse")
_TREATMENT_NAMED = _pattern("treatment_named")
_NO_TREATMENT_YET = _pattern("no_treatment_yet")
_AIRWAY_CLOSING = _pattern("airway_closing")
# Breath or a tongue explained by an everyday cause, each a rule of its own.
_AIRWAY_EXPLAINED = (
    (_pattern("breathing_easier"), "statement_fr.breathing_easier"),
    (_pattern("a_cold"), "statement_fr.a_cold"),
    (_pattern("burnt_by_a_drink"), "statement_fr.burnt_by_a_drink"),
    (_pattern("sore_throat"), "statement_fr.sore_throat"),
)
_SIGN_NEGATED = _pattern("sign_negated")
_IMPROVING = _pattern("improving")
_SAID_ABSENT = _pattern("said_absent")
_DAYS_PAST_TWO = _pattern("days_past_two")
_LASTING = _pattern("lasting")
_REDNESS_OR_HEAT = _pattern("redness_or_heat")
_ASKS_WHAT_WILL_HAPPEN = _pattern("asks_what_will_happen")
_BREATH_OR_THROAT = _pattern("breath_or_throat")
_SIGN_OVER = _pattern("sign_over")
_STILL_THERE = _pattern("still_there")
_PAST_TIME = _pattern("past_time")
_MILD_EFFECTS = {"bruising", "irritation", "flaking_dryness"}
_FIRST_DAYS = _pattern("first_days")
_DAY_COUNTED = _pattern("day_counted")
_APPEARANCE = _pattern("appearance_told")
_SENSATION = _pattern("sensation")
_SIGNS = {"warning_sign", "emergency_sign"}
_ALARMS = {"report_warning_signs", "report_emergency"}
# Readings of a statement about one's skin that answer nothing it tells: an alarm, or none.
_NO_TOPIC_READINGS = {*_ALARMS, "nlu_fallback", None}
# Readings of what the treatment does to the skin: a concern told of one's own skin, asking
# nothing, is no question about them ("ma peau se relâche au niveau des bajoues.").
_EFFECT_READINGS = {"ask_side_effects", "ask_after_effects"}
_ASKING = _pattern("asking")


def reading_of_a_french_statement(
    intent: str | None, entities: Sequence[Mapping], text: str, trace: list[str]
) -> tuple[str | None, list[Mapping]]:
    """(intent, entities): what a French statement about one's skin asks (the module's
    docstring), or the classifier's reading unchanged."""
    negated = [
        e
        for e in entities
        if e.get("entity") in (*_SIGNS, "symptom")
        and _SIGN_NEGATED.search(text[: int(e.get("start", 0))])
    ]
    if negated:
        # "pas de pus, pas d'enflure, juste un peu rosé": read on without what is said absent
        trace.append("statement_fr.sign_negated")
        entities = [e for e in entities if e not in negated]
        text = without_words_of(text, negated)
    # blanked, not cut, so the entities' offsets still hold
    text, absent = _SAID_ABSENT.subn(lambda m: " " * len(m.group()), text)
    if absent:
        # "pas chaude, rien qui grossit, je respire bien": said absent though no sign names it;
        # an entity among those words goes with them ("plus de rougeur, juste des pelures")
        trace.append("statement_fr.said_absent")
        entities = [
            e for e in entities if text[int(e.get("start", 0)) : int(e.get("end", 0))].strip()
        ]
    labels = {e.get("entity") for e in entities}
    # read without what is said to go down: "diminue chaque jour" tells no growth
    steady = _IMPROVING.sub(" ", text)
    symptoms = {e.get("value") for e in entities if e.get("entity") == "symptom"}
    # a bruise or flaking left reads on below as the side effect it is
    mild_effects_left = bool(symptoms) and symptoms <= _MILD_EFFECTS
    said_absent = (negated or absent) and not mild_effects_left
    if said_absent and _only_mild_redness_left(intent, entities, labels, steady):
        # every sign said absent, a little redness left: what to expect, and when to call
        trace.append("statement_fr.signs_absent")
        return "ask_after_effects", list(entities)
    if steady != text and _only_mild_redness_left(intent, entities, labels, steady):
        # "légère rougeur qui diminue déjà": going down, nothing else told; that reply says
        # when to call
        trace.append("statement_fr.improving")
        return "ask_after_effects", list(entities)
    if (
        intent not in _ALARMS
        and _REDNESS_OR_HEAT.search(text)
        and _LASTING.search(text)
        and not _ASKS_WHAT_WILL_HAPPEN.search(text)
    ):
        # redness or heat past two days or growing is what the article says to call about
        trace.append("statement_fr.sign_lasting")
        return "report_warning_signs", list(entities)
    if _a_sign_told_as_over(intent, labels, text):
        trace.append("statement_fr.sign_over")
        kept = [e for e in entities if e.get("entity") not in (*_SIGNS, "symptom")]
        return (None if intent in _ALARMS else intent), kept
    if _an_allergy_told(text, labels):
        trace.append("statement_fr.numbing_allergy_told")
        return "ask_contraindications", with_the_allergy(entities)
    if _a_fear_told(intent, labels, text):
        trace.append("statement_fr.fear_told")
        return ("ask_pain" if _NEEDLES_PAIN.search(text) else None), list(entities)
    if intent in _ALARMS and not labels & _SIGNS:
        explained = _no_alarm_after_all(intent, entities, text)
        if explained:
            topic, rule_id = explained
            trace.append(rule_id)
            kept = [e for e in entities if topic or e.get("entity") != "symptom"]
            return topic, kept
    if (
        intent in _ALARMS
        and not labels & _SIGNS
        and _EVERYDAY_CAUSE.search(text)
        and not _keeps_the_warning(text)
    ):
        trace.append("statement_fr.everyday_cause")
        return None, [e for e in entities if e.get("entity") != "symptom"]
    told = _told_with_nothing_felt(intent, entities, labels, text)
    if told:
        trace.append(told[1])
        return told[0], list(entities)
    return intent, list(entities)


def _told_with_nothing_felt(
    intent: str | None, entities: Sequence[Mapping], labels: set, text: str
) -> tuple[str, str] | None:
    """(intent, rule id) for a concern or a contraindication told with nothing felt or seen
    ("j'ai de la rosacée sur le nez", "un gros coup de soleil depuis la fin de semaine"): whether
    needling treats it, or the contraindication's own caution; never beside a sign, a symptom,
    the treatment, something worse or lasting, or the breath or the throat."""
    told = intent in _NO_TOPIC_READINGS or (
        intent in _EFFECT_READINGS and "concern" in labels and not _ASKING.search(text)
    )
    if not told or labels & (_SIGNS | {"symptom"}):
        return None
    # the words of the concern or condition told ("un bouton de fièvre") are no sign of their own
    plain = without_words_of(
        text, [e for e in entities if e.get("entity") in ("concern", "condition")]
    )
    if _SENSATION.search(plain) or _treatment_had(plain) or _GETTING_WORSE.search(plain):
        return None
    if _BREATH_OR_THROAT.search(plain):
        return None
    if "condition" in labels:
        return "ask_contraindications", "statement_fr.condition_stated"
    if "concern" in labels:
        return "ask_treats", "statement_fr.concern_stated"
    return None


def _only_mild_redness_left(
    intent: str | None, entities: Sequence[Mapping], labels: set, text: str
) -> bool:
    """An alarm read with every sign said to be absent ("pas de pus, pas de fièvre, juste un
    peu rose"), leaving no more than redness or a listed mild effect: never beside something
    worse or lasting, or the airway."""
    symptoms = {e.get("value") for e in entities if e.get("entity") == "symptom"}
    return bool(
        intent in _ALARMS
        and not labels & _SIGNS
        and symptoms <= {"redness_swelling", *_MILD_EFFECTS}
        and not _GETTING_WORSE.search(text)
        and not _LASTING.search(text)
        and not _AIRWAY.search(text)
    )


def _an_allergy_told(text: str, labels: set) -> bool:
    """A reaction to the numbing told of another occasion, as a habit or as a case ("quand le
    dentiste me gèle j'ai des plaques partout"): the lidocaine allergy, even with the airway
    named ("chaque fois, j'ai les lèvres qui enflent"), as in English; so is the allergy told by
    its word ("chu allergique à la crème qui gèle"), but not beside a sign or the airway
    closing. Never with the reaction placed now or after one's treatment."""
    if not _NUMBING_NAMED.search(text) or _HAPPENING_NOW.search(text):
        return False
    if _A_REACTION.search(text) and _TOLD_AS_HISTORY.search(text):
        return True
    return bool(
        _ALLERGY_WORD.search(text) and not labels & _SIGNS and not _AIRWAY_CLOSING.search(text)
    )


def _a_fear_told(intent: str | None, labels: set, text: str) -> bool:
    """An alarm read from a fear told ("les aiguilles me stressent"): never beside a sign, the
    airway, something worse, or a reaction placed now."""
    return bool(
        intent in _ALARMS
        and not labels & _SIGNS
        and _FEAR.search(text)
        and not _AIRWAY.search(text)
        and not _GETTING_WORSE.search(text)
        and not _HAPPENING_NOW.search(text)
    )


def _treatment_had(text: str) -> bool:
    """The treatment named, and not only as not had yet or to come."""
    return bool(_TREATMENT_NAMED.search(text) and not _NO_TREATMENT_YET.search(text))


def _keeps_the_warning(text: str) -> bool:
    """The treatment had, something worse or lasting, or the airway."""
    return bool(_treatment_had(text) or _GETTING_WORSE.search(text) or _AIRWAY.search(text))


def _no_alarm_after_all(
    intent: str | None, entities: Sequence[Mapping], text: str
) -> tuple[str | None, str] | None:
    """(intent, rule id) for an alarm read, with no sign named, from a figure of speech ("des
    frissons en regardant une vidéo"), breath or a tongue explained ("le nez qui coule, c'est
    juste un rhume"), how one looks told with nothing felt ("j'ai l'air fatiguée"), a product or a
    doing asked of with nothing felt ("je reprends mes sérums
    quand"), a mild effect the article lists ("un petit bleu"), or redness in the first days
    after one's treatment ("un peu de rougeur, c'est le jour même"); else None."""
    # read without its figures of speech: "la fièvre des séries" names no fever
    plain, figures = FIGURES_OF_SPEECH.subn(" ", text)
    closing = _AIRWAY_CLOSING.search(plain) or _GETTING_WORSE.search(plain)
    if figures and not closing and not _SENSATION.search(plain):
        return None, "statement_fr.figure_of_speech"
    for explanation, rule_id in _AIRWAY_EXPLAINED:
        rest = explanation.sub(" ", plain)  # "mal à la gorge" names no throat closing
        still_closing = _AIRWAY_CLOSING.search(rest) or _GETTING_WORSE.search(rest)
        if rest != plain and not still_closing and not _TREATMENT_NAMED.search(plain):
            return None, rule_id
    symptoms = {e.get("value") for e in entities if e.get("entity") == "symptom"}
    labels = {e.get("entity") for e in entities}
    felt = symptoms or closing or _SENSATION.search(plain) or _BREATH_OR_THROAT.search(plain)
    if _APPEARANCE.search(plain) and not felt and not _treatment_had(plain):
        # "mon chum dit que j'ai l'air fatiguée": how one looks, with nothing felt
        return None, "statement_fr.appearance_told"
    if (
        labels & {"product", "activity"}
        and not symptoms
        and not closing
        and not _SENSATION.search(plain)
        and not _BREATH_OR_THROAT.search(plain)
    ):
        # "je reprends mes sérums quand": a question about a product or a doing, nothing felt
        return None, "statement_fr.a_product_asked"
    # a day past the first two is a warning for redness, not for a bruise or flaking
    undated = plain if _REDNESS_OR_HEAT.search(plain) else _DAYS_PAST_TWO.sub(" ", plain)
    mild_closing = _AIRWAY_CLOSING.search(plain) or _GETTING_WORSE.search(undated)
    if symptoms and symptoms <= _MILD_EFFECTS and not mild_closing and not _AIRWAY.search(text):
        return "ask_side_effects", "statement_fr.listed_mild_effect"
    if (
        intent == "report_warning_signs"
        and symptoms <= {"redness_swelling", *_MILD_EFFECTS}
        # a day counted ("jour 1") counts from the treatment
        and (
            _DAY_COUNTED.search(plain)
            or _FIRST_DAYS.search(plain)
            and _TREATMENT_NAMED.search(plain)
        )
        and not closing
        and not _AIRWAY.search(plain)
    ):
        # redness on the day of one's treatment is what the article says to expect
        return "ask_after_effects", "statement_fr.first_days"
    return None


def _a_sign_told_as_over(intent: str | None, labels: set, text: str) -> bool:
    """A sign of an illness past, told as over and placed at a past time ("de la fièvre le mois
    passé, c'était la grippe, c'est fini"): never beside the treatment, the airway closing, or
    a sign told as worse or still there."""
    return bool(
        (intent in _ALARMS or labels & _SIGNS)
        and _SIGN_OVER.search(text)
        and _PAST_TIME.search(text)
        and not _treatment_had(text)
        and not _AIRWAY_CLOSING.search(text)
        and not _STILL_THERE.search(text)
    )
