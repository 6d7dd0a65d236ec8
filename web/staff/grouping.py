"""Grouping the messages the assistant did not understand, so staff label a kind of message
once (pure functions: no database)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")


def comparable_text(text: str) -> str:
    """Lowercase, punctuation removed, whitespace collapsed: how alike messages are compared."""
    return _SPACE.sub(" ", _PUNCT.sub("", (text or "").lower())).strip()


def text_key(text: str) -> str:
    """What identifies alike messages (same normalised text), without storing the text."""
    return hashlib.sha256(comparable_text(text).encode("utf-8")).hexdigest()


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def group_messages(
    messages: Sequence[Mapping[str, Any]], near: float | None = 0.6
) -> list[dict[str, Any]]:
    """Groups messages the assistant answered the same way (`answered`, the reading's
    decision) with the same normalised text and, when `near` is set, merges groups of one
    reading whose token sets have a Jaccard similarity >= near. By reading, the reading with
    the most messages first; in each, largest groups first."""
    exact: OrderedDict[tuple[str, str], list[Mapping[str, Any]]] = OrderedDict()
    for message in messages:
        key = comparable_text(message["text"])
        if key:
            exact.setdefault((message.get("answered") or "", key), []).append(message)
    clusters: list[dict[str, Any]] = []
    for (answered, key), members in sorted(exact.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        tokens = set(key.split())
        target = None
        if near is not None:
            best = 0.0
            for cluster in clusters:
                if cluster["answered"] != answered:
                    continue
                score = jaccard(tokens, cluster["tokens"])
                if score >= near and score > best:
                    target, best = cluster, score
        if target is None:
            target = {
                "key": key,
                "answered": answered,
                "tokens": tokens,
                "keys": [],
                "messages": [],
            }
            clusters.append(target)
        target["keys"].append(key)
        target["messages"].extend(members)
    groups = []
    for cluster in clusters:
        msgs = cluster["messages"]
        texts = Counter(m["text"] for m in msgs)
        guesses = Counter(m.get("guess") or m.get("intent") for m in msgs)
        choices = Counter(m["chosen"] for m in msgs if m.get("chosen"))
        asked = Counter(m["asked"] for m in msgs if m.get("asked"))
        confidences = [m["confidence"] for m in msgs if m.get("confidence") is not None]
        groups.append(
            {
                "key": cluster["key"],
                "answered": cluster["answered"],
                "keys": cluster["keys"],
                "text": texts.most_common(1)[0][0],
                "texts": texts.most_common(),
                "count": len(msgs),
                "ids": [m["id"] for m in msgs if "id" in m],
                "senders": list(
                    OrderedDict.fromkeys(m["sender_id"] for m in msgs if m.get("sender_id"))
                ),
                "last_seen": max((m.get("timestamp") or 0 for m in msgs), default=0),
                "guess": guesses.most_common(1)[0][0] if guesses else None,
                "chosen": choices.most_common(1)[0][0] if choices else None,
                # the assistant's message most of them answered
                "asked": asked.most_common(1)[0][0] if asked else None,
                "min_confidence": min(confidences) if confidences else None,
            }
        )
    per_reading: Counter[str] = Counter()
    for group in groups:
        per_reading[group["answered"]] += group["count"]
    groups.sort(
        key=lambda g: (-per_reading[g["answered"]], g["answered"], -g["count"], -g["last_seen"])
    )
    return groups


def split_by_label(
    messages: Sequence[Mapping[str, Any]], labelled: Mapping[str, Any]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """The messages no label covers yet (the Improve inbox's "new") and those staff have
    handled (labelled or ignored), by text_key."""
    new: list[Mapping[str, Any]] = []
    handled: list[Mapping[str, Any]] = []
    for message in messages:
        (handled if text_key(message["text"]) in labelled else new).append(message)
    return new, handled


def with_labels(
    groups: list[dict[str, Any]], labelled: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Adds to each group the labels of its wordings (each once, as `labels`), so a handled
    group shows what became of it: labelled as what, ignored why, exported when."""
    for group in groups:
        found: OrderedDict[Any, Mapping[str, Any]] = OrderedDict()
        for text, _count in group["texts"]:
            label = labelled.get(text_key(text))
            if label is not None:
                found.setdefault(label["id"], label)
        group["labels"] = list(found.values())
    return groups
