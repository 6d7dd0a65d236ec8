"""Prints the figures of `rasa test` output folders, and checks the NLU one against a floor.

python -m tools.report stories results/stories
python -m tools.report nlu results/nlu [--min-f1 0.85]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def stories(folder: Path) -> int:
    report = json.loads((folder / "story_report.json").read_text())
    conversations = report.get("conversation_accuracy", {})
    total = conversations.get("total", 0)
    correct = conversations.get("correct", 0)
    actions = report.get("weighted avg") or {}
    print(
        f"    stories: {correct}/{total} conversations right; "
        f"action F1 {actions.get('f1-score', 0):.3f}"
    )
    return 0 if total and correct == total else 1


def nlu(folder: Path, min_f1: float) -> int:
    report = json.loads((folder / "intent_report.json").read_text())
    weighted = report["weighted avg"]
    print(
        f"    intent F1 on held-out phrasings: {weighted['f1-score']:.3f} "
        f"(precision {weighted['precision']:.3f}, recall {weighted['recall']:.3f}, "
        f"accuracy {report.get('accuracy', 0):.3f})"
    )
    weakest = sorted(
        (
            (name, values["f1-score"])
            for name, values in report.items()
            if isinstance(values, dict)
            and "support" in values
            and name not in ("micro avg", "macro avg", "weighted avg")
        ),
        key=lambda pair: pair[1],
    )[:5]
    print("    weakest intents: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in weakest))
    if weighted["f1-score"] < min_f1:
        print(
            f"Intent F1 {weighted['f1-score']:.3f} is below {min_f1}; "
            f"see {folder}/intent_errors.json",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["stories", "nlu"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--min-f1", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.kind == "stories":
        return stories(args.folder)
    return nlu(args.folder, args.min_f1)


if __name__ == "__main__":
    sys.exit(main())
