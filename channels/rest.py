"""Rasa's REST channel, except that a turn that failed answers nothing.

Rasa's own channel catches any error of a turn and still returns the messages collected before
it: when the tracker store cannot save the turn (a database restart), the visitor is answered
but the conversation does not hold the answer, and the next message is read against a
conversation that never had it. Here a failed turn returns an empty list, which the web app
tells the visitor about ("could not answer, press Retry"); the Retry is then processed against
what was really stored.

credentials.yml names it; the URL stays /webhooks/rest/webhook.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint


class StrictRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            try:
                await on_new_message(message)
            except Exception:
                if isinstance(message.output_channel, CollectingOutputChannel):
                    message.output_channel.messages.clear()  # not what the conversation holds
                raise

        return super().blueprint(handle)
