"""The test session's throwaway PostgreSQL server: the project's own launcher (tools/postgres.py)
in a temporary folder, on a free port, started on first use and stopped and deleted when the
session ends. One server serves the whole session, however many test modules import the fixture;
each `create_database` gives an empty database.

    from tests.pg import postgres  # noqa: F401  (the fixture)

    def test_something(postgres):
        url = postgres.create_database("scratch")  # postgresql://clinic:...@127.0.0.1:PORT/scratch
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tools.postgres import PostgresServer
from tools.processes import free_port

ATTEMPTS = 3


def throwaway_server(folder: Path) -> PostgresServer:
    """Started on a free port; on another if that one is taken between choosing and binding it."""
    for attempt in range(1, ATTEMPTS + 1):
        server = PostgresServer(folder, port=free_port(), max_connections=50, throwaway=True)
        try:
            return server.start()
        except RuntimeError:
            if attempt == ATTEMPTS or "Address already in use" not in server.tail_log():
                raise
    raise AssertionError("unreachable")


_SERVER = pytest.StashKey[PostgresServer]()


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> PostgresServer:
    """The session's throwaway PostgreSQL server (started on first use, stopped at the end)."""
    config = request.config
    server = config.stash.get(_SERVER, None)
    if server is None:
        started = time.monotonic()
        # Not under pytest's basetemp: that is private to the user running pytest (0700), and
        # the server may run as the `postgres` user.
        folder = Path(tempfile.mkdtemp(prefix="clinic-test-pg-"))
        # Cleanups run last registered first: the server stops, then its folder goes.
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        problem = None
        try:
            server = throwaway_server(folder / "pg")
        except FileNotFoundError as error:
            problem = str(error)
        except RuntimeError as error:
            problem = f"Could not start a throwaway PostgreSQL server: {error}"
        if problem:  # failed outside the except block: no chained traceback in the report
            pytest.fail(problem, pytrace=False)
        config.stash[_SERVER] = server
        # At the end of the session, not of the first module that used it.
        config.add_cleanup(server.stop)
        print(
            f"\n[pg] PostgreSQL {server.bindir.parent.name} on {server.host}:{server.port} "
            f"({time.monotonic() - started:.1f} s)"
        )
    return server
