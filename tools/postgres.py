"""A PostgreSQL server of our own, kept in a folder: made with initdb on first start, then
started, restarted and stopped with pg_ctl. `make run-cluster` keeps it in var/cluster/pg, so
conversations survive a restart; the end-to-end tests keep it in a temporary folder, and the
test session's throwaway server (tests/pg.py) is one too, made `throwaway`: no fsync, little
memory, nothing worth keeping after a crash.

PostgreSQL refuses to run as root. As root, initdb and pg_ctl run as the `postgres` system user
that the Debian package creates, and the folder is given to that user; its parent must then be
traversable by others (mode 0711: nothing in it can be listed). The binaries come from the Debian
package (`bash scripts/setup-system.sh postgresql-15`).

Connections need a password (scram-sha-256), even on loopback: any local account can reach a
loopback port. The password is chosen at initdb and kept in `<folder>/password` (0600) beside the
data, since it is the data's password.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tools.processes import LOOPBACK

INSTALL_HINT = "run `bash scripts/setup-system.sh postgresql-15` (as root, or `make system`)"
SYSTEM_USER = "postgres"
# Durability traded for speed, for data that dies with the test session anyway.
THROWAWAY_SETTINGS = (
    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
)


def find_bindir() -> Path:
    """The newest PostgreSQL server's bin folder that has initdb and pg_ctl."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")]
    found = [d for d in found if (d / "initdb").exists()]
    if found:
        return max(found, key=lambda d: [int(n) for n in re.findall(r"\d+", d.parent.name)] or [0])
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    raise FileNotFoundError(f"No PostgreSQL server binaries (initdb, pg_ctl): {INSTALL_HINT}.")


@dataclass
class PostgresServer:
    """One PostgreSQL cluster in `folder` (data in `folder/data`), listening on loopback only."""

    folder: Path
    port: int = 5432
    user: str = "clinic"  # the superuser initdb makes; the assistant's processes log in as it
    password: str = ""  # taken by initdb (empty: a random one); later starts use the file's
    max_connections: int = 300  # each Rasa server pools up to 150 (Rasa's own defaults)
    throwaway: bool = False  # a test's server: faster, and lost if the machine stops

    def __post_init__(self) -> None:
        self.folder = Path(self.folder).resolve()
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        if self.password_file.exists():
            self.password = self.password_file.read_text().strip()
        self.password = self.password or secrets.token_hex(24)

    @property
    def datadir(self) -> Path:
        return self.folder / "data"

    @property
    def logfile(self) -> Path:
        return self.folder / "server.log"

    @property
    def password_file(self) -> Path:
        return self.folder / "password"

    @property
    def host(self) -> str:
        return LOOPBACK

    def url(self, db: str) -> str:
        password = quote(self.password, safe="")
        return f"postgresql://{self.user}:{password}@{LOOPBACK}:{self.port}/{db}"

    def _run(self, *argv: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", SYSTEM_USER, "--", *cmd]
        return subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,
        )

    def _give_to_system_user(self, path: Path) -> None:
        if self.as_root:
            shutil.chown(path, SYSTEM_USER, SYSTEM_USER)

    def _initdb(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.as_root:
            import pwd

            try:
                pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise RuntimeError(
                    f"As root, PostgreSQL runs as the `{SYSTEM_USER}` user, which does not "
                    f"exist: {INSTALL_HINT}."
                ) from None
            # The server (another account) must reach its folder through this one.
            os.chmod(self.folder.parent, os.stat(self.folder.parent).st_mode | 0o111)
            self._give_to_system_user(self.folder)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(self.password + "\n")
        self._give_to_system_user(self.password_file)
        init = self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "--pwfile",
            str(self.password_file),
            "-A",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            *(["--no-sync"] if self.throwaway else []),
        )
        if init.returncode != 0:
            shutil.rmtree(self.datadir, ignore_errors=True)
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")

    def _write_settings(self) -> None:
        # Rewritten at every start, so a changed port or folder is taken up; included last,
        # so it wins over initdb's postgresql.conf.
        settings = self.datadir / "runner.conf"
        settings.write_text(
            "# Written by tools/postgres.py at each start; edits are lost.\n"
            f"listen_addresses = '{LOOPBACK}'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = '{self.folder}'\n"
            f"max_connections = {self.max_connections}\n"
            + (THROWAWAY_SETTINGS if self.throwaway else "")
        )
        self._give_to_system_user(settings)
        conf = self.datadir / "postgresql.conf"
        if "include_if_exists = 'runner.conf'" not in conf.read_text():
            with conf.open("a") as out:
                out.write("\ninclude_if_exists = 'runner.conf'\n")

    def running(self) -> bool:
        if not self.datadir.exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.datadir)).returncode == 0

    def start(self) -> PostgresServer:
        if not (self.datadir / "PG_VERSION").exists():
            self._initdb()
        if self.running():  # left over by a runner that was killed: ours, in our folder
            self.stop()
        self._write_settings()
        started = self._run(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.datadir), "-l", str(self.logfile)
        )
        if started.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL did not start on port {self.port}:\n{started.stdout}{started.stderr}"
                f"\nits log ({self.logfile}):\n{self.tail_log()}"
            )
        return self

    def stop(self) -> None:
        # Fast shutdown: the Rasa servers keep pooled connections open, and a smart shutdown
        # would wait for them to close.
        if self.datadir.exists():
            self._run("pg_ctl", "stop", "-w", "-t", "30", "-m", "fast", "-D", str(self.datadir))

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        """Creates database `name` unless it exists, and returns its URL. On a throwaway server
        it is made anew, empty: what a test expects of it."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT", future=True)
        try:
            with engine.connect() as conn:
                if self.throwaway:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                exists = conn.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                if not exists:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def tail_log(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
