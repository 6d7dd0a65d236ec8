"""Rasa's REST channel (POST /webhooks/rest/webhook, same request shape), made strict.

- **Bad input is refused**: a body the web app would refuse (channels/chat_input.py: sender,
  size, control characters, lone surrogates) gets a 400 here too, before Rasa reads it. One lone
  surrogate in a sender once made SQLite raise inside Rasa's tracker store, which Rasa read as a
  missing schema, and the server exited.
- **A failed turn answers nothing** (an empty list), whatever it had collected, and is stored
  not at all (channels/whole_turns.py). The web app tells the visitor it could not answer and
  keeps the message for Retry; the Retry is processed against what was really stored.
- **A retried message is answered once**: a body may carry `message_id` (the widget keeps one
  per message and sends it again on Retry). One whose turn is stored, on any server, gets the
  stored answer back instead of a second turn; one still running is waited for, by Rasa's lock
  on the conversation (channels/whole_turns.py).
- **Alerts are marked by name**: each message of a reply uttered from a response in
  channels/alerts.py (the emergency and warning-sign replies) carries `"alert": "emergency"` or
  `"warning"`, taken from the response's name (Rasa's `utter_action`), never from its text.
- **Logs hold no message text**: a failed turn is logged with its conversation id and the
  error's class. (Rasa's own channel logs the message, and its traceback the stack's values.)

credentials.yml names it; the URL stays /webhooks/rest/webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import whole_turns
from channels.alerts import alert_of
from channels.chat_input import parse_chat_body

logger = logging.getLogger(__name__)


class AlertingOutputChannel(CollectingOutputChannel):
    """Collects the turn's messages as Rasa's REST channel does, and marks those of an alert
    response. Its name stays "collector", so channel-specific responses are chosen as before."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # Rasa puts the response's name in the message as "utter_action" (BotUttered metadata),
        # for responses of the domain and those a custom action names alike.
        alert = alert_of(message.get("utter_action"))
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        if alert:
            for sent in self.messages[before:]:  # a text split at blank lines: every part
                sent["alert"] = alert


class StrictRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            payload, problem = parse_chat_body(request.headers.get("content-type"), request.body)
            if payload is None:
                return response.json({"error": problem or "Bad request."}, status=400)
            sender, message_id = payload["sender"], payload.get("message_id")
            collector = AlertingOutputChannel()
            # The same message again waits for Rasa's lock on the conversation, then gets the
            # stored answer (channels/whole_turns.py).
            whole_turns.start_turn(message_id)
            try:
                await on_new_message(
                    UserMessage(
                        payload["message"],
                        collector,
                        sender,
                        input_channel="rest",
                        message_id=message_id,
                        # the widget's language switch, read by nlp/language.py
                        metadata={"language": payload["language"]}
                        if "language" in payload
                        else None,
                    )
                )
            except Exception as error:
                logger.error("A turn of conversation %s failed: %s", sender, type(error).__name__)
                return response.json([])
            return response.json(collector.messages)

        return webhook
