"""Answering questions from the clinic's article.

One action answers every question intent, so the same rules apply everywhere:
- warning signs come first, and nothing else is said with them (never "that's normal");
- a specific subject gets its specific answer, and one the article does not list an honest
  "the article doesn't cover that" (understanding/subjects.py);
- a message holding several questions gets an answer to each (from the intent ranking).
Pure: the NLU pipeline's reader (nlp/reading.py) calls `select_responses` once per message and
stores the answers with the ids of the rules that decided them; the action only utters them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from understanding.registry import patterns_of
from understanding.statements import reading_of_a_statement
from understanding.statements_fr import reading_of_a_french_statement
from understanding.subjects import (
    TOPICS,
    Answer,
    a_subject,
    concerns_treated,
    subject_answers,
)
from understanding.wording import (
    booking_wished,
    everyday_skincare,
    recovery_from_something_else,
    results_after_one,
    seen_as_a_result,
    sensation_likened,
    topic_by_wording,
)
from understanding.wording_fr import french_topic_by_wording

SAFETY = (
    ("emergency_sign", "report_emergency", "utter_emergency"),
    ("warning_sign", "report_warning_signs", "utter_warning_signs"),
)

MAX_ANSWERS = 3
# Answers that end with an offer of a consultation already.
OFFERING = {
    "utter_medical_advice",
    "utter_treats_not_listed",
    "utter_contra_not_listed",
    "utter_offer_consultation",
}
# A second question in one message can rank low, at a few per cent. The wording check
# (several_questions) is what guards against answering a question nobody asked.
SECOND_QUESTION_MIN_CONFIDENCE = 0.01
_wording = patterns_of("wording")
_BEFORE_AND_AFTER = _wording("before_and_after")
_SEVERAL_QUESTIONS = _wording("several_questions")
_CLAUSE_BOUNDARY = _wording("clause_boundary")
_LEADING_CONJUNCTION = _wording("leading_conjunction")
# A follow-up that asks how likely or how bad the clause before it is ("infection?? how
# likely"): no question of its own, it stays with that clause.
_FOLLOW_UP = _wording("follow_up")
# "10 days after my session": a session named as a point in time, no question about sessions.
_POINT_IN_TIME = _wording("point_in_time")

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
    "maintenance": "ask_maintenance",
    "prep": "ask_prep",
}
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


SOMETHING_ELSE = {"en": "Something else", "fr": "Autre chose"}


def topic_buttons(topics: Sequence[str], language: str = "en") -> list[dict[str, str]]:
    """The buttons that offer `topics` (an answer's "topics"), named in the reply's language:
    the reading holds which topics, the conversation's language slot how they are worded."""
    key = "visitor_fr" if language == "fr" else "visitor"
    buttons = [{"title": TOPIC_NAMES[t][key], "payload": f"/{t}"} for t in topics]
    return [
        *buttons,
        {"title": SOMETHING_ELSE.get(language, SOMETHING_ELSE["en"]), "payload": "/deny"},
    ]


@dataclass
class Trace:
    """How one message was read: the topic answered and the ids of the rules that decided."""

    intent: str | None = None
    rules: list[str] = field(default_factory=list)


def several_questions(text: str) -> bool:
    """True for "does it hurt and how long does it take" or "price? hours?"."""
    return bool(_SEVERAL_QUESTIONS.search((text or "").lower()))


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


# Readings that answer no question of their own when a topic is named beside them.
_VAGUE_READINGS = ("ask_medical_advice", "ask_what_is")


def _topic_cues(entities: Sequence[Mapping], text: str | None) -> list[str]:
    """The topics named ("agony", "downsides"), at most two, not as a point in time."""
    return [
        TOPIC_CUES[str(e.get("value"))]
        for e in entities
        if e.get("entity") == "topic"
        and str(e.get("value")) in TOPIC_CUES
        and not _POINT_IN_TIME.search((text or "")[: e.get("start", 0)])
    ][:2]


def _off_topic(intent: str | None, labels: set, text: str) -> str | None:
    """The id of the rule that reads the message as none of the article's topics, if one does."""
    if recovery_from_something_else(intent, labels, text):
        return "wording.recovery_from_something_else"
    if everyday_skincare(intent, text) and not labels & {"warning_sign", "emergency_sign"}:
        return "wording.everyday_skincare"
    return None


def select_responses(
    intent: str | None,
    ranking: Sequence[Mapping],
    entities: Sequence[Mapping],
    text: str,
    available: Iterable[str],
    trace: Trace | None = None,
    language: str = "en",
) -> list[Answer]:
    """The responses that answer one visitor message, in order. `trace` receives the topic
    that was answered and the ids of the rules that decided (understanding/routing.yml).
    The rules that read wording are English: a message in French is read from the classifier,
    the vocabulary's entities and French rules of its own (understanding/statements_fr.py), so no
    English rule can lower its caution."""
    trace = trace if trace is not None else Trace()
    rules = trace.rules
    available = set(available)
    classified = intent
    english = language == "en"
    if english:
        intent, entities = reading_of_a_statement(intent, entities, text, TOPICS, rules)
    else:
        intent, entities = reading_of_a_french_statement(intent, entities, text or "", rules)
    labels = {entity.get("entity") for entity in entities}
    subjects = {e.get("entity") for e in entities if a_subject(e, text or "")}
    if english:
        intent = topic_by_wording(intent, text or "", subjects, rules)
    else:
        intent = french_topic_by_wording(intent, text or "", subjects, rules)
    trace.intent = intent
    off_topic = english and _off_topic(intent, labels, text or "")
    if off_topic:
        rules.append(off_topic)
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
    elif intent in _VAGUE_READINGS and classified == intent and _topic_cues(entities, text):
        # "She's scared it'll hurt, what should I tell her?": a topic named is what is asked;
        # what it is, read beside one ("cons of microneedling?"), is answered too. Only the
        # classifier's own reading: advice a statement rule chose for a symptom stays advice.
        kept = [intent] if intent == "ask_what_is" else []
        intents = (kept + _topic_cues(entities, text))[:2]
        rules.append("answers.topic_cue_over_a_vague_reading")
    elif intent == "ask_sessions" and results_after_one(text or ""):
        intents = ["ask_results", "ask_sessions"]  # "results after 1 session?"
        rules.append("answers.results_after_one_session")
    elif intent == "nlu_fallback":
        # An unsure guess is not an answer, but a message naming a topic ("agony") is.
        intents = _topic_cues(entities, text)
        if intents:
            rules.append("answers.topic_cue")
            trace.intent = intents[0]
        else:
            choices = likeliest_topics(ranking)
            if choices and "utter_fallback_choose" in available:
                # Two-stage fallback: the likeliest topics, in the visitor's words, to tap.
                rules.append("answers.offer_likeliest_topics")
                return [Answer("utter_fallback_choose", {"topics": choices})]

    answers: list[Answer] = []
    candidates: list[str | None] = list(intents) or [None]
    for name in candidates:
        specific = subject_answers(name, entities, text, available, rules)
        if specific and name == "ask_results" and seen_as_a_result(text):
            # "how long till my scars look better": when results show, then the concern's answer
            answers.append(Answer(TOPICS[name][0]))
            rules.append("answers.results_of_the_subject")
        if specific:
            answers.extend(specific)
            cautions = all(a.response.startswith("utter_contra") for a in specific)
            if cautions and name in TOPICS and name in _topic_cues(entities, text):
                # "would 2 sessions be enough, after my pregnancy": the caution, then the
                # question its topic word asks
                answers.append(Answer(TOPICS[name][0]))
                rules.append("answers.question_beside_a_condition")
        elif name is not None:
            answers.append(Answer(TOPICS[name][0]))
            if name == "ask_sessions":
                answers.extend(concerns_treated(entities, available, rules))
    choices = likeliest_topics(ranking) if intent != "out_of_scope" else []
    if not answers and choices and "utter_fallback_choose" in available:
        # Nothing to answer, but some topics are likely: offer them to tap.
        rules.append("answers.offer_likeliest_topics")
        return [Answer("utter_fallback_choose", {"topics": choices})]
    if not answers:
        answers.append(
            Answer("utter_out_of_scope" if intent == "out_of_scope" else "utter_fallback")
        )

    if sensation_likened(text or "") and all(a.response != "utter_pain" for a in answers):
        # what it feels like comes first; what the likeness names ("a sunburn") after it
        rules.append("answers.sensation_likened")
        answers.insert(0, Answer("utter_pain"))
    answers = combine([answers])[:MAX_ANSWERS]
    wished = booking_wished(text or "") and intents and "utter_offer_consultation" in available
    if wished and not any(a.response in OFFERING for a in answers):
        rules.append("answers.booking_offered")
        answers.append(Answer("utter_offer_consultation"))
    return answers


def combine(per_question: Sequence[list[Answer]]) -> list[Answer]:
    """Answers to several questions, in order, each response once."""
    unique: list[Answer] = []
    for answers in per_question:
        for answer in answers:
            if answer.response not in {a.response for a in unique}:
                unique.append(answer)
    return unique[: MAX_ANSWERS + 1]
