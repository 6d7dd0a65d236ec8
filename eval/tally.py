"""Right and asked per topic, and the misses: what every judge counts, printed one way."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.corpus import CorpusError


@dataclass
class Tally:
    """One set's results. `by` names the groupings (a questions set has one, its tag; a
    screening set two, its slot and its meaning); each row is [right, asked]."""

    by: tuple[str, ...] = ("topic",)
    tables: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # printed after the overall line
    right: int = 0
    total: int = 0

    def add(self, ok: bool, miss: str, **keys: str) -> None:
        """One item judged; `keys` gives its row in each grouping, `miss` why it was wrong."""
        for heading in self.by:
            row = self.tables.setdefault(heading, {}).setdefault(keys[heading], [0, 0])
            row[0] += ok
            row[1] += 1
        self.right += ok
        self.total += 1
        if not ok:
            self.misses.append(miss)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0

    def report(self) -> str:
        lines = []
        for heading in self.by:
            lines.append(f"{heading:<18}{'right':>7}{'asked':>7}{'share':>8}")
            for key, (right, total) in sorted(self.tables.get(heading, {}).items()):
                lines.append(f"{key:<18}{right:>7}{total:>7}{right / total:>8.0%}")
        lines.append(f"{'overall':<18}{self.right:>7}{self.total:>7}{self.share:>8.1%}")
        return "\n".join(lines + self.notes + self.misses)


def set_parser(doc: str, sets: str) -> argparse.ArgumentParser:
    """The command line of a judge: its module docstring's first line, one or more sets (the
    argument `sets`) and --threshold (default 0.95)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(sets, type=Path, nargs="+")
    parser.add_argument("--threshold", type=float, default=0.95)
    return parser


def load_sets(
    paths: list[Path], load: Callable[[Path], list[dict[str, Any]]], what: str
) -> dict[Path, list[dict[str, Any]]] | None:
    """Every set read by `load`; None, once said on stderr, when one cannot be (exit 2)."""
    try:
        return {path: load(path) for path in paths}
    except CorpusError as error:
        print(f"Cannot read {what}: {error}", file=sys.stderr)
        return None


def report_sets(results: dict[Path, Tally], threshold: float, counted: str, below: str = "") -> int:
    """Prints each set's report; 1 when any set is below the threshold, else 0. With `below`
    (e.g. "Answer accuracy"), a set below the threshold is also said on stderr."""
    failed = False
    for path, tally in results.items():
        print(f"\n{path} ({tally.total} {counted})")
        print(tally.report())
        if tally.share < threshold:
            if below:
                print(
                    f"{below} {tally.share:.1%} on {path} is below the threshold {threshold:.0%}.",
                    file=sys.stderr,
                )
            failed = True
    return 1 if failed else 0
