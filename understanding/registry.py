"""The rule registry: every hand-written reading rule as named data, in YAML files beside this one.

A rule has an id, what it reads (a screening question, the consent step, a question's topic),
what it decides, a pattern, and examples that must and must not match it. Patterns may name word
lists as `{list_name}`: the file's own, or the lists every file shares (understanding/words.yml),
so a word belongs to one list in one place. A file's rules read one language: English, unless
the file says `language: fr` (statements_fr.yml; understanding/answers.py applies each file's
rules to messages in its language). The file's
`order` states how the rules that fire are combined; the code that combines them
(understanding/screening.py, understanding/consent.py) follows it, and a unit test checks that
both name the same steps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SHARED_WORDS = HERE / "words.yml"
_LIST_NAME = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Rule:
    id: str
    reads: str
    decides: str
    pattern: re.Pattern[str]
    why: str = ""
    slots: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()
    # A cue that a negation just before it turns over ("not burnt", "no cysts").
    negatable: bool = False

    def applies_to(self, slot: str | None) -> bool:
        return not self.slots or slot in self.slots

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


@dataclass(frozen=True)
class RuleFile:
    path: Path
    order: tuple[str, ...]
    rules: tuple[Rule, ...]
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def reading(self, decides: str, slot: str | None = None) -> list[Rule]:
        return [r for r in self.rules if r.decides == decides and r.applies_to(slot)]


def _expand(pattern: str, words: dict[str, tuple[str, ...]]) -> str:
    def named(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in words:
            raise ValueError(f"pattern names an unknown word list {{{name}}}")
        return "(?:" + "|".join(words[name]) + ")"

    return _LIST_NAME.sub(named, pattern)


def _rule(raw: dict[str, Any], words: dict[str, tuple[str, ...]], source: Path) -> Rule:
    missing = {"id", "reads", "decides", "pattern"} - raw.keys()
    if missing:
        raise ValueError(f"{source}: rule {raw.get('id', '?')} lacks {sorted(missing)}")
    if not isinstance(raw["decides"], str):  # YAML reads a bare yes/no as a boolean
        raise ValueError(f"{source}: rule {raw['id']}: quote what it decides")
    try:
        # A long pattern is written over several lines; the line breaks are not part of it.
        source_pattern = "".join(line.strip() for line in str(raw["pattern"]).splitlines())
        pattern = re.compile(_expand(source_pattern, words), re.IGNORECASE)
    except (re.error, ValueError) as error:
        raise ValueError(f"{source}: rule {raw['id']}: {error}") from error
    return Rule(
        id=str(raw["id"]),
        reads=str(raw["reads"]),
        decides=str(raw["decides"]),
        pattern=pattern,
        why=str(raw.get("why", "")).strip(),
        slots=tuple(raw.get("slots") or ()),
        examples=tuple(str(e) for e in raw.get("examples") or ()),
        not_examples=tuple(str(e) for e in raw.get("not") or ()),
        negatable=bool(raw.get("negatable", False)),
    )


def _words(raw: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(str(w) for w in v) for k, v in (raw.get("words") or {}).items()}


@cache
def shared_words() -> dict[str, tuple[str, ...]]:
    """The word lists every rule file may name (understanding/words.yml)."""
    return _words(yaml.safe_load(SHARED_WORDS.read_text(encoding="utf-8")) or {})


@cache
def load(name: str) -> RuleFile:
    """The rule file `understanding/<name>.yml`, compiled once per process."""
    path = HERE / f"{name}.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    own = _words(raw)
    clash = own.keys() & shared_words().keys()
    if clash:
        raise ValueError(f"{path}: lists named as in words.yml: {sorted(clash)}")
    words = {**shared_words(), **own}
    rules = tuple(_rule(r, words, path) for r in raw.get("rules") or ())
    ids = [r.id for r in rules]
    duplicated = {i for i in ids if ids.count(i) > 1}
    if duplicated:
        raise ValueError(f"{path}: rule ids used twice: {sorted(duplicated)}")
    return RuleFile(path, tuple(raw.get("order") or ()), rules, words)


def patterns_of(name: str) -> Callable[[str], re.Pattern[str]]:
    """The patterns of understanding/<name>.yml by their short names: `patterns_of("wording")`
    gives `pattern("before")` for the rule `wording.before`. Code names rules by their short
    names: a full id quoted in the code is read as a routing rule's
    (tests/unit/test_routing_rules.py)."""
    rules = load(name)

    def pattern(short: str) -> re.Pattern[str]:
        return rules.by_id(f"{name}.{short}").pattern

    return pattern
