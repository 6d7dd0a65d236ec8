"""The conversation list (with review status, tags and the staff member's saved filters) and a
conversation's transcript (masked unless revealed, audited) with its review panel. Changes to
reviews, tags, notes and saved filters are in routes/review.py."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import clinic_queries, review_queries
from web.staff.context import clinic, off_loop, settings, staff, tracker
from web.staff.domain import domain_info
from web.staff.filters import Filters
from web.staff.masking import mask_contact, mask_name, mask_names
from web.staff.plain_words import grouped, intent_name
from web.staff.rendering import Viewed, error_page, int_arg, render
from web.staff.tracker_store import TRACKER_MISSING, intents_seen, list_conversations, load_events
from web.staff.transcript import build_transcript, conversation_flags, mask_transcript
from web.staff.visitors import Visitor, visitor_of, visitors

bp = Blueprint("staff_conversations")


@bp.get("/conversations")
async def conversations(request: Request) -> HTTPResponse:
    filters = Filters.from_args(request.args)
    page_number = int_arg(request, "page", 1)
    engine = clinic(request)
    senders = await off_loop(clinic_queries.request_senders, engine)
    scope = await off_loop(review_queries.scope_for, engine, filters)
    try:
        page = await off_loop(
            list_conversations,
            tracker(request),
            filters,
            senders,
            settings(request).timezone,
            page_number,
            scope=scope,
        )
        seen = await off_loop(intents_seen, tracker(request))
    except TRACKER_MISSING:
        page, seen = None, []
    if page is not None:
        shown = [row["sender_id"] for row in page.rows]
        marks = await off_loop(review_queries.marks_for, engine, shown)
        who = await off_loop(visitors, engine, tracker(request), shown)
        for row in page.rows:
            row.update(marks[row["sender_id"]])
            row["visitor"] = who.get(row["sender_id"], Visitor())
            row["preview"] = mask_names(row["preview"], [row["visitor"].name])
    return await render(
        request,
        "conversations.html",
        viewed=Viewed(
            "view_conversations",
            detail={
                "filters": filters.as_args(),
                "page": page.page if page else 1,
                "conversations": [row["sender_id"] for row in page.rows] if page else [],
            },
        ),
        nav="conversations",
        page=page,
        filters=filters,
        args=filters.as_args(),
        intents=grouped(sorted(domain_info()["intents"] | set(seen))),
        mask_name=mask_name,
        caught_up=request.args.get("caught_up") == "1",
        **await off_loop(review_queries.list_panel, engine, staff(request).username),
    )


async def _transcript(
    request: Request, sender_id: str, reveal: bool, filters: Filters
) -> HTTPResponse:
    try:
        evts = await off_loop(load_events, tracker(request), sender_id)
    except TRACKER_MISSING:
        evts = []
    if not evts:
        return await error_page(
            request,
            404,
            "No conversation with this id (it may have been deleted by the retention policy).",
        )
    flags = conversation_flags(evts)
    transcript = build_transcript(evts)
    engine = clinic(request)
    requests = await off_loop(clinic_queries.requests_of, engine, sender_id)
    visitor = visitor_of(requests, evts)
    if not reveal:
        mask_transcript(transcript, names=[visitor.name, *(r["name"] for r in requests)])
    panel = await off_loop(review_queries.review_panel, engine, sender_id)
    return await render(
        request,
        "transcript.html",
        viewed=Viewed(
            "reveal_contact" if reveal else "view_transcript",
            sender_id,
            {"conversation": sender_id} if reveal else None,
        ),
        nav="conversations",
        sender_id=sender_id,
        flags=flags,
        transcript=transcript,
        reveal=reveal,
        requests=requests,
        mask_contact=mask_contact,
        mask_name=mask_name,
        plain_intent=intent_name,
        visitor=visitor,
        panel=panel,
        filters=filters,
        args=filters.as_args(),
    )


@bp.get("/conversations/view")
async def transcript(request: Request) -> HTTPResponse:
    sender_id = (request.args.get("sender") or "")[:255]
    return await _transcript(request, sender_id, False, Filters.from_args(request.args))


@bp.post("/conversations/reveal")
async def transcript_reveal(request: Request) -> HTTPResponse:
    sender_id = (request.form.get("sender") or "")[:255]
    return await _transcript(request, sender_id, True, Filters.from_args(request.form))
