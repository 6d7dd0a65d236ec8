"""Signing in and out."""

from __future__ import annotations

import secrets

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff.auth import PRELOGIN_COOKIE, SESSION_COOKIE, csrf_ok, prelogin_csrf
from web.staff.context import settings
from web.staff.inputs import text
from web.staff.links import HOME, link, safe_next
from web.staff.rendering import render, set_cookie
from web.staff.services.accounts import Accounts

bp = Blueprint("staff_sign_in")
# The same words whichever limit refused the attempt and whether or not the account exists.
LOCKED_OUT = "Too many failed sign-ins. Wait 15 minutes, then try again."
USERNAME_LENGTH = 64  # staff_users.username


async def _login_page(
    request: Request, status: int = 200, error: str | None = None, username: str = ""
) -> HTTPResponse:
    token = request.cookies.get(PRELOGIN_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(24)
    resp = await render(
        request,
        "login.html",
        http_status=status,
        error=error,
        username=username,
        login_csrf=prelogin_csrf(settings(request).secret_key, token),
        next=safe_next(request.args.get("next") or request.form.get("next"), link(request, HOME)),
    )
    set_cookie(resp, request, PRELOGIN_COOKIE, token, max_age=3600)
    return resp


@bp.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    if await Accounts(request).session(request.cookies.get(SESSION_COOKIE)):
        return response.redirect(safe_next(request.args.get("next"), link(request, HOME)))
    return await _login_page(request)


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    token = request.cookies.get(PRELOGIN_COOKIE) or ""
    given = request.form.get("csrf_token")
    if not token or not csrf_ok(prelogin_csrf(settings(request).secret_key, token), given):
        return response.text(
            "The login form was out of date (CSRF check failed). Reload the "
            "login page and try again.",
            status=403,
        )
    username = text(request.form, "username", USERNAME_LENGTH, strip=True)
    signed_in = await Accounts(request).sign_in(username, text(request.form, "password"))
    if signed_in.refused_by is not None:
        return await _login_page(request, 429, LOCKED_OUT, username)
    if signed_in.token is None:
        return await _login_page(request, 401, "Wrong username or password.", username)
    resp = response.redirect(safe_next(request.form.get("next"), link(request, HOME)), status=303)
    set_cookie(resp, request, SESSION_COOKIE, signed_in.token)
    set_cookie(resp, request, PRELOGIN_COOKIE, "", max_age=0)
    return resp


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    await Accounts(request).sign_out(request.cookies.get(SESSION_COOKIE) or "")
    resp = response.redirect(link(request, "staff_sign_in.login_form"), status=303)
    set_cookie(resp, request, SESSION_COOKIE, "", max_age=0)
    return resp
