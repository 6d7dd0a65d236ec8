"""Starts and stops the assistant's processes: action server, Rasa server, web app.

One implementation serves `make run` and the tests. Each process logs to a file in
`<workdir>/logs`; start-up waits until the process answers on its port, and says what it is
waiting for.

    python -m tools.stack [--workdir var] [--model models/clinic.tar.gz]   # what `make run` does

Where each setting comes from, one rule:
- `Stack` takes what it decides (ports, hosts, database URLs, the RASA_URL its children use) as
  arguments. Those left out get the one-machine value inside `workdir`: SQLite files there, this
  stack's own Rasa server. Its children get os.environ with these values laid over it. So a Stack
  the tests make, with free ports, is isolated whatever the test process's environment holds: it
  never touches var/ or an operator's database. (RASA_API_TOKEN is the exception: taken from
  the environment when not given, since a token isolates nothing.)
- `main()` (`make run`) makes the Stack from the environment: a variable the operator set
  (CLINIC_DB_URL=postgresql://..., ACTIONS_PORT, ...) wins, and the runner fills in only what
  is unset.
- Rasa gets an endpoints file the runner writes into `workdir` from the actions port and the
  tracker database it was given, so the two cannot disagree. The repo's endpoints.yml documents
  the same one-machine setup for running Rasa by hand; the runner does not read it.
- Every process listens on 127.0.0.1 unless ACTIONS_HOST / WEB_HOST say otherwise; Rasa always
  does (the web app forwards chat to it; its HTTP API is for the action server only).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tools.endpoints import endpoints_yaml, sqlite_path
from tools.processes import LOOPBACK, ROOT, Process, connect_url, free_port, start_together
from tools.supervisor import run_until_stopped

VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_MODEL = ROOT / "models" / "clinic.tar.gz"
# The web app forwards chat to the REST channel only: it gets neither Rasa's API token nor the
# action server's secret, whatever the operator's environment holds.
SECRETS_OF_OTHERS = ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN")
__all__ = ["DEFAULT_MODEL", "ROOT", "VENV_BIN", "Process", "Stack", "free_port", "throwaway_stack"]
# Settings of the processes' own tools, not of the assistant: set only when unset.
QUIET = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
}


@dataclass
class Stack:
    """The three processes, wired to each other and to one folder of data files."""

    workdir: Path
    model: Path = DEFAULT_MODEL
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8000
    actions_host: str = LOOPBACK
    web_host: str = LOOPBACK
    clinic_db_url: str | None = None  # None: clinic.db in workdir
    tracker_db_url: str | None = None  # None: tracker.db in workdir
    children_rasa_url: str | None = None  # RASA_URL of the web app and action server
    web_secret_file: Path | None = None  # None: web-secret-key in workdir
    api_token: str | None = None  # None: RASA_API_TOKEN, else a new random one
    action_token: str | None = None  # None: ACTION_SERVER_TOKEN, else a new random one
    extra_env: dict[str, str] = field(default_factory=dict)  # laid over everything
    # The benchmark's baseline: `rasa run` as Rasa ships it, without serving/rasa_server.py.
    stock_rasa: bool = False

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir).resolve()
        self.workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.clinic_db_url = self.clinic_db_url or f"sqlite:///{self.workdir / 'clinic.db'}"
        self.tracker_db_url = self.tracker_db_url or f"sqlite:///{self.workdir / 'tracker.db'}"
        self.children_rasa_url = (self.children_rasa_url or self.rasa_url).rstrip("/")
        self.web_secret_file = Path(self.web_secret_file or self.workdir / "web-secret-key")
        # The SQLite files, for tests that look inside them; None for another database.
        self.clinic_db = sqlite_path(self.clinic_db_url)
        self.tracker_db = sqlite_path(self.tracker_db_url)
        if self.tracker_db is not None:
            self.tracker_db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Rasa's HTTP API serves only the action server (classifying each question of a message
        # on its own); it listens on loopback and needs this token. The web app never uses it.
        # Hex, so a generated token never starts with "-" (argparse would read it as an option).
        self.api_token = self.api_token or os.environ.get("RASA_API_TOKEN") or secrets.token_hex(32)
        # What Rasa sends the action server so that it answers Rasa only (serving/action_server.py).
        self.action_token = (
            self.action_token or os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_hex(32)
        )
        # 0600: the file may hold the tracker database's password.
        self.endpoints = self.workdir / "endpoints.yml"
        fd = os.open(self.endpoints, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(endpoints_yaml(self.actions_url, self.tracker_db_url, self.action_token))
        os.chmod(self.endpoints, 0o600)

        env = {**QUIET, **os.environ}
        pythonpath = [str(ROOT)] + [
            p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)
        ]
        env.update(
            {
                "CLINIC_DB_URL": self.clinic_db_url,
                "TRACKER_DB_URL": self.tracker_db_url,
                "RASA_URL": self.children_rasa_url,
                "RASA_API_TOKEN": self.api_token,
                "WEB_HOST": self.web_host,
                "WEB_PORT": str(self.web_port),
                "WEB_SECRET_FILE": str(self.web_secret_file),
                "PYTHONPATH": os.pathsep.join(pythonpath),
            }
        )
        env.update(self.extra_env)
        logs = self.workdir / "logs"
        python = str(VENV_BIN / "python")
        self.actions = Process(
            "action server",
            [python, "-m", "serving.action_server"],
            {
                **env,
                "ACTIONS_HOST": self.actions_host,
                "ACTIONS_PORT": str(self.actions_port),
                "ACTION_SERVER_TOKEN": self.action_token,
            },
            f"{self.actions_url}/health",
            logs / "actions.log",
        )
        self.rasa = Process(
            "Rasa server",
            [
                python,
                "-m",
                "rasa" if self.stock_rasa else "serving.rasa_server",
                "run",
                "--model",
                str(self.model),
                "--endpoints",
                str(self.endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--interface",
                LOOPBACK,
                "--port",
                str(self.rasa_port),
                "--enable-api",
                *([f"--auth-token={self.api_token}"] if self.stock_rasa else []),
            ],
            env,
            f"{self.rasa_url}/",
            logs / "rasa.log",
        )
        web_env = {k: v for k, v in env.items() if k not in SECRETS_OF_OTHERS}
        self.web = Process(
            "web app",
            [python, "-m", "web.app"],
            web_env,
            f"{self.web_url}/healthz",
            logs / "web.log",
        )

    @classmethod
    def from_environment(
        cls, workdir: Path, model: Path = DEFAULT_MODEL, environ: Mapping[str, str] = os.environ
    ) -> Stack:
        """The Stack `make run` starts: what the operator set wins, the rest is the default."""

        def get(name: str) -> str | None:
            return environ.get(name) or None

        secret_file = get("WEB_SECRET_FILE")
        return cls(
            workdir,
            model=model,
            rasa_port=int(get("RASA_PORT") or 5005),
            actions_port=int(get("ACTIONS_PORT") or 5055),
            web_port=int(get("WEB_PORT") or 8000),
            actions_host=get("ACTIONS_HOST") or LOOPBACK,
            web_host=get("WEB_HOST") or LOOPBACK,
            clinic_db_url=get("CLINIC_DB_URL"),
            tracker_db_url=get("TRACKER_DB_URL"),
            children_rasa_url=get("RASA_URL"),
            web_secret_file=Path(secret_file) if secret_file else None,
            api_token=get("RASA_API_TOKEN"),
            action_token=get("ACTION_SERVER_TOKEN"),
        )

    @property
    def rasa_url(self) -> str:
        """This stack's Rasa server (always on loopback)."""
        return f"http://{LOOPBACK}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return connect_url(self.actions_host, self.actions_port)

    @property
    def web_url(self) -> str:
        return connect_url(self.web_host, self.web_port)

    @property
    def processes(self) -> list[Process]:
        return [self.actions, self.rasa, self.web]

    def where(self) -> str:
        return (
            f"  clinic site with the chat widget  {self.web_url}/\n"
            f"  staff console                     {self.web_url}/staff/\n"
            f"  Rasa REST channel                 {self.rasa_url}/webhooks/rest/webhook\n"
            f"  action server                     {self.actions_url}\n"
            f"Logs in {self.workdir / 'logs'}."
        )

    def start(self, progress: bool = False, web: bool = True) -> Stack:
        if not self.model.exists():
            raise FileNotFoundError(f"No trained model at {self.model}: run `make train`.")
        wanted = self.processes if web else [self.actions, self.rasa]
        try:
            start_together(wanted, lambda p: 180 if p is self.rasa else 60, progress)
        except BaseException:
            self.stop()
            raise
        return self

    def restart_rasa(self) -> None:
        self.rasa.stop()
        self.rasa.start()
        self.rasa.wait_ready(timeout=180, progress=False)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def throwaway_stack(prefix: str) -> Iterator[Stack]:
    """The Rasa and action servers on free ports with temporary files, stopped on exit: what
    the measuring tools (accuracy, screening, rule precision) talk to."""
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        stack = Stack(
            Path(workdir), rasa_port=free_port(), actions_port=free_port(), web_port=free_port()
        )
        stack.start(web=False)
        try:
            yield stack
        finally:
            stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the clinic assistant's processes.")
    parser.add_argument("--workdir", default=str(ROOT / "var"))
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    args = parser.parse_args(argv)
    try:
        stack = Stack.from_environment(Path(args.workdir), model=Path(args.model))
    except (ValueError, sa.exc.ArgumentError) as error:  # a port or URL that cannot be used
        print(f"Could not start: {error}", file=sys.stderr)
        return 2
    return run_until_stopped(stack, "The assistant")


if __name__ == "__main__":
    sys.exit(main())
