"""The conversation list (with review status, tags and the staff member's saved filters) and a
conversation's transcript (masked unless revealed, audited) with its review panel. Changes to
reviews, tags, notes and saved filters are in routes/review.py."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff.filters import Filters
from web.staff.inputs import number, sender
from web.staff.masking import mask_contact, mask_name
from web.staff.plain_words import intent_name
from web.staff.rendering import Viewed, render
from web.staff.services.conversations import Conversations

bp = Blueprint("staff_conversations")


@bp.get("/conversations")
async def conversations(request: Request) -> HTTPResponse:
    filters = Filters.from_args(request.args)
    listed = await Conversations(request).list_page(filters, number(request.args, "page", 1))
    page = listed["page"]
    return await render(
        request,
        "conversations.html",
        viewed=Viewed(
            "view_conversations",
            detail={
                "filters": filters.as_args(),
                "page": page.pager.page if page else 1,
                "conversations": [row["sender_id"] for row in page.rows] if page else [],
            },
        ),
        nav="conversations",
        filters=filters,
        args=filters.as_args(),
        mask_name=mask_name,
        caught_up=request.args.get("caught_up") == "1",
        **listed,
    )


async def _transcript(
    request: Request, sender_id: str, reveal: bool, filters: Filters
) -> HTTPResponse:
    shown = await Conversations(request).transcript(sender_id, reveal)
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
        reveal=reveal,
        mask_contact=mask_contact,
        mask_name=mask_name,
        plain_intent=intent_name,
        filters=filters,
        args=filters.as_args(),
        **shown,
    )


@bp.get("/conversations/view")
async def transcript(request: Request) -> HTTPResponse:
    return await _transcript(request, sender(request.args), False, Filters.from_args(request.args))


@bp.post("/conversations/reveal")
async def transcript_reveal(request: Request) -> HTTPResponse:
    return await _transcript(request, sender(request.form), True, Filters.from_args(request.form))
