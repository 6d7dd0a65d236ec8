"""Breath or throat words that tell of no airway closing: breathing through a blocked nose,
breath lost to laughing, a sore throat from shouting, breathing through the mouth at night or
breathing said to be fine. Each lowers an emergency reading only on its explicit words, and
never after a treatment or the numbing, nor beside a sign that the airway itself is closing
(understanding/statements.py asks first). Patterns: understanding/statements.yml.
"""

from __future__ import annotations

from understanding.registry import patterns_of

# The patterns, their reasons and their examples: understanding/statements.yml.
_pattern = patterns_of("statements")


_BLOCKED_NOSE = _pattern("blocked_nose")
_AIRWAY_BEYOND_THE_NOSE = _pattern("airway_beyond_the_nose")
_LAUGHING = _pattern("laughing")
_BREATH_NAMED = _pattern("breath_named")
_CALL_FOR_HELP = _pattern("call_for_help")
_SORE_THROAT = _pattern("sore_throat")
_BREATHING_HABIT = _pattern("breathing_habit")
_BREATHING_TROUBLE = _pattern("breathing_trouble")
_BREATHING_FINE = _pattern("breathing_fine")
_AIRWAY_CLOSING = _pattern("airway_closing")
_AFTER_MY_TREATMENT = _pattern("after_my_treatment")
_AFTER_NUMBING = _pattern("after_numbing")
_TREATMENT_WORDS = _pattern("treatment_words")
_TREATMENT_HAD = _pattern("treatment_had")


def airway_explained(text: str) -> str | None:
    """The id of the rule that explains the breath or throat words of `text` without an airway
    closing, or None."""
    if _AFTER_MY_TREATMENT.search(text) or _AFTER_NUMBING.search(text):
        return None
    if _BLOCKED_NOSE.search(text) and not _AIRWAY_BEYOND_THE_NOSE.search(text):
        return "statement.blocked_nose"
    fine = _BREATHING_FINE.search(text) and not _AIRWAY_BEYOND_THE_NOSE.search(text)
    if fine and not _TREATMENT_HAD.search(text):  # "breathing fine, just scared of needles"
        return "statement.breathing_fine"
    treated = _TREATMENT_WORDS.search(text) or _TREATMENT_HAD.search(text)
    if treated or _CALL_FOR_HELP.search(text):
        return None
    laughing = _LAUGHING.search(text) and _BREATH_NAMED.search(text)
    if laughing and not _AIRWAY_BEYOND_THE_NOSE.search(text):
        return "statement.laughing"
    if _SORE_THROAT.search(text) and not _AIRWAY_CLOSING.search(text):
        return "statement.sore_throat"
    if _BREATHING_HABIT.search(text) and not _BREATHING_TROUBLE.search(text):
        return "statement.breathing_habit"
    return None
