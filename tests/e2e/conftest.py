"""One cluster (tools/cluster.py) for the end-to-end tests: PostgreSQL, Redis, the action server,
two Rasa servers, the web app and nginx, on free loopback ports, in a temporary folder.

It is started once per session (about 30-60 s on 2 cores). A test that stops or kills part of it
leaves it so; the next test's `cluster` starts again whatever is not running.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tools.cluster import Cluster
from tools.stack import DEFAULT_MODEL, ROOT

RESULTS = ROOT / "results" / "cluster-e2e.txt"


@pytest.fixture(scope="session")
def running_cluster():
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` first.")
    # Not under pytest's basetemp (0700, this user's only): as root, PostgreSQL runs as the
    # `postgres` user and must reach its folder.
    workdir = Path(tempfile.mkdtemp(prefix="clinic-e2e-"))
    try:
        cluster = Cluster.on_free_ports(
            workdir,
            # The load comes from 50 visitors at once; nginx still limits each address.
            extra_env={"CHAT_RATE_PER_SENDER": "0", "CHAT_RATE_PER_ADDRESS": "0"},
        )
        cluster.start()
    except (FileNotFoundError, RuntimeError) as error:
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.fail(f"Could not start the cluster: {error}", pytrace=False)
    yield cluster
    cluster.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def cluster(running_cluster: Cluster) -> Cluster:
    running_cluster.revive()
    return running_cluster


@pytest.fixture(scope="session")
def report(pytestconfig):
    """Prints a test's figures even under `pytest -q`, and keeps them in results/."""
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("")
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")

    def say(line: str) -> None:
        with RESULTS.open("a") as out:
            out.write(line + "\n")
        with capture.global_and_fixture_disabled():
            print(f"\n[cluster] {line}", flush=True)

    return say
