"""How the wording of a question in French moves the classifier's near topic to the right one:
French rules of their own (understanding/wording_fr.yml), since the English ones (wording.py)
read English. A question read as preparation that names only a time after the treatment ("le
maquillage est-il permis le jour même?") asks about aftercare."""

from __future__ import annotations

from understanding.registry import patterns_of

_pattern = patterns_of("wording_fr")
_PLACED_AFTER = _pattern("placed_after")
_PLACED_BEFORE = _pattern("placed_before")


def french_topic_by_wording(intent: str | None, text: str, trace: list[str]) -> str | None:
    """The topic a French question's wording asks, or the classifier's unchanged."""
    if intent == "ask_prep" and _PLACED_AFTER.search(text) and not _PLACED_BEFORE.search(text):
        trace.append("wording_fr.placed_after")
        return "ask_aftercare"
    return intent
