"""Right and asked per topic, and the misses: what every judge counts, printed one way."""

from __future__ import annotations

from dataclasses import dataclass, field


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
