"""The consultation-request queue: list by status, a request (contact masked unless revealed,
audited) with its notes and call log, and its status. A saved status comes back with a
confirmation (`saved=<id>`), since a changed row may leave the list it was on."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.db import utcnow
from clinic.schema import REQUEST_STATUSES
from web.staff import follow_ups
from web.staff.context import settings
from web.staff.inputs import BadInput, fields, number, one_of, record_id
from web.staff.links import link, safe_next, with_query
from web.staff.masking import mask_contact
from web.staff.rendering import Viewed, render
from web.staff.services.requests import Requests

bp = Blueprint("staff_requests")


@bp.get("/requests")
async def requests_queue(request: Request) -> HTTPResponse:
    status = one_of(request.args, "status", REQUEST_STATUSES + ("all",), "new")
    page = number(request.args, "page", 1)
    saved_id = record_id(request.args.get("saved"), "request") if "saved" in request.args else None
    queue = await Requests(request).queue(status, page, saved_id)
    saved = queue["saved"]
    detail: dict[str, Any] = {
        "status": status,
        "page": queue["pager"].page,
        "requests": [row["id"] for row in queue["rows"]],
    }
    if saved:
        detail["saved"] = saved["id"]
    return await render(
        request,
        "requests.html",
        viewed=Viewed("view_requests", detail=detail),
        nav="requests",
        status=status,
        statuses=REQUEST_STATUSES,
        mask_contact=mask_contact,
        **queue,
    )


async def _request_page(
    request: Request,
    request_id: int,
    reveal: bool,
    problem: dict[str, str] | None = None,
) -> HTTPResponse:
    """A request (a name, screening answers, notes and calls), its contact masked unless
    `reveal`; the audit log records either. `problem`: a note or call that could not be kept,
    shown again with what to fix and what was typed (400)."""
    shown = await Requests(request).request(request_id)
    row = shown["row"]
    tz = settings(request).timezone
    return await render(
        request,
        "request.html",
        http_status=400 if problem else 200,
        viewed=Viewed(
            "reveal_contact" if reveal else "view_request",
            f"request:{request_id}",
            {"request": request_id, "sender_id": row["sender_id"]},
        ),
        nav="requests",
        row=row,
        reveal=reveal,
        statuses=REQUEST_STATUSES,
        mask_contact=mask_contact,
        saved=request.args.get("saved") == str(request_id),
        history=shown["history"],
        outcomes=follow_ups.OUTCOME_LABELS,
        limits={
            "note": follow_ups.NOTE_LENGTH,
            "call": follow_ups.CALL_NOTE_LENGTH,
            "staff": follow_ups.STAFF_LENGTH,
        },
        problem=problem or {},
        typed=fields(request.form) if problem else {},
        call_at=follow_ups.local_input(utcnow(), tz),
    )


@bp.get("/requests/<request_id:int>")
async def request_detail(request: Request, request_id: int) -> HTTPResponse:
    return await _request_page(request, request_id, reveal=False)


@bp.post("/requests/<request_id:int>/reveal")
async def request_reveal(request: Request, request_id: int) -> HTTPResponse:
    return await _request_page(request, request_id, reveal=True)


@bp.post("/requests/<request_id:int>/status")
async def request_status(request: Request, request_id: int) -> HTTPResponse:
    new_status = request.form.get("status")
    if new_status not in REQUEST_STATUSES:
        raise BadInput("Unknown status.")
    await Requests(request).change_status(request_id, new_status)
    back = safe_next(request.form.get("next"), link(request, "staff_requests.requests_queue"))
    return response.redirect(with_query(back, saved=request_id), status=303)


def _to_history(request: Request, request_id: int) -> HTTPResponse:
    to = link(request, "staff_requests.request_detail", request_id=request_id, _anchor="follow-up")
    return response.redirect(to, status=303)


@bp.post("/requests/<request_id:int>/notes")
async def request_note(request: Request, request_id: int) -> HTTPResponse:
    try:
        text = follow_ups.read_note(request.form)
    except BadInput as error:
        return await _request_page(
            request, request_id, False, {"form": "note", "message": str(error)}
        )
    await Requests(request).add_note(request_id, text)
    return _to_history(request, request_id)


@bp.post("/requests/<request_id:int>/calls")
async def request_call(request: Request, request_id: int) -> HTTPResponse:
    try:
        await Requests(request).log_call(request_id, request.form)
    except BadInput as error:
        return await _request_page(
            request, request_id, False, {"form": "call", "message": str(error)}
        )
    return _to_history(request, request_id)
