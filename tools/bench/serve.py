"""One trained model served by the project's real stack (action server, Rasa server, web app) on
free ports with fresh SQLite databases: start time, memory, answer accuracy, load."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any

from tools.bench import accuracy, load
from tools.bench.cache import WORK, BenchError
from tools.bench.configs import BENCH_ENV
from tools.bench.memory import tree_rss_mb
from tools.stack import Stack, free_port

RASA_START_TIMEOUT_S = 300


def model_loaded(stack: Stack) -> bool:
    """Rasa's /status names the model file once the model is loaded (it needs the API token)."""
    url = f"{stack.rasa_url}/status?token={stack.api_token}"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(json.loads(response.read()).get("model_file"))
    except (OSError, ValueError):
        return False


def start_rasa(stack: Stack) -> float:
    """Seconds from starting the Rasa process until it answers with the model loaded."""
    started = time.monotonic()
    stack.rasa.start()
    while not model_loaded(stack):
        if not stack.rasa.running():
            raise BenchError(f"Rasa server exited during start-up; log: {stack.rasa.log_path}")
        if time.monotonic() - started > RASA_START_TIMEOUT_S:
            raise BenchError(
                f"Rasa server not ready after {RASA_START_TIMEOUT_S} s; log: {stack.rasa.log_path}"
            )
        time.sleep(0.2)
    return time.monotonic() - started


def serve_and_measure(name: str, model: Path, levels: tuple[int, ...]) -> dict[str, Any]:
    workdir = WORK / "serve" / name
    shutil.rmtree(workdir, ignore_errors=True)  # fresh databases, fresh logs
    stack = Stack(
        workdir=workdir,
        model=model,
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        extra_env=dict(BENCH_ENV),
        # The baseline is Rasa as it ships: `rasa run`, not the project's launcher
        # (serving/rasa_server.py), whose changes to Rasa's speed and failure handling are ours.
        stock_rasa=name == "stock",
    )
    logs = f"logs: {workdir / 'logs'}"
    try:
        stack.actions.start()
        stack.actions.wait_ready(timeout=60, progress=False)
        start_s = start_rasa(stack)
        assert stack.rasa.popen is not None
        rss_loaded = tree_rss_mb(stack.rasa.popen.pid)
        print(f"    {name}: Rasa up with its model in {start_s:.1f} s, {rss_loaded} MB", flush=True)
        stack.web.start()
        stack.web.wait_ready(timeout=60, progress=False)
        scores = accuracy.score_sets(accuracy.rasa_answerer(stack.rasa_url))
        for set_name, result in scores.items():
            print(
                f"    {name}: answer accuracy on {set_name}: "
                f"{result['right']}/{result['total']} ({result['overall']:.1%})",
                flush=True,
            )
        load_results = load.run_load(stack.web_url, levels, name)
        rss_after = tree_rss_mb(stack.rasa.popen.pid)
    except BenchError:
        raise
    except (RuntimeError, OSError, TimeoutError) as error:
        raise BenchError(f"{name}: serving failed: {error}\n{logs}") from error
    finally:
        stack.stop()
    return {
        "answer_accuracy": {n: accuracy.public(r) for n, r in scores.items()},
        "misses": {n: r["misses"] for n, r in scores.items()},
        "latency_ms": {level: r["latency_ms"] for level, r in load_results.items()},
        "throughput_msg_s": {level: r["throughput_msg_s"] for level, r in load_results.items()},
        "load": load_results,
        "rss_mb": {"after_load_model": rss_loaded, "after_load_test": rss_after},
        "start_s": round(start_s, 1),
    }
