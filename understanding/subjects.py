"""Subjects named in a question: what each decides of the answer.

"Can I go to the gym after?" gets the gym line, not the whole aftercare list: the response
`utter_<topic>_<entity id>` when the domain has it. A concern or condition decides even when
the classifier's topic is a near miss; one the article does not list gets an honest "the
article doesn't cover that". understanding/answers.py reads the message and calls
`subject_answers` for each topic it answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from understanding.registry import patterns_of
from understanding.wording import placed_after, speaks_of_before


@dataclass
class Answer:
    response: str
    kwargs: dict[str, Any] = field(default_factory=dict)


# Question intent -> (general response, prefix of subject-specific responses).
TOPICS: dict[str, tuple] = {
    "ask_what_is": ("utter_what_is", "utter_what_is"),
    "ask_pain": ("utter_pain", "utter_pain"),
    "ask_duration": ("utter_duration", "utter_duration"),
    "ask_sessions": ("utter_sessions", "utter_sessions"),
    "ask_maintenance": ("utter_maintenance", "utter_maintenance"),
    "ask_treats": ("utter_treats", "utter_treats"),
    "ask_contraindications": ("utter_contraindications", "utter_contra"),
    "ask_downtime": ("utter_downtime", "utter_downtime"),
    "ask_after_effects": ("utter_after_effects", "utter_side"),
    "ask_compare": ("utter_compare", "utter_compare"),
    "ask_prep": ("utter_prep", "utter_prep"),
    "ask_results": ("utter_results", "utter_results"),
    "ask_side_effects": ("utter_side_effects", "utter_side"),
    "ask_aftercare": ("utter_aftercare", "utter_aftercare"),
    "ask_clinic": ("utter_clinic", "utter_clinic"),
    "ask_price": ("utter_price", "utter_price"),
    "ask_opening_hours": ("utter_opening_hours", "utter_opening_hours"),
    "ask_contact_details": ("utter_contact_details", "utter_contact_details"),
    "ask_insurance": ("utter_insurance", "utter_insurance"),
    "ask_other_treatments": ("utter_other_treatments", "utter_other_treatments"),
    "ask_medical_advice": ("utter_medical_advice", "utter_medical_advice"),
}

# Where a subject belongs when the question's own topic has nothing specific on it.
LABEL_PREFIX = {
    "concern": "utter_treats",
    "condition": "utter_contra",
    "symptom": "utter_side",
    "product": "utter_aftercare",
    "activity": "utter_aftercare",
    "treatment": "utter_compare",
    "detail": "utter_what_is",
}
# What the article does not list gets this answer rather than silence or a guess.
NOT_LISTED = {"concern": "utter_treats_not_listed", "condition": "utter_contra_not_listed"}
# Concerns and conditions decide the answer even when the intent is a near miss: "can pregnant
# women get microneedling" must be about pregnancy whichever topic the classifier picked. A
# condition decides from any topic, and from one of the treatment's effects
# (_EFFECTS_OF_THE_TREATMENT) unless placed after the treatment: "I reacted badly to lidocaine
# cream, is that a problem?" reads like a pain question, but whether the treatment suits the
# visitor comes first; "back from cancun and im burnt, bad idea?" reads as downtime but tells of
# a sunburn; "I look sunburnt the day after" tells of an effect.
# Laser and peels likewise: "same results as a peel?" is a comparison. Symptoms only refine
# their own topic ("clean and dry" in a preparation question is not a side-effect question);
# products and activities answer open questions too, as preparation when the message speaks of
# "before", as aftercare otherwise.
STRONG_LABELS = ("concern", "condition", "treatment", "detail")
_EFFECTS_OF_THE_TREATMENT = {
    "ask_side_effects",
    "ask_after_effects",
    "ask_downtime",
    "ask_aftercare",
}
# Topics general enough to hand over to a strong subject.
OPEN_TOPICS = {
    "ask_what_is",
    "ask_treats",
    "ask_contraindications",
    "ask_results",
    "ask_medical_advice",
}

# Questions where a product or activity decides the answer: "can I wear makeup the same day?"
# reads like a downtime question but is about makeup; "do I need sunscreen", read as
# preparation, asks of sunscreen, which the article advises after the treatment (with no
# "before" in the message, and none of the article's preparation naming it).
WEAK_SUBJECT_TOPICS = OPEN_TOPICS | {"ask_downtime", "ask_after_effects", "ask_prep"}

_wording = patterns_of("wording")
# A product or activity that is no subject of aftercare: a cause, a comparison, an idiom or the
# clinic's numbing cream, told before it; or a likeness ("a workout for your skin"), after it.
_NOT_A_SUBJECT = _wording("not_a_subject")
_A_LIKENESS_AFTER = _wording("likeness_after")
# "Used to needles from getting tattoos": a concern's word told as an experience.
_AN_EXPERIENCE = _wording("an_experience")
# "Is it like a tattoo gun?": what the procedure is, likened to something, not asked of it.
_LIKENED = _wording("likened")


def a_subject(entity: Mapping, text: str) -> bool:
    """Whether the entity is what the message asks about, not a cause, comparison or idiom. A
    condition always is: "back from cancun and im burnt" keeps its caution."""
    if entity.get("entity") == "condition":
        return True
    return not (
        _NOT_A_SUBJECT.search(text[: entity.get("start", 0)])
        or _A_LIKENESS_AFTER.search(text[entity.get("end", 0) :])
    )


_statement = patterns_of("statements")
_EVERYDAY_AFTER = _statement("everyday_after")
_AFTER_MY_TREATMENT = _statement("after_my_treatment")


def condition_after_the_treatment(text: str) -> bool:
    """Whether the message places a condition after the treatment. Read so, the condition loses
    its caution, so "after" must be after the treatment: "sunburnt after our beach holiday" is
    after something else and keeps it."""
    everyday = _EVERYDAY_AFTER.search(text) and not _AFTER_MY_TREATMENT.search(text)
    return placed_after(text) and not everyday


def _label_prefix(label: str, text: str) -> str | None:
    if label in ("product", "activity"):
        return "utter_prep" if speaks_of_before(text) else "utter_aftercare"
    return LABEL_PREFIX.get(label)


def subject_answers(
    intent: str | None,
    entities: Sequence[Mapping],
    text: str,
    available: Iterable[str],
    trace: list[str],
) -> list[Answer]:
    available = set(available)
    prefix = TOPICS[intent][1] if intent in TOPICS else None
    open_topic = intent not in TOPICS or intent in OPEN_TOPICS
    # a condition told under a topic of the treatment's effects is one only when placed after it
    after = condition_after_the_treatment(text)
    answers: list[Answer] = []
    for entity in entities:
        label, value = entity.get("entity"), str(entity.get("value"))
        if label not in LABEL_PREFIX:
            continue  # topic cues and safety signs are handled in select_responses
        own = f"{prefix}_{value}" if prefix else None
        if own in available:
            answers.append(Answer(own))
            trace.append(f"answers.subject_of_the_topic.{label}")
            continue
        if label in ("product", "activity") and not a_subject(entity, text):
            continue
        if intent == "ask_what_is" and _LIKENED.search(text[: entity.get("start", 0)]):
            trace.append("answers.likened_not_asked")  # "is it like a tattoo gun?"
            continue
        if label == "concern" and _AN_EXPERIENCE.search(text[: entity.get("start", 0)]):
            continue  # "used to needles from getting tattoos": a cause, not a concern asked of
        strong = label in STRONG_LABELS
        crosses = (
            (open_topic and strong)
            or (label == "condition" and not (intent in _EFFECTS_OF_THE_TREATMENT and after))
            or intent not in (*TOPICS, "out_of_scope")
            or (label in ("product", "activity") and intent in WEAK_SUBJECT_TOPICS)
        )
        if not crosses:
            continue
        default = f"{_label_prefix(label, text)}_{value}"
        if default in available:
            answers.append(Answer(default))
            trace.append(f"answers.subject_decides.{label}")
        elif label in NOT_LISTED and NOT_LISTED[label] in available:
            subject = text[entity.get("start", 0) : entity.get("end", 0)] or value
            answers.append(Answer(NOT_LISTED[label], {"subject": subject.strip()}))
            trace.append(f"answers.not_listed.{label}")
    return answers


def concerns_treated(
    entities: Sequence[Mapping], available: set[str], trace: list[str]
) -> list[Answer]:
    """ "How many sessions for acne scars?": whether the article lists the concern, after the
    number of sessions."""
    found = [
        Answer(f"utter_treats_{e.get('value')}")
        for e in entities
        if e.get("entity") == "concern" and f"utter_treats_{e.get('value')}" in available
    ]
    if found:
        trace.append("answers.sessions_for_a_concern")
    return found[:1]
