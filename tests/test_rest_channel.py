"""The REST channel through the real Rasa server (channels/rest.py): bad bodies are refused
with a 400 and never stop the server, a retried message is answered once and stored once, and
a turn whose action server was down is not stored at all."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import uuid

import pytest
import requests

from tools.rest_client import reply_text, send


def post(rasa_url: str, body: bytes, content_type: str = "application/json") -> tuple[int, str]:
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def stored(stack, sender: str) -> list[str]:
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        rows = db.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        )
        return [json.loads(data).get("text") or "" for kind, data in rows if kind == "user"]


BAD_BODIES = [
    b'{"sender": "probe\\udc00xxxxxxxxxxxxxxxxx", "message": "hi"}',  # a lone surrogate
    b'{"sender": "", "message": "hi"}',
    b'{"sender": "' + b"a" * 300 + b'", "message": "hi"}',
    b'{"sender": "with\\u0000nul-xxxxxxxxxxxx", "message": "hi"}',
    b'{"sender": "long-enough-sender-1", "message": "' + b"a" * 100_000 + b'"}',
    b'{"sender": "long-enough-sender-1", "message": "hi\\ud800"}',
    b'{"sender": "long-enough-sender-1", "message": "hi", "message_id": "x"}',
    b"[1, 2, 3]",
    b"\xff\xfe",
    b"[" * 5000,
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_bad_body_is_refused_and_the_server_answers_on(stack, body):
    status, text = post(stack.rasa_url, body)
    assert status == 400, text
    assert "error" in json.loads(text)
    assert stack.rasa.running()
    sender = f"after-{uuid.uuid4().hex}"
    assert "hurt" in reply_text(send(stack.rasa_url, sender, "does it hurt")).lower()


def test_a_retried_message_is_answered_once_and_stored_once(stack):
    sender = f"retry-{uuid.uuid4().hex}"
    body = json.dumps(
        {"sender": sender, "message": "how many sessions do i need", "message_id": "m-once-0001"}
    )
    first = post(stack.rasa_url, body.encode())
    again = post(stack.rasa_url, body.encode())
    assert first[0] == again[0] == 200
    assert json.loads(first[1]) == json.loads(again[1]) != []
    assert stored(stack, sender) == ["how many sessions do i need"]


def test_a_turn_whose_action_server_is_down_is_not_stored_and_its_retry_is(stack):
    sender = f"down-{uuid.uuid4().hex}"
    body = json.dumps({"sender": sender, "message": "does it hurt", "message_id": "m-down-0001"})
    stack.actions.stop()
    try:
        status, text = post(stack.rasa_url, body.encode())
        assert (status, json.loads(text)) == (200, [])
        assert stored(stack, sender) == []
    finally:
        stack.actions.start()
        stack.actions.wait_ready(timeout=60, progress=False)
    status, text = post(stack.rasa_url, body.encode())
    assert status == 200 and "hurt" in reply_text(json.loads(text)).lower()
    assert stored(stack, sender) == ["does it hurt"]


def test_a_failed_turn_leaves_no_message_text_in_the_log(stack):
    sender = f"log-{uuid.uuid4().hex}"
    marker = f"private-words-{uuid.uuid4().hex[:8]}"
    stack.actions.stop()
    try:
        post(stack.rasa_url, json.dumps({"sender": sender, "message": marker}).encode())
    finally:
        stack.actions.start()
        stack.actions.wait_ready(timeout=60, progress=False)
    log = (stack.workdir / "logs" / "rasa.log").read_text(errors="replace")
    assert sender in log  # the failure is logged, by its conversation id
    assert marker not in log


def test_a_message_retried_through_the_web_app_is_stored_once(stack):
    web = requests.Session()
    sender = web.post(f"{stack.web_url}/api/chat/new", json={}, timeout=30).json()["sender"]
    body = {"sender": sender, "message": "is there any downtime", "message_id": "m-web-00001"}
    first = web.post(f"{stack.web_url}/api/chat", json=body, timeout=30)
    again = web.post(f"{stack.web_url}/api/chat", json=body, timeout=30)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() != []
    assert stored(stack, sender) == ["is there any downtime"]
