"""Fixtures of the widget's browser tests: Chromium, the real stack warmed up, a visitor at
phone and desktop size, and a web app in front of a Rasa that never answers."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.visitor import DESKTOP, PHONE, Visitor
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tools.rest_client import send
from tools.stack import ROOT, VENV_BIN, Process, free_port


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API allows one instance at a time, and other test modules
    # (the staff console's) may start their own.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(test_output: Path) -> Path:
    folder = test_output / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def bot(stack) -> Any:
    """The stack, with Rasa's model warmed up so the first visitor turn is not a cold start."""
    send(stack.rasa_url, f"warmup-{uuid.uuid4().hex}", "hello", timeout=120)
    return stack


@pytest.fixture
def desktop(browser: Browser, bot: Any) -> Iterator[Visitor]:
    visitor = Visitor(browser, bot.web_url, DESKTOP)
    yield visitor
    visitor.close()


@pytest.fixture
def phone(browser: Browser, bot: Any) -> Iterator[Visitor]:
    visitor = Visitor(browser, bot.web_url, PHONE)
    yield visitor
    visitor.close()


@pytest.fixture(scope="module")
def web_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A web app whose "Rasa" accepts connections and never answers (a hung Rasa)."""
    hung_rasa = socket.create_server(("127.0.0.1", 0), backlog=64)
    workdir = tmp_path_factory.mktemp("web_alone")
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "RASA_URL": f"http://127.0.0.1:{hung_rasa.getsockname()[1]}",
            "WEB_SECRET_FILE": str(workdir / "secret"),
            "CLINIC_DB_URL": f"sqlite:///{workdir / 'clinic.db'}",
            "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "PYTHONPATH": str(ROOT),
        }
    )
    web = Process(
        "web app",
        [str(VENV_BIN / "python"), "-m", "web.app"],
        env,
        f"http://127.0.0.1:{port}/healthz",
        workdir / "web.log",
    )
    web.start()
    try:
        web.wait_ready(60, False)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.stop()
        hung_rasa.close()
