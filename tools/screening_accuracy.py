"""Screening answers in a visitor's own words: are they read as a front-desk person would?

    python -m tools.screening_accuracy ANSWERS.yml [--threshold 0.95]

The file is a list of {slot, a, means}: `a` is a free-text reply to the screening question of
`slot` (pregnant, inflamed_skin, sunburn, lidocaine_allergy), `means` what it says (yes, no,
unsure). Each reply gets a fresh conversation through the real Rasa and action servers: the
visitor asks for a consultation, answers the questions before the one under test with the "No"
button, then types the reply; the slot's value is read from the tracker store. Prints the share
read right per slot and per meaning, lists the misses, and exits 1 below the threshold.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from tools.rest_client import reply_text, send

BOOK = "I'd like to book a consultation"
# How each screening question can be told apart in the bot's words (domain.yml utter_ask_*).
QUESTIONS = {
    "pregnant": "pregnant?",
    "inflamed_skin": "inflamed",
    "sunburn": "sunburn",
    "lidocaine_allergy": "lidocaine",
}
MAX_TURNS = 8


def asked(reply: str) -> str | None:
    """The screening slot the bot's turn asks about, if any (its last question)."""
    last = None
    lowered = reply.lower()
    for slot, cue in QUESTIONS.items():
        position = lowered.rfind(cue)
        if position >= 0 and (last is None or position > last[1]):
            last = (slot, position)
    return last[0] if last else None


def slot_value(tracker_db: Path, sender: str, slot: str) -> Any:
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot' ORDER BY id",
            (sender,),
        ).fetchall()
    value = None
    for (data,) in rows:
        event = json.loads(data)
        if event.get("name") == slot:
            value = event.get("value")
    return value


def read_one(rasa_url: str, tracker_db: Path, item: dict[str, str]) -> tuple[Any, str]:
    """The slot value the reply left, and the bot's answer to it."""
    sender = f"screening-{uuid.uuid4().hex}"
    reply = reply_text(send(rasa_url, sender, BOOK))
    for _ in range(MAX_TURNS):
        current = asked(reply)
        if current == item["slot"]:
            answer = reply_text(send(rasa_url, sender, item["a"]))
            return slot_value(tracker_db, sender, item["slot"]), answer
        if current is None:
            return None, f"(the question was never asked; the bot said: {reply[:200]!r})"
        reply = reply_text(send(rasa_url, sender, "/deny"))
    return None, "(the question was never asked)"


def evaluate(rasa_url: str, tracker_db: Path, items: list[dict[str, str]]) -> int:
    right = 0
    by_slot: Counter[tuple[str, bool]] = Counter()
    by_meaning: Counter[tuple[str, bool]] = Counter()
    misses: list[str] = []
    for item in items:
        value, answer = read_one(rasa_url, tracker_db, item)
        ok = value == item["means"]
        right += ok
        by_slot[(item["slot"], ok)] += 1
        by_meaning[(item["means"], ok)] += 1
        if not ok:
            misses.append(
                f"MISS [{item['slot']}] {item['a']!r} means {item['means']}, read "
                f"{value!r}\n     bot: {answer[:200]!r}"
            )
    for title, counts, keys in (
        ("slot", by_slot, QUESTIONS),
        ("means", by_meaning, ("yes", "no", "unsure")),
    ):
        print(f"{title:<18} right  asked")
        for key in keys:
            total = counts[(key, True)] + counts[(key, False)]
            print(f"{key:<18} {counts[(key, True)]:5} {total:6}")
    print(f"overall            {right:5} {len(items):6}   {right / len(items):.1%}")
    print("\n".join(misses))
    return right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path)
    parser.add_argument("--threshold", type=float, default=0.95)
    args = parser.parse_args(argv)
    items = yaml.safe_load(args.answers.read_text()) or []
    bad = [
        i
        for i in items
        if i.get("slot") not in QUESTIONS
        or i.get("means") not in ("yes", "no", "unsure")
        or not i.get("a")
    ]
    if not items or bad:
        print(
            f"{args.answers}: every item needs slot, a and means; bad: {bad[:3]}", file=sys.stderr
        )
        return 2
    from tools.stack import throwaway_stack

    with throwaway_stack("screening-") as stack:
        assert stack.tracker_db is not None
        right = evaluate(stack.rasa_url, stack.tracker_db, items)
    return 0 if right / len(items) >= args.threshold else 1


if __name__ == "__main__":
    sys.exit(main())
