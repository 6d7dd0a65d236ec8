"""The audit log: who saw, revealed, exported or changed what, and when."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff.inputs import number, text
from web.staff.rendering import Viewed, render
from web.staff.services.audit import AuditLog

bp = Blueprint("staff_audit")


@bp.get("/audit")
async def audit_page(request: Request) -> HTTPResponse:
    action = text(request.args, "action")
    log = await AuditLog(request).page(action, number(request.args, "page", 1))
    return await render(
        request,
        "audit.html",
        viewed=Viewed("view_audit", detail={"action": action or None, "page": log["pager"].page}),
        nav="audit",
        action=action,
        **log,
    )
