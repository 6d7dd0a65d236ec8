"""The dashboard: conversations per day, top intents, fallbacks, contraindications, requests,
and the review workflow's figures (unread, reviewed, follow-up; tags in use)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import charts
from web.staff.inputs import number
from web.staff.rendering import Viewed, render
from web.staff.services.dashboard import Dashboard

bp = Blueprint("staff_dashboard")


@bp.get("/")
async def dashboard(request: Request) -> HTTPResponse:
    days = number(request.args, "days", 30, 1, 366)
    figures = await Dashboard(request).figures(days)
    return await render(
        request,
        "dashboard.html",
        viewed=Viewed("view_dashboard", detail={"days": days}),
        nav="dashboard",
        days=days,
        share_bar=charts.share_bar,
        **figures,
    )
