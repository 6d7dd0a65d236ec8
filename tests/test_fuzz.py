"""Malformed requests to every HTTP endpoint of the running stack: at least 2,000 per endpoint
(bodies, senders, unicode, sizes, methods, paths, headers), each answered with a 4xx or a
normal reply, never a 5xx or a dropped connection; no process exits; and the stack answers a
visitor normally afterwards. The requests come from a seeded generator, so a failure repeats.
"""

from __future__ import annotations

import json
import random
import socket
import string
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.staff.staff_helpers import Staff, csrf_of, staff_cli
from tools.rest_client import reply_text, send
from tools.stack import Stack, free_port

PER_ENDPOINT = 2000
SEED = 20261204
STAFF = "fuzz.nurse"

ODD_TEXT = [
    "",
    " ",
    "\u0000",
    "\ud800",
    "\udc00x",
    "\ufeff",
    "\u202e\u202d",
    "é" * 10,
    "🙂" * 50,
    "a\u0301" * 30,
    "\x1b[31m",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "/restart",
    "/session_start",
    '/affirm{"x": 1}',
    "9" * 40,
    "-1",
    "0",
    "9999-12-31",
    "2024-02-30",
    "null",
    "true",
    "NaN",
]
JSON_VALUES: list[object] = [
    None,
    True,
    0,
    -1,
    2**70,
    1.5e308,
    [],
    {},
    [1, [2, [3]]],
    {"a": {"b": 1}},
]


def odd_string(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return rng.choice(ODD_TEXT)
    if kind < 0.6:
        return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(1, 40)))
    if kind < 0.75:
        return rng.choice(string.printable) * rng.choice([1, 15, 16, 64, 65, 999, 1000, 1001, 5000])
    return "".join(
        rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(rng.randrange(0, 80))
    )


def odd_value(rng: random.Random) -> object:
    return odd_string(rng) if rng.random() < 0.7 else rng.choice(JSON_VALUES)


def odd_body(rng: random.Random, fields: list[str]) -> bytes:
    """A body that is wrong in one or more ways: not JSON, not an object, a field missing, of
    the wrong type, too long, in odd unicode, deeply nested or huge."""
    kind = rng.random()
    if kind < 0.08:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
    if kind < 0.12:
        return b"[" * rng.choice([10, 1000, 100_000])
    if kind < 0.15:
        return b'{"message": "' + b"a" * rng.choice([20_000, 2_000_000]) + b'"}'
    if kind < 0.2:
        return json.dumps(odd_value(rng)).encode()
    body = {name: odd_value(rng) for name in fields if rng.random() < 0.8}
    if rng.random() < 0.3:
        body[odd_string(rng)] = odd_value(rng)
    try:
        return json.dumps(body).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return b"{}"


def odd_path(rng: random.Random, prefixes: list[str]) -> str:
    path = rng.choice(prefixes) + rng.choice(
        ["", "/", "//", "/.", "/..", "/%2e%2e/", "/%00", "/" + "a" * 3000, "?" + "x=" * 500]
    )
    if rng.random() < 0.5:
        path += "?" + "&".join(
            f"{rng.choice(['id', 'page', 'from', 'to', 'q', 'status', 'event_id', 'days'])}="
            f"{quote(odd_string(rng)[:200], safe='', errors='surrogatepass')}"
            for _ in range(rng.randrange(1, 4))
        )
    return path


class Target:
    """One endpoint and how to make a malformed request to it."""

    def __init__(self, name: str, port: int, make: Callable[[random.Random], tuple]):
        self.name, self.port, self.make = name, port, make


# A body this large may be refused before it is all sent: the server answers 413 and closes,
# and the client, still sending, can see only the closed connection. That is a refusal too.
LARGE_BODY = 1_000_000
CLOSED = -1  # the connection closed with no status line


def http_request(port: int, method: str, path: str, body: bytes, headers: dict) -> int:
    """The status line's code; CLOSED when none came."""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head.append(f"Content-Length: {len(body)}")
    # header values as they come, except line breaks (RAW below sends those)
    head += [
        f"{k}: {str(v).replace(chr(13), ' ').replace(chr(10), ' ')}" for k, v in headers.items()
    ]
    data = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8", "surrogatepass") + body
    return raw_request(port, data)


def raw_request(port: int, data: bytes, half_close: bool = False) -> int:
    """Sends `data` as is; the status line's code, CLOSED when none came. `half_close` says
    nothing more will come (a server may then rightly give up on a request it still reads)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        try:
            conn.sendall(data)
            if half_close:
                conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # refused before all was sent: read what the server said
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except OSError:
            pass
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else CLOSED


RAW = [
    b"GET / HTTP/1.1\r\n\r\n",
    b"\x00\x01\x02\r\n\r\n",
    b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n{}",
    b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /api/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100_000 + b"\r\n\r\n",
    b"BREW /coffee HTCPCP/1.0\r\n\r\n",
]


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("fuzz")
    stack = Stack(
        workdir,
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        # per address, every request here comes from one: the limit is tested elsewhere
        extra_env={"CHAT_RATE_PER_ADDRESS": "0"},
    )
    created = staff_cli(Path(stack.clinic_db or workdir / "clinic.db"), "add", STAFF)
    assert created.returncode == 0, created.stderr
    stack.start()
    yield stack
    stack.stop()


def targets(stack: Stack, staff: Staff) -> list[Target]:
    web, rasa, actions = stack.web_port, stack.rasa_port, stack.actions_port
    json_type = {"Content-Type": "application/json"}
    cookie = "; ".join(f"{k}={v}" for k, v in staff.http.cookies.items())
    staff_pages = [
        "/staff/", "/staff/conversations", "/staff/conversations/view", "/staff/requests",
        "/staff/requests/1", "/staff/requests/" + "9" * 30, "/staff/improve", "/staff/audit",
        "/staff/exports", "/staff/export/nlu.yml", "/staff/export/story.yml",
        "/staff/improve/labels", "/staff/conversations/next",
    ]  # fmt: skip
    staff_forms = [
        "/staff/requests/1/status", "/staff/requests/1/reveal", "/staff/conversations/review",
        "/staff/conversations/tags", "/staff/conversations/notes", "/staff/filters",
        "/staff/improve/label", "/staff/conversations/reveal", "/staff/filters/1/delete",
    ]  # fmt: skip

    # The login form's own token and cookie, so the fuzz reaches the login, not the CSRF check.
    visitor = Staff(stack.web_url)
    login_csrf = csrf_of(visitor.get("/staff/login").text)
    login_cookie = "; ".join(f"{k}={v}" for k, v in visitor.http.cookies.items())

    def form(rng: random.Random, csrf: str | None = None) -> bytes:
        fields = {"csrf_token": csrf or staff.csrf}
        names = ("id", "sender", "status", "event_id", "intent", "tag", "note", "name", "from")
        names += ("username", "password") if csrf else ()
        for name in names:
            if rng.random() < 0.5:
                fields[name] = odd_string(rng)[:3000]
        return "&".join(
            f"{k}={quote(v, safe='', errors='surrogatepass')}" for k, v in fields.items()
        ).encode("utf-8", "surrogatepass")

    def chat(path: str) -> Callable[[random.Random], tuple]:
        types = [json_type, {}, {"Content-Type": "text/plain"}]
        fields = ["sender", "message", "message_id"]
        return lambda rng: ("POST", path, odd_body(rng, fields), rng.choice(types))

    return [
        Target("web POST /api/chat", web, chat("/api/chat")),
        Target("web POST /api/chat/new", web, chat("/api/chat/new")),
        Target(
            "web any page",
            web,
            lambda rng: (
                rng.choice(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
                odd_path(rng, ["/", "/static/widget.js", "/healthz", "/staff", "/api", "/x"]),
                odd_body(rng, ["a"]),
                {},
            ),
        ),  # fmt: skip
        Target(
            "web POST /staff/login",
            web,
            lambda rng: (
                "POST",
                "/staff/login",
                form(rng, login_csrf),
                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie},
            ),
        ),  # fmt: skip
        Target(
            "web staff pages, signed in",
            web,
            lambda rng: (
                ("GET", odd_path(rng, staff_pages), b"", {"Cookie": cookie})
                if rng.random() < 0.5
                else (
                    "POST",
                    rng.choice(staff_forms),
                    form(rng),
                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
                )
            ),
        ),  # fmt: skip
        Target("Rasa REST channel", rasa, chat("/webhooks/rest/webhook")),
        Target(
            "Rasa HTTP API",
            rasa,
            lambda rng: (
                rng.choice(["GET", "POST", "PUT", "DELETE"]),
                odd_path(
                    rng,
                    [
                        "/model/parse",
                        "/conversations/x/tracker",
                        "/conversations/" + uuid.uuid4().hex + "/tracker/events",
                        "/status",
                        "/version",
                        "/model",
                        "/domain",
                    ],
                ),
                odd_body(rng, ["text", "event", "name"]),
                {
                    **json_type,
                    **(
                        {"Authorization": "Bearer " + odd_string(rng)[:100]}
                        if rng.random() < 0.3
                        else {}
                    ),
                },
            ),
        ),  # fmt: skip
        Target(
            "action server",
            actions,
            lambda rng: (
                rng.choice(["POST", "GET"]),
                odd_path(rng, ["/webhook", "/health", "/actions"]),
                odd_body(rng, ["next_action", "sender_id", "tracker", "domain", "version"]),
                {
                    **json_type,
                    **({"X-Action-Server-Token": stack.action_token} if rng.random() < 0.5 else {}),
                },
            ),
        ),  # fmt: skip
    ]


def test_malformed_requests_get_a_4xx_or_a_normal_reply_and_stop_nothing(fuzz_stack):
    stack = fuzz_stack
    staff = Staff(stack.web_url)
    assert staff.login(STAFF).status_code == 303
    rng = random.Random(SEED)
    failures: list[tuple] = []
    counts: dict[str, Counter] = {}
    for target in targets(stack, staff):
        requests = [target.make(rng) for _ in range(PER_ENDPOINT)]
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda r, t=target: http_request(t.port, *r), requests))
        statuses += [raw_request(target.port, data, half_close=True) for data in RAW]
        counts[target.name] = Counter(statuses)
        failures += [
            (target.name, status, request[:2], request[2][:80])
            for status, request in zip(
                statuses, requests + [("RAW", "", b"", {})] * len(RAW), strict=True
            )
            # bytes that are not HTTP (RAW) may be refused by closing the connection
            if status >= 500
            or (status == CLOSED and request[0] != "RAW" and len(request[2]) < LARGE_BODY)
        ]
        assert all(p.running() for p in stack.processes), (target.name, counts)
    for name, counted in counts.items():
        print(f"{name}: {sum(counted.values())} requests, {dict(sorted(counted.items()))}")
    assert not failures, failures[:20]
    # and a visitor is answered normally afterwards, through the web app and through Rasa
    web = Staff(stack.web_url).http
    sender = web.post(f"{stack.web_url}/api/chat/new", json={}, timeout=30).json()["sender"]
    answer = web.post(
        f"{stack.web_url}/api/chat", json={"sender": sender, "message": "does it hurt"}, timeout=30
    )
    assert answer.status_code == 200 and "hurt" in reply_text(answer.json()).lower()
    assert "three to four" in reply_text(
        send(stack.rasa_url, f"fz-{uuid.uuid4().hex}", "how many sessions")
    )
