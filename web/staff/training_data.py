"""Training and test data from the console: Rasa NLU YAML of labelled messages, and a
conversation as a Rasa test story. Meant for the repository: emails, phone numbers and a
requester's name are replaced with fictitious values of the same shape (masking.pseudonymise),
so the data stays usable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from understanding.language import identify
from web.staff.masking import pseudonymise
from web.staff.transcript import is_hidden_action

NLU_VERSION = "3.1"
# Rasa reads [text](entity), [text]{...} and [text][...] in examples as entity annotations.
_ANNOTATION = re.compile(r"\[([^\]]*)\]\s*([({\[])")
# Control characters (but tab and line feed) and lone UTF-16 surrogates: stored text can hold
# them (a visitor's message, from before the chat refused them), and they make CSV writers and
# UTF-8 encoders fail, and YAML and spreadsheet readers choke.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_example(text: str) -> str:
    """One line of plain text that Rasa's readers take literally."""
    text = _CONTROL.sub(" ", text or "")
    text = re.sub(r"\s+", " ", text).strip()
    return _ANNOTATION.sub(lambda m: "(" + m.group(1) + ") " + m.group(2), text)


def _literal(text: str, indent: int) -> str:
    return "|\n" + " " * indent + text + "\n"


def _scalar(value: Any) -> str:
    """A YAML scalar: JSON is valid YAML flow syntax."""
    return json.dumps(value, ensure_ascii=True)


# --- NLU -----------------------------------------------------------------------------------


def nlu_yaml(
    labels: Iterable[Mapping[str, Any]],
    skip: set[str] | frozenset[str] = frozenset(),
    generated: datetime | None = None,
) -> str:
    """Rasa NLU training data (version 3.1) of the labelled examples, grouped by intent; French
    examples in blocks of their own, marked `language: fr` as data/nlu_fr.yml's are."""
    by_intent: dict[tuple[str, str], list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for label in labels:
        intent = label["intent"]
        if intent in skip:
            continue
        example = clean_example(pseudonymise(label["text"]))
        if not example or (intent, example.lower()) in seen:
            continue
        seen.add((intent, example.lower()))
        language = "fr" if identify(example) == "fr" else "en"
        by_intent.setdefault((language, intent), []).append(example)
    when = (generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Examples labelled by clinic staff in the staff console, exported " + when + ".",
        "# Review them, then merge into data/nlu.yml (French blocks, `language: fr`, into",
        "# data/nlu_fr.yml) and retrain.",
        f'version: "{NLU_VERSION}"',
        "nlu:" if by_intent else "nlu: []",
    ]
    for language, intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        if language == "fr":
            lines.extend(["  metadata:", "    language: fr"])
        lines.append("  examples: |")
        examples = sorted(by_intent[language, intent], key=str.lower)
        lines.extend(f"    - {example}" for example in examples)
    return "\n".join(lines) + "\n"


# --- test stories --------------------------------------------------------------------------


def _annotated_text(
    text: str,
    entities: Sequence[Mapping[str, Any]],
    known: Sequence[str],
    domain_entities: set[str] | None,
) -> str:
    """The user's text with its extracted entities in Rasa's [text](entity) notation,
    personal values replaced, other brackets neutralised."""
    spans: list[tuple[int, int, Mapping[str, Any]]] = []
    for e in entities:
        start, end, name = e.get("start"), e.get("end"), e.get("entity")
        if not isinstance(start, int) or not isinstance(end, int) or not name:
            continue
        if domain_entities is not None and name not in domain_entities:
            continue
        if not 0 <= start < end <= len(text):
            continue
        if any(start < s_end and s_start < end for s_start, s_end, _ in spans):
            continue  # overlapping extractions: keep the first
        spans.append((start, end, e))
    spans.sort(key=lambda s: s[0])

    def plain(segment: str) -> str:
        segment = pseudonymise(segment, known)
        return _CONTROL.sub(" ", segment).replace("[", "(").replace("]", ")")

    parts, position = [], 0
    for start, end, e in spans:
        parts.append(plain(text[position:start]))
        surface = re.sub(r"\s+", " ", plain(text[start:end])).strip()
        value = e.get("value")
        extras = {k: e[k] for k in ("role", "group") if e.get(k)}
        if isinstance(value, str) and value == text[start:end] and not extras:
            parts.append(f"[{surface}]({e['entity']})")
        else:
            spec: dict[str, Any] = {"entity": e["entity"]}
            if isinstance(value, str) and value != text[start:end]:
                spec["value"] = pseudonymise(value, known)
            spec.update(extras)
            parts.append(f"[{surface}]" + json.dumps(spec, ensure_ascii=True))
        position = end
    parts.append(plain(text[position:]))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def story_sessions(
    evts: Sequence[Mapping[str, Any]],
    slots: set[str] | None = None,
    forms: set[str] | None = None,
    entities: set[str] | None = None,
    known: Sequence[str] = (),
) -> list[list[dict[str, Any]]]:
    """The steps of a conversation as test stories, one per session.

    User steps carry the text (unless it was a button payload) and the predicted intent;
    actions skip Rasa's bookkeeping (action_listen, action_session_start,
    action_extract_slots, validate_*). slot_was_set and active_loop steps are included only
    for slots and forms of the domain (when `slots` / `forms` are given)."""
    sessions: list[list[dict[str, Any]]] = []
    steps: list[dict[str, Any]] = []

    def close() -> None:
        nonlocal steps
        while steps and "user" not in steps[0] and "intent" not in steps[0]:
            steps.pop(0)  # a story starts with what the visitor said
        if any("intent" in step for step in steps):
            sessions.append(steps)
        steps = []

    for ev in evts:
        data = ev.get("data") or {}
        kind = ev.get("type") or data.get("event")
        if kind in ("session_started", "restart"):
            close()
        elif kind == "user":
            intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name")
            if not intent:
                continue
            text = (data.get("text") or "").strip()
            if not text or text.startswith("/"):
                steps.append({"intent": intent})
            else:
                entity_list = (data.get("parse_data") or {}).get("entities") or []
                annotated = _annotated_text(text, entity_list, known, entities)
                steps.append(
                    {"user": annotated, "intent": intent} if annotated else {"intent": intent}
                )
        elif kind == "action":
            name = data.get("name") or ev.get("action")
            if not is_hidden_action(name):
                steps.append({"action": name})
        elif kind == "slot":
            name = data.get("name")
            if slots is None or name not in slots:
                continue
            value = data.get("value")
            value = pseudonymise(value, known) if isinstance(value, str) else value
            if steps and "slot_was_set" in steps[-1]:
                steps[-1]["slot_was_set"].append({name: value})
            else:
                steps.append({"slot_was_set": [{name: value}]})
        elif kind == "active_loop":
            name = data.get("name")
            if forms is None or (name is not None and name not in forms):
                continue
            steps.append({"active_loop": name})
        elif kind == "rewind":  # the last user message was set aside
            while steps:
                popped = steps.pop()
                if "intent" in popped:
                    break
        elif kind == "undo":  # the last action was reverted
            while steps:
                if "action" in steps.pop():
                    break
    close()
    return sessions


def story_yaml(sender_id: str, sessions: Sequence[Sequence[Mapping[str, Any]]]) -> str:
    lines = [
        "# A conversation exported from the staff console as a Rasa test story.",
        "# Check the steps, then add it to tests/ (a file named test_*.yml) and run `rasa test`.",
        f'version: "{NLU_VERSION}"',
        "stories:" if sessions else "stories: []",
    ]
    for number, steps in enumerate(sessions, start=1):
        name = f"conversation {sender_id}" + (f", session {number}" if len(sessions) > 1 else "")
        lines.append(f"- story: {_scalar(name)}")
        lines.append("  steps:")
        for step in steps:
            if "user" in step:
                lines.append("  - user: " + _literal(step["user"], 6).rstrip("\n"))
                lines.append(f"    intent: {step['intent']}")
            elif "intent" in step:
                lines.append(f"  - intent: {step['intent']}")
            elif "action" in step:
                lines.append(f"  - action: {step['action']}")
            elif "active_loop" in step:
                value = step["active_loop"]
                lines.append(f"  - active_loop: {value if value else 'null'}")
            elif "slot_was_set" in step:
                lines.append("  - slot_was_set:")
                for slot in step["slot_was_set"]:
                    for key, value in slot.items():
                        lines.append(f"    - {key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


# --- CSV / JSON ----------------------------------------------------------------------------
