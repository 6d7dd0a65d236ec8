"""What the launcher (serving/rasa_server.py) changes in Rasa 3.6 before it starts.

A tracker-store error fails the turn. Rasa wraps every tracker store in a FailSafeTrackerStore
that, when the database cannot be reached, carries on with a blank in-memory conversation: a
visitor in the middle of screening would get an answer out of context, and the turn would never
be stored. Failing instead, Rasa answers nothing, the web app tells the visitor that the
assistant could not answer and keeps the message for Retry, and nothing is lost silently.

And a turn is cheaper without doing anything else: the action server's replies are checked
against Rasa's schema with a validator compiled once (docs/decisions.md, "Speed").
"""

from __future__ import annotations


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
    measured with py-spy (docs/decisions.md, "Speed")."""
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
