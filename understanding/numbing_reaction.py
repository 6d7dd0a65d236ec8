"""A reaction to the numbing cream: happening now, spread over the body or making one
light-headed, it is a severe allergic reaction (an emergency); told as a habit or of another
occasion, it is an allergy told, which the article makes a reason not to have the treatment.
understanding/statements.py asks both. Patterns: understanding/statements.yml.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from understanding.registry import load as load_rules
from understanding.registry import patterns_of

# The patterns, their reasons and their examples: understanding/statements.yml.
_pattern = patterns_of("statements")


_WARNING_LABELS = {"emergency_sign", "warning_sign"}
_SAFETY_INTENTS = ("report_warning_signs", "report_emergency")
_FIRST_DAYS = _pattern("first_days")
_SEVERE_NOT_FAINTING = _pattern("severe_not_fainting")
_AFTER_MY_TREATMENT = _pattern("after_my_treatment")

# "I break out in hives with numbing cream": an allergy told, which the article makes a reason
# not to have the treatment, not a reaction happening now (that names the airway, "now", or a
# treatment just had).
_REACTION_NOW = _pattern("reaction_now")


# A reaction to the numbing cream spreading over the body or making one light-headed is a severe
# allergic reaction, whatever the words ("bumps everywhere since the lidocaine", "whole body
# itchy since the anesthetic"); told as a habit or of a past time it is an allergy, read elsewhere.
_AFTER_NUMBING = _pattern("after_numbing")
_ALL_OVER = _pattern("all_over")
_SKIN_REACTION = _pattern("skin_reaction")
_FAINTISH = _pattern("faintish")
# A reaction told as a habit or of another occasion ("every time the dentist freezes me", "when I
# got my tattoo"), with nothing placing it now ("my lips are swelling", "can't swallow").
_TOLD_AS_HISTORY = _pattern("told_as_history")
_HAPPENING_NOW = _pattern("happening_now")


def _told_as_history(text: str) -> bool:
    return bool(
        _TOLD_AS_HISTORY.search(text)
        and not _HAPPENING_NOW.search(text)
        and not _FIRST_DAYS.search(text)
    )


def a_reaction_to_the_numbing(text: str) -> bool:
    return bool(
        _AFTER_NUMBING.search(text)
        and not _told_as_history(text)
        and ((_SKIN_REACTION.search(text) and _ALL_OVER.search(text)) or _FAINTISH.search(text))
    )


# An allergy or reaction to the numbing, told in any words ("the stuff they numb u with made my
# arm swell up", "i break out in a rash from emla cream"): the screening registry's words for
# the numbing and for a reaction, so both readings share one vocabulary. Asking whether the
# cream causes a reaction is a side-effect question, not an allergy told.
_SCREENING_RULES = load_rules("screening")
_NUMBING_NAMED = _SCREENING_RULES.by_id("lidocaine.caution.numbing_named")
_A_REACTION = _SCREENING_RULES.by_id("lidocaine.yes.allergy_named")
_ASKS_IF_IT_CAUSES = _pattern("asks_if_it_causes")


def an_allergy_told(
    intent: str | None, entities: Sequence[Mapping], labels: set, text: str
) -> bool:
    lidocaine = any(e.get("value") == "lidocaine_allergy" for e in entities)
    lowered = text.lower()
    # Told as a habit or of another occasion, even the airway is an allergy told; else a
    # warning word, the airway or "now" keeps the alarm.
    history = _told_as_history(text)
    return bool(
        (lidocaine or _NUMBING_NAMED.search(lowered))
        and (_A_REACTION.search(lowered) or (history and _SEVERE_NOT_FAINTING.search(text)))
        and (history or not (labels & _WARNING_LABELS or _REACTION_NOW.search(text)))
        and not _AFTER_MY_TREATMENT.search(text)
        and not _ASKS_IF_IT_CAUSES.search(text)
        # read as an alarm and placed right after the numbing: a reaction happening, not told
        and not (intent in _SAFETY_INTENTS and _AFTER_NUMBING.search(text) and not history)
    )


def with_the_allergy(entities: Sequence[Mapping]) -> list[Mapping]:
    """The entities, with the lidocaine allergy among them (so it gets its own answer) and
    without concerns or warning signs: "I break out in a rash" tells of the reaction, not of
    acne, and "my lips swell up every time" of an allergy, not of a reaction happening now."""
    kept = [e for e in entities if e.get("entity") not in ("concern", *_WARNING_LABELS)]
    if any(e.get("value") == "lidocaine_allergy" for e in kept):
        return kept
    return [*kept, {"entity": "condition", "value": "lidocaine_allergy", "start": 0, "end": 0}]
