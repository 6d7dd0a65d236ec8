"""A long command (training, cross-validation) run with its output in a log file, a progress line
every so often, and a timeout that kills its whole process group: a stage never hangs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tools.bench.cache import BenchError
from tools.processes import ROOT

# What Rasa logs that says how far training is.
COMPONENT = re.compile(r"(Starting to train|Finished training) component '?(\w+)")
EPOCHS = re.compile(r"Epochs: +(\d+)%")
QUIET = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
}


def bench_env(**overrides: str) -> dict[str, str]:
    """The environment of Rasa's command-line runs: the project importable (custom components),
    Rasa's tools quiet, and whatever the stage sets (its own training cache)."""
    env = {**os.environ, **QUIET}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    env.update(overrides)
    return env


def log_tail(path: Path, size: int = 65536) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(max(0, path.stat().st_size - size))
            return log.read().decode(errors="replace")
    except OSError:
        return ""


def last_progress(path: Path) -> str:
    """ "DIETClassifier, epochs 60%": the component in training and its epochs so far."""
    text = log_tail(path, 4_000_000)
    components = list(COMPONENT.finditer(text))
    if not components:
        return "preparing"
    last = components[-1]
    if last.group(1).startswith("Finished"):
        return f"{last.group(2)} done"
    epochs = EPOCHS.findall(text[last.end() :])
    return last.group(2) + (f", epochs {epochs[-1]}%" if epochs else "")


def run_logged(
    argv: list[str],
    log_path: Path,
    timeout: float,
    label: str,
    env: Mapping[str, str] | None = None,
    progress: Callable[[Path], str] = last_progress,
    every: float = 30,
) -> float:
    """Runs `argv` from the repo root; returns its wall time in seconds. Raises BenchError on a
    non-zero exit or the timeout, with the log's last lines and its path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=dict(env or bench_env()),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    next_note = started + every
    try:
        while process.poll() is None:
            now = time.monotonic()
            if now - started > timeout:
                raise BenchError(
                    f"{label}: no result after {timeout:.0f} s (killed); log: {log_path}"
                )
            if now >= next_note:
                print(f"    ... {label} ({now - started:.0f} s): {progress(log_path)}", flush=True)
                next_note = now + every
            time.sleep(1)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    if process.returncode != 0:
        tail = "\n".join(log_tail(log_path, 4000).splitlines()[-15:])
        raise BenchError(f"{label} failed (exit {process.returncode}); log: {log_path}\n{tail}")
    return time.monotonic() - started
