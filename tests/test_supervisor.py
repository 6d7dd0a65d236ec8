"""The supervisor (tools/supervisor.py) through real processes: one killed with SIGKILL is
started again after its pause, says so, and pauses longer when it keeps exiting."""

from __future__ import annotations

import os
import signal
import sys
import time

from tools.processes import Process, free_port, http_status
from tools.supervisor import Supervisor


def a_server(tmp_path) -> Process:
    port = free_port()
    return Process(
        "test server",
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        dict(os.environ),
        f"http://127.0.0.1:{port}/",
        tmp_path / "server.log",
    )


def kill(process: Process) -> None:
    assert process.popen is not None
    os.killpg(process.popen.pid, signal.SIGKILL)
    process.popen.wait(5)


def test_a_killed_process_is_started_again_and_answers(tmp_path):
    server = a_server(tmp_path)
    said: list[str] = []
    supervisor = Supervisor([server], say=said.append, first_pause=0.2)
    server.start()
    server.wait_ready(timeout=20, progress=False)
    try:
        kill(server)
        killed = time.monotonic()
        while not server.running() and time.monotonic() - killed < 10:
            supervisor.check()
            time.sleep(0.05)
        server.wait_ready(timeout=20, progress=False)
        assert http_status(server.health_url) == 200
        assert time.monotonic() - killed < 10
        assert said[0].startswith("test server exited (code -9)")
        assert said[1].startswith("test server started again")
    finally:
        server.stop()


def test_a_process_that_keeps_exiting_waits_longer_each_time(tmp_path):
    server = a_server(tmp_path)
    said: list[str] = []
    supervisor = Supervisor([server], say=said.append, first_pause=1, longest_pause=4)
    server.start()
    try:
        now = 0.0
        for expected in (1, 2, 4, 4):
            kill(server)
            supervisor.check(now)
            assert said[-1].endswith(f"starting it again in {expected} s")
            supervisor.check(now + expected - 0.1)
            assert not server.running()
            now += expected
            supervisor.check(now)
            assert server.running()
    finally:
        server.stop()
