"""One server process: started with its log in a file, waited for until it answers its health
URL, stopped with its whole process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def connect_url(host: str, port: int) -> str:
    """Where to reach a server listening on `host`: a wildcard address is reached on loopback."""
    if host in ("", "0.0.0.0", "::"):
        host = LOOPBACK
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        log = os.fdopen(os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        # umask 077: the databases and logs these processes create hold patients' personal
        # data, readable by the account that runs the assistant only.
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            umask=0o077,
        )
        log.close()

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def ready(self) -> bool:
        """Running and answering its health URL."""
        return self.running() and http_status(self.health_url) == 200

    def wait_ready(self, timeout: float, progress: bool) -> None:
        started = time.monotonic()
        last_note = started
        while time.monotonic() - started < timeout:
            if not self.running():
                raise RuntimeError(
                    f"{self.name} exited during start-up; its log:\n{self.tail_log()}"
                )
            if self.ready():
                if progress:
                    print(f"    {self.name} ready ({time.monotonic() - started:.0f} s)", flush=True)
                return
            if progress and time.monotonic() - last_note > 10:
                print(
                    f"    ... waiting for {self.name} ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
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
class Supervisor:
    """Keeps processes up: one that exits is started again after a pause that doubles with
    each exit in a row (1, 2, 4 ... 30 s) and falls back to the first once it has run a minute.
    Each exit and restart is said in `say` (the runner's own log): one crashed process no
    longer stops the others, and nobody has to be there to bring it back."""

    processes: list[Process]
    say: Callable[[str], None] = print
    first_pause: float = 1.0
    longest_pause: float = 30.0
    settled_after: float = 60.0
    _pause: dict[str, float] = field(default_factory=dict)
    _due: dict[str, float] = field(default_factory=dict)
    _started: dict[str, float] = field(default_factory=dict)

    def check(self, now: float | None = None) -> None:
        """One look at every process: schedules a restart for one that exited, and starts
        those whose pause is over."""
        now = time.monotonic() if now is None else now
        for process in self.processes:
            name = process.name
            if process.running():
                if now - self._started.get(name, now) >= self.settled_after:
                    self._pause.pop(name, None)
                continue
            if name not in self._due:
                pause = self._pause.get(name, self.first_pause)
                code = process.popen.returncode if process.popen else None
                self.say(f"{name} exited (code {code}); starting it again in {pause:.0f} s")
                self._due[name] = now + pause
                self._pause[name] = min(pause * 2, self.longest_pause)
            elif now >= self._due[name]:
                del self._due[name]
                process.start()
                self._started[name] = now
                self.say(f"{name} started again (log: {process.log_path})")

    def run(self, stopping: Callable[[], bool], poll: float = 0.5) -> None:
        while not stopping():
            self.check()
            time.sleep(poll)
