"""The audit log: who saw, revealed, exported or changed what, and when."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import clinic_queries
from web.staff.context import clinic, off_loop
from web.staff.rendering import Viewed, int_arg, render

bp = Blueprint("staff_audit")


@bp.get("/audit")
async def audit_page(request: Request) -> HTTPResponse:
    action = request.args.get("action") or ""
    rows, total, page, pages, actions = await off_loop(
        clinic_queries.audit_page, clinic(request), action, int_arg(request, "page", 1)
    )
    return await render(
        request,
        "audit.html",
        viewed=Viewed("view_audit", detail={"action": action or None, "page": page}),
        nav="audit",
        rows=rows,
        page=page,
        pages=pages,
        total=total,
        action=action,
        actions=actions,
    )
