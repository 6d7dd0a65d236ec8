"""The pieces of the several-servers cluster that are not the assistant's own processes: the
Debian packages, Redis, nginx with deploy/nginx.conf, and a self-signed certificate for it.

nginx runs deploy/nginx.conf as it is, with only its certificate paths and ports pointed at the
cluster's own, so the runner and the tests exercise the file an operator deploys.
"""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.processes import LOOPBACK, ROOT, Process

NGINX_SITE = ROOT / "deploy" / "nginx.conf"
INSTALL_HINT = "run `bash scripts/setup-system.sh postgresql-15 redis-server nginx-light`"


def binary(name: str, fallback: str) -> str:
    found = shutil.which(name) or fallback
    if not os.path.exists(found):
        raise FileNotFoundError(f"No {name}: {INSTALL_HINT}.")
    return found


@dataclass
class ProbedProcess(Process):
    """A process whose readiness is not an HTTP 200 on a plain URL (Redis, nginx over HTTPS)."""

    probe: Callable[[], bool] = field(default=lambda: False)

    def ready(self) -> bool:
        return self.running() and self.probe()


def redis_process(port: int, workdir: Path) -> ProbedProcess:
    """redis-server for the lock store only: nothing saved to disk (a lock outlives no restart)."""

    def answers() -> bool:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    argv = [binary("redis-server", "/usr/bin/redis-server"), "--port", str(port)]
    argv += ["--bind", LOOPBACK, "--save", "", "--appendonly", "no", "--dir", str(workdir)]
    return ProbedProcess("Redis", argv, {}, "", workdir / "logs" / "redis.log", probe=answers)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost, so that nginx serves HTTPS as in production. Kept while it
    is valid for another day: a browser or client told to trust it goes on trusting it after a
    restart."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    now = datetime.datetime.now(datetime.timezone.utc)
    if cert_path.exists() and key_path.exists():
        try:
            current = x509.load_pem_x509_certificate(cert_path.read_bytes())
            if current.not_valid_after_utc > now + datetime.timedelta(days=1):
                return cert_path, key_path
        except ValueError:  # unreadable: made again below
            pass
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_path, key_path


def nginx_site(
    https_port: int, web_port: int, rasa_ports: tuple[int, int], rasa_front_port: int, tls: Path
) -> str:
    """deploy/nginx.conf with the cluster's ports and certificate; fails loudly if the file no
    longer has a line the cluster relies on."""
    site = NGINX_SITE.read_text()
    for old, new in [
        ("listen 443 ssl http2;", f"listen {LOOPBACK}:{https_port} ssl http2;"),
        ("/etc/ssl/clinic/fullchain.pem", str(tls / "cert.pem")),
        ("/etc/ssl/clinic/privkey.pem", str(tls / "key.pem")),
        ("server 127.0.0.1:8000;", f"server {LOOPBACK}:{web_port};"),
        ("server 127.0.0.1:5005;", f"server {LOOPBACK}:{rasa_ports[0]};"),
        ("server 127.0.0.1:5006;", f"server {LOOPBACK}:{rasa_ports[1]};"),
        ("listen 127.0.0.1:5000;", f"listen {LOOPBACK}:{rasa_front_port};"),
    ]:
        if old not in site:
            raise ValueError(f"{NGINX_SITE} no longer has {old!r}, which the cluster replaces")
        site = site.replace(old, new)
    return site


def nginx_process(folder: Path, site: str, https_port: int, cafile: Path) -> ProbedProcess:
    """nginx in the foreground with its own folder (pid, temp files, error log), serving `site`."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # nginx's workers run as another account and keep large responses in temporary files
        # in this folder: they must be able to pass through it (not to list it).
        os.chmod(folder, 0o711)
    (folder / "clinic.conf").write_text(site)
    # No access log: it would hold every visitor's address; errors only.
    (folder / "nginx.conf").write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  include {folder}/clinic.conf;\n}}\n"
    )

    def answers() -> bool:
        # The certificate is made at each start, after this process is defined.
        context = ssl.create_default_context(cafile=str(cafile))
        url = f"https://localhost:{https_port}/healthz"
        try:
            with urllib.request.urlopen(url, context=context, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    nginx = binary("nginx", "/usr/sbin/nginx")
    return ProbedProcess(
        "nginx",
        [nginx, "-c", str(folder / "nginx.conf"), "-p", str(folder)]
        + ["-e", str(folder / "error.log")],
        {},
        "",
        folder.parent / "logs" / "nginx.log",
        probe=answers,
    )


def install_system_packages() -> None:
    """PostgreSQL, Redis and nginx from Debian, only those missing (the script is idempotent)."""
    packages = ["postgresql-15", "redis-server", "nginx-light"]
    script = ROOT / "scripts" / "setup-system.sh"
    if subprocess.run(["bash", str(script), *packages]).returncode != 0:
        raise RuntimeError(f"Could not install {' '.join(packages)}: {INSTALL_HINT} as root.")
