"""The conversation list and a conversation's transcript (masked unless revealed, audited)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import clinic_queries
from web.staff.context import client_ip, clinic, off_loop, settings, staff, tracker
from web.staff.domain import domain_info
from web.staff.filters import Filters
from web.staff.masking import mask_contact
from web.staff.rendering import error_page, int_arg, render
from web.staff.tracker_store import TRACKER_MISSING, intents_seen, list_conversations, load_events
from web.staff.transcript import build_transcript, conversation_flags, mask_transcript

bp = Blueprint("staff_conversations")


@bp.get("/conversations")
async def conversations(request: Request) -> HTTPResponse:
    filters = Filters.from_args(request.args)
    page_number = int_arg(request, "page", 1)
    senders = await off_loop(clinic_queries.request_senders, clinic(request))
    engine = tracker(request)
    try:
        page = await off_loop(
            list_conversations, engine, filters, senders, settings(request).timezone, page_number
        )
        seen = await off_loop(intents_seen, engine)
    except TRACKER_MISSING:
        page, seen = None, []
    return await render(
        request,
        "conversations.html",
        nav="conversations",
        page=page,
        filters=filters,
        args=filters.as_args(),
        intents=sorted(domain_info()["intents"] | set(seen)),
    )


async def _transcript(request: Request, sender_id: str, reveal: bool) -> HTTPResponse:
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
    if not reveal:
        mask_transcript(transcript)
    engine = clinic(request)
    await off_loop(
        clinic_queries.record,
        engine,
        staff(request).username,
        "reveal_contact" if reveal else "view_transcript",
        sender_id,
        {"conversation": sender_id} if reveal else None,
        client_ip(request),
    )
    requests = await off_loop(clinic_queries.requests_of, engine, sender_id)
    return await render(
        request,
        "transcript.html",
        nav="conversations",
        sender_id=sender_id,
        flags=flags,
        transcript=transcript,
        reveal=reveal,
        requests=requests,
        mask_contact=mask_contact,
    )


@bp.get("/conversations/view")
async def transcript(request: Request) -> HTTPResponse:
    return await _transcript(request, (request.args.get("sender") or "")[:255], reveal=False)


@bp.post("/conversations/reveal")
async def transcript_reveal(request: Request) -> HTTPResponse:
    return await _transcript(request, (request.form.get("sender") or "")[:255], reveal=True)
