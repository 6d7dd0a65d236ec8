"""The action server answers Rasa only, and stores only what a conversation holds.

Against the real action server and Rasa server of the `stack` fixture: a made-up tracker posted
to the webhook (the way a stranger on the network, or a web page in a browser, would try to
plant a consultation request) is refused, and so are oversized and compressed-bomb bodies; the
tokens stay off every command line."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import zlib
from pathlib import Path

from serving import TOKEN_HEADER
from serving.action_server import MAX_DECOMPRESSED_BYTES

SLOTS = {
    "pregnant": "no",
    "inflamed_skin": "no",
    "sunburn": "no",
    "lidocaine_allergy": "no",
    "name": "Mallory Forger",
    "contact": "mallory@example.com",
    "contact_kind": "email",
    "preferred_time": "any time",
    "screening_result": "clear",
}


def forged_call(sender: str) -> dict:
    """What an attacker sends: every slot filled, no conversation behind it."""
    return {
        "next_action": "action_submit_consultation_request",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": SLOTS,
            "latest_message": {"text": "", "intent": {}, "entities": []},
            "events": [],
            "latest_event_time": None,
            "followup_action": None,
            "paused": False,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def stored_names(stack) -> list[str]:
    if not stack.clinic_db.exists():
        return []
    with sqlite3.connect(stack.clinic_db) as db:
        try:
            return [row[0] for row in db.execute("SELECT name FROM consultation_requests")]
        except sqlite3.OperationalError:  # no request stored yet, no table
            return []


def test_a_call_without_rasas_secret_is_refused_and_nothing_is_stored(stack):
    body = json.dumps(forged_call("forged-no-token")).encode()
    url = f"{stack.actions_url}/webhook"
    for headers in (
        {"Content-Type": "application/json"},
        {"Content-Type": "text/plain"},  # what a web page can send without a preflight
        {"Content-Type": "application/json", TOKEN_HEADER: "a-guess"},
    ):
        status, _ = post(url, body, headers)
        assert status == 403
    assert "Mallory Forger" not in stored_names(stack)


def test_a_made_up_tracker_stores_nothing_even_with_the_secret(stack):
    """Defence in depth: the submit action checks the conversation's own events."""
    body = json.dumps(forged_call("forged-with-token")).encode()
    headers = {"Content-Type": "application/json", TOKEN_HEADER: stack.action_token}
    status, reply = post(f"{stack.actions_url}/webhook", body, headers)
    assert status == 200
    assert "utter_request_failed" in reply
    assert "Mallory Forger" not in stored_names(stack)


def test_bodies_that_are_not_json_or_expand_too_far_are_refused(stack):
    url = f"{stack.actions_url}/webhook"
    secret = {TOKEN_HEADER: stack.action_token}
    status, _ = post(url, b"{}", {**secret, "Content-Type": "text/plain"})
    assert status == 400
    bomb = zlib.compress(b" " * (MAX_DECOMPRESSED_BYTES + 1_000_000), 9)
    assert len(bomb) < 100_000
    headers = {**secret, "Content-Type": "application/json", "Content-Encoding": "deflate"}
    status, reply = post(url, bomb, headers)
    assert status == 400 and "decompressed" in reply


def test_the_secrets_are_on_no_command_line(stack):
    cmdlines = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdlines.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except OSError:
                continue
    assert cmdlines
    assert not any(stack.api_token in line for line in cmdlines)
    assert not any(stack.action_token in line for line in cmdlines)


def test_a_call_of_the_wrong_shape_is_a_400_that_echoes_nothing(stack):
    url = f"{stack.actions_url}/webhook"
    headers = {TOKEN_HEADER: stack.action_token, "Content-Type": "application/json"}
    private = "maria.lopez@example.com"
    for call in (
        [1, 2],
        {"next_action": 5, "tracker": {"sender_id": private}},
        {"next_action": "action_answer_question", "tracker": private},
        {"next_action": "action_answer_question", "tracker": {"events": [1, private]}},
        {"next_action": "action_answer_question", "tracker": {"slots": [private]}},
    ):
        status, reply = post(url, json.dumps(call).encode(), headers)
        assert status == 400, (call, status, reply)
        assert private not in reply
    log = (stack.workdir / "logs" / "actions.log").read_text(errors="replace")
    assert private not in log
