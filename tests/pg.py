"""A throwaway PostgreSQL server for the test session: the real server, no install of its own.

The `postgres` fixture makes a cluster with initdb in a temporary folder, starts it with pg_ctl on
127.0.0.1 (a free port; its unix socket in the same folder), trust authentication for the
`postgres` superuser, and stops and deletes it when the test session ends. One cluster serves the
whole session, however many test modules import the fixture.

PostgreSQL refuses to run as root: as root (CI), initdb and pg_ctl run as the `postgres` system
user that the Debian package creates. The binaries come from the Debian package
(/usr/lib/postgresql/<version>/bin); `bash scripts/setup-system.sh postgresql-15` (or
`make system`) installs it.

Use it by importing the fixture into a test module:

    from tests.pg import postgres  # noqa: F401  (the fixture)

    def test_something(postgres):
        url = postgres.create_database("scratch")   # postgresql://postgres@127.0.0.1:PORT/scratch
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tools.stack import free_port

INSTALL_HINT = "run `bash scripts/setup-system.sh postgresql-15` (as root, or `make system`)"
SUPERUSER = "postgres"


def find_bindir() -> Path:
    """The newest PostgreSQL server's bin folder that has initdb and pg_ctl."""
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")]
    candidates = [c for c in candidates if (c / "initdb").exists()]
    if candidates:

        def version(bindir: Path) -> list[int]:
            return [int(n) for n in re.findall(r"\d+", bindir.parent.name)] or [0]

        return max(candidates, key=version)
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    raise FileNotFoundError(
        "No PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH; "
        f"the PostgreSQL tests need them: {INSTALL_HINT}."
    )


@dataclass
class PostgresServer:
    """One throwaway cluster: `start()` it, `create_database()` in it, `stop()` it."""

    bindir: Path
    host: str = "127.0.0.1"
    port: int = 0
    root: Path | None = None
    _databases: set[str] = field(default_factory=set)

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    @property
    def datadir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{db}"

    def _run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_root:
            runuser = shutil.which("runuser")
            cmd = (
                [runuser, "-u", SUPERUSER, "--", *cmd]
                if runuser
                else ["su", SUPERUSER, "-s", "/bin/sh", "-c", subprocess.list2cmdline(cmd)]
            )
        return subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
        )

    def start(self) -> PostgresServer:
        # Not under pytest's basetemp: that is private to the user running pytest (0700), and
        # the server may run as the `postgres` user.
        self.root = Path(tempfile.mkdtemp(prefix="clinic-test-pg-"))
        if self.as_root:
            import pwd

            try:
                user = pwd.getpwnam(SUPERUSER)
            except KeyError:
                self.cleanup()
                raise RuntimeError(
                    f"Running as root, PostgreSQL must run as the `{SUPERUSER}` system user, "
                    f"which does not exist: {INSTALL_HINT}."
                ) from None
            os.chown(self.root, user.pw_uid, user.pw_gid)
        init = self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if init.returncode != 0:
            self.cleanup()
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# throwaway test cluster\n"
                f"listen_addresses = '{self.host}'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 50\nshared_buffers = 32MB\n"
            )
        # A free port can be taken between choosing and binding it: try a few.
        for attempt in range(3):
            self.port = free_port()
            started = self._run(
                "pg_ctl",
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-o",
                f"-p {self.port}",
                timeout=90,
            )
            if started.returncode == 0:
                return self
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            if "Address already in use" not in log or attempt == 2:
                self.cleanup()
                raise RuntimeError(
                    f"pg_ctl start failed:\n{started.stdout}\n{started.stderr}\n"
                    f"server log:\n{log[-4000:]}"
                )
        raise AssertionError("unreachable")

    def create_database(self, name: str) -> str:
        """Creates an empty database (dropping one of that name first); returns its URL."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT", future=True)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        self._databases.add(name)
        return self.url(name)

    def stop(self) -> None:
        if self.root is not None and (self.datadir / "postmaster.pid").exists():
            self._run(
                "pg_ctl",
                "stop",
                "-w",
                "-t",
                "30",
                "-m",
                "fast",
                "-D",
                str(self.datadir),
                timeout=60,
            )
        self.cleanup()

    def cleanup(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


_SERVER = pytest.StashKey[PostgresServer]()


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> PostgresServer:
    """The session's throwaway PostgreSQL server (started on first use, stopped at the end)."""
    config = request.config
    server = config.stash.get(_SERVER, None)
    if server is None:
        problem = None
        started = time.monotonic()
        try:
            bindir = find_bindir()
            server = PostgresServer(bindir).start()
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
            f"\n[pg] PostgreSQL {bindir.parent.name} on {server.host}:{server.port} "
            f"({time.monotonic() - started:.1f} s)"
        )
    return server
