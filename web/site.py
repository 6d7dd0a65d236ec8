"""The clinic's site: the demo page, the chat widget's assets and the chat proxy.

The widget talks only to this web app (same origin, no CORS): POST /api/chat is validated here and
forwarded server side to Rasa's REST channel, so Rasa's HTTP API stays on loopback. See
web/README-widget.md.

A conversation belongs to the browser the server issued it to. Its id is only a name: it shows
in the tracker store, the staff console and logs. The key is a cookie signed with the app's
secret, HttpOnly so no script on the clinic's pages can read it. /api/chat always answers in the
conversation the cookie names and never in one the body names, so knowing someone's id neither
writes into their conversation nor reads their name and contact back.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from pathlib import Path

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.chat_input import check_sender, parse_chat_body
from web.proxies import client_address, is_https
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

# The conversation a browser owns: a signed cookie sent only to the chat's own paths.
CONVERSATION_COOKIE = "clinic_chat"
CONVERSATION_PATH = "/api/chat"
# Idle lifetime: every message renews it, so a conversation in use never expires; a browser left
# alone for a week starts a new one (a shared computer's next visitor does not continue it).
CONVERSATION_MAX_AGE_S = 7 * 24 * 3600
# Tells the widget which conversation answered: a new one when its cookie was gone or expired.
CONVERSATION_HEADER = "X-Conversation-Id"

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
    return await _page("index.html")


@bp.get("/fr")
async def index_fr(request: Request) -> HTTPResponse:
    """The demo page in French (the widget starts in French there)."""
    return await _page("fr.html")


async def _page(name: str) -> HTTPResponse:
    return await response.file(
        PAGES_DIR / name,
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


# --- which conversation a browser owns --------------------------------------------------------


def new_conversation_id() -> str:
    """128 random bits, as the widget's own ids were: the same shape in the tracker store."""
    return secrets.token_hex(16)


def _signature(secret_key: str, conversation: str, issued: int) -> str:
    mac = hmac.new(
        secret_key.encode(),
        f"chat-conversation:{conversation}:{issued}".encode(),
        hashlib.sha256,
    )
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def conversation_cookie(secret_key: str, conversation: str, now: float) -> str:
    """The cookie's value: the id, when it was issued, and the app's signature of both."""
    issued = int(now)
    return f"{conversation}.{issued}.{_signature(secret_key, conversation, issued)}"


def owned_conversation(secret_key: str, cookie: str | None, now: float) -> str | None:
    """The conversation a cookie proves its browser owns, or None: no cookie, a value the app
    did not sign, one older than CONVERSATION_MAX_AGE_S, or no secret to check it with."""
    if not cookie or not secret_key:
        return None
    parts = cookie.split(".")
    if len(parts) != 3:
        return None
    conversation, issued_text, signature = parts
    if check_sender(conversation) or not issued_text.isdigit() or len(issued_text) > 12:
        return None
    issued = int(issued_text)
    if not now - CONVERSATION_MAX_AGE_S <= issued <= now + 60:
        return None
    if not hmac.compare_digest(signature, _signature(secret_key, conversation, issued)):
        return None
    return conversation


def _conversation_of(request: Request) -> str | None:
    return owned_conversation(
        request.app.ctx.settings.secret_key, request.cookies.get(CONVERSATION_COOKIE), time.time()
    )


def _bind(resp: HTTPResponse, request: Request, conversation: str) -> HTTPResponse:
    """Gives (or renews) the browser's key to `conversation` and names it in a header."""
    settings = request.app.ctx.settings
    resp.cookies[CONVERSATION_COOKIE] = conversation_cookie(
        settings.secret_key, conversation, time.time()
    )
    cookie = resp.cookies[CONVERSATION_COOKIE]
    cookie["path"] = CONVERSATION_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = CONVERSATION_MAX_AGE_S
    # As the staff session's: Secure over HTTPS, and always with COOKIE_SECURE=1.
    if settings.cookie_secure or is_https(request):
        cookie["secure"] = True
    resp.headers[CONVERSATION_HEADER] = conversation
    return resp


def _rate_limited(request: Request, counted_as: str) -> HTTPResponse | None:
    """A 429 when this conversation or this client address sent too many messages lately."""
    settings = request.app.ctx.settings
    wait = request.app.ctx.chat_rate.admit(
        [
            (counted_as, settings.chat_rate_per_sender),
            ("address:" + client_address(request), settings.chat_rate_per_address),
        ]
    )
    if not wait:
        return None
    return _error(RATE_LIMITED_ERROR, 429, {"Retry-After": retry_after(wait)})


def _is_json(request: Request) -> bool:
    return (request.headers.get("content-type") or "").split(";")[
        0
    ].strip().lower() == "application/json"


@bp.post("/api/chat/new")
async def new_conversation(request: Request) -> HTTPResponse:
    """Starts a conversation for this browser ("Clear chat", or the widget's first message) and
    answers {"sender": id}; the cookie the answer sets is the browser's key to it. JSON only, so
    another site's form cannot end a visitor's conversation."""
    if not _is_json(request):
        return _error("Content-Type must be application/json.", 400)
    conversation = new_conversation_id()
    return _bind(
        response.json({"sender": conversation}, headers={"Cache-Control": "no-store"}),
        request,
        conversation,
    )


@bp.post("/api/chat")
async def chat(request: Request) -> HTTPResponse:
    """Forwards one visitor message to Rasa's REST channel and returns Rasa's JSON list as is."""
    payload, problem = parse_chat_body(request.headers.get("content-type"), request.body)
    if payload is None:
        return _error(problem or "Bad request.", 400)
    owned = _conversation_of(request)
    # The body's sender never chooses the conversation: without the cookie of one, a message
    # starts a new one (a visitor whose cookie expired is answered, not refused, and the
    # header tells the widget). A client that keeps no cookie is counted by the id it names,
    # apart from the bound conversations, so it cannot use up another visitor's allowance.
    conversation = owned or new_conversation_id()
    counted_as = "conversation:" + owned if owned else "unbound:" + payload["sender"]
    if owned != payload["sender"]:
        logger.debug("A chat message named a conversation it does not hold: answered in its own")
    # The message's own id goes along, so a Retry of a message already stored is answered
    # from what was stored, not stored twice (channels/rest.py).
    forwarded = {**payload, "sender": conversation}
    resp = await _forward(request, forwarded, counted_as)
    return _bind(resp, request, conversation)


async def _forward(request: Request, payload: dict[str, str], counted_as: str) -> HTTPResponse:
    """Rasa's answer to `payload` ({sender, message}, as the REST channel takes it), or the
    error the widget explains."""
    limited = _rate_limited(request, counted_as)
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
