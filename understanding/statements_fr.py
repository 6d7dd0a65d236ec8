"""How a statement in French about one's skin is read, before it is answered: French rules of
their own (understanding/statements_fr.yml), since the English ones (statements.py) read English.
A sign of redness or swelling told with an everyday cause is no warning; the warning stays beside
the treatment, something worse or lasting, the airway, or a warning sign's own word."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from understanding.registry import patterns_of

_pattern = patterns_of("statements_fr")
_EVERYDAY_CAUSE = _pattern("everyday_cause")
_KEEPS_THE_WARNING = (_pattern("treatment_named"), _pattern("getting_worse"), _pattern("airway"))
_SIGNS = {"warning_sign", "emergency_sign"}
_ALARMS = {"report_warning_signs", "report_emergency"}


def reading_of_a_french_statement(
    intent: str | None, entities: Sequence[Mapping], text: str, trace: list[str]
) -> tuple[str | None, list[Mapping]]:
    """(intent, entities): None and no symptom for an alarm read from an everyday cause."""
    labels = {e.get("entity") for e in entities}
    if (
        intent in _ALARMS
        and not labels & _SIGNS
        and _EVERYDAY_CAUSE.search(text)
        and not any(guard.search(text) for guard in _KEEPS_THE_WARNING)
    ):
        trace.append("statement_fr.everyday_cause")
        return None, [e for e in entities if e.get("entity") != "symptom"]
    return intent, list(entities)
