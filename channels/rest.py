"""Rasa's REST channel (POST /webhooks/rest/webhook, same request shape), made strict.

- **Bad input is refused**: a body the web app would refuse (channels/chat_input.py: sender,
  size, control characters, lone surrogates) gets a 400 here too, before Rasa reads it. One lone
  surrogate in a sender once made SQLite raise inside Rasa's tracker store, which Rasa read as a
  missing schema, and the server exited.
- **A failed turn answers nothing** (an empty list), whatever it had collected, and is stored
  not at all (channels/whole_turns.py). The web app tells the visitor it could not answer and
  keeps the message for Retry; the Retry is processed against what was really stored.
- **A retried message is answered once**: a body may carry `message_id` (the widget keeps one
  per message and sends it again on Retry). One still running on this server is waited for;
  one whose turn is stored, on any server, gets the stored answer back instead of a second
  turn (channels/whole_turns.py, inside Rasa's lock on the conversation).
- **Logs hold no message text**: a failed turn is logged with its conversation id and the
  error's class. (Rasa's own channel logs the message, and its traceback the stack's values.)

credentials.yml names it; the URL stays /webhooks/rest/webhook.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import whole_turns
from channels.chat_input import parse_chat_body

logger = logging.getLogger(__name__)


class StrictRestInput(InputChannel):
    def __init__(self) -> None:
        self._running: dict[tuple[str, str], asyncio.Future] = {}

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
            sender, text = payload["sender"], payload["message"]
            message_id = payload.get("message_id")
            if message_id is None:
                return response.json(await self._turn(on_new_message, sender, text, None))
            key = (sender, message_id)
            running = self._running.get(key)
            if running is not None:  # the same message again while its turn runs
                return response.json(await asyncio.shield(running))
            future: asyncio.Future = asyncio.get_running_loop().create_future()
            self._running[key] = future
            try:
                messages = await self._turn(on_new_message, sender, text, message_id)
                future.set_result(messages)
                return response.json(messages)
            finally:
                if not future.done():
                    future.set_result([])
                del self._running[key]

        return webhook

    async def _turn(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str,
        text: str,
        message_id: str | None,
    ) -> list[dict]:
        collector = CollectingOutputChannel()
        whole_turns.start_turn(message_id)  # a message already stored is answered from it
        try:
            await on_new_message(
                UserMessage(text, collector, sender, input_channel="rest", message_id=message_id)
            )
        except Exception as error:
            logger.error("A turn of conversation %s failed: %s", sender, type(error).__name__)
            return []
        return collector.messages
