"""What a person reads of a conversation: Rasa's tracker events turned into a transcript, the
flags the list and transcript show, and the masking of personal data in both (pure functions
on plain values, unit-tested without a database)."""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clinic.schema import SCREENING_SLOTS
from web.staff.masking import mask_names, mask_text, mask_value
from web.staff.plain_words import button_title, buttons_of, intent_name

# Screening answers that make a conversation worth a look (a contraindication, or unsure).
FLAGGED_VALUES = ("yes", "unsure")
FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope")
LOW_CONFIDENCE = 0.6
# Bookkeeping actions that are not part of the conversation a person reads or a story holds.
HIDDEN_ACTIONS = (
    "action_listen",
    "action_session_start",
    "action_extract_slots",
    "action_validate_slot_mappings",
)


def reading_of(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The reading the NLU pipeline made of a message (understanding/reading.py), or {}."""
    reading = (data.get("parse_data") or {}).get("reading")
    return reading if isinstance(reading, Mapping) else {}


def intent_of(data: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """The intent that was answered (the reading's, when the message has one) and the
    classifier's confidence."""
    intent = (data.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    reading = reading_of(data)
    name = reading.get("intent") or intent.get("name") if reading else intent.get("name")
    return name, float(confidence) if isinstance(confidence, (int, float)) else None


def plain_flag(intent: str | None, confidence: float | None) -> str | None:
    """What a transcript says of how the assistant took a message, in plain words (shown
    without the details): "not understood", "unsure", "off-topic", or None when it understood."""
    if intent == "nlu_fallback":
        return "not understood"
    if confidence is not None and confidence < LOW_CONFIDENCE:
        return "unsure"
    return "off-topic" if intent == "out_of_scope" else None


def is_hidden_action(name: str | None) -> bool:
    return not name or name in HIDDEN_ACTIONS or name.startswith("validate_")


def build_transcript(evts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Turns events into what a person reads: messages, and between them one 'internal' entry
    holding the actions, slots, forms and session events (shown collapsed). A quick reply the
    visitor tapped reads as the button's title (`text`), its payload kept as `payload`."""
    out: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    offered: list[Mapping[str, Any]] = []  # every button shown so far, in order

    def flush() -> None:
        if pending:
            counts = Counter(item["kind"] for item in pending)
            out.append({"kind": "internal", "items": list(pending), "counts": dict(counts)})
            pending.clear()

    for ev in evts:
        data = ev.get("data") or {}
        kind = ev.get("type") or data.get("event")
        ts = ev.get("timestamp") or data.get("timestamp")
        if kind == "user":
            flush()
            parse = data.get("parse_data") or {}
            name, confidence = intent_of(data)
            ranking = [
                {"name": r.get("name"), "confidence": r.get("confidence")}
                for r in (parse.get("intent_ranking") or [])[:4]
                if isinstance(r, dict)
            ]
            entities = [
                {
                    "entity": e.get("entity"),
                    "value": e.get("value"),
                    "role": e.get("role"),
                    "extractor": e.get("extractor"),
                    "confidence": e.get("confidence_entity"),
                }
                for e in (parse.get("entities") or data.get("entities") or [])
                if isinstance(e, dict)
            ]
            text = data.get("text") or ""
            title = button_title(text, offered)
            out.append(
                {
                    "kind": "user",
                    "id": ev.get("id"),
                    "timestamp": ts,
                    "text": title or text,
                    "payload": text if title else None,
                    "intent": name,
                    "intent_name": intent_name(name),
                    "confidence": confidence,
                    "ranking": ranking,
                    "entities": entities,
                    "classifier_intent": (parse.get("intent") or {}).get("name"),
                    "rules": [str(r) for r in reading_of(data).get("rules") or []],
                    "safety": reading_of(data).get("safety"),
                    "low_confidence": name in FALLBACK_INTENTS
                    or (confidence is not None and confidence < LOW_CONFIDENCE),
                    "plain_flag": plain_flag(name, confidence),
                }
            )
        elif kind == "bot":
            flush()
            bot_data = data.get("data") or {}
            offered.extend(buttons_of(ev))
            buttons = [b.get("title") for b in buttons_of(ev)]
            out.append(
                {
                    "kind": "bot",
                    "timestamp": ts,
                    "text": data.get("text") or "",
                    "buttons": buttons,
                    "image": bot_data.get("image"),
                    "template": (data.get("metadata") or {}).get("utter_action"),
                }
            )
        elif kind == "action":
            name = data.get("name") or ev.get("action")
            if name == "action_listen":
                continue
            pending.append(
                {
                    "kind": "action",
                    "timestamp": ts,
                    "name": name,
                    "policy": data.get("policy"),
                    "confidence": data.get("confidence"),
                }
            )
        elif kind == "slot":
            pending.append(
                {
                    "kind": "slot",
                    "timestamp": ts,
                    "name": data.get("name"),
                    "value": data.get("value"),
                }
            )
        elif kind == "active_loop":
            pending.append({"kind": "form", "timestamp": ts, "name": data.get("name")})
        elif kind in (
            "session_started",
            "restart",
            "rewind",
            "undo",
            "reset_slots",
            "followup",
            "loop_interrupted",
            "action_execution_rejected",
            "pause",
            "resume",
        ):
            pending.append(
                {"kind": "event", "timestamp": ts, "name": kind, "detail": data.get("name") or ""}
            )
    flush()
    return out


def conversation_flags(evts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the list and transcript show about a conversation."""
    fallbacks = 0
    low = 0
    flagged: OrderedDict[str, str] = OrderedDict()
    intents: Counter = Counter()
    user_messages = 0
    for ev in evts:
        data = ev.get("data") or {}
        kind = ev.get("type") or data.get("event")
        if kind == "user":
            user_messages += 1
            name, confidence = intent_of(data)
            if name:
                intents[name] += 1
            if name == "nlu_fallback":
                fallbacks += 1
            if name in FALLBACK_INTENTS or (confidence is not None and confidence < LOW_CONFIDENCE):
                low += 1
        elif (
            kind == "action" and (data.get("name") or ev.get("action")) == "action_default_fallback"
        ):
            fallbacks += 1
        elif kind == "slot" and data.get("name") in SCREENING_SLOTS:
            value = str(data.get("value")).lower() if data.get("value") is not None else None
            if value in FLAGGED_VALUES:
                flagged[data["name"]] = value
    times: list[float] = [ev["timestamp"] for ev in evts if ev.get("timestamp")]
    return {
        "fallback": fallbacks > 0,
        "fallbacks": fallbacks,
        "low_confidence": low,
        "contraindications": list(flagged.items()),
        "intents": intents.most_common(),
        "user_messages": user_messages,
        "started": min(times) if times else None,
        "last": max(times) if times else None,
    }


def mask_transcript(transcript: list[dict[str, Any]], names: Iterable[str | None] = ()) -> None:
    """Masks emails and phone numbers in messages, entities and slot values, and the visitor's
    `names` wherever they are written out (the page's title masks them too), in place."""
    names = [n for n in names if n]

    def mask(value: Any) -> Any:
        if isinstance(value, str):
            return mask_names(mask_text(value), names)
        return mask_value(value)

    for item in transcript:
        if item["kind"] in ("user", "bot"):
            item["text"] = mask(item["text"])
            if item["kind"] == "user":
                item["entities"] = [
                    {k: mask(v) if k == "value" else v for k, v in e.items()}
                    for e in mask_value(item["entities"])
                ]
        else:
            for sub in item["items"]:
                if sub["kind"] == "slot":
                    sub["value"] = mask(sub["value"])


def count_fallback_turns(rows: Iterable[Sequence[Any]]) -> int:
    """Visitor messages the assistant fell back on: classified nlu_fallback, or answered with
    action_default_fallback. Rows: (sender_id, type_name, intent_name) in event order."""
    count = 0
    pending = False  # the current visitor message is not counted yet
    sender = None
    for row_sender, kind, intent in rows:
        if row_sender != sender:
            sender, pending = row_sender, False
        if kind == "user":
            pending = intent != "nlu_fallback"
            count += 0 if pending else 1
        elif pending:  # action_default_fallback after a message not counted yet
            count += 1
            pending = False
    return count
