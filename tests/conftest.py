"""Shared fixtures: the real trained model served by the real processes, on free ports.

The `stack` fixture starts the action server, the Rasa server and the web app once per test
session, each test session with its own SQLite tracker store and clinic database in a temporary
folder, so tests never touch var/.
"""
from __future__ import annotations

import json
import os
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

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
    s = Stack(workdir, rasa_port=free_port(), actions_port=free_port(), web_port=free_port())
    s.start()
    yield s
    s.stop()


def send(rasa_url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    """Sends one message through Rasa's REST channel and returns the bot's messages."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


class Conversation:
    """One visitor talking to the bot over the REST channel."""

    def __init__(self, rasa_url: str):
        self.rasa_url = rasa_url
        self.sender = f"test-{uuid.uuid4().hex}"

    def say(self, text: str) -> str:
        """Returns every bot text and button title of the turn, joined, for assertions."""
        parts = []
        for message in send(self.rasa_url, self.sender, text):
            if message.get("text"):
                parts.append(message["text"])
            parts.extend(button["title"] for button in message.get("buttons", []))
        return "\n".join(parts)


@pytest.fixture
def conversation(stack: Stack) -> Conversation:
    return Conversation(stack.rasa_url)
