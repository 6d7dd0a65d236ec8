"""Web app settings, from environment variables with defaults that run on one machine.

TRUSTED_PROXIES (default: empty, no proxy) names the reverse proxies in front of the web app,
as comma-separated addresses or networks ("127.0.0.1", "10.0.0.0/8"). Only a request whose
direct peer is one of them has its X-Real-IP, X-Forwarded-For and X-Forwarded-Proto believed
(web/proxies.py); from anyone else those headers are ignored, since any client can send them
and would otherwise pick a new address for every password guess or chat message. Empty by
default because `make run` has no proxy: loopback is not trusted just because a proxy could be
there. Behind deploy/nginx.conf on the same machine nginx connects from 127.0.0.1, so set
TRUSTED_PROXIES=127.0.0.1; in Kubernetes, the ingress controller's network.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from clinic.db import DEFAULT_URL as DEFAULT_CLINIC_URL


def _secret_key(path: Path) -> str:
    """A per-installation secret kept in var/, made on first start, never committed."""
    env = os.environ.get("WEB_SECRET_KEY")
    if env:
        return env
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _count(env: Callable[[str, str], str], name: str, default: int) -> int:
    """A whole number >= 0 from the environment; a typo stops the start with its name."""
    raw = env(name, str(default)).strip()
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number >= 0, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    # Rasa's REST channel is reached by the web app, server side; Rasa stays on loopback.
    rasa_url: str = "http://127.0.0.1:5005"
    # The tracker store Rasa writes (read-only here) and the clinic database (requests, staff).
    tracker_db_url: str = "sqlite:///var/tracker.db"
    clinic_db_url: str = DEFAULT_CLINIC_URL
    secret_key: str = ""
    # Secure cookies when served over HTTPS (behind nginx in production).
    cookie_secure: bool = False
    # An IANA zone name (Europe/Berlin) for the times the console shows; empty: the server's.
    staff_timezone: str = ""
    # How long conversations and requests are kept (make retention).
    retention_days: int = 365
    # Chat messages allowed per minute from one conversation and from one client address
    # (0: no limit). Counted in each worker process, so the real limit is this times workers.
    chat_rate_per_sender: int = 20
    chat_rate_per_address: int = 60
    # Worker processes of the web app.
    workers: int = 1
    # TRUSTED_PROXIES: peers whose X-Real-IP / X-Forwarded-For / X-Forwarded-Proto headers are
    # believed (the reverse proxy); none unless configured, see the module's docstring.
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, secret: bool = True) -> Settings:
        """The settings of this process; `secret=False` for command-line tools that need no
        session key (they then neither read nor create var/web-secret-key)."""
        env = os.environ.get
        return cls(
            host=env("WEB_HOST", cls.host),
            port=int(env("WEB_PORT", str(cls.port))),
            rasa_url=env("RASA_URL", cls.rasa_url).rstrip("/"),
            tracker_db_url=env("TRACKER_DB_URL", cls.tracker_db_url),
            clinic_db_url=env("CLINIC_DB_URL", cls.clinic_db_url),
            secret_key=_secret_key(Path(env("WEB_SECRET_FILE", "var/web-secret-key")))
            if secret
            else "",
            cookie_secure=env("COOKIE_SECURE", "0").lower() in ("1", "true", "yes"),
            staff_timezone=env("STAFF_TIMEZONE", ""),
            retention_days=int(env("RETENTION_DAYS", str(cls.retention_days))),
            chat_rate_per_sender=_count(env, "CHAT_RATE_PER_SENDER", cls.chat_rate_per_sender),
            chat_rate_per_address=_count(env, "CHAT_RATE_PER_ADDRESS", cls.chat_rate_per_address),
            workers=max(1, _count(env, "WEB_WORKERS", cls.workers)),
            trusted_proxies=tuple(
                part.strip()
                for part in env("TRUSTED_PROXIES", ",".join(cls.trusted_proxies)).split(",")
                if part.strip()
            ),
        )

    @property
    def timezone(self) -> tzinfo:
        return local_timezone(self.staff_timezone)


def server_zone_name() -> str:
    """The IANA name of the server's zone (TZ, /etc/timezone, the /etc/localtime link), or ""."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        return name
    try:
        return Path("/etc/timezone").read_text().strip()
    except OSError:
        pass
    target = os.path.realpath("/etc/localtime")
    return target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else ""


def local_timezone(name: str = "") -> tzinfo:
    """The zone called `name`, or the server's own when it is empty or unknown. By its name
    when the server's can be found, so that times from before a daylight-saving change are
    shown with the offset they had (and exports can name the zone)."""
    from zoneinfo import ZoneInfo

    for candidate in (name, server_zone_name()):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except Exception:  # an unknown zone name: the next one rather than a crash
                pass
    return datetime.now().astimezone().tzinfo  # type: ignore[return-value]
