"""The dashboard: conversations per day, top intents, fallbacks, contraindications, requests,
and the review workflow's figures (unread, reviewed, follow-up; tags in use)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import charts, clinic_queries, review_queries
from web.staff.context import clinic, off_loop, settings, tracker
from web.staff.plain_words import intent_name
from web.staff.rendering import Viewed, int_arg, render
from web.staff.tracker_store import TRACKER_MISSING, dashboard_stats, review_counts

bp = Blueprint("staff_dashboard")


@bp.get("/")
async def dashboard(request: Request) -> HTTPResponse:
    days = int_arg(request, "days", 30, 1, 366)
    tz = settings(request).timezone
    today = datetime.now(tz).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=tz).timestamp()
    until = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=tz).timestamp()
    senders = await off_loop(clinic_queries.request_senders, clinic(request))
    by_review = await off_loop(review_queries.review_senders, clinic(request))
    try:
        stats = await off_loop(dashboard_stats, tracker(request), since, until, senders, tz)
        reviews = await off_loop(review_counts, tracker(request), since, by_review)
    except TRACKER_MISSING:
        stats, reviews = None, None
    by_status = await off_loop(clinic_queries.status_counts, clinic(request))
    chart_days = (
        charts.bar_chart(stats["per_day"], f"Conversations per day, last {days} days")
        if stats
        else None
    )
    if stats:  # by readable name, each with its id for the link to the conversations
        stats["top_intents"] = [
            (intent_name(name) if name != "(none)" else "No intent", count, name)
            for name, count in stats["top_intents"]
        ]
    chart_intents = (
        charts.hbar_chart([(name, n) for name, n, _ in stats["top_intents"]], "Top intents")
        if stats
        else None
    )
    return await render(
        request,
        "dashboard.html",
        viewed=Viewed("view_dashboard", detail={"days": days}),
        nav="dashboard",
        days=days,
        stats=stats,
        by_status=by_status,
        chart_days=chart_days,
        chart_intents=chart_intents,
        share_bar=charts.share_bar,
        reviews=reviews,
        first=first.isoformat(),
        tag_counts=await off_loop(review_queries.tag_counts, clinic(request)),
    )
