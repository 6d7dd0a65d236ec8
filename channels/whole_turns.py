"""A turn is stored whole or not at all.

Rasa 3.6 catches a custom action's failure (the action server down or restarting), logs it,
and carries on: the turn is stored with the visitor's message and without its answer. The
visitor, told to retry, sends the message again, and the conversation then holds it twice.
Here a failed custom action marks the turn, and the turn's save refuses to store it: the turn
fails, nothing is stored, and the retry is processed on the conversation as it was.
tools/rasa_server.py installs this before Rasa starts; channels/rest.py starts each turn.
"""

from __future__ import annotations

import contextvars
from typing import Any

from rasa.shared.exceptions import RasaException

# The failed action of the turn running in this task, if any (each request is its own task).
_FAILED_ACTION: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "failed_action", default=None
)


class TurnNotStoredError(RasaException):
    """A custom action of this turn failed: the turn is not stored, and its visitor retries."""


def start_turn() -> None:
    _FAILED_ACTION.set(None)


def install() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.core.processor import MessageProcessor

    run_action = RemoteAction.run
    save_tracker = MessageProcessor.save_tracker

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

    RemoteAction.run = run
    MessageProcessor.save_tracker = save
