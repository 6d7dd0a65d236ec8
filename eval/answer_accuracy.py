"""Answer accuracy: asks the trained bot every question of a set and scores the answers.

    python -m eval.answer_accuracy QUESTIONS.yml [MORE.yml ...] [--threshold 0.95] [--url URL]

A questions set (eval/README.md) is a list of {tag, q, expect: [regex...], forbid: [regex...]}.
Each question is the first message of a fresh conversation; every bot text and button title of
that turn is joined, then every `expect` regex must match and no `forbid` regex may
(case-insensitive). Prints the share answered right per tag and overall for each file, lists the
misses, and exits 1 when any file is below the threshold.
Without --url it starts its own action server and Rasa server (on free ports, temporary files).
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from eval.corpus import load_questions
from eval.server import Server, started
from eval.tally import Tally, load_sets, report_sets, set_parser
from tools.rest_client import reply_text, send


def bot_reply(rasa_url: str, text: str, timeout: float = 30) -> str:
    """The reply to `text` as the first message of a fresh conversation."""
    return reply_text(send(rasa_url, f"accuracy-{uuid.uuid4().hex}", text, timeout))


def judge(item: dict[str, Any], reply: str) -> str | None:
    """None when the reply is right, else why not."""
    for pattern in item.get("expect") or []:
        if not re.search(pattern, reply, re.IGNORECASE):
            return f"missing /{pattern}/"
    for pattern in item.get("forbid") or []:
        if re.search(pattern, reply, re.IGNORECASE):
            return f"forbidden /{pattern}/"
    return None


def evaluate(server: Server, items: list[dict[str, Any]]) -> Tally:
    tally = Tally(by=("tag",))
    latencies = []
    for item in items:
        started_at = time.perf_counter()
        reply = bot_reply(server.rasa_url, item["q"])
        latencies.append(time.perf_counter() - started_at)
        problem = judge(item, reply)
        miss = f"MISS [{item['tag']}] {item['q']!r}: {problem}\n     bot: {reply[:300]!r}"
        tally.add(problem is None, miss, tag=item["tag"])
    latencies.sort()
    if latencies:
        tally.notes.append(
            f"reply time: median {latencies[len(latencies) // 2] * 1000:.0f} ms, "
            f"slowest {latencies[-1] * 1000:.0f} ms"
        )
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = set_parser(__doc__, "questions")
    parser.add_argument("--url", help="a running Rasa server; default: start one")
    args = parser.parse_args(argv)
    files = load_sets(args.questions, load_questions, "questions")
    if files is None:
        return 2

    def run_all(server: Server) -> dict[Path, Tally]:
        return {path: evaluate(server, items) for path, items in files.items()}

    if args.url:
        results = run_all(Server(args.url.rstrip("/")))
    else:
        with started("accuracy-") as server:
            results = run_all(server)
    return report_sets(results, args.threshold, "questions", below="Answer accuracy")


if __name__ == "__main__":
    sys.exit(main())
