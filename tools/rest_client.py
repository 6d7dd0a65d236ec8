"""A visitor's side of Rasa's REST channel, for the tests and the accuracy check.

One place for how a message is posted and how a turn is read: every bot text and button title,
joined, which is what assertions and the accuracy regexes are written against.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterable
from typing import Any


def send(
    rasa_url: str, sender: str, text: str, timeout: float = 30, language: str | None = None
) -> list[dict[str, Any]]:
    """Posts one message to the REST webhook and returns the bot's messages of that turn.
    `language` is the widget's switch ("en" or "fr"), sent only when given."""
    fields = {"sender": sender, "message": text}
    if language is not None:
        fields["language"] = language
    body = json.dumps(fields).encode()
    request = urllib.request.Request(
        f"{rasa_url.rstrip('/')}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def reply_text(messages: Iterable[dict[str, Any]]) -> str:
    """Every text and button title of a turn, in order, one per line."""
    parts: list[str] = []
    for message in messages:
        if message.get("text"):
            parts.append(message["text"])
        parts.extend(button.get("title", "") for button in message.get("buttons") or [])
    return "\n".join(parts)
