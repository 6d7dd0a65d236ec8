"""Each rule's precision over the evaluation sets: how often it decided, and how often the
answer it took part in was right.

    python -m tools.rule_precision FILE.yml [FILE.yml ...]

Question files ({tag, q, expect, forbid}) go through the real stack, as tools.answer_accuracy
sends them; the rules of each answer are read back from the tracker store, where the NLU
pipeline's reading keeps them. Screening files ({slot, a, means}) are read by the screening
reader directly (understanding/screening.py), each answer against its question. A rule that
fires on few messages, or is often part of a wrong answer, is the first to look at.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import uuid
from collections import Counter
from pathlib import Path

import yaml

from tools.answer_accuracy import judge, load_questions
from tools.rest_client import reply_text, send
from understanding.registry import load
from understanding.screening import read_answer


def screening_counts(items: list[dict]) -> tuple[Counter, Counter]:
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for item in items:
        answer = read_answer(str(item["a"]), item["slot"])
        for rule in answer.rules:
            fired[rule] += 1
            right[rule] += answer.value == item["means"]
    return fired, right


def question_counts(rasa_url: str, tracker_db: Path, items: list[dict]) -> tuple[Counter, Counter]:
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for item in items:
        sender = f"precision-{uuid.uuid4().hex}"
        ok = judge(item, reply_text(send(rasa_url, sender, item["q"]))) is None
        with sqlite3.connect(tracker_db) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
            ).fetchall()
        for (data,) in rows[:1]:
            reading = (json.loads(data).get("parse_data") or {}).get("reading") or {}
            for rule in reading.get("rules") or []:
                fired[rule] += 1
                right[rule] += ok
    return fired, right


def known_rules() -> list[str]:
    ids = [rule.id for name in ("screening", "consent") for rule in load(name).rules]
    routing = yaml.safe_load((Path(load("screening").path).parent / "routing.yml").read_text())
    return ids + [str(rule["id"]) for rule in routing["rules"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    screening = [p for p in args.files if p.stem.endswith("_screening")]
    questions = [p for p in args.files if p not in screening and not p.stem.endswith("_consent")]
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for path in screening:
        f, r = screening_counts(yaml.safe_load(path.read_text()) or [])
        fired.update(f)
        right.update(r)
    if questions:
        from tools.stack import throwaway_stack

        items = [item for path in questions for item in load_questions(path)]
        with throwaway_stack("precision-") as stack:
            assert stack.tracker_db is not None
            f, r = question_counts(stack.rasa_url, stack.tracker_db, items)
        fired.update(f)
        right.update(r)
    print(f"{'rule':<48}{'fired':>7}{'right':>7}{'precision':>10}")
    for rule, n in fired.most_common():
        print(f"{rule:<48}{n:>7}{right[rule]:>7}{right[rule] / n:>10.0%}")
    never = [
        r for r in known_rules() if not any(f == r or f.startswith(r.rstrip("*")) for f in fired)
    ]
    print(f"\nrules that fired on none of these messages ({len(never)}): {', '.join(never)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
