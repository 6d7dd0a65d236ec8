"""The action server: rasa-sdk's own app, answering Rasa only.

`rasa run actions` listens on every interface with CORS open to any origin and no
authentication, so anyone who reaches the port (or a web page in a browser on the same network)
could run `action_submit_consultation_request` with a made-up conversation. Here the same app
listens on loopback by default, with CORS off, and every call but the health check must carry
the shared secret that the runner gives Rasa through the endpoints file's `headers:`. Bodies are
limited before and after decompression (a small deflate body must not expand to gigabytes).

    python -m actions.server          # ACTIONS_HOST, ACTIONS_PORT, ACTION_SERVER_TOKEN
"""

from __future__ import annotations

import hmac
import logging
import zlib

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.settings import Settings

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Server-Token"
# A tracker with every event of a long conversation stays well below these.
MAX_BODY_BYTES = 2_000_000
MAX_DECOMPRESSED_BYTES = 8_000_000


def body_problem(content_type: str | None, encoding: str | None, body: bytes) -> str | None:
    """Why a webhook body is refused, or None when it may go on to the actions."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return "Content-Type must be application/json."
    if (encoding or "identity").lower() == "deflate":
        inflater = zlib.decompressobj()
        try:
            inflater.decompress(body, MAX_DECOMPRESSED_BYTES)
        except zlib.error:
            return "The body is not valid deflate data."
        if inflater.unconsumed_tail:
            return "The body is too large once decompressed."
    elif (encoding or "identity").lower() != "identity":
        return "Unsupported Content-Encoding."
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
            problem = body_problem(
                request.headers.get("content-type"),
                request.headers.get("content-encoding"),
                request.body,
            )
            if problem:
                return response.json({"error": problem}, status=400)
        return None

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
