"""`make run` honours the operator's settings: `python -m tools.stack`, started as a process with
CLINIC_DB_URL pointing at a database of the operator's choosing and ACTIONS_PORT set, stores a
consultation request in that database, through an action server on that port that Rasa calls.

Real processes and the trained model; every wait is bounded, and the runner is stopped with
SIGTERM as Ctrl-C would stop it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import Conversation
from tools.processes import http_status
from tools.stack import DEFAULT_MODEL, ROOT, VENV_BIN, free_port

# What the runner would otherwise take from this test process's environment: left unset, so
# the runner's defaults (files in the temporary workdir) apply to everything but the settings
# under test.
RUNNER_SETTINGS = (
    "CLINIC_DB_URL",
    "TRACKER_DB_URL",
    "RASA_URL",
    "RASA_API_TOKEN",
    "WEB_HOST",
    "ACTIONS_HOST",
    "WEB_SECRET_FILE",
    "RASA_PORT",
    "ACTIONS_PORT",
    "WEB_PORT",
)
START_TIMEOUT = 360  # the runner's own limits: 180 s for Rasa, 60 s for each other process
STOP_TIMEOUT = 60


def descendants(pid: int) -> list[int]:
    """The processes started under `pid` (each of the runner's children has its own session)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def stop(runner: subprocess.Popen) -> None:
    """SIGTERM, as Ctrl-C; if the runner does not stop in time, kill it and what it started."""
    if runner.poll() is not None:
        return
    started = descendants(runner.pid)
    runner.send_signal(signal.SIGTERM)
    try:
        runner.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        for pid in started + [runner.pid]:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        runner.wait(10)
        pytest.fail(f"tools.stack did not stop within {STOP_TIMEOUT} s of SIGTERM")


def wait_until_running(runner: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        output = log.read_text(errors="replace")
        if "The assistant is running" in output:
            return
        if runner.poll() is not None:
            pytest.fail(f"tools.stack exited ({runner.returncode}) during start-up:\n{output}")
        time.sleep(1)
    pytest.fail(f"tools.stack not running after {START_TIMEOUT} s:\n{log.read_text()}")


def outside_address() -> str:
    """An address of this machine other than loopback, or "" when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return ""
    return "" if address.startswith("127.") else address


def test_the_runner_honours_clinic_db_url_and_actions_port(tmp_path):
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` first.")
    clinic_db = tmp_path / "operators-choice" / "requests.db"
    workdir = tmp_path / "workdir"
    actions_port, rasa_port, web_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in RUNNER_SETTINGS}
    env.update(
        CLINIC_DB_URL=f"sqlite:///{clinic_db}",
        ACTIONS_PORT=str(actions_port),
        # Free ports for the other two as well, so a running `make run` is no obstacle.
        RASA_PORT=str(rasa_port),
        WEB_PORT=str(web_port),
        PYTHONPATH=str(ROOT),
    )
    log = tmp_path / "runner.log"
    with open(log, "wb") as out:
        runner = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "tools.stack", "--workdir", str(workdir)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_running(runner, log)

        # The action server answers on the port asked for, on loopback only.
        assert http_status(f"http://127.0.0.1:{actions_port}/health") == 200
        address = outside_address()
        if address:
            with pytest.raises(OSError):
                socket.create_connection((address, actions_port), timeout=2).close()
        # Rasa was told that port, in the endpoints file the runner wrote.
        endpoints = yaml.safe_load((workdir / "endpoints.yml").read_text())
        assert endpoints["action_endpoint"]["url"] == f"http://127.0.0.1:{actions_port}/webhook"

        chat = Conversation(f"http://127.0.0.1:{rasa_port}")
        assert "pregnant" in chat.say("I'd like to book a consultation").lower()
        for answer in ("no", "no", "no", "no"):
            chat.say(answer)
        chat.say("Maria Lopez")
        chat.say("maria.lopez@example.com")
        chat.say("weekday mornings")
        assert re.search(r"sent to the clinic", chat.say("yes"), re.I)

        # Stored in the operator's database, by the action server Rasa called: the only process
        # with that CLINIC_DB_URL, listening on ACTIONS_PORT only.
        with sqlite3.connect(clinic_db) as db:
            rows = db.execute(
                "SELECT name, contact FROM consultation_requests WHERE sender_id = ?",
                (chat.sender,),
            ).fetchall()
        assert rows == [("Maria Lopez", "maria.lopez@example.com")]
        assert not (workdir / "clinic.db").exists()  # the default was not used as well
        with sqlite3.connect(workdir / "tracker.db") as db:
            actions = [
                name
                for (name,) in db.execute(
                    "SELECT action_name FROM events WHERE sender_id = ? AND type_name = 'action'",
                    (chat.sender,),
                )
            ]
        assert "action_submit_consultation_request" in actions
    finally:
        stop(runner)
    assert runner.returncode == 0, log.read_text()
