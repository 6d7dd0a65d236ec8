"""How far people agree with the training labels, and with the classifier's mistakes.

    python -m eval.label_agreement [--cv-errors DIR/intent_errors.json]

eval/sets/label_agreement.yml holds two annotators' blind readings of training examples
drawn at random. Prints how often each annotator agrees with data/nlu.yml's label and with the
other annotator, and the examples both read otherwise than the data (candidates for a label to
mend, or an intent boundary to write down). Given the errors file that
`rasa test nlu --cross-validation --errors` writes, it also says whom the annotators side with
where the classifier was wrong: with the data's label means a classifier's mistake, with the
classifier's prediction means a label people would not give.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from eval.corpus import READINGS, load_readings

ROOT = Path(__file__).resolve().parent.parent


def training_labels(path: Path) -> dict[str, str]:
    """Each training example's text (lower-cased) and its intent."""
    labels: dict[str, str] = {}
    for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            if "intent" in block and line.strip().startswith("- "):
                labels[line.strip()[2:].strip().lower()] = block["intent"]
    return labels


def share(hits: int, total: int) -> str:
    return f"{hits}/{total} = {hits / total:.1%}" if total else "0/0"


def report(readings: list[dict[str, Any]], labels: dict[str, str], cv: dict[str, str]) -> str:
    rows = [(r, labels[r["text"].lower()]) for r in readings if r["text"].lower() in labels]
    lines = [f"{len(rows)} of {len(readings)} annotated examples are in the training data"]
    for who in ("a", "b"):
        hits = sum(r[who] == label for r, label in rows)
        lines.append(f"annotator {who} agrees with the data's label: {share(hits, len(rows))}")
    agree = sum(r["a"] == r["b"] for r, _ in rows)
    lines.append(f"the annotators agree: {share(agree, len(rows))}")
    both = [(r, label) for r, label in rows if r["a"] == r["b"] != label]
    lines.append(f"both read otherwise than the data: {len(both)}")
    lines += [f"  {r['text']!r}: data {label}, annotators {r['a']}" for r, label in both]
    wrong = [(r, label, cv[r["text"].lower()]) for r, label in rows if r["text"].lower() in cv]
    if cv:
        lines.append(f"of these, the classifier got wrong in cross-validation: {len(wrong)}")
        for who in ("a", "b"):
            gold = sum(r[who] == label for r, label, _ in wrong)
            guess = sum(r[who] == pred for r, _, pred in wrong)
            lines.append(
                f"  annotator {who} sides with the data's label {share(gold, len(wrong))}, "
                f"with the classifier {share(guess, len(wrong))}"
            )
    return "\n".join(lines)


def cv_errors(path: Path | None) -> dict[str, str]:
    """What the classifier predicted for each example it got wrong (Rasa's intent_errors.json)."""
    if path is None:
        return {}
    return {e["text"].lower(): e["intent_prediction"]["name"] for e in json.loads(path.read_text())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv-errors", type=Path, help="intent_errors.json of a CV run")
    parser.add_argument("--nlu", type=Path, default=ROOT / "data" / "nlu.yml")
    args = parser.parse_args(argv)
    try:
        readings = load_readings(READINGS)
        print(report(readings, training_labels(args.nlu), cv_errors(args.cv_errors)))
    except (OSError, ValueError, KeyError, TypeError) as error:  # CorpusError too
        print(f"Cannot compare: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
