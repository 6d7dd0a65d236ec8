"""Signing in and out."""

from __future__ import annotations

import secrets

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import clinic_queries
from web.staff.auth import (
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    authenticate,
    clear_failures,
    create_session,
    csrf_ok,
    delete_session,
    load_session,
    prelogin_csrf,
    record_attempt,
)
from web.staff.context import client_ip, clinic, off_loop, settings, staff
from web.staff.rendering import render, safe_next, set_cookie

bp = Blueprint("staff_sign_in")
# The same words whichever limit refused the attempt and whether or not the account exists.
LOCKED_OUT = "Too many failed sign-ins. Wait 15 minutes, then try again."


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
        next=safe_next(request.args.get("next") or request.form.get("next")),
    )
    set_cookie(resp, request, PRELOGIN_COOKIE, token, max_age=3600)
    return resp


@bp.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    if await off_loop(load_session, clinic(request), request.cookies.get(SESSION_COOKIE)):
        return response.redirect(safe_next(request.args.get("next")))
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
    engine = clinic(request)
    username = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    ip = client_ip(request)
    # Counted as a failure before the password is checked, so that guesses sent at the same
    # moment are counted one after another; a right password clears the count below.
    refused_by = await off_loop(record_attempt, engine, username, ip)
    if refused_by is not None:
        await off_loop(
            clinic_queries.record,
            engine,
            username or "(empty)",
            "login_blocked",
            detail={"limit": refused_by},
            ip=ip,
        )
        return await _login_page(request, 429, LOCKED_OUT, username)
    if not username or not await off_loop(authenticate, engine, username, password):
        await off_loop(clinic_queries.record, engine, username or "(empty)", "login_failed", ip=ip)
        return await _login_page(request, 401, "Wrong username or password.", username)
    await off_loop(clear_failures, engine, username, ip)
    session_token = await off_loop(create_session, engine, username, ip)
    await off_loop(clinic_queries.record, engine, username, "login", ip=ip)
    resp = response.redirect(safe_next(request.form.get("next")), status=303)
    set_cookie(resp, request, SESSION_COOKIE, session_token)
    set_cookie(resp, request, PRELOGIN_COOKIE, "", max_age=0)
    return resp


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    engine = clinic(request)
    await off_loop(delete_session, engine, request.cookies.get(SESSION_COOKIE) or "")
    await off_loop(
        clinic_queries.record, engine, staff(request).username, "logout", ip=client_ip(request)
    )
    resp = response.redirect("/staff/login", status=303)
    set_cookie(resp, request, SESSION_COOKIE, "", max_age=0)
    return resp
