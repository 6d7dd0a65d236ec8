"""The web app's chat endpoint and proxy handling under abuse: the real web app process, in
front of a stand-in for Rasa's REST channel that answers what each test needs (no model).

- /api/chat refuses control characters, lone surrogates and absurdly nested JSON with 400;
- its own rate limit answers 429 with Retry-After, per conversation and per client address;
- forwarding headers (X-Real-IP, X-Forwarded-For, X-Forwarded-Proto) count only from a
  trusted proxy, and HTTPS responses carry HSTS;
- an empty answer from Rasa (what it sends when an action failed) is a 502, not silence;
- WEB_WORKERS starts that many worker processes.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from channels.chat_input import parse_chat_body as parse_chat_request
from tests.web_process import FakeRasa, web_app


def sender() -> str:
    return uuid.uuid4().hex


def post(
    base: str, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> tuple[int, Any, Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base}/api/chat",
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def get(base: str, path: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(base + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def web(rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Default settings, but for small limits the tests can reach quickly, behind a proxy on
    this machine (TRUSTED_PROXIES=127.0.0.1) that the test client plays."""
    with web_app(
        tmp_path_factory.mktemp("web"),
        rasa.url,
        {
            "CHAT_RATE_PER_SENDER": "3",
            "CHAT_RATE_PER_ADDRESS": "8",
            "TRUSTED_PROXIES": "127.0.0.1",
        },
    ) as base:
        yield base


# --- what a message may hold ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "nul \x00 inside",
        "bell \x07",
        "escape \x1b[31m",
        "carriage\rreturn",
        "delete \x7f",
        "c1 \x85 control",
    ],
)
def test_parse_refuses_control_characters(text: str) -> None:
    body = json.dumps({"sender": sender(), "message": text}).encode()
    payload, problem = parse_chat_request("application/json", body)
    assert payload is None and problem and "control characters" in problem


def test_parse_keeps_line_breaks_tabs_and_any_real_unicode() -> None:
    text = "line one\nline two\twith a tab, é, 中文, emoji 🙂"
    payload, problem = parse_chat_request(
        "application/json", json.dumps({"sender": sender(), "message": text}).encode()
    )
    assert problem is None and payload and payload["message"] == text


def test_parse_refuses_lone_surrogates() -> None:
    for escaped in ("\\ud800", "x\\udfffy", "\\udc00\\ud800"):
        body = (f'{{"sender": "{sender()}", "message": "{escaped}"}}').encode()
        payload, problem = parse_chat_request("application/json", body)
        assert payload is None and problem, escaped
    # a proper pair is one character and welcome
    body = (f'{{"sender": "{sender()}", "message": "\\ud83d\\ude42"}}').encode()
    assert parse_chat_request("application/json", body)[0] == {
        "sender": json.loads(body)["sender"],
        "message": "🙂",
    }


def test_parse_survives_deeply_nested_json() -> None:
    for body in (
        b"[" * 5000 + b"]" * 5000,
        b'{"sender": "0123456789abcdef", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ):
        payload, problem = parse_chat_request("application/json", body)
        assert payload is None and problem == "Body must be JSON."


@pytest.mark.parametrize(
    "raw",
    [
        ('{"sender": "%s", "message": "hi \\u0000 there"}' % ("a" * 32)).encode(),
        ('{"sender": "%s", "message": "\\ud800"}' % ("b" * 32)).encode(),
        b"[" * 5000 + b"]" * 5000,
        b"{" * 3000,
    ],
    ids=["nul", "lone-surrogate", "5000-nested-arrays", "3000-open-braces"],
)
def test_chat_answers_400_json_for_unparsable_or_unsafe_messages(
    web: str, rasa: FakeRasa, raw: bytes
) -> None:
    calls = rasa.calls
    status, answer, headers = post(web, None, raw=raw)
    assert status == 400, answer
    assert isinstance(answer, dict) and answer.get("error")
    assert headers["Content-Type"].startswith("application/json")
    assert rasa.calls == calls  # nothing reached Rasa


# --- the app's own rate limit --------------------------------------------------------------


def test_one_conversation_sending_too_fast_gets_429_with_retry_after(web: str) -> None:
    visitor = sender()
    for _ in range(3):
        assert post(web, {"sender": visitor, "message": "hi"}, {"X-Real-IP": "192.0.2.1"})[0] == 200
    status, answer, headers = post(
        web, {"sender": visitor, "message": "hi"}, {"X-Real-IP": "192.0.2.1"}
    )
    assert status == 429 and answer.get("error")
    assert 1 <= int(headers["Retry-After"]) <= 60
    # another conversation from the same address is not held up by this one
    assert post(web, {"sender": sender(), "message": "hi"}, {"X-Real-IP": "192.0.2.1"})[0] == 200


def test_one_address_with_many_conversations_gets_429(web: str) -> None:
    statuses = [
        post(web, {"sender": sender(), "message": "hi"}, {"X-Real-IP": "192.0.2.2"})[0]
        for _ in range(10)
    ]
    assert statuses[:8] == [200] * 8 and statuses[8:] == [429, 429]
    # the address is the visitor's, as nginx (a trusted proxy here) reports it
    assert post(web, {"sender": sender(), "message": "hi"}, {"X-Real-IP": "192.0.2.3"})[0] == 200


def test_rate_limit_zero_means_no_limit(rasa: FakeRasa, tmp_path: Path) -> None:
    with web_app(
        tmp_path, rasa.url, {"CHAT_RATE_PER_SENDER": "0", "CHAT_RATE_PER_ADDRESS": "0"}
    ) as base:
        visitor = sender()
        assert {post(base, {"sender": visitor, "message": "hi"})[0] for _ in range(30)} == {200}


# --- trusted proxies and HTTPS -------------------------------------------------------------


def test_forwarding_headers_from_an_untrusted_peer_are_ignored(
    rasa: FakeRasa, tmp_path: Path
) -> None:
    # Nobody trusted: the test client (127.0.0.1) is a visitor that forges its address.
    with web_app(tmp_path, rasa.url, {"TRUSTED_PROXIES": "", "CHAT_RATE_PER_ADDRESS": "3"}) as base:
        statuses = [
            post(
                base,
                {"sender": sender(), "message": "hi"},
                {"X-Real-IP": f"198.51.100.{i}", "X-Forwarded-For": f"203.0.113.{i}"},
            )[0]
            for i in range(5)
        ]
        assert statuses == [200, 200, 200, 429, 429]
        _, headers = get(base, "/", {"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in headers


def test_x_forwarded_for_from_a_trusted_proxy_gives_the_client_address(web: str) -> None:
    # The client's own claim (left) is not believed: the address the proxy saw (right) is.
    headers = {"X-Forwarded-For": "10.9.9.9, 192.0.2.50"}
    for _ in range(8):
        assert post(web, {"sender": sender(), "message": "hi"}, headers)[0] == 200
    forged = {"X-Forwarded-For": "10.1.1.1, 192.0.2.50"}
    assert post(web, {"sender": sender(), "message": "hi"}, forged)[0] == 429


def test_hsts_only_on_https_as_a_trusted_proxy_reports_it(web: str) -> None:
    for path in ("/", "/healthz", "/staff/login"):
        _, headers = get(web, path, {"X-Forwarded-Proto": "https"})
        assert headers["Strict-Transport-Security"] == "max-age=31536000", path
        _, headers = get(web, path)
        assert "Strict-Transport-Security" not in headers, path


# --- an answer that is no answer -----------------------------------------------------------


def test_an_empty_answer_from_rasa_is_a_502_the_widget_offers_to_retry(tmp_path: Path) -> None:
    silent = FakeRasa(reply=[])
    try:
        with web_app(tmp_path, silent.url) as base:
            started = time.monotonic()
            status, answer, _ = post(base, {"sender": sender(), "message": "does it hurt?"})
            assert status == 502 and time.monotonic() - started < 5
            assert answer["error"] == (
                "The assistant could not answer just now. Your message is kept: press Retry."
            )
            # Rasa's own commands that say nothing by design stay a 200 with nothing
            assert post(base, {"sender": sender(), "message": "/restart"})[:2] == (200, [])
    finally:
        silent.close()


# --- several workers -----------------------------------------------------------------------


def _children(pid: int) -> set:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


def test_web_workers_starts_that_many_worker_processes(rasa: FakeRasa, tmp_path: Path) -> None:
    with web_app(tmp_path, rasa.url, {"WEB_WORKERS": "3"}) as base:
        port = base.rsplit(":", 1)[1]
        main = next(
            int(p)
            for p in os.listdir("/proc")
            if p.isdigit()
            and _cmdline(int(p)).endswith("-m web.app")
            and f"WEB_PORT={port}" in _environ(int(p))
            and not _is_child_of_web(int(p))
        )
        assert len(_children(main)) == 3
        assert {post(base, {"sender": sender(), "message": "hi"})[0] for _ in range(6)} == {200}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _environ(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().replace(b"\0", b"\n").decode()
    except OSError:
        return ""


def _is_child_of_web(pid: int) -> bool:
    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return False
    return _cmdline(parent).endswith("-m web.app")
