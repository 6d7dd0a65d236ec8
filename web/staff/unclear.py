"""What the Improve page calls a message the assistant did not handle with confidence, and how
it names what the assistant did with it (pure). The messages themselves are read from the
tracker store by web/staff/tracker_store/messages.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.staff.plain_words import intent_name
from web.staff.transcript import intent_of, reading_of

# What a visitor types while the contact form asks for these is their name, phone or email, or
# when they are free (a correction at the confirmation question, too): personal data that must
# not reach the Improve page, the labels, or the NLU export meant for the repository.
CONTACT_FORM = "contact_form"
PERSONAL_QUESTIONS = frozenset({"name", "contact", "preferred_time", "contact_confirmed"})

# A message the assistant handled with confidence: its classifier placed the message at this
# confidence or above, and the assistant answered it, neither asking to rephrase
# (nlu_fallback) nor offering the likeliest topics to choose from. Off-topic messages it placed
# so (out_of_scope: "I can only help with medical needling") count as handled too: there is
# nothing to teach. Improve lists every other message, and only those.
HANDLED_WITH_CONFIDENCE = 0.6

# How the assistant answered a message it was unsure of, in the staff's words: the reading's
# decision (understanding/reading.py), not the classifier's guess.
NOT_UNDERSTOOD = "nlu_fallback"
OFFERED_CHOICES = "offered_choices"
OFFER_RULE = "answers.offer_likeliest_topics"  # understanding/answers.py's rule id
ANSWERED_NAMES = {
    NOT_UNDERSTOOD: "Not understood: asked to rephrase",
    OFFERED_CHOICES: "Not sure: offered the likeliest topics",
    "out_of_scope": "Said it can only help with medical needling",
    "report_warning_signs": "Warning signs: told to contact the clinic",
    "report_emergency": "Emergency: told to call 911",
}


def answered_as(data: Mapping[str, Any]) -> str:
    """The reading's decision for a message: the topic answered, "offered_choices" when it
    offered the likeliest topics, "nlu_fallback" when it asked to rephrase."""
    reading = reading_of(data)
    if OFFER_RULE in (reading.get("rules") or []):
        return OFFERED_CHOICES
    intent, _confidence = intent_of(data)
    return str(intent or NOT_UNDERSTOOD)


def answered_name(key: str | None) -> str:
    """What `answered_as` means, in the staff's words."""
    key = key or NOT_UNDERSTOOD
    if key in ANSWERED_NAMES:
        return ANSWERED_NAMES[key]
    return "Answered as: " + intent_name(key)


def classifier_guess(data: Mapping[str, Any]) -> str | None:
    """The classifier's likeliest intent for a message other than nlu_fallback, if any."""
    ranking = (data.get("parse_data") or {}).get("intent_ranking") or []
    return next(
        (
            r.get("name")
            for r in ranking
            if isinstance(r, dict) and r.get("name") not in ("nlu_fallback", None)
        ),
        None,
    )


def chosen_topic(quick_reply: str) -> str | None:
    """The intent of a quick reply of the unsure answer ("/ask_sessions" → "ask_sessions"), the
    topic the visitor tapped when offered the likeliest ones; None for any other message."""
    if not quick_reply.startswith("/ask_"):
        return None
    return quick_reply[1:].split("{", 1)[0]
