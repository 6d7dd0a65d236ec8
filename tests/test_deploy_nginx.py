"""deploy/nginx.conf, run for real: nginx (Debian's) in front of the real web app and Rasa.

The production file is used as it is, with only its certificate paths and ports pointed at this
test's own (a self-signed certificate, free ports on loopback). The web app behind it is its own,
set up as in production: it trusts nginx (TRUSTED_PROXIES) and forwards to the stack's Rasa.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.web_process import web_app
from tools.cluster_parts import self_signed_certificate
from tools.stack import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def nginx(stack, tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: run `make system` (installs nginx-light).")
    folder = tmp_path_factory.mktemp("nginx")
    # nginx connects from loopback, so that is the proxy the web app believes about the
    # visitor's address and HTTPS, as deploy/README.md has it.
    with web_app(folder / "web", stack.rasa_url, {"TRUSTED_PROXIES": "127.0.0.1"}) as web_url:
        yield from _nginx_in_front_of(stack, folder, int(web_url.rsplit(":", 1)[1]))


def _nginx_in_front_of(stack, folder, web_port):
    cert, key = self_signed_certificate(folder)
    https_port, rasa_front = free_port(), free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/ssl/clinic/fullchain.pem", str(cert)),
        ("/etc/ssl/clinic/privkey.pem", str(key)),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{web_port};"),
        ("server 127.0.0.1:5005;", f"server 127.0.0.1:{stack.rasa_port};"),
        ("server 127.0.0.1:5006;", f"server 127.0.0.1:{stack.rasa_port};"),
        ("listen 127.0.0.1:5000;", f"listen 127.0.0.1:{rasa_front};"),
    ]:
        assert old in site, f"deploy/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    (folder / "clinic.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n"
        f"  include {folder}/clinic.conf; }}\n"
    )
    check = subprocess.run(
        [NGINX, "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"https://localhost:{https_port}"
    context = ssl.create_default_context(cafile=str(cert))
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", context=context, timeout=2)
            break
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("nginx did not start: " + (folder / "error.log").read_text())
            time.sleep(0.2)
    yield base, context
    process.terminate()
    process.wait(10)


def chat(base, context, sender, text):
    request = urllib.request.Request(
        f"{base}/api/chat",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.loads(response.read())


def test_the_site_and_the_chat_work_over_https_through_nginx(nginx):
    base, context = nginx
    with urllib.request.urlopen(f"{base}/", context=context, timeout=10) as response:
        assert response.status == 200 and b"widget.js" in response.read()
    reply = chat(base, context, uuid.uuid4().hex, "does it hurt?")
    assert any("anaesthetic" in m.get("text", "") for m in reply)


_addresses = itertools.count(1)


@pytest.fixture
def address() -> str:
    """A loopback address of its own (nginx limits per client address), so that each test
    starts with a full allowance whatever the tests before it sent."""
    return f"127.0.9.{next(_addresses)}"


def send(base, context, source: str, method: str, path: str, body: bytes | None = None, **headers):
    """(status, body, Retry-After) of one request to nginx from the address `source`."""
    port = int(base.rsplit(":", 1)[1])
    connection = http.client.HTTPSConnection(
        "localhost", port, context=context, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Retry-After")
    finally:
        connection.close()


def refused_by_nginx(status: int, body: bytes, retry_after: str | None) -> bool:
    """nginx's own 429: its error page names it (the web app's 429 is JSON), and it says when
    to try again, one request's worth of the zone's rate."""
    if status != 429 or b"nginx" not in body:
        return False
    assert retry_after in ("1", "6"), retry_after
    return True


# The web app answers a path with a trailing slash as the path without one: both must meet
# the same limit.
@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/"])
def test_a_client_flooding_the_chat_is_slowed_down_with_429(nginx, address, path):
    base, context = nginx
    answers = []
    for _ in range(25):  # bounded: 25 requests on loopback
        # A new conversation each time, so that the web app's own per-conversation limit never
        # answers: every 429 here is nginx's.
        body = json.dumps({"sender": uuid.uuid4().hex, "message": "hi"}).encode()
        answers.append(send(base, context, address, "POST", path, body, **JSON))
    statuses = [status for status, _, _ in answers]
    assert statuses[0] == 200, answers[0]  # the web app answers this path
    assert any(refused_by_nginx(*answer) for answer in answers), statuses
    assert all(answer[0] == 200 for answer in answers if not refused_by_nginx(*answer))


@pytest.mark.parametrize("path", ["/staff/login", "/staff/login/"])
def test_guessing_staff_passwords_is_slowed_down_with_429(nginx, address, path):
    base, context = nginx
    # Loading the form is not limited; POSTs are.
    assert all(send(base, context, address, "GET", path)[0] == 200 for _ in range(10))
    # These POSTs have no CSRF token: the web app answers 403 to each one it gets, so the first
    # six (1 + a burst of 5) reach it and every later one is nginx's 429.
    answers = [
        send(base, context, address, "POST", path, b"username=a&password=b", **FORM)
        for _ in range(12)
    ]  # bounded: 12 requests on loopback
    statuses = [status for status, _, _ in answers]
    assert statuses[:6] == [403] * 6, statuses
    assert all(refused_by_nginx(*answer) for answer in answers[6:]), statuses


def test_responses_through_nginx_say_https_only_and_cookies_are_secure(nginx):
    base, context = nginx
    with urllib.request.urlopen(f"{base}/staff/login", context=context, timeout=10) as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        cookies = response.headers.get_all("Set-Cookie") or []
    assert cookies and all("Secure" in c for c in cookies), cookies
