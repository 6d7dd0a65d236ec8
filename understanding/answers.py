"""Answering questions from the clinic's article.

One action answers every question intent, so the same rules apply everywhere:
- warning signs come first, and nothing else is said with them (never "that's normal");
- a specific subject gets its specific answer ("can I go to the gym after?" gets the gym line,
  not the whole aftercare list): the response `utter_<topic>_<entity id>` when the domain has it;
- a skin concern or condition the article does not list gets an honest "the article doesn't
  cover that" instead of a yes;
- a message holding several questions gets an answer to each (from the intent ranking).
Pure: the NLU pipeline's reader (nlp/reading.py) calls `select_responses` once per message and
stores the answers with the ids of the rules that decided them; the action only utters them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from understanding.statements import QUESTION_WORD, reading_of_a_statement
from understanding.wording import (
    NUMBING_WORDS,
    everyday_skincare,
    recovery_from_something_else,
    seen_as_a_result,
    speaks_of_before,
    topic_by_wording,
)

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
# condition decides from any topic but the treatment's effects (_EFFECTS_OF_THE_TREATMENT): "I
# reacted badly to lidocaine cream, is that a problem?" reads like a pain question, but whether
# the treatment suits the visitor comes first; "I look sunburnt the day after" tells of an
# effect, not a sunburn.
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

SAFETY = (
    ("emergency_sign", "report_emergency", "utter_emergency"),
    ("warning_sign", "report_warning_signs", "utter_warning_signs"),
)

MAX_ANSWERS = 3
# A second question in one message can rank low, at a few per cent. The wording check
# (several_questions) is what guards against answering a question nobody asked.
SECOND_QUESTION_MIN_CONFIDENCE = 0.01
_BEFORE_AND_AFTER = re.compile(r"\b(before|b4)\b.*\bafter|\bafter\b.*\b(before|b4)\b", re.I)

# The contraindications of the article, as the vocabulary names its conditions.
_CONTRAINDICATION_NAMED = {"pregnancy", "inflamed_skin", "sunburn", "lidocaine_allergy"}
# Used only when the classifier is unsure: a message naming a topic word gets that topic.
TOPIC_CUES = {
    "pain": "ask_pain",
    "sessions": "ask_sessions",
    "downtime": "ask_downtime",
    "price": "ask_price",
    "duration": "ask_duration",
    "safety": "ask_side_effects",  # its answer says how to be safe: choose the doctor wisely
    "side_effects": "ask_side_effects",
    "results": "ask_results",
    "prep": "ask_prep",
}
_SEVERAL_QUESTIONS = re.compile(
    rf"(\b(and|also|plus|or|n|an)|&|\+)\s+(also\s+)?{QUESTION_WORD}\b|\?\s*\S.*\?|"
    rf"\?\s*((and|n|an|also|plus)\s+)?{QUESTION_WORD}\b|"
    # "is it safe, does it hurt, and how long": questions listed with commas
    rf"^\W*{QUESTION_WORD}\b[^,?]+,\s*{QUESTION_WORD}\b|"
    r"(^|\s)\d[).]\s+\S.*\s\d[).]\s+\S"  # a numbered list: "1) how long 2) how many times"
)


_CLAUSE_BOUNDARY = re.compile(
    rf"\?+\s*|\s*[,;]?\s+(?:and|also|plus|&|\+|or|n|an)\s+(?:also\s+)?(?={QUESTION_WORD}\b)|"
    rf"\s*,\s*(?={QUESTION_WORD}\b)|"
    r"(?:^|\s+)\d[).]\s+",
    re.I,
)
# "n" and "an" are texting's "and" ("side effects? n can i go to the gym after").
_LEADING_CONJUNCTION = re.compile(r"^(?:and|also|plus|or|n|an|&|\+)\s+", re.I)


# When unsure, topics at least this likely are offered as buttons, the likeliest first.
CHOICE_MIN_CONFIDENCE = 0.1
MAX_CHOICES = 3
TOPIC_NAMES: dict[str, dict[str, str]] = yaml.safe_load(
    (Path(__file__).parent / "topics.yml").read_text(encoding="utf-8")
)


def likeliest_topics(ranking: Sequence[Mapping]) -> list[str]:
    """The question topics of the classifier's ranking likely enough to offer, likeliest first."""
    ranked = sorted(ranking, key=lambda r: -float(r.get("confidence") or 0))
    return [
        str(r.get("name"))
        for r in ranked
        if r.get("name") in TOPICS and float(r.get("confidence") or 0) >= CHOICE_MIN_CONFIDENCE
    ][:MAX_CHOICES]


def topic_buttons(topics: Sequence[str]) -> list[dict[str, str]]:
    buttons = [{"title": TOPIC_NAMES[t]["visitor"], "payload": f"/{t}"} for t in topics]
    return [*buttons, {"title": "Something else", "payload": "/deny"}]


@dataclass
class Answer:
    response: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Trace:
    """How one message was read: the topic answered and the ids of the rules that decided."""

    intent: str | None = None
    rules: list[str] = field(default_factory=list)


def several_questions(text: str) -> bool:
    """True for "does it hurt and how long does it take" or "price? hours?"."""
    return bool(_SEVERAL_QUESTIONS.search((text or "").lower()))


# A follow-up that asks how likely or how bad the clause before it is ("infection?? how
# likely", "scarring? how common"): no question of its own, it stays with that clause.
_FOLLOW_UP = re.compile(
    r"^(how|is it|is that|that)\s+(likely|common|often|rare|serious|bad|risky|dangerous|so|come)$",
    re.I,
)


def split_questions(text: str) -> list[str]:
    """The questions of one message: "does it hurt and how long does it take?" -> two."""
    clauses = [
        _LEADING_CONJUNCTION.sub("", c.strip(" ,;.!")) for c in _CLAUSE_BOUNDARY.split(text or "")
    ]
    questions: list[str] = []
    for clause in clauses:
        if len(clause) < 3:
            continue
        if questions and _FOLLOW_UP.match(clause):
            questions[-1] = f"{questions[-1]}? {clause}"
        else:
            questions.append(clause)
    return questions


# A product or activity that is no subject of aftercare: a cause ("dark patches from years of
# sun"), a comparison ("warm like after a workout"), an idiom ("up and running", "in the long
# run") or the clinic's numbing cream.
_NOT_A_SUBJECT = re.compile(
    r"(\b(from|because of|due to|caused by|like|as if)\s+(\w+\s+){0,3}|\bup and\s+|"
    r"\b(the|a) long\s+|\b(years|decades|lots|a lot|too much|all that) of\s+|"
    # the numbing cream the clinic puts on: "after they put the cream on"
    rf"({NUMBING_WORDS})\s+)$",
    re.I,
)


def _a_subject(entity: Mapping, text: str) -> bool:
    """Whether the entity is what the message asks about, not a cause, comparison or idiom."""
    return not _NOT_A_SUBJECT.search(text[: entity.get("start", 0)])


# "Is it like a tattoo gun?": what the procedure is, likened to something, not asked of it.
_LIKENED = re.compile(r"\b(like|similar to|same as|compared to)\s+(a|an|the|getting a)?\s*$", re.I)


# "10 days after my session": a session named as a point in time, no question about sessions.
_POINT_IN_TIME = re.compile(
    r"\b(after|since|before|b4|from|post)\s+(my|the|a|your|each|every|that|this|last)?\s*$", re.I
)


def _label_prefix(label: str, text: str) -> str | None:
    if label in ("product", "activity"):
        return "utter_prep" if speaks_of_before(text) else "utter_aftercare"
    return LABEL_PREFIX.get(label)


def _subject_answers(
    intent: str | None,
    entities: Sequence[Mapping],
    text: str,
    available: Iterable[str],
    trace: list[str],
) -> list[Answer]:
    available = set(available)
    prefix = TOPICS[intent][1] if intent in TOPICS else None
    open_topic = intent not in TOPICS or intent in OPEN_TOPICS
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
        if label in ("product", "activity") and not _a_subject(entity, text):
            continue
        if intent == "ask_what_is" and _LIKENED.search(text[: entity.get("start", 0)]):
            trace.append("answers.likened_not_asked")  # "is it like a tattoo gun?"
            continue
        strong = label in STRONG_LABELS
        crosses = (
            (open_topic and strong)
            or (label == "condition" and intent not in _EFFECTS_OF_THE_TREATMENT)
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


def select_responses(
    intent: str | None,
    ranking: Sequence[Mapping],
    entities: Sequence[Mapping],
    text: str,
    available: Iterable[str],
    trace: Trace | None = None,
) -> list[Answer]:
    """The responses that answer one visitor message, in order. `trace` receives the topic
    that was answered and the ids of the rules that decided (understanding/routing.yml)."""
    trace = trace if trace is not None else Trace()
    rules = trace.rules
    available = set(available)
    intent, entities = reading_of_a_statement(intent, entities, text, TOPICS, rules)
    labels = {entity.get("entity") for entity in entities}
    subjects = {e.get("entity") for e in entities if _a_subject(e, text or "")}
    intent = topic_by_wording(intent, text or "", subjects, rules)
    trace.intent = intent
    if recovery_from_something_else(intent, labels, text or ""):
        rules.append("wording.recovery_from_something_else")
        trace.intent = "out_of_scope"
        return [Answer("utter_out_of_scope")]
    if everyday_skincare(intent, text or "") and not labels & {"warning_sign", "emergency_sign"}:
        rules.append("wording.everyday_skincare")
        trace.intent = "out_of_scope"
        return [Answer("utter_out_of_scope")]
    for label, safety_intent, response in SAFETY:
        if label in labels or intent == safety_intent:
            rules.append(f"safety.{label}" if label in labels else f"safety.{safety_intent}")
            trace.intent = safety_intent
            return [Answer(response)]

    intents: list[str] = [intent] if intent in TOPICS else []
    if intent in ("ask_prep", "ask_aftercare") and _BEFORE_AND_AFTER.search(text or ""):
        intents = ["ask_prep", "ask_aftercare"]  # "what should I avoid before and after?"
        rules.append("answers.before_and_after")
    if several_questions(text):
        for candidate in ranking:
            name = candidate.get("name")
            if len(intents) >= 2:
                break
            if (
                name in TOPICS
                and name not in intents
                and candidate.get("confidence", 0) >= SECOND_QUESTION_MIN_CONFIDENCE
            ):
                intents.append(name)
                rules.append("answers.second_question")
    elif intent == "nlu_fallback" and _CONTRAINDICATION_NAMED & {
        str(e.get("value")) for e in entities if e.get("entity") == "condition"
    }:
        # Unsure what is asked, but a contraindication is named ("history of contact dermatitis
        # to lignocaine, relevant?"): caution first, its answer.
        intents = ["ask_contraindications"]
        rules.append("answers.contraindication_named")
        trace.intent = intents[0]
    elif intent == "nlu_fallback":
        # An unsure guess is not an answer, but a message naming a topic ("agony") is.
        intents = [
            TOPIC_CUES[str(e.get("value"))]
            for e in entities
            if e.get("entity") == "topic"
            and str(e.get("value")) in TOPIC_CUES
            and not _POINT_IN_TIME.search((text or "")[: e.get("start", 0)])
        ][:2]
        if intents:
            rules.append("answers.topic_cue")
            trace.intent = intents[0]
        else:
            choices = likeliest_topics(ranking)
            if choices and "utter_fallback_choose" in available:
                # Two-stage fallback: the likeliest topics, in the visitor's words, to tap.
                rules.append("answers.offer_likeliest_topics")
                return [Answer("utter_fallback_choose", {"buttons": topic_buttons(choices)})]

    answers: list[Answer] = []
    candidates: list[str | None] = list(intents) or [None]
    for name in candidates:
        specific = _subject_answers(name, entities, text, available, rules)
        if specific and name == "ask_results" and seen_as_a_result(text):
            # "how long till my scars look better": when results show, then the concern's answer
            answers.append(Answer(TOPICS[name][0]))
            rules.append("answers.results_of_the_subject")
        if specific:
            answers.extend(specific)
        elif name is not None:
            answers.append(Answer(TOPICS[name][0]))
    choices = likeliest_topics(ranking) if intent != "out_of_scope" else []
    if not answers and choices and "utter_fallback_choose" in available:
        # Nothing to answer, but some topics are likely: offer them to tap.
        rules.append("answers.offer_likeliest_topics")
        return [Answer("utter_fallback_choose", {"buttons": topic_buttons(choices)})]
    if not answers:
        answers.append(
            Answer("utter_out_of_scope" if intent == "out_of_scope" else "utter_fallback")
        )

    return combine([answers])[:MAX_ANSWERS]


def combine(per_question: Sequence[list[Answer]]) -> list[Answer]:
    """Answers to several questions, in order, each response once."""
    unique: list[Answer] = []
    for answers in per_question:
        for answer in answers:
            if answer.response not in {a.response for a in unique}:
                unique.append(answer)
    return unique[: MAX_ANSWERS + 1]
