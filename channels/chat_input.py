"""What one chat message may be: the rules the web app (POST /api/chat) and the REST channel
(POST /webhooks/rest/webhook) both apply, so a body one refuses the other refuses too. Pure
Python, no Rasa import: the web app reads it without loading Rasa."""

from __future__ import annotations

import json
import re
from typing import Any

SENDER_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_MESSAGE_CHARS = 1000
MAX_BODY_BYTES = 16_384  # a 1000-character message JSON-escaped stays far below this
# Control characters (Unicode category Cc) other than tab and line feed, and UTF-16 surrogates
# (only a lone one can get into a Python str, from JSON "\ud800"): no visitor types them, and
# stored in the tracker they break whatever reads it later (SQLite's UTF-8 encoder, CSV writers).
FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
SENDER_RULE = "sender must be 16 to 64 characters: letters, digits, '_' or '-'."
# A message's own id, kept by the widget and sent again on Retry: the REST channel answers a
# message it already stored from what it stored, instead of storing it twice (channels/rest.py).
MESSAGE_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
MESSAGE_ID_RULE = "message_id must be 8 to 64 characters: letters, digits, '_' or '-'."
# The language the visitor chose with the widget's switch; it wins over detection (nlp/language.py).
LANGUAGES = ("en", "fr")
LANGUAGE_RULE = 'language must be "en" or "fr".'


def check_sender(sender: Any) -> str | None:
    """None when `sender` is a conversation id this assistant accepts, else why not."""
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        return SENDER_RULE
    return None


def parse_chat_body(
    content_type: str | None, body: bytes
) -> tuple[dict[str, str] | None, str | None]:
    """Returns ({"sender", "message"}, None) for a valid request, else (None, why it is not).
    A valid `message_id` and `language` are kept in the result too."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return None, "Content-Type must be application/json."
    if len(body) > MAX_BODY_BYTES:
        return None, "Request body too large."
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        return None, "Body must be JSON."
    if not isinstance(data, dict):
        return None, 'Body must be a JSON object {"sender": ..., "message": ...}.'
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or check_sender(sender):  # isinstance: for the type checker
        return None, SENDER_RULE
    if not isinstance(message, str) or not message.strip():
        return None, "message must be a non-empty string."
    if len(message) > MAX_MESSAGE_CHARS:
        return None, f"message must be at most {MAX_MESSAGE_CHARS} characters."
    if FORBIDDEN_CHARS.search(message):
        return None, "message must be plain text: no control characters or invalid Unicode."
    payload = {"sender": sender, "message": message}
    message_id = data.get("message_id")
    if message_id is not None:
        if not isinstance(message_id, str) or not MESSAGE_ID_PATTERN.fullmatch(message_id):
            return None, MESSAGE_ID_RULE
        payload["message_id"] = message_id
    language = data.get("language")
    if language is not None:
        if language not in LANGUAGES:
            return None, LANGUAGE_RULE
        payload["language"] = language
    return payload, None
