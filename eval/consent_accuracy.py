"""Replies to "Shall I send this request to the clinic?": are they read as the visitor meant?

    python -m eval.consent_accuracy CONSENT.yml [MORE.yml ...] [--threshold 0.95]

A consent set (eval/README.md) is a list of {a, means}: `a` is the visitor's reply, `means` what
it says (yes: send it; no: do not send, or change the details; ask: ask again). Each reply is
read by the consent reader itself (understanding/consent.py): it alone decides whether personal
details leave, so no server is needed. Prints the share read right per meaning, lists the
misses, and exits 1 when any file is below the threshold.
"""

from __future__ import annotations

import sys
from typing import Any

from eval.corpus import load_consent
from eval.tally import Tally, load_sets, report_sets, set_parser
from understanding.consent import read_consent


def evaluate(items: list[dict[str, Any]]) -> Tally:
    tally = Tally(by=("means",))
    for item in items:
        answer = read_consent(item["a"])
        rules = ", ".join(answer.rules) or "no rule"
        miss = (
            f"MISS {item['a']!r} means {item['means']}, read {answer.value} "
            f"(step {answer.step}: {rules})"
        )
        tally.add(answer.value == item["means"], miss, means=item["means"])
    return tally


def main(argv: list[str] | None = None) -> int:
    args = set_parser(__doc__, "answers").parse_args(argv)
    files = load_sets(args.answers, load_consent, "consent answers")
    if files is None:
        return 2
    results = {path: evaluate(items) for path, items in files.items()}
    return report_sets(results, args.threshold, "answers")


if __name__ == "__main__":
    sys.exit(main())
