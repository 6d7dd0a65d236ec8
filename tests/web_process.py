"""The real web app on its own (no Rasa model needed), for tests of its HTTP behaviour.

`web_app` starts `python -m web.app` as `make run` does, with its own databases and settings
from `env`; `FakeRasa` is a stand-in for Rasa's REST channel that answers every message with
a fixed JSON body, so a test can choose what "Rasa" says (the web app under test is real).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tools.stack import ROOT, VENV_BIN, Process, free_port


class FakeRasa:
    """Answers POST /webhooks/rest/webhook with `reply` (a JSON value) and counts the calls."""

    def __init__(self, reply: Any = None):
        self.reply = [{"recipient_id": "x", "text": "ok"}] if reply is None else reply
        self.calls = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.calls += 1
                body = json.dumps(fake.reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def web_app(
    workdir: Path, rasa_url: str, env: dict[str, str] | None = None, timeout: float = 60
) -> Iterator[str]:
    """The web app on a free port; yields its base URL. `env` is laid over the defaults."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    full_env = dict(os.environ)
    full_env.update(
        {
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "RASA_URL": rasa_url,
            "WEB_SECRET_FILE": str(workdir / "secret"),
            "CLINIC_DB_URL": f"sqlite:///{workdir / 'clinic.db'}",
            "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "PYTHONPATH": str(ROOT),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    full_env.update(env or {})
    web = Process(
        "web app",
        [str(VENV_BIN / "python"), "-m", "web.app"],
        full_env,
        f"http://127.0.0.1:{port}/healthz",
        workdir / f"web-{port}.log",
    )
    web.start()
    try:
        web.wait_ready(timeout, False)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.stop()
