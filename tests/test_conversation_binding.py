"""A conversation belongs to the browser the web app issued it to.

Its id is only a name (it shows in the tracker store, the staff console, logs); the key is a
cookie the web app signs. Whoever learns a visitor's id, from a shared computer, a log or a
URL, and posts with it is answered in a conversation of their own: they can neither write into
the visitor's conversation nor have the visitor's name and contact read back.

The first part runs the real web app in front of a stand-in for Rasa's REST channel that
records what it is sent (no model); the last test runs the real stack and trained model.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.web_process import web_app
from web.site import (
    CONVERSATION_COOKIE,
    CONVERSATION_HEADER,
    CONVERSATION_MAX_AGE_S,
    conversation_cookie,
    owned_conversation,
)

HEX_ID = re.compile(r"[0-9a-f]{32}")


class RecordingRasa:
    """Rasa's REST channel as the web app sees it: records every body, answers one text."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                fake.bodies.append(body)
                reply = json.dumps([{"recipient_id": body["sender"], "text": "ok"}]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def last_sender(self) -> str:
        return self.bodies[-1]["sender"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def rasa() -> Iterator[RecordingRasa]:
    fake = RecordingRasa()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("binding")


@pytest.fixture(scope="module")
def web(rasa: RecordingRasa, workdir: Path) -> Iterator[str]:
    # The test client plays the trusted proxy (nginx on this machine) when it says HTTPS.
    env = {"CHAT_RATE_PER_SENDER": "3", "TRUSTED_PROXIES": "127.0.0.1"}
    with web_app(workdir, rasa.url, env) as base:
        yield base


def say(client: Any, base: str, sender: str, text: str = "hi", **kwargs: Any) -> requests.Response:
    """One message as the widget sends it; `client` is a browser (a Session keeping cookies)
    or `requests` itself (a client that keeps none)."""
    return client.post(
        f"{base}/api/chat", json={"sender": sender, "message": text}, timeout=30, **kwargs
    )


def visitor(base: str) -> tuple[requests.Session, str]:
    """A browser that started a conversation, as the widget does: its cookie and its id."""
    browser = requests.Session()
    started = browser.post(f"{base}/api/chat/new", json={}, timeout=30)
    assert started.status_code == 200
    return browser, started.json()["sender"]


def set_cookie_header(answer: requests.Response) -> str:
    return answer.headers.get("Set-Cookie", "")


# --- what a stranger holding a visitor's id can do ------------------------------------------


def test_a_client_without_the_cookie_naming_a_visitors_id_is_answered_in_its_own(
    web: str, rasa: RecordingRasa
) -> None:
    browser = requests.Session()
    assert say(browser, web, uuid.uuid4().hex, "my email is maria@example.com").status_code == 200
    visitors_conversation = rasa.last_sender

    answer = say(requests, web, visitors_conversation, "what is my email?")
    assert answer.status_code == 200
    assert rasa.last_sender != visitors_conversation  # never written into the visitor's
    assert answer.headers[CONVERSATION_HEADER] == rasa.last_sender
    assert [m["recipient_id"] for m in answer.json()] == [rasa.last_sender]


def test_a_client_with_its_own_cookie_naming_a_visitors_id_stays_in_its_own(
    web: str, rasa: RecordingRasa
) -> None:
    _, visitors_conversation = visitor(web)
    stranger, strangers_conversation = visitor(web)
    for text in ("hi", "yes", "no, change it"):
        assert say(stranger, web, visitors_conversation, text).status_code == 200
        assert rasa.last_sender == strangers_conversation
    assert visitors_conversation not in {body["sender"] for body in rasa.bodies}


def test_a_forged_or_expired_cookie_opens_nothing(
    web: str, rasa: RecordingRasa, workdir: Path
) -> None:
    browser, conversation = visitor(web)
    cookie = browser.cookies[CONVERSATION_COOKIE]
    secret = (workdir / "secret").read_text().strip()
    victim = uuid.uuid4().hex
    now = time.time()
    forged = [
        cookie.replace(conversation, victim),  # another id under this cookie's signature
        conversation_cookie("another installation's secret", victim, now),
        conversation_cookie(secret, victim, now - CONVERSATION_MAX_AGE_S - 60),  # expired
        f"{victim}.{int(now)}.",
        victim,
    ]
    for value in forged:
        # (each from a body id of its own: this test is not about the rate limit)
        answer = say(requests, web, uuid.uuid4().hex, cookies={CONVERSATION_COOKIE: value})
        assert answer.status_code == 200
        assert rasa.last_sender not in (victim, conversation), value
    # The app's own signature, still fresh, is the key.
    fresh = conversation_cookie(secret, victim, now)
    assert say(requests, web, victim, cookies={CONVERSATION_COOKIE: fresh}).status_code == 200
    assert rasa.last_sender == victim


def test_a_stranger_flooding_with_a_visitors_id_does_not_use_up_the_visitors_allowance(
    web: str,
) -> None:
    browser, conversation = visitor(web)
    # CHAT_RATE_PER_SENDER is 3 here: a cookie-less client naming one id is held to it...
    statuses = [say(requests, web, conversation).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    # ...and the visitor, counted by the conversation the cookie proves, is not held up.
    assert say(browser, web, conversation).status_code == 200


# --- the visitor's own conversation ---------------------------------------------------------


def test_the_visitors_messages_stay_in_the_conversation_the_server_issued(
    web: str, rasa: RecordingRasa
) -> None:
    browser, conversation = visitor(web)
    assert HEX_ID.fullmatch(conversation)
    for text in ("does it hurt?", "I want to book", "no"):
        answer = say(browser, web, conversation, text)
        assert answer.status_code == 200
        assert answer.headers[CONVERSATION_HEADER] == conversation
        # Rasa gets the REST channel's body, nothing more.
        assert rasa.bodies[-1] == {"sender": conversation, "message": text}


def test_a_widget_that_lost_its_cookie_is_answered_in_a_new_conversation_it_is_told_of(
    web: str, rasa: RecordingRasa
) -> None:
    old_id = uuid.uuid4().hex  # e.g. what an earlier widget made up and kept in localStorage
    browser = requests.Session()
    answer = say(browser, web, old_id)
    assert answer.status_code == 200
    issued = answer.headers[CONVERSATION_HEADER]
    assert issued != old_id and HEX_ID.fullmatch(issued) and rasa.last_sender == issued
    # The cookie it got keeps the widget there, whatever id the body still names.
    assert say(browser, web, old_id).headers[CONVERSATION_HEADER] == issued
    assert say(browser, web, issued).headers[CONVERSATION_HEADER] == issued
    assert rasa.last_sender == issued


def test_clear_chat_gets_a_new_conversation_and_the_old_one_is_out_of_reach(
    web: str, rasa: RecordingRasa
) -> None:
    browser, first = visitor(web)
    assert say(browser, web, first).status_code == 200
    cleared = browser.post(f"{web}/api/chat/new", json={}, timeout=30)
    second = cleared.json()["sender"]
    assert cleared.headers[CONVERSATION_HEADER] == second != first
    assert cleared.headers["Cache-Control"] == "no-store"
    # Even naming the old id, this browser now writes only into the new conversation.
    assert say(browser, web, first).status_code == 200
    assert rasa.last_sender == second


def test_only_a_json_request_starts_a_conversation(web: str) -> None:
    # Another site's form (urlencoded or text/plain) cannot end a visitor's conversation.
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data"):
        answer = requests.post(
            f"{web}/api/chat/new", data=b"{}", headers={"Content-Type": content_type}, timeout=30
        )
        assert answer.status_code == 400 and answer.json()["error"]
        assert CONVERSATION_COOKIE not in set_cookie_header(answer)


def test_the_conversation_cookie_is_httponly_strict_and_only_for_the_chat(web: str) -> None:
    started = requests.post(f"{web}/api/chat/new", json={}, timeout=30)
    answered = say(requests, web, uuid.uuid4().hex)
    for answer in (started, answered):
        cookie = set_cookie_header(answer)
        assert cookie.startswith(CONVERSATION_COOKIE + "=")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite", "path", "max-age"} <= attributes
        assert "SameSite=Strict" in cookie and "Path=/api/chat" in cookie
        assert f"Max-Age={CONVERSATION_MAX_AGE_S}" in cookie
        assert "secure" not in attributes  # plain HTTP here: a Secure cookie would be dropped
    # Over HTTPS, as the trusted proxy (nginx) reports it, the cookie is Secure.
    over_https = requests.post(
        f"{web}/api/chat/new", json={}, headers={"X-Forwarded-Proto": "https"}, timeout=30
    )
    assert "Secure" in set_cookie_header(over_https)


def test_with_cookie_secure_the_conversation_cookie_is_always_secure(
    rasa: RecordingRasa, tmp_path: Path
) -> None:
    with web_app(tmp_path, rasa.url, {"COOKIE_SECURE": "1"}) as base:
        for answer in (
            requests.post(f"{base}/api/chat/new", json={}, timeout=30),
            say(requests, base, uuid.uuid4().hex),
        ):
            assert "Secure" in set_cookie_header(answer)


def test_an_invalid_message_gets_no_conversation(web: str) -> None:
    answer = say(requests, web, "short")
    assert answer.status_code == 400
    assert CONVERSATION_COOKIE not in set_cookie_header(answer)


# --- the signature, pure --------------------------------------------------------------------


def test_a_cookie_is_the_key_only_to_its_own_conversation_for_a_week() -> None:
    now = 1_700_000_000.0
    conversation = uuid.uuid4().hex
    cookie = conversation_cookie("secret", conversation, now)
    assert owned_conversation("secret", cookie, now) == conversation
    assert owned_conversation("secret", cookie, now + CONVERSATION_MAX_AGE_S - 1) == conversation
    assert owned_conversation("secret", cookie, now + CONVERSATION_MAX_AGE_S + 1) is None
    assert owned_conversation("other secret", cookie, now) is None
    assert owned_conversation("", conversation_cookie("", conversation, now), now) is None
    assert owned_conversation("secret", conversation_cookie("secret", "x/../y", now), now) is None
    for broken in ("", "a.b", cookie + ".x", cookie.upper(), cookie[:-1]):
        assert owned_conversation("secret", broken, now) is None, broken


# --- the real bot: a visitor's name and contact are read back to the visitor only ----------


def _post(client: Any, base: str, sender: str, text: str) -> str:
    """Every text and button title of the bot's answer, joined."""
    answer = client.post(f"{base}/api/chat", json={"sender": sender, "message": text}, timeout=120)
    assert answer.status_code == 200, answer.text
    return " ".join(
        [m.get("text") or "" for m in answer.json()]
        + [b.get("title", "") for m in answer.json() for b in m.get("buttons") or []]
    )


def test_a_stranger_with_a_visitors_id_cannot_read_or_change_their_request(stack: Any) -> None:
    base = stack.web_url
    browser = requests.Session()
    greeted = browser.post(
        f"{base}/api/chat", json={"sender": uuid.uuid4().hex, "message": "hello"}, timeout=120
    )
    conversation = greeted.json()[0]["recipient_id"]  # the id Rasa knows the visitor by
    _post(browser, base, conversation, "I want to book a consultation")
    for _ in range(4):
        _post(browser, base, conversation, "no")
    _post(browser, base, conversation, "Maria Lopez")
    _post(browser, base, conversation, "maria.lopez@example.com")
    summary = _post(browser, base, conversation, "weekday mornings")
    assert "maria.lopez@example.com" in summary  # the owner sees their details

    other_browser = requests.Session()
    _post(other_browser, base, uuid.uuid4().hex, "hello")  # a conversation of its own
    for client in (requests, other_browser):
        for text in ("what are my details?", "no, change it", "yes"):
            reply = _post(client, base, conversation, text)
            assert not re.search(r"maria|lopez|weekday", reply, re.I), reply

    done = _post(browser, base, conversation, "yes")
    assert re.search(r"sent to the clinic", done, re.I), done
    with sqlite3.connect(stack.clinic_db) as db:
        stored = db.execute(
            "SELECT name, contact FROM consultation_requests WHERE sender_id = ?", (conversation,)
        ).fetchall()
    assert stored == [("Maria Lopez", "maria.lopez@example.com")]
    with sqlite3.connect(f"file:{stack.tracker_db}?mode=ro", uri=True) as tracker:
        typed = [
            json.loads(data).get("text")
            for (data,) in tracker.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
                (conversation,),
            )
        ]
    assert "what are my details?" not in typed and "no, change it" not in typed
    assert typed.count("yes") == 1
