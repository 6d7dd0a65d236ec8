"""The consultation-request queue: list by status, a request (contact masked unless revealed,
audited), and its status."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.requests import get_request
from clinic.schema import REQUEST_STATUSES
from web.staff import clinic_queries
from web.staff.context import client_ip, clinic, off_loop, settings, staff
from web.staff.masking import mask_contact
from web.staff.rendering import Viewed, error_page, int_arg, render, safe_next

bp = Blueprint("staff_requests")
NO_SUCH_REQUEST = "No such consultation request."


@bp.get("/requests")
async def requests_queue(request: Request) -> HTTPResponse:
    status = request.args.get("status", "new")
    if status not in REQUEST_STATUSES + ("all",):
        status = "new"
    rows, counts, page, pages = await off_loop(
        clinic_queries.requests_page, clinic(request), status, int_arg(request, "page", 1)
    )
    return await render(
        request,
        "requests.html",
        viewed=Viewed(
            "view_requests",
            detail={"status": status, "page": page, "requests": [row["id"] for row in rows]},
        ),
        nav="requests",
        rows=rows,
        status=status,
        counts=counts,
        statuses=REQUEST_STATUSES,
        page=page,
        pages=pages,
        mask_contact=mask_contact,
    )


async def _request_page(request: Request, request_id: int, reveal: bool) -> HTTPResponse:
    """A request (a name, screening answers), its contact masked unless `reveal`; the audit log
    records either."""
    row = await off_loop(get_request, settings(request).clinic_db_url, request_id)
    if row is None:
        return await error_page(request, 404, NO_SUCH_REQUEST)
    return await render(
        request,
        "request.html",
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
        return await error_page(request, 400, "Unknown status.")
    old = await off_loop(
        clinic_queries.change_status,
        clinic(request),
        request_id,
        new_status,
        staff(request).username,
        client_ip(request),
    )
    if old is None:
        return await error_page(request, 404, NO_SUCH_REQUEST)
    return response.redirect(safe_next(request.form.get("next"), "/staff/requests"), status=303)
