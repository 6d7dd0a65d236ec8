"""deploy/nginx.conf, run for real: nginx (Debian's) in front of the real web app and Rasa.

The production file is used as it is, with only its certificate paths and ports pointed at this
test's own (a self-signed certificate, free ports on loopback).
"""

from __future__ import annotations

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

from tools.cluster_parts import self_signed_certificate
from tools.stack import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def nginx(stack, tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: run `make system` (installs nginx-light).")
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = self_signed_certificate(folder)
    https_port, rasa_front = free_port(), free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/ssl/clinic/fullchain.pem", str(cert)),
        ("/etc/ssl/clinic/privkey.pem", str(key)),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{stack.web_port};"),
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


def test_a_client_flooding_the_chat_is_slowed_down_with_429(nginx):
    base, context = nginx
    sender = uuid.uuid4().hex
    statuses = []
    for _ in range(25):  # bounded: 25 requests on loopback
        try:
            chat(base, context, sender, "hi")
            statuses.append(200)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert 200 in statuses and 429 in statuses


def _status(request, context) -> int:
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_guessing_staff_passwords_is_slowed_down_with_429(nginx):
    base, context = nginx
    # Loading the form is not limited; POSTs are (these have no CSRF token: the app would
    # answer 403, so every 429 here is nginx's).
    assert all(
        _status(urllib.request.Request(f"{base}/staff/login"), context) == 200 for _ in range(10)
    )
    statuses = [
        _status(
            urllib.request.Request(
                f"{base}/staff/login",
                data=b"username=a&password=b",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            context,
        )
        for _ in range(12)
    ]  # bounded: 12 requests on loopback
    assert statuses[:6] == [403] * 6 and set(statuses[6:]) == {429}, statuses


def test_responses_through_nginx_say_https_only_and_cookies_are_secure(nginx):
    base, context = nginx
    with urllib.request.urlopen(f"{base}/staff/login", context=context, timeout=10) as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        cookies = response.headers.get_all("Set-Cookie") or []
    assert cookies and all("Secure" in c for c in cookies), cookies
