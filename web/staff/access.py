"""Access control for the whole console, as middleware on every route blueprint: no route is
reachable without a live session except the login form itself, and every POST needs the
session's CSRF token. The ids in a route's path are checked here too, once for every route,
after the session (a visitor without one learns nothing from a 400). Security headers go on
every response."""

from __future__ import annotations

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff.auth import SESSION_COOKIE, csrf_ok
from web.staff.inputs import path_ids
from web.staff.links import link
from web.staff.rendering import secure
from web.staff.services.accounts import Accounts

SIGN_IN = "staff_sign_in.login_form"  # the one page (and form) open without a session
# Responses a script or a download manager asks for: they get a 401, not a login page.
DATA_SUFFIXES = (".csv", ".json", ".yml", ".yaml", ".svg")


def is_data_request(request: Request) -> bool:
    path = request.path
    return (
        request.method != "GET" or path.startswith("/staff/export/") or path.endswith(DATA_SUFFIXES)
    )


async def require_staff(request: Request) -> HTTPResponse | None:
    if request.path.rstrip("/") == link(request, SIGN_IN):
        return None
    session = await Accounts(request).session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        if not is_data_request(request):
            target = request.path + (("?" + request.query_string) if request.query_string else "")
            return response.redirect(link(request, SIGN_IN, next=target))
        return response.text("Staff login required.", status=401)
    request.ctx.staff = session
    if request.method == "POST" and not csrf_ok(session.csrf_token, request.form.get("csrf_token")):
        return response.text(
            "The form was out of date or not sent by the console (CSRF check "
            "failed). Go back, reload the page and try again.",
            status=403,
        )
    path_ids(request.match_info)
    return None


async def add_headers(request: Request, resp: HTTPResponse) -> None:
    secure(resp)
