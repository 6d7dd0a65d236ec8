"""The evaluation corpus: one format, read and checked in one place for every judge.

A set is a YAML list of one kind of item, told by the file's name (eval/README.md):
    NAME.yml             questions  {tag, q, expect: [regex, ...], forbid: [regex, ...]}
    NAME_screening.yml   screening  {slot, a, means: yes | no | unsure}
    NAME_consent.yml     consent    {a, means: yes | no | ask}
A mistake in a set (a missing key, an unknown slot or meaning, a bad regex) is an error said up
front with the file and item number, never a silent miss in the middle of a run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from understanding.consent import ASK, HOLD, SEND
from understanding.screening import NO, SLOTS, UNSURE, YES

SETS = Path(__file__).resolve().parent / "sets"
QUESTIONS, SCREENING, CONSENT = "questions", "screening", "consent"
MEANINGS = {SCREENING: (YES, NO, UNSURE), CONSENT: (SEND, HOLD, ASK)}
# The annotators' readings of training examples: not a set the bot is judged on (eval/README.md).
READINGS = SETS / "label_agreement.yml"
_BLIND = re.compile(r"blind(?:_v(\d+))?")

Item = dict[str, Any]


class CorpusError(ValueError):
    """A set that cannot be judged as written."""


def kind_of(path: Path) -> str:
    for kind in (SCREENING, CONSENT):
        if path.stem.endswith(f"_{kind}"):
            return kind
    return QUESTIONS


def _question(item: Item) -> str | None:
    if not item.get("tag") or not isinstance(item.get("q"), str) or not item["q"]:
        return "needs 'tag' and 'q'"
    for key in ("expect", "forbid"):
        patterns = item.get(key) or []
        if not isinstance(patterns, list):
            return f"'{key}' must be a list of regexes"
        for pattern in patterns:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as error:
                return f"bad regex in '{key}': {pattern!r} ({error})"
    return None


def _answer(kind: str, item: Item) -> str | None:
    if not isinstance(item.get("a"), str) or not item["a"]:
        return "needs 'a', the visitor's reply"
    if kind == SCREENING and item.get("slot") not in SLOTS:
        return f"'slot' must be one of {', '.join(SLOTS)}"
    if item.get("means") not in MEANINGS[kind]:
        return f"'means' must be one of {', '.join(MEANINGS[kind])}"
    return None


def load(path: Path, kind: str | None = None) -> list[Item]:
    """The items of a set, checked against its kind (by default the kind its name tells)."""
    kind = kind or kind_of(path)
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as error:
        raise CorpusError(f"{path}: {error}") from error
    if not isinstance(items, list) or not items:
        raise CorpusError(f"{path}: expected a non-empty list of {kind} items")
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise CorpusError(f"{path}: item {number} is not a mapping")
        problem = _question(item) if kind == QUESTIONS else _answer(kind, item)
        if problem:
            raise CorpusError(f"{path}: item {number} {problem}: {item}")
    return items


def load_questions(path: Path) -> list[Item]:
    return load(path, QUESTIONS)


def load_screening(path: Path) -> list[Item]:
    return load(path, SCREENING)


def load_consent(path: Path) -> list[Item]:
    return load(path, CONSENT)


def load_readings(path: Path = READINGS) -> list[Item]:
    """Two annotators' intents for training examples: {text, a, b}."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    bad = [i for i in items if not all(isinstance(i.get(k), str) for k in ("text", "a", "b"))]
    if not items or bad:
        raise CorpusError(f"{path}: every reading needs text, a and b; bad: {bad[:3]}")
    return items


def _version(path: Path) -> int:
    match = _BLIND.fullmatch(path.stem)
    return int(match.group(1) or 1) if match else -1


def blind_sets(folder: Path = SETS) -> list[Path]:
    """The blind question sets, oldest first (blind.yml was the first)."""
    return sorted((p for p in folder.glob("blind*.yml") if _version(p) > 0), key=_version)


def with_siblings(question_set: Path) -> list[Path]:
    """A question set and the screening and consent sets written with it, where there are."""
    stem = question_set.stem
    siblings = (question_set.with_name(f"{stem}_{kind}.yml") for kind in (SCREENING, CONSENT))
    return [question_set, *(p for p in siblings if p.exists())]


def latest(folder: Path = SETS) -> list[Path]:
    """The newest blind set, found by name, and its screening and consent sets."""
    sets = blind_sets(folder)
    if not sets:
        raise CorpusError(f"{folder}: no blind set (blind_vN.yml)")
    return with_siblings(sets[-1])


def every_set(folder: Path = SETS) -> list[Path]:
    """Every set of the folder: the blind sets in order with their siblings, then the others."""
    ordered = [p for blind in blind_sets(folder) for p in with_siblings(blind)]
    rest = sorted(p for p in folder.glob("*.yml") if p not in ordered and p.name != READINGS.name)
    return ordered + rest
