"""Screening answers in a visitor's own words: are they read as a front-desk person would?

    python -m eval.screening_accuracy ANSWERS.yml [MORE.yml ...] [--threshold 0.95]

A screening set (eval/README.md) is a list of {slot, a, means}: `a` is a free-text reply to the
screening question of `slot` (pregnant, inflamed_skin, sunburn, lidocaine_allergy), `means` what
it says (yes, no, unsure). Each reply gets a fresh conversation through the real Rasa and action
servers: the visitor asks for a consultation, answers the questions before the one under test
with the "No" button, then types the reply; the slot's value is read from the tracker store.
Prints the share read right per slot and per meaning, lists the misses, and exits 1 when any file
is below the threshold.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import uuid
from pathlib import Path
from typing import Any

from eval.corpus import load_screening
from eval.server import Server, started
from eval.tally import Tally, load_sets, report_sets, set_parser
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


def read_one(server: Server, item: dict[str, str]) -> tuple[Any, str]:
    """The slot value the reply left, and the bot's answer to it."""
    assert server.tracker_db is not None, "the slot is read back from the tracker store"
    sender = f"screening-{uuid.uuid4().hex}"
    reply = reply_text(send(server.rasa_url, sender, BOOK))
    for _ in range(MAX_TURNS):
        current = asked(reply)
        if current == item["slot"]:
            answer = reply_text(send(server.rasa_url, sender, item["a"]))
            return slot_value(server.tracker_db, sender, item["slot"]), answer
        if current is None:
            return None, f"(the question was never asked; the bot said: {reply[:200]!r})"
        reply = reply_text(send(server.rasa_url, sender, "/deny"))
    return None, "(the question was never asked)"


def evaluate(server: Server, items: list[dict[str, str]]) -> Tally:
    tally = Tally(by=("slot", "means"))
    for item in items:
        value, answer = read_one(server, item)
        miss = (
            f"MISS [{item['slot']}] {item['a']!r} means {item['means']}, read {value!r}\n"
            f"     bot: {answer[:200]!r}"
        )
        tally.add(value == item["means"], miss, slot=item["slot"], means=item["means"])
    return tally


def main(argv: list[str] | None = None) -> int:
    args = set_parser(__doc__, "answers").parse_args(argv)
    files = load_sets(args.answers, load_screening, "screening answers")
    if files is None:
        return 2
    with started("screening-") as server:
        results = {path: evaluate(server, items) for path, items in files.items()}
    return report_sets(results, args.threshold, "answers")


if __name__ == "__main__":
    sys.exit(main())
