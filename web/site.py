"""The clinic's site: the demo page, the chat widget's assets and the chat proxy (issue 3).

The widget talks only to this web app (same origin, no CORS): POST /api/chat is validated here and
forwarded server side to Rasa's REST channel, so Rasa's HTTP API stays on loopback. See
web/README-widget.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
PAGES_DIR = WEB_DIR / "pages"
STATIC_DIR = WEB_DIR / "static"

SENDER_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_MESSAGE_CHARS = 1000
MAX_BODY_BYTES = 16_384  # a 1000-character message JSON-escaped stays far below this
RASA_TIMEOUT_S = 15.0  # a slower answer is a failure the widget offers to retry

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

bp = Blueprint("site")
# One route per file in web/static/ (an allowlist, read at start-up): Sanic 21.12's folder route
# would answer /static/ itself with a 500. Sanic adds Last-Modified and answers 304s.
for _asset in sorted(STATIC_DIR.iterdir()):
    if _asset.is_file() and not _asset.name.startswith("."):
        bp.static(
            f"/static/{_asset.name}", str(_asset), name="static_" + re.sub(r"\W", "_", _asset.name)
        )


@bp.listener("before_server_start")
async def open_rasa_session(app, _loop) -> None:
    """One HTTP session (connection pool) to Rasa for the life of the worker."""
    app.ctx.site_rasa_session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_S),
        raise_for_status=False,
    )


@bp.listener("after_server_stop")
async def close_rasa_session(app, _loop) -> None:
    session = getattr(app.ctx, "site_rasa_session", None)
    if session is not None:
        await session.close()


@bp.on_response
async def add_security_headers(request: Request, resp: HTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(name, value)
    if request.path.startswith("/static/"):
        # Revalidate (Last-Modified) so a new widget version is picked up on the next page view.
        resp.headers.setdefault("Cache-Control", "no-cache")


@bp.get("/")
async def index(request: Request) -> HTTPResponse:
    return await response.file(
        PAGES_DIR / "index.html",
        mime_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@bp.get("/healthz")
async def healthz(request: Request) -> HTTPResponse:
    return response.text("ok")


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers={"Cache-Control": "no-store"})


def parse_chat_request(
    content_type: str | None, body: bytes
) -> tuple[dict[str, str] | None, str | None]:
    """Returns ({"sender", "message"}, None) for a valid request, else (None, why it is not)."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return None, "Content-Type must be application/json."
    if len(body) > MAX_BODY_BYTES:
        return None, "Request body too large."
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, "Body must be JSON."
    if not isinstance(data, dict):
        return None, 'Body must be a JSON object {"sender": ..., "message": ...}.'
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        return None, "sender must be 16 to 64 characters: letters, digits, '_' or '-'."
    if not isinstance(message, str) or not message.strip():
        return None, "message must be a non-empty string."
    if len(message) > MAX_MESSAGE_CHARS:
        return None, f"message must be at most {MAX_MESSAGE_CHARS} characters."
    return {"sender": sender, "message": message}, None


@bp.post("/api/chat")
async def chat(request: Request) -> HTTPResponse:
    """Forwards one visitor message to Rasa's REST channel and returns Rasa's JSON list as is."""
    payload, problem = parse_chat_request(request.headers.get("content-type"), request.body)
    if payload is None:
        return _error(problem or "Bad request.", 400)

    url = f"{request.app.ctx.settings.rasa_url}/webhooks/rest/webhook"
    session: aiohttp.ClientSession = request.app.ctx.site_rasa_session
    try:
        async with session.post(url, json=payload) as upstream:
            status = upstream.status
            raw = await upstream.read()
    except asyncio.TimeoutError:
        logger.warning("Rasa did not answer within %.0f s", RASA_TIMEOUT_S)
        return _error("The assistant is taking too long to answer. Please try again.", 503)
    except aiohttp.ClientError as error:
        logger.warning("Rasa unreachable: %s", type(error).__name__)
        return _error("The assistant cannot be reached right now. Please try again.", 503)

    if status != 200:
        logger.warning("Rasa answered HTTP %s", status)
        return _error("The assistant could not answer. Please try again.", 502)
    try:
        messages = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        messages = None
    if not isinstance(messages, list):
        logger.warning("Rasa answered something other than a JSON list")
        return _error("The assistant could not answer. Please try again.", 502)
    # Rasa's own bytes, unchanged: [{"recipient_id", "text", "buttons": [...]}, ...]
    return response.raw(raw, content_type="application/json", headers={"Cache-Control": "no-store"})
