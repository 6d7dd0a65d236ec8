"""How the console answers: HTML pages from the Jinja templates (autoescaped, their links built
by links.py), downloads, security headers on every response, and the console's cookies."""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.db import as_utc
from web.proxies import is_https
from web.staff import links
from web.staff.auth import COOKIE_PATH
from web.staff.context import settings
from web.staff.inputs import BadInput
from web.staff.masking import mask_text, mask_value
from web.staff.services.audit import AuditLog, Viewed
from web.staff.services.base import Missing

TEMPLATES = Path(__file__).resolve().parent / "templates"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@pass_context
def fmt_time(context: Context, value: Any, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time (UTC datetime or epoch seconds) in the staff's time zone."""
    if value is None or value == "":
        return ""
    moment: datetime
    if isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, datetime):
        moment = as_utc(value)
    else:
        return str(value)
    return moment.astimezone(context.get("tz")).strftime(pattern)


def fmt_pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def fmt_conf(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def qs(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urllib.parse.urlencode({k: v for k, v in merged.items() if v not in (None, "")})


env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"], default=True, default_for_string=True),
)
env.filters.update(when=fmt_time, pct=fmt_pct, conf=fmt_conf, mask=mask_text, maskv=mask_value)
# Links: url('blueprint.handler', args, **more) and static('staff.css'), on the app that renders
# the page (links.linking); qs for the pager's links to the list's own other pages.
env.globals.update(qs=qs, url=links.url, static=links.static)


async def render(
    request: Request,
    template: str,
    http_status: int = 200,
    viewed: Viewed | None = None,
    **context: Any,
) -> HTTPResponse:
    """A page. Shown to a signed-in staff member, it is written to the audit log first: the
    console's pages hold patients' data, and a page whose line could not be written is not
    shown. A handler names what its page shows in `viewed`; one that does not is recorded as
    `view_page` with its path, so that no page goes unrecorded. Error pages show nothing; a
    page shown again with what was wrong in a form (400) names what it shows, and is recorded."""
    session = getattr(request.ctx, "staff", None)
    if session is not None:
        line = None
        if http_status == 200 or viewed is not None:
            line = viewed or Viewed("view_page", request.path, dict(request.args) or None)
        count_new = "new_requests" not in context
        new_requests = await AuditLog(request).page_shown(line, count_new)
        context.setdefault("user", session.username)
        context.setdefault("csrf", session.csrf_token)
        if count_new:
            context["new_requests"] = new_requests
    context.setdefault("path", request.path)
    context.setdefault("tz", settings(request).timezone)
    with links.linking(request.app):
        html = env.get_template(template).render(**context)
    return response.html(_utf8(html), status=http_status)


async def error_page(request: Request, status: int, message: str) -> HTTPResponse:
    return await render(
        request, "error.html", http_status=status, status_code=status, message=message
    )


async def bad_input_page(request: Request, error: BadInput) -> HTTPResponse:
    """Every BadInput of the console's handlers and middleware ends here (web/staff/__init__)."""
    return await error_page(request, 400, str(error))


async def missing_page(request: Request, error: Missing) -> HTTPResponse:
    """Every Missing of the services ends here (web/staff/__init__)."""
    return await error_page(request, 404, str(error))


def secure(resp: HTTPResponse) -> HTTPResponse:
    for name, value in SECURITY_HEADERS.items():
        resp.headers[name] = value
    return resp


def set_cookie(
    resp: HTTPResponse, request: Request, name: str, value: str, max_age: int | None = None
) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    # Secure whenever the page came over HTTPS, and always with COOKIE_SECURE=1 (then even a
    # request that reached the app over plain HTTP cannot make the browser send it there).
    if settings(request).cookie_secure or is_https(request):
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def _utf8(text: str) -> bytes:
    """UTF-8 even for text holding a lone surrogate (a stored message can), which a strict
    encoder turns into a 500: such a character becomes "?"."""
    return text.encode("utf-8", "replace")


def download(body: str, filename: str, content_type: str) -> HTTPResponse:
    return response.raw(
        _utf8(body),
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def stamp(request: Request) -> str:
    """Now, in the staff's zone, for download file names."""
    return datetime.now(settings(request).timezone).strftime("%Y%m%d-%H%M")
