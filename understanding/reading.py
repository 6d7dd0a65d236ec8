"""One reading per message, made once in the NLU pipeline (nlp/reading.py) and kept in the
message's parse data, so the tracker holds what was answered and why:

    {"intent": the topic answered, "classifier_intent": the classifier's,
     "answers": [{"response": ..., "kwargs": {...}}], "safety": "emergency" | "warning" | "none",
     "questions": [the clauses of a message asking several things],
     "screening": {slot: {"answer", "step", "rules"}}, "consent": {"answer", "step", "rules"},
     "rules": [ids of the rules that decided the answers]}

The actions answer from it and read nothing again; the staff console shows it under each message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from understanding.answers import (
    Trace,
    select_responses,
    several_questions,
    split_questions,
)
from understanding.consent import read_consent
from understanding.screening import read_all
from understanding.wording import split_by_topics

READING_KEY = "reading"
_SAFETY = {"utter_emergency": "emergency", "utter_warning_signs": "warning"}


def _told_a_contraindication(answers: Sequence[Any]) -> bool:
    return any(a.response.startswith("utter_contra") for a in answers)


def read_message(
    intent: str | None,
    ranking: Sequence[Mapping],
    entities: Sequence[Mapping],
    text: str,
    responses: Iterable[str],
    by_meaning: Mapping[str, str] | None = None,
    language: str = "en",
) -> dict[str, Any]:
    """The reading of one visitor message (see the module's docstring): `language` is the one
    its words are in. What the answers say is decided here, the language they are worded in by
    the conversation's language slot."""
    trace = Trace()
    answers = select_responses(intent, ranking, entities, text, responses, trace, language)
    # Caution first: a contraindication told beside a question is answered before the question.
    answers = sorted(answers, key=lambda a: not _told_a_contraindication([a]))
    safety = _SAFETY.get(answers[0].response, "none") if answers else "none"
    screening = read_all(text, intent, dict(by_meaning or {}))
    questions = split_questions(text) if several_questions(text) else []
    if not questions and not _told_a_contraindication(answers):
        # "price and sessions?"; never a statement of a contraindication ("numbing creams make
        # my skin itchy and red"), whose answer is the contraindication, whole.
        questions = split_by_topics(text, entities)
    return {
        "intent": trace.intent,
        "classifier_intent": intent,
        "answers": [{"response": a.response, "kwargs": a.kwargs} for a in answers],
        "safety": safety,
        "questions": questions if len(questions) >= 2 and safety == "none" else [],
        "screening": {slot: answer.as_dict() for slot, answer in screening.items()},
        "consent": read_consent(text).as_dict(),
        "rules": list(dict.fromkeys(trace.rules)),
    }
