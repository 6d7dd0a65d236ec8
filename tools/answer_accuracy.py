"""Answer accuracy: asks the trained bot every question of a YAML file and scores the answers.

    python -m tools.answer_accuracy QUESTIONS.yml [MORE.yml ...] [--threshold 0.95] [--url URL]

The file is a list of {tag, q, expect: [regex...], forbid: [regex...]}. Each question is the first
message of a fresh conversation; every bot text and button title of that turn is joined, then
every `expect` regex must match and no `forbid` regex may (case-insensitive). Prints the share
answered right per tag and overall for each file, lists the misses, and exits 1 when any file
is below the threshold.
Without --url it starts its own action server and Rasa server (on free ports, temporary files).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from tools.rest_client import reply_text, send


def load_questions(path: Path) -> list[dict[str, Any]]:
    items = yaml.safe_load(path.read_text()) or []
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a list of questions")
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not item.get("q") or not item.get("tag"):
            raise ValueError(f"{path}: item {number} needs 'tag' and 'q'")
        for key in ("expect", "forbid"):
            for pattern in item.get(key) or []:
                re.compile(pattern)  # a bad regex is an error in the file, said up front
    return items


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


def evaluate(rasa_url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    latencies = []
    for item in items:
        started = time.perf_counter()
        reply = bot_reply(rasa_url, item["q"])
        latencies.append(time.perf_counter() - started)
        problem = judge(item, reply)
        by_tag[item["tag"]][1] += 1
        if problem is None:
            by_tag[item["tag"]][0] += 1
        else:
            misses.append((item, problem, reply))
    right = sum(r for r, _ in by_tag.values())
    return {
        "by_tag": dict(by_tag),
        "right": right,
        "total": len(items),
        "misses": misses,
        "latencies": sorted(latencies),
    }


def report(result: dict[str, Any]) -> str:
    lines = [f"{'tag':<14}{'right':>7}{'asked':>7}{'share':>8}"]
    for tag, (right, total) in sorted(result["by_tag"].items()):
        lines.append(f"{tag:<14}{right:>7}{total:>7}{right / total:>8.0%}")
    total = result["total"]
    share = result["right"] / total if total else 0.0
    lines.append(f"{'overall':<14}{result['right']:>7}{total:>7}{share:>8.1%}")
    lat = result["latencies"]
    if lat:
        lines.append(
            f"reply time: median {lat[len(lat) // 2] * 1000:.0f} ms, "
            f"slowest {lat[-1] * 1000:.0f} ms"
        )
    for item, problem, reply in result["misses"]:
        lines.append(f"MISS [{item['tag']}] {item['q']!r}: {problem}\n     bot: {reply[:300]!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--threshold", type=float, default=0.95)
    parser.add_argument("--url", help="a running Rasa server; default: start one")
    args = parser.parse_args(argv)
    files = {}
    for path in args.questions:
        try:
            files[path] = load_questions(path)
        except (OSError, ValueError, re.error, yaml.YAMLError) as error:
            print(f"Cannot read questions: {error}", file=sys.stderr)
            return 2
        if not files[path]:
            print(f"No questions in {path}.", file=sys.stderr)
            return 2

    def run_all(rasa_url: str) -> dict[Path, dict[str, Any]]:
        return {path: evaluate(rasa_url, items) for path, items in files.items()}

    if args.url:
        results = run_all(args.url.rstrip("/"))
    else:
        from tools.stack import throwaway_stack

        with throwaway_stack("accuracy-") as stack:
            results = run_all(stack.rasa_url)
    failed = False
    for path, result in results.items():
        print(f"\n{path} ({result['total']} questions)")
        print(report(result))
        share = result["right"] / result["total"]
        if share < args.threshold:
            print(
                f"Answer accuracy {share:.1%} on {path} is below the threshold "
                f"{args.threshold:.0%}.",
                file=sys.stderr,
            )
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
