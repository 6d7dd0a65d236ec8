"""Each rule's precision over the evaluation sets: how often it decided, and how often the
answer it took part in was right.

    python -m eval.rule_precision FILE.yml [FILE.yml ...]

Questions sets ({tag, q, expect, forbid}) go through the real stack, as eval.answer_accuracy
sends them; the rules of each answer are read back from the tracker store, where the NLU
pipeline's reading keeps them. Screening sets ({slot, a, means}) are read by the screening
reader directly (understanding/screening.py), each answer against its question, and consent
sets ({a, means}) by the consent reader (understanding/consent.py). A rule that fires on few
messages, or is often part of a wrong answer, is the first to look at.
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

from eval.answer_accuracy import judge
from eval.corpus import CONSENT, QUESTIONS, SCREENING, CorpusError, kind_of, load
from eval.server import Server, started
from tools.rest_client import reply_text, send
from understanding.consent import read_consent
from understanding.registry import load as load_rules
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


def consent_counts(items: list[dict]) -> tuple[Counter, Counter]:
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for item in items:
        answer = read_consent(str(item["a"]))
        for rule in answer.rules:
            fired[rule] += 1
            right[rule] += answer.value == item["means"]
    return fired, right


def question_counts(server: Server, items: list[dict]) -> tuple[Counter, Counter]:
    assert server.tracker_db is not None, "the reading is read back from the tracker store"
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for item in items:
        sender = f"precision-{uuid.uuid4().hex}"
        ok = judge(item, reply_text(send(server.rasa_url, sender, item["q"]))) is None
        with sqlite3.connect(server.tracker_db) as db:
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
    ids = [rule.id for name in ("screening", "consent") for rule in load_rules(name).rules]
    routing_file = Path(load_rules("screening").path).parent / "routing.yml"
    routing = yaml.safe_load(routing_file.read_text())
    return ids + [str(rule["id"]) for rule in routing["rules"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    try:
        sets = [(kind_of(path), load(path)) for path in args.files]
    except CorpusError as error:
        print(f"Cannot read: {error}", file=sys.stderr)
        return 2
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    offline = {SCREENING: screening_counts, CONSENT: consent_counts}
    for kind, items in sets:
        if kind in offline:
            f, r = offline[kind](items)
            fired.update(f)
            right.update(r)
    questions = [item for kind, items in sets if kind == QUESTIONS for item in items]
    if questions:
        with started("precision-") as server:
            f, r = question_counts(server, questions)
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
