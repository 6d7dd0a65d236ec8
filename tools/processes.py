"""One server process: started with its log in a file, waited for until it answers its health
URL, stopped with its whole process group. tools/supervisor.py keeps a group of them up."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
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


def start_together(
    processes: list[Process], timeout: Callable[[Process], float], progress: bool
) -> None:
    """Starts them all at once (each Rasa server loads for 30 to 60 s), then waits until each
    answers, for at most `timeout(process)` seconds."""
    for process in processes:
        if progress:
            print(f"==> Starting {process.name} (log: {process.log_path})", flush=True)
        process.start()
    for process in processes:
        process.wait_ready(timeout=timeout(process), progress=progress)
