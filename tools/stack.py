"""Starts and stops the assistant's processes: action server, Rasa server, web app.

One implementation serves `make run` (default ports, the repo's endpoints.yml, files in var/) and
the tests (free ports, a temporary folder with its own SQLite files). Each process logs to a file;
start-up waits until the process answers on its port, and says what it is waiting for.

    python -m tools.stack            # what `make run` does: start all, wait for Ctrl-C
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_MODEL = ROOT / "models" / "clinic.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 2.0) -> Optional[int]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def endpoints_yaml(actions_port: int, tracker_db: Path) -> str:
    """An endpoints file for one machine: SQLite tracker store, in-memory lock store."""
    return (
        "action_endpoint:\n"
        f"  url: http://127.0.0.1:{actions_port}/webhook\n"
        "tracker_store:\n"
        "  type: SQL\n"
        "  dialect: sqlite\n"
        f"  db: {tracker_db}\n"
    )


@dataclass
class Process:
    name: str
    argv: List[str]
    env: Dict[str, str]
    health_url: str
    log_path: Path
    popen: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        log = os.fdopen(os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        # umask 077: the databases and logs these processes create hold patients' personal
        # data, readable by the account that runs the assistant only.
        self.popen = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077,
        )
        log.close()

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, timeout: float, progress: bool) -> None:
        started = time.monotonic()
        last_note = started
        while time.monotonic() - started < timeout:
            if not self.running():
                raise RuntimeError(
                    f"{self.name} exited during start-up; its log:\n{self.tail_log()}"
                )
            if _get(self.health_url) == 200:
                if progress:
                    print(f"    {self.name} ready ({time.monotonic() - started:.0f} s)", flush=True)
                return
            if progress and time.monotonic() - last_note > 10:
                print(f"    ... waiting for {self.name} ({time.monotonic() - started:.0f} s)",
                      flush=True)
                last_note = time.monotonic()
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s; log:\n{self.tail_log()}")

    def stop(self, timeout: float = 15) -> None:
        if not self.running():
            return
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)

    def tail_log(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class Stack:
    """The three processes, wired to each other and to one folder of data files."""

    workdir: Path
    model: Path = DEFAULT_MODEL
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8000
    endpoints: Optional[Path] = None  # None: write one for SQLite files in workdir
    extra_env: Dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir).resolve()
        self.workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.tracker_db = self.workdir / "tracker.db"
        self.clinic_db = self.workdir / "clinic.db"
        if self.endpoints is None:
            self.endpoints = self.workdir / "endpoints.yml"
            self.endpoints.write_text(endpoints_yaml(self.actions_port, self.tracker_db))
        # Rasa's HTTP API serves only the action server (classifying each question of a message
        # on its own); it listens on loopback and needs this token. The web app never uses it.
        # Hex, so a generated token never starts with "-" (argparse would read it as an option).
        self.api_token = os.environ.get("RASA_API_TOKEN") or secrets.token_hex(32)
        env = dict(os.environ)
        env.update(
            {
                "CLINIC_DB_URL": f"sqlite:///{self.clinic_db}",
                "TRACKER_DB_URL": f"sqlite:///{self.tracker_db}",
                "RASA_URL": self.rasa_url,
                "RASA_API_TOKEN": self.api_token,
                "WEB_HOST": "127.0.0.1",
                "WEB_PORT": str(self.web_port),
                "WEB_SECRET_FILE": str(self.workdir / "web-secret-key"),
                "PYTHONPATH": str(ROOT),
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "RASA_TELEMETRY_ENABLED": "false",
            }
        )
        env.update(self.extra_env)
        logs = self.workdir / "logs"
        rasa = str(VENV_BIN / "rasa")
        self.actions = Process(
            "action server", [rasa, "run", "actions", "--actions", "actions",
                              "--port", str(self.actions_port)],
            env, f"http://127.0.0.1:{self.actions_port}/health", logs / "actions.log",
        )
        self.rasa = Process(
            "Rasa server", [rasa, "run", "--model", str(self.model), "--endpoints",
                            str(self.endpoints), "--credentials", str(ROOT / "credentials.yml"),
                            "--interface", "127.0.0.1", "--port", str(self.rasa_port),
                            "--enable-api", f"--auth-token={self.api_token}"],
            env, f"{self.rasa_url}/", logs / "rasa.log",
        )
        self.web = Process(
            "web app", [str(VENV_BIN / "python"), "-m", "web.app"],
            env, f"http://127.0.0.1:{self.web_port}/healthz", logs / "web.log",
        )

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def processes(self) -> List[Process]:
        return [self.actions, self.rasa, self.web]

    def start(self, progress: bool = False, web: bool = True) -> "Stack":
        if not self.model.exists():
            raise FileNotFoundError(f"No trained model at {self.model}: run `make train`.")
        wanted = self.processes if web else [self.actions, self.rasa]
        for process in wanted:
            if progress:
                print(f"==> Starting {process.name} (log: {process.log_path})", flush=True)
            process.start()
        try:
            for process in wanted:
                process.wait_ready(timeout=180 if process is self.rasa else 60, progress=progress)
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

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the clinic assistant's processes.")
    parser.add_argument("--workdir", default=str(ROOT / "var"))
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--endpoints", default=str(ROOT / "endpoints.yml"))
    args = parser.parse_args(argv)
    stack = Stack(Path(args.workdir), model=Path(args.model), endpoints=Path(args.endpoints),
                  rasa_port=int(os.environ.get("RASA_PORT", 5005)),
                  actions_port=int(os.environ.get("ACTIONS_PORT", 5055)),
                  web_port=int(os.environ.get("WEB_PORT", 8000)))
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        stack.start(progress=True)
    except (RuntimeError, FileNotFoundError) as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    print(
        "\nThe assistant is running:\n"
        f"  clinic site with the chat widget  {stack.web_url}/\n"
        f"  staff console                     {stack.web_url}/staff/\n"
        f"  Rasa REST channel                 {stack.rasa_url}/webhooks/rest/webhook\n"
        f"  action server                     http://127.0.0.1:{stack.actions_port}\n"
        f"Logs in {stack.workdir / 'logs'}. Press Ctrl-C to stop everything.",
        flush=True,
    )
    while not stopping:
        for process in stack.processes:
            if not process.running():
                print(f"{process.name} stopped unexpectedly; its log:\n{process.tail_log()}",
                      file=sys.stderr)
                stopping = True
        time.sleep(0.5)
    print("\nStopping...", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
