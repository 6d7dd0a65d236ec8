"""The clinic's site: the demo page, the chat widget's assets and the chat proxy.

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

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.chat_input import parse_chat_body
from web.proxies import client_address
from web.rate_limit import SlidingWindow, retry_after

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
PAGES_DIR = WEB_DIR / "pages"
STATIC_DIR = WEB_DIR / "static"

RASA_TIMEOUT_S = 15.0  # a slower answer is a failure the widget offers to retry
# Rasa's built-in commands that say nothing by design; an empty answer to any other message
# means something failed (an action server that is down answers 200 with []).
SILENT_COMMANDS = re.compile(r"/(restart|session_start|back)\b")
NO_ANSWER_ERROR = "The assistant could not answer just now. Your message is kept: press Retry."
RATE_LIMITED_ERROR = "Too many messages in a short time. Please wait a moment and try again."

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
    """One HTTP session (connection pool) to Rasa and one chat rate limit per worker."""
    app.ctx.site_rasa_session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_S),
        raise_for_status=False,
    )
    app.ctx.chat_rate = SlidingWindow()


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


def _error(message: str, status: int, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json(
        {"error": message}, status=status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def _rate_limited(request: Request, sender: str) -> HTTPResponse | None:
    """A 429 when this conversation or this client address sent too many messages lately."""
    settings = request.app.ctx.settings
    wait = request.app.ctx.chat_rate.admit(
        [
            ("sender:" + sender, settings.chat_rate_per_sender),
            ("address:" + client_address(request), settings.chat_rate_per_address),
        ]
    )
    if not wait:
        return None
    return _error(RATE_LIMITED_ERROR, 429, {"Retry-After": retry_after(wait)})


def parse_chat_request(
    content_type: str | None, body: bytes
) -> tuple[dict[str, str] | None, str | None]:
    """Returns ({"sender", "message"}, None) for a valid request, else (None, why it is not):
    the rules the REST channel applies too (channels/chat_input.py)."""
    return parse_chat_body(content_type, body)


@bp.post("/api/chat")
async def chat(request: Request) -> HTTPResponse:
    """Forwards one visitor message to Rasa's REST channel and returns Rasa's JSON list as is."""
    payload, problem = parse_chat_request(request.headers.get("content-type"), request.body)
    if payload is None:
        return _error(problem or "Bad request.", 400)
    limited = _rate_limited(request, payload["sender"])
    if limited is not None:
        return limited

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
    if not messages and not SILENT_COMMANDS.match(payload["message"].strip()):
        # Rasa answers [] when an action failed (e.g. the action server is down): the visitor
        # must see that, not silence or a "please rephrase".
        logger.warning("Rasa answered nothing to a message (is the action server up?)")
        return _error(NO_ANSWER_ERROR, 502)
    # Rasa's own bytes, unchanged: [{"recipient_id", "text", "buttons": [...]}, ...]
    return response.raw(raw, content_type="application/json", headers={"Cache-Control": "no-store"})
