"""The evaluation report: every judge over the sets given, by topic.

    python -m eval [SET.yml ...] [--all] [--threshold 0.95]

Without sets: the newest blind set of eval/sets (blind_vN.yml, the highest N) and the screening
and consent sets written with it, found by name. --all: every set there, oldest first. Each set
goes to its judge by its kind (eval/README.md): questions to eval.answer_accuracy, screening
answers to eval.screening_accuracy (both through one Rasa and action server started for the
run), consent replies to eval.consent_accuracy (the reader alone). Prints each set's table by
topic with its misses, then one line per set. The blind sets are measurements: exits 1 only
when a set is below --threshold (default 0: never).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from eval import answer_accuracy, consent_accuracy, screening_accuracy
from eval.corpus import CONSENT, QUESTIONS, SCREENING, CorpusError, every_set, kind_of, latest, load
from eval.server import Server, started
from eval.tally import Tally


def judge(kind: str, items: list[dict[str, Any]], server: Server | None) -> Tally:
    if kind == CONSENT:
        return consent_accuracy.evaluate(items)
    assert server is not None, f"a {kind} set is judged through the servers"
    if kind == SCREENING:
        return screening_accuracy.evaluate(server, items)
    return answer_accuracy.evaluate(server, items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    parser.add_argument("sets", type=Path, nargs="*", help="default: the newest blind set")
    parser.add_argument("--all", action="store_true", help="every set in eval/sets")
    parser.add_argument("--threshold", type=float, default=0.0)
    args = parser.parse_args(argv)
    try:
        paths = args.sets or (every_set() if args.all else latest())
        sets = [(path, kind_of(path), load(path)) for path in paths]
    except CorpusError as error:
        print(f"Cannot read: {error}", file=sys.stderr)
        return 2
    # One server for the whole run, and none when only consent sets are judged.
    needs_server = any(kind in (QUESTIONS, SCREENING) for _, kind, _ in sets)
    results = []
    with started("eval-") if needs_server else nullcontext() as server:
        for path, kind, items in sets:
            tally = judge(kind, items, server)
            print(f"\n{path} ({kind}, {tally.total} items)\n{tally.report()}", flush=True)
            results.append((path, kind, tally))
    print(f"\n{'set':<40}{'kind':<11}{'right':>7}{'asked':>7}{'share':>8}")
    for path, kind, tally in results:
        print(f"{path.name:<40}{kind:<11}{tally.right:>7}{tally.total:>7}{tally.share:>8.1%}")
    below = [path.name for path, _, tally in results if tally.share < args.threshold]
    if below:
        print(f"Below the threshold {args.threshold:.0%}: {', '.join(below)}", file=sys.stderr)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
