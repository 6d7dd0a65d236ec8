"""Runs a group of processes until Ctrl-C or SIGTERM and keeps each of them up meanwhile: what
`make run` (tools/stack.py) and `make run-cluster` (tools/cluster.py) do once they have made
their group."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tools.processes import Process


class Group(Protocol):
    """Processes started and stopped together: a Stack, a Cluster."""

    @property
    def processes(self) -> list[Process]: ...

    def start(self, progress: bool = False) -> object: ...

    def stop(self) -> None: ...

    def where(self) -> str:
        """Where to reach what it serves, and where its logs are."""
        ...


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


def run_until_stopped(group: Group, name: str) -> int:
    """Starts `group`, says where to reach it, starts again whatever exits, and stops it all on
    Ctrl-C or SIGTERM. A signal during start-up ends the start-up, which stops what it had
    started. The exit status: 0 once stopped, 1 if it could not start, 130 if interrupted."""
    started = stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        interrupt = not started and not stopping
        stopping = True
        if interrupt:
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        group.start(progress=True)
        started = True
    except (RuntimeError, FileNotFoundError, ValueError) as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped during start-up.", file=sys.stderr)
        return 130
    print(f"\n{name} is running:\n{group.where()}\nPress Ctrl-C to stop everything.", flush=True)
    Supervisor(group.processes, say=lambda line: print(line, flush=True)).run(lambda: stopping)
    print("\nStopping...", flush=True)
    group.stop()
    return 0
