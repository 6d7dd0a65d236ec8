"""Answer accuracy by tag, judged exactly as eval/answer_accuracy.py judges (its own `judge`):
every `expect` regex must match and no `forbid` regex may, over all bot texts of the first
turn of a fresh conversation. Any answerer fits: the Rasa server, or the search baseline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from eval.answer_accuracy import bot_reply, judge
from eval.corpus import load_questions
from tools.bench.configs import QUESTION_SETS

Answerer = Callable[[str], str]


def score(items: list[dict[str, Any]], answer: Answerer) -> dict[str, Any]:
    by_tag: dict[str, dict[str, Any]] = {}
    misses = []
    seconds = []
    for item in items:
        started = time.perf_counter()
        try:
            reply = answer(item["q"])
            problem = judge(item, reply)
        except Exception as error:  # one failed question is a miss, not a failed benchmark
            reply, problem = "", f"no answer: {type(error).__name__}: {error}"
        seconds.append(time.perf_counter() - started)
        tag = by_tag.setdefault(item["tag"], {"right": 0, "total": 0})
        tag["total"] += 1
        if problem is None:
            tag["right"] += 1
        else:
            misses.append({"tag": item["tag"], "q": item["q"], "why": problem, "bot": reply[:200]})
    for tag in by_tag.values():
        tag["share"] = round(tag["right"] / tag["total"], 4)
    right = sum(t["right"] for t in by_tag.values())
    return {
        "overall": round(right / len(items), 4) if items else None,
        "right": right,
        "total": len(items),
        "by_tag": dict(sorted(by_tag.items())),
        "misses": misses,
        "answer_seconds": seconds,
    }


def score_sets(answer: Answerer) -> dict[str, Any]:
    """{"public_sample": {...}, "own": {...}} for the question sets the project is judged on."""
    return {name: score(load_questions(path), answer) for name, path in QUESTION_SETS.items()}


def rasa_answerer(rasa_url: str) -> Answerer:
    return lambda question: bot_reply(rasa_url, question)


def public(accuracy: dict[str, Any]) -> dict[str, Any]:
    """What results.json keeps of a question set's score: no misses list, no timings."""
    return {k: v for k, v in accuracy.items() if k in ("overall", "right", "total", "by_tag")}
