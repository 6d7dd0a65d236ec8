"""The assistant's intents and quick replies in the staff's own words.

Staff never need to know that "the visitor meant `deny`": every intent has a readable name
("No") and two example messages taken from the training data (data/nlu.yml, read once per
process and never written), and a quick reply the visitor tapped reads as the button's title
("Yes, send it") rather than its payload ("/affirm"). Used by the transcript, the conversation
filters, the dashboard, Improve and the exports.

    intent_name("deny")                    -> "No"
    intent_name("ask_price")               -> "Price"
    intent_examples("ask_price")           -> ("what do you charge", "what are the fees")
    button_title("/affirm", [{"title": "Yes, send it", "payload": "/affirm"}]) -> "Yes, send it"

Pure apart from reading data/nlu.yml once; the stable API is `intent_name`,
`intent_examples`, `intent_words`, `IntentWords`, `grouped`, `button_title`, `buttons_of` and
`visitor_text`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from understanding.answers import TOPIC_NAMES

ROOT = Path(__file__).resolve().parent.parent.parent
NLU_FILE = ROOT / "data" / "nlu.yml"

# Readable names of the intents that are not question topics (those are named once, for
# visitors and staff alike, in understanding/topics.yml).
NAMES = {
    "greet": "Hello",
    "goodbye": "Goodbye",
    "thank": "Thanks",
    "bot_challenge": "Asks if it is a bot",
    "affirm": "Yes",
    "deny": "No",
    "unsure": "Not sure",
    "stop": "Stop or cancel",
    "inform": "Gives their details",
    "book_consultation": "Wants a consultation",
    "ask_request_status": "Asks about their request",
    "talk_to_human": "Wants to talk to someone",
    "report_warning_signs": "Warning signs",
    "report_emergency": "Emergency",
    "out_of_scope": "Not about the clinic",
    "nlu_fallback": "Not understood",
}

# The sections of an intent chooser, in the order staff meet them. An intent of none of them
# (one added to the domain later) goes under OTHER, so it is never left out.
CLINIC_TOPICS = (
    "ask_clinic",
    "ask_price",
    "ask_opening_hours",
    "ask_contact_details",
    "ask_insurance",
    "ask_other_treatments",
)
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Booking and contact",
        ("book_consultation", "ask_request_status", "talk_to_human", "inform", "stop"),
    ),
    ("Answers to the assistant", ("affirm", "deny", "unsure")),
    ("Safety", ("report_warning_signs", "report_emergency")),
    ("About the clinic", CLINIC_TOPICS),
    ("Small talk", ("greet", "goodbye", "thank", "bot_challenge")),
    ("Not about the clinic", ("out_of_scope",)),
)
TREATMENT = "Questions about the treatment"  # every other ask_* topic
OTHER = "Other"

# Examples shown are short enough to read at a glance: the first two of the training data with
# this many words, in the file's order (the authors put typical phrasings first).
EXAMPLE_WORDS = (2, 6)
_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class IntentWords:
    """One intent as staff read it: `intent` is the id stored and exported, `name` what the
    console shows, `examples` (up to two) what a visitor typically writes, `group` the chooser's
    section."""

    intent: str
    name: str
    examples: tuple[str, ...]
    group: str

    @property
    def with_examples(self) -> str:
        """'Price (e.g. “what do you charge”, “what are the fees”)', for choosers."""
        if not self.examples:
            return self.name
        return f"{self.name} (e.g. " + ", ".join(f"“{e}”" for e in self.examples) + ")"


def _plain(example: str) -> str:
    """An example without Rasa's entity markup: "[acne](concern) scars" -> "acne scars"."""
    return " ".join(_MARKUP.sub(r"\1", example).split())


def pick_examples(examples: Sequence[str], count: int = 2) -> tuple[str, ...]:
    """The first `count` examples of EXAMPLE_WORDS words, topped up with the shortest others
    when too few fit."""
    plain = [p for p in dict.fromkeys(_plain(e) for e in examples) if p]
    low, high = EXAMPLE_WORDS
    fitting = [e for e in plain if low <= len(e.split()) <= high]
    rest = sorted((e for e in plain if e not in fitting), key=lambda e: (len(e), plain.index(e)))
    return tuple((fitting + rest)[:count])


def read_examples(path: Path = NLU_FILE) -> dict[str, tuple[str, ...]]:
    """{intent: two examples} from a Rasa NLU YAML file; {} when it cannot be read (the
    console then shows names without examples rather than failing)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (OSError, yaml.YAMLError):
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for item in data.get("nlu") or []:
        if not isinstance(item, Mapping) or not isinstance(item.get("examples"), str):
            continue
        lines = [
            line.strip()[2:].strip()
            for line in item["examples"].splitlines()
            if line.strip().startswith("- ")
        ]
        if item.get("intent"):
            out[str(item["intent"])] = pick_examples(lines)
    return out


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_examples: dict[str, tuple[str, ...]] | None = None
_lock = threading.Lock()


def _all_examples() -> dict[str, tuple[str, ...]]:
    global _examples
    with _lock:
        if _examples is None:
            _examples = read_examples()
        return _examples


def load() -> None:
    """Reads the examples now (the web app calls this at start-up, so no page waits for it)."""
    _all_examples()


def intent_name(intent: str | None) -> str:
    """The intent in the staff's words; "" for none. An intent unknown here reads as its id
    with spaces ("ask_parking" -> "Ask parking"), never as nothing."""
    if not intent:
        return ""
    if intent in NAMES:
        return NAMES[intent]
    topic = TOPIC_NAMES.get(intent)
    if topic and topic.get("staff"):
        return str(topic["staff"])
    return intent.replace("_", " ").strip().capitalize()


def intent_examples(intent: str | None) -> tuple[str, ...]:
    """Up to two messages the assistant was trained to read as this intent."""
    return _all_examples().get(intent or "", ())


def _group_of(intent: str) -> str:
    for title, members in GROUPS:
        if intent in members:
            return title
    return TREATMENT if intent in TOPIC_NAMES else OTHER


def intent_words(intent: str) -> IntentWords:
    return IntentWords(intent, intent_name(intent), intent_examples(intent), _group_of(intent))


def grouped(intents: Iterable[str]) -> list[tuple[str, list[IntentWords]]]:
    """The intents as a chooser lists them: by section (treatment questions first), readable
    names in alphabetical order within each; empty sections left out."""
    order = [TREATMENT] + [title for title, _ in GROUPS] + [OTHER]
    sections: dict[str, list[IntentWords]] = {title: [] for title in order}
    for intent in dict.fromkeys(intents):
        words = intent_words(intent)
        sections[words.group].append(words)
    return [
        (title, sorted(items, key=lambda w: w.name.lower()))
        for title, items in sections.items()
        if items
    ]


def buttons_of(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The buttons of a bot message, from a tracker event as Rasa stores it ({"event": "bot",
    "data": {"buttons": [...]}}) or as web/staff/tracker_store.load_events returns it ({"type":
    "bot", "data": <that event>}). [] for any other event."""
    data = event.get("data") or {}
    if "event" in data or "type" in event:  # load_events' shape: the Rasa event is in data
        data = data.get("data") or {}
    buttons = data.get("buttons") if isinstance(data, Mapping) else None
    return [b for b in buttons or [] if isinstance(b, Mapping)]


def button_title(payload: str | None, buttons: Iterable[Mapping[str, Any]] | None) -> str | None:
    """The title of the button whose payload the visitor sent, among the buttons the bot had
    shown before (in order: the latest offer wins when two buttons share a payload); None when
    the text is not one of their payloads (the visitor typed it)."""
    if not payload:
        return None
    wanted = payload.strip()
    title = None
    for button in buttons or []:
        if str(button.get("payload") or "").strip() == wanted and button.get("title"):
            title = str(button["title"])
    return title


def visitor_text(text: str | None, buttons: Iterable[Mapping[str, Any]] | None) -> str:
    """What the visitor said in words: the button's title for a quick reply, else the text."""
    return button_title(text, buttons) or (text or "")
