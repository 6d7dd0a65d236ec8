"""Starts `rasa run` with the HTTP API token taken from RASA_API_TOKEN, so the token is not on
the command line, where any local user could read it (`ps`, /proc/<pid>/cmdline); a process's
environment is readable by its own account only.

It also makes a tracker-store error fail the turn. Rasa 3.6 wraps every tracker store in a
FailSafeTrackerStore that, when the database cannot be reached, carries on with a blank
in-memory conversation: a visitor in the middle of screening would get an answer out of context,
and the turn would never be stored. Failing instead, Rasa answers nothing, the web app tells the
visitor that the assistant could not answer and keeps the message for Retry, and nothing is lost
silently.

And it makes a turn cheaper without changing what it does: the action server's replies are
checked against Rasa's schema with a validator compiled once, and TensorFlow runs one thread per
operation (README, "Speed").

    RASA_API_TOKEN=... python -m tools.rasa_server run --model ... --enable-api
"""

from __future__ import annotations

import os
import sys

from channels import whole_turns


def rasa_argv(args: list[str], token: str) -> list[str]:
    """Rasa's command line with the token; `--auth-token=` in one word, so a token starting
    with "-" is not read as an option."""
    return ["rasa", *args, *([f"--auth-token={token}"] if token else [])]


def _fail_the_turn(_store: object, error: Exception) -> None:
    raise error


def fail_on_tracker_store_errors() -> None:
    """Tracker-store errors propagate instead of falling back to an empty conversation."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    FailSafeTrackerStore.on_tracker_store_error = _fail_the_turn
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _fail_the_turn


def keep_running_on_database_errors() -> None:
    """A database error fails the turn; it never stops the server. Rasa 3.6's SQL tracker
    store exits the process on any ValueError inside a session, which it takes for a missing
    PostgreSQL schema: a UnicodeEncodeError from SQLite (a lone surrogate in a conversation id)
    once stopped the whole assistant. Here only the schema check itself can say the schema is
    missing, and then too the turn fails, with the reason in the log."""
    import contextlib
    from collections.abc import Iterator

    from rasa.core import tracker_store
    from rasa.shared.exceptions import RasaException

    @contextlib.contextmanager
    def session_scope(self: tracker_store.SQLTrackerStore) -> Iterator:
        session = self.sessionmaker()
        try:
            try:
                tracker_store.ensure_schema_exists(session)
            except ValueError as error:
                raise RasaException(f"PostgreSQL schema '{error}' not found") from None
            yield session
        finally:
            session.close()

    tracker_store.SQLTrackerStore.session_scope = session_scope


def validate_action_results_with_a_compiled_schema() -> None:
    """The action server's reply is still checked against Rasa's schema, with a validator built
    once. Rasa 3.6 calls jsonschema.validate for every custom action, which checks the schema
    itself and builds a new validator each time: a quarter of the Rasa server's CPU per turn,
    measured with py-spy (README, "Speed")."""
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    original = RemoteAction._validate_action_result

    def validate(self: RemoteAction, result: dict) -> bool:
        if best_match(validator.iter_errors(result)) is None:
            return True
        return original(self, result)  # Rasa's own error, with its message

    RemoteAction._validate_action_result = validate


# One TensorFlow thread per operation: the server classifies one short message at a time, and
# on 2 cores a second thread only competes with the action server and the web app (+6 to 11 %
# messages per second at 16 concurrent conversations, README "Speed"). An operator's setting
# wins.
TF_THREADS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def main() -> None:
    for name, value in TF_THREADS.items():
        os.environ.setdefault(name, value)
    sys.argv = rasa_argv(sys.argv[1:], os.environ.pop("RASA_API_TOKEN", ""))
    fail_on_tracker_store_errors()
    keep_running_on_database_errors()
    whole_turns.install()
    validate_action_results_with_a_compiled_schema()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
