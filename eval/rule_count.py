"""The size of the hand-written rule layer: how many patterns, and how many alternatives they hold.

    python -m eval.rule_count

An alternative is one branch of an alternation, at any depth ("a|b|(c|d)" holds four); a pattern
without one counts one. A named word list (`{list_name}` in a rule file) counts as one
alternative of its pattern: its words are data, counted apart (in the file that lists them;
understanding/words.yml holds the lists every file shares). Patterns compiled in the code of
understanding/ count too, each once.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from understanding.registry import _LIST_NAME, load

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "understanding"
MODULES = (
    "answers",
    "subjects",
    "statements",
    "airway",
    "numbing_reaction",
    "wording",
    "screening",
    "consent",
)


def alternatives(pattern: str) -> int:
    """1 + the bars of the pattern that separate alternatives: not escaped, not in a class."""
    bars, escaped, in_class = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "|":
            bars += 1
    return 1 + bars


def rule_files() -> dict[str, tuple[int, int, int]]:
    """file -> (patterns, alternatives with each word list as one, words in the lists)."""
    counts = {}
    for path in sorted(RULES.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            continue
        patterns = [r["pattern"] for r in raw.get("rules") or [] if "pattern" in r]
        written = ["".join(line.strip() for line in str(p).splitlines()) for p in patterns]
        total = sum(alternatives(_LIST_NAME.sub("(?:X)", p)) for p in written)
        words = sum(len(v) for v in (raw.get("words") or {}).values())
        if patterns or words:  # words.yml holds the shared lists, no rules
            counts[path.name] = (len(patterns), total, words)
    return counts


def code_patterns() -> tuple[int, int]:
    """(patterns, alternatives) compiled in understanding/'s code, not taken from a rule file."""
    from_files = {
        id(rule.pattern) for path in RULES.glob("*.yml") if path.stem not in ("routing", "words")
        for rule in load(path.stem).rules
    }  # fmt: skip
    found: dict[int, re.Pattern[str]] = {}
    for name in MODULES:
        module = importlib.import_module(f"understanding.{name}")
        for value in vars(module).values():
            if isinstance(value, re.Pattern) and id(value) not in from_files:
                found[id(value)] = value
    return len(found), sum(alternatives(p.pattern) for p in found.values())


def main() -> None:
    files = rule_files()
    for name, (patterns, total, words) in files.items():
        print(f"{name:18} {patterns:4} patterns {total:6} alternatives {words:6} listed words")
    patterns, total = code_patterns()
    print(f"{'in code':18} {patterns:4} patterns {total:6} alternatives")
    all_patterns = patterns + sum(f[0] for f in files.values())
    all_total = total + sum(f[1] for f in files.values())
    all_words = sum(f[2] for f in files.values())
    print(f"{'total':18} {all_patterns:4} patterns {all_total:6} alternatives", end=" ")
    print(f"{all_words:6} listed words")


if __name__ == "__main__":
    main()
