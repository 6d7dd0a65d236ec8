"""How the wording of a question in French moves the classifier's near topic to the right one:
French rules of their own (understanding/wording_fr.yml), since the English ones (wording.py)
read English. A count of appointments read as booking asks how many sessions; what prevents the
treatment, read as what it is or unsure, asks who should not have it; another treatment compared
or chosen over, read as what it is or as who should not have it, asks how it compares; safety
asked by its adjective, unsure or read as what it treats, asks about side effects; a part of the
day asked of, unsure, asks how long it lasts; when an effect shows, read as what it treats, asks
about results; looking or living as before ("avant que je sois présentable"), read as results,
aftercare or after-effects, asks about downtime. A question read as preparation that names only
a time after the treatment ("le maquillage est-il permis le jour même?") asks about aftercare;
one read as what it is, or as the clinic's other treatments or side effects with a concern
named, that asks with a verb of treating ("traiter", "enlever", "régler"), or asks what it
treats as such ("vous traitez quoi"), asks what it treats; an effect asked of as what the
treatment will do ("je vais avoir la peau sèche après?") asks about side effects; an unsure
reading that names a product, an activity or an effect is answered by that subject's own answer."""

from __future__ import annotations

from understanding.registry import patterns_of

_pattern = patterns_of("wording_fr")
# The breath, the throat, the tongue or the lips named: an unsure reading stays unsure.
_AIRWAY = patterns_of("statements_fr")("airway")
_PLACED_AFTER = _pattern("placed_after")
_PLACED_BEFORE = _pattern("placed_before")
_TREATS_ASKED = _pattern("treats_asked")
_EFFECT_ASKED = _pattern("effect_asked")
_WHAT_IT_TREATS = _pattern("what_it_treats")
# (the classifier's reading, the rule whose words move it, the topic they move it to, the
# subjects that, named, keep the reading: "c'est risqué pour mon acné?" asks of the acne)
_MOVES: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("book_consultation", "wording_fr.visits_counted", "ask_sessions", frozenset()),
    ("nlu_fallback", "wording_fr.safety_asked", "ask_side_effects", frozenset()),
    ("ask_treats", "wording_fr.safety_asked", "ask_side_effects", frozenset({"concern"})),
    ("ask_aftercare", "wording_fr.staying_home", "ask_downtime", frozenset()),
    ("ask_results", "wording_fr.back_to_normal", "ask_downtime", frozenset()),
    ("ask_aftercare", "wording_fr.back_to_normal", "ask_downtime", frozenset()),
    ("ask_after_effects", "wording_fr.back_to_normal", "ask_downtime", frozenset()),
    ("ask_what_is", "wording_fr.compared", "ask_compare", frozenset()),
    ("ask_contraindications", "wording_fr.compared", "ask_compare", frozenset({"condition"})),
    ("ask_what_is", "wording_fr.prevented_asked", "ask_contraindications", frozenset()),
    ("nlu_fallback", "wording_fr.prevented_asked", "ask_contraindications", frozenset()),
    ("nlu_fallback", "wording_fr.length_asked", "ask_duration", frozenset()),
    ("ask_treats", "wording_fr.when_it_shows", "ask_results", frozenset()),
)
_MOVE_PATTERNS = {rule_id: _pattern(rule_id.split(".", 1)[1]) for _, rule_id, _, _ in _MOVES}
# Near topics the classifier reads for an effect asked of: "je vais avoir la peau sèche après?"
_NEAR_EFFECTS = {
    "ask_aftercare",
    "ask_pain",
    "ask_prep",
    "ask_treats",
    "ask_downtime",
    "ask_results",
}
# Readings near "does it treat X" when X is named with a verb of treating.
_NEAR_TREATS = {"ask_other_treatments", "ask_side_effects"}
# Subjects whose own answer fits when the classifier is unsure what is asked of them.
_ANSWERED_BY_THEMSELVES = {"product", "activity", "symptom"}


def french_topic_by_wording(
    intent: str | None, text: str, subjects: set, trace: list[str]
) -> str | None:
    """The topic a French question's wording asks, or the classifier's unchanged; None when
    the subject named answers it ("mes pinceaux de make-up, y a quelque chose à savoir?")."""
    if intent == "ask_prep" and _PLACED_AFTER.search(text) and not _PLACED_BEFORE.search(text):
        trace.append("wording_fr.placed_after")
        return "ask_aftercare"
    for reading, rule_id, topic, kept_by in _MOVES:
        if intent == reading and not subjects & kept_by and _MOVE_PATTERNS[rule_id].search(text):
            trace.append(rule_id)
            return topic
    # "vous traitez la rosacée?", "ça règle la transpiration?" ask whether it is treated, not
    # what else the clinic offers nor what harm it does
    concern_treated = intent in _NEAR_TREATS and (
        "concern" in subjects or bool(_WHAT_IT_TREATS.search(text))
    )
    if (intent == "ask_what_is" or concern_treated) and _TREATS_ASKED.search(text):
        trace.append("wording_fr.treats_asked")
        return "ask_treats"
    if (
        intent in _NEAR_EFFECTS
        and "symptom" in subjects
        and not subjects & {"product", "activity"}
        and _EFFECT_ASKED.search(text)
    ):
        trace.append("wording_fr.effect_asked")
        return "ask_side_effects"
    if intent == "nlu_fallback" and subjects & _ANSWERED_BY_THEMSELVES and not _AIRWAY.search(text):
        # the French classifier, trained on fewer examples, is unsure more often: a product, an
        # activity or an effect named has an answer of its own, better than a "did you mean"
        trace.append("wording_fr.subject_when_unsure")
        return None
    return intent
