"""The action server: rasa-sdk's own app, answering Rasa only.

`rasa run actions` listens on every interface with CORS open to any origin and no
authentication, so anyone who reaches the port (or a web page in a browser on the same network)
could run `action_submit_consultation_request` with a made-up conversation. Here the same app
listens on loopback by default, with CORS off, and every call but the health check must carry
the shared secret that Rasa is given in the endpoints file's `headers:`. Bodies are
limited before and after decompression (a small deflate body must not expand to gigabytes).

    python -m serving.action_server   # ACTIONS_HOST, ACTIONS_PORT, ACTION_SERVER_TOKEN
"""

from __future__ import annotations

import hmac
import json
import logging
import zlib

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.settings import Settings
from serving import TOKEN_HEADER

logger = logging.getLogger(__name__)

# A tracker with every event of a long conversation stays well below these.
MAX_BODY_BYTES = 2_000_000
MAX_DECOMPRESSED_BYTES = 8_000_000


def decoded_body(
    content_type: str | None, encoding: str | None, body: bytes
) -> tuple[bytes | None, str | None]:
    """(the body, decompressed, None) when it may go on to the actions, else (None, why not)."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return None, "Content-Type must be application/json."
    if (encoding or "identity").lower() == "deflate":
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(body, MAX_DECOMPRESSED_BYTES)
        except zlib.error:
            return None, "The body is not valid deflate data."
        if inflater.unconsumed_tail:
            return None, "The body is too large once decompressed."
        return inflated, None
    if (encoding or "identity").lower() != "identity":
        return None, "Unsupported Content-Encoding."
    return body, None


# The shape rasa-sdk's executor and Tracker.from_dict read an action call in: a field of
# another type made them raise, and the server answered 500 with the whole body echoed.
_CALL_FIELDS: dict[str, type | tuple[type, ...]] = {
    "next_action": str,
    "tracker": dict,
    "domain": dict,
    "version": str,
}
_TRACKER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "sender_id": str,
    "slots": dict,
    "latest_message": dict,
    "events": list,
    "active_loop": dict,
    "latest_action": dict,
    "latest_event_time": (int, float),
    "followup_action": str,
    "paused": bool,
    "latest_input_channel": str,
}


def action_call_problem(body: bytes) -> str | None:
    """Why a webhook body (decompressed) is not an action call Rasa would send, or None."""
    try:
        call = json.loads(body)
    except (ValueError, RecursionError):
        return "The body is not JSON."
    if not isinstance(call, dict) or not isinstance(call.get("tracker"), dict):
        return "An action call is an object with a tracker."
    for fields, data in ((_CALL_FIELDS, call), (_TRACKER_FIELDS, call["tracker"])):
        for name, kind in fields.items():
            if data.get(name) is not None and not isinstance(data[name], kind):
                return f"{name} has the wrong type."
    events = call["tracker"].get("events") or []
    if not all(isinstance(e, dict) and isinstance(e.get("event"), str) for e in events):
        return "Each event is an object with an event name."
    return None


def build_app(settings: Settings) -> Sanic:
    app = create_app("actions", cors_origins=None)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    expected = settings.server_token.encode()

    @app.on_request
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            return None
        given = (request.headers.get(TOKEN_HEADER) or "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return response.json({"error": "Not allowed."}, status=403)
        if request.method == "POST":
            body, problem = decoded_body(
                request.headers.get("content-type"),
                request.headers.get("content-encoding"),
                request.body,
            )
            if body is not None and request.path.rstrip("/") == "/webhook":
                problem = action_call_problem(body)
            if problem:
                return response.json({"error": problem}, status=400)
        return None

    async def on_error(request: Request, exception: Exception) -> HTTPResponse:
        # rasa-sdk's own handler logs the request and echoes its body: a conversation's
        # personal data in the log and the reply. The error's class is enough.
        status = getattr(exception, "status_code", 500)
        logger.error("The action server failed on %s: %s", request.path, type(exception).__name__)
        return response.json({"error": "The action server could not run this call."}, status=status)

    app.error_handler.add(Exception, on_error)
    return app


def main() -> None:
    settings = Settings.from_env()
    if not settings.server_token:
        raise SystemExit(
            "ACTION_SERVER_TOKEN is not set: the action server answers Rasa only, and Rasa "
            "sends this secret (make run and the tests set it)."
        )
    logging.basicConfig(level=logging.INFO)
    build_app(settings).run(host=settings.host, port=settings.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
