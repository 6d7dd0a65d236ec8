"""A turn is stored whole, once, or not at all.

- **Whole or not at all.** Rasa 3.6 catches a custom action's failure (the action server down
  or restarting), logs it, and carries on: the turn is stored with the visitor's message and
  without its answer, and the visitor's Retry then stores the message a second time. Here a
  failed custom action marks the turn, and the turn's save refuses to store it: the turn fails,
  nothing is stored, and the Retry is processed on the conversation as it was.
- **Once.** A message sent with its own id (the widget's Retry sends it again; nginx may
  re-send it to another Rasa server when the first dies) is looked for in the conversation
  first, inside Rasa's lock on the conversation: if its turn is stored, the stored answer is
  sent back and nothing is processed or stored again.

serving/rasa_server.py installs this before Rasa starts; channels/rest.py starts each turn.
"""

from __future__ import annotations

import contextvars
from typing import Any

from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException

from channels.alerts import alert_of

# How far back a retried message is looked for: a retry follows its message within a turn or two.
REPLAY_WINDOW_EVENTS = 200

# Per turn (each request is its own task, with its own copy of these):
_FAILED_ACTION: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "failed_action", default=None
)
_CLIENT_MESSAGE_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_message_id", default=None
)


class TurnNotStoredError(RasaException):
    """A custom action of this turn failed: the turn is not stored, and its visitor retries."""


def start_turn(message_id: str | None) -> None:
    """Called by the channel before each turn, with the id the client gave the message."""
    _FAILED_ACTION.set(None)
    _CLIENT_MESSAGE_ID.set(message_id)


def stored_answer(events: list[Any], message_id: str, recipient: str) -> list[dict] | None:
    """The bot messages stored after the visitor's message `message_id`, as the channel sent
    them (with their alert); None when that message is not stored."""
    for index in range(len(events) - 1, max(-1, len(events) - REPLAY_WINDOW_EVENTS), -1):
        event = events[index]
        if isinstance(event, UserUttered) and event.message_id == message_id:
            answer = []
            for later in events[index + 1 :]:
                if isinstance(later, UserUttered):
                    break
                if isinstance(later, BotUttered):
                    data = {k: v for k, v in (later.data or {}).items() if v is not None}
                    message = {"recipient_id": recipient, "text": later.text, **data}
                    # marked as the live answer was (channels/rest.py)
                    message["alert"] = alert_of((later.metadata or {}).get("utter_action"))
                    answer.append({k: v for k, v in message.items() if v is not None})
            return answer
    return None


def install() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor

    run_action = RemoteAction.run
    save_tracker = MessageProcessor.save_tracker
    handle_message = MessageProcessor.handle_message

    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await run_action(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # a form's validation saying no: part of the conversation, not a failure
        except Exception:
            _FAILED_ACTION.set(self.name())
            raise  # Rasa logs it and carries on; the save below refuses the turn

    async def save(self: MessageProcessor, tracker: Any) -> None:
        failed = _FAILED_ACTION.get()
        if failed is not None:
            raise TurnNotStoredError(f"custom action {failed} failed; the turn is not stored")
        await save_tracker(self, tracker)

    async def handle_once(self: MessageProcessor, message: Any) -> Any:
        # Called inside Rasa's lock on the conversation (Agent.handle_message).
        message_id = _CLIENT_MESSAGE_ID.get()
        output = message.output_channel
        if message_id is not None and isinstance(output, CollectingOutputChannel):
            tracker = await self.tracker_store.retrieve(message.sender_id)
            events = list(tracker.events) if tracker else []
            stored = stored_answer(events, message_id, message.sender_id)
            if stored is not None:
                output.messages.extend(stored)
                return output.messages
        return await handle_message(self, message)

    RemoteAction.run = run
    MessageProcessor.save_tracker = save
    MessageProcessor.handle_message = handle_once
