"""Shared fixtures: the real trained model served by the real processes, on free ports.

The `stack` fixture starts the action server, the Rasa server and the web app once per test
session, each test session with its own SQLite tracker store and clinic database in a temporary
folder, so tests never touch var/. Its clinic profile (actions/clinic_profile.py) is a file in
that folder, absent unless a test writes it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tools.rest_client import reply_text, send
from tools.stack import DEFAULT_MODEL, Stack, free_port

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="session")
def test_output() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` first.")
    workdir = tmp_path_factory.mktemp("stack")
    s = Stack(
        workdir,
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        # Empty unless a test writes it: the clinic profile of the machine never leaks in.
        extra_env={"CLINIC_PROFILE": str(workdir / "clinic.yml")},
    )
    s.start()
    yield s
    s.stop()


class Conversation:
    """One visitor talking to the bot over the REST channel."""

    def __init__(self, rasa_url: str):
        self.rasa_url = rasa_url
        self.sender = f"test-{uuid.uuid4().hex}"

    def say(self, text: str, language: str | None = None) -> str:
        """Returns every bot text and button title of the turn, joined, for assertions.
        `language` is the widget's switch, when the visitor used it."""
        return reply_text(send(self.rasa_url, self.sender, text, language=language))


@pytest.fixture
def conversation(stack: Stack) -> Conversation:
    return Conversation(stack.rasa_url)
