"""Starts `rasa run` with the HTTP API token taken from RASA_API_TOKEN, so the token is not on
the command line, where any local user could read it (`ps`, /proc/<pid>/cmdline); a process's
environment is readable by its own account only.

It also makes a tracker-store error fail the turn. Rasa 3.6 wraps every tracker store in a
FailSafeTrackerStore that, when the database cannot be reached, carries on with a blank
in-memory conversation: a visitor in the middle of screening would get an answer out of context,
and the turn would never be stored. Failing instead, Rasa answers nothing, the web app tells the
visitor that the assistant could not answer and keeps the message for Retry, and nothing is lost
silently.

    RASA_API_TOKEN=... python -m tools.rasa_server run --model ... --enable-api
"""

from __future__ import annotations

import os
import sys


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


def main() -> None:
    sys.argv = rasa_argv(sys.argv[1:], os.environ.pop("RASA_API_TOKEN", ""))
    fail_on_tracker_store_errors()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
