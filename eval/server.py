"""The servers a judge talks to: the project's own Rasa and action servers, started for one run
on free ports with temporary files, so a measurement never touches var/ or a running stack."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Server:
    rasa_url: str
    # The SQLite tracker store, where slots and the NLU reading are read back; None for a
    # server started elsewhere (--url), whose store a judge cannot see.
    tracker_db: Path | None = None


@contextmanager
def started(prefix: str) -> Iterator[Server]:
    # Imported here: the stack brings SQLAlchemy and the web app's settings, which the judges
    # that need no server (consent, label agreement) and `--help` should not wait for.
    from tools.stack import throwaway_stack

    with throwaway_stack(prefix) as stack:
        yield Server(stack.rasa_url, stack.tracker_db)
