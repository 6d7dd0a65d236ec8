"""The review workflow on a conversation: its status (reviewed, needs follow-up, unread again),
"next unread" through the list's filters, its tags and notes, and each staff member's saved
filters. Every change is a POST (CSRF-checked by access.py) that ends in a redirect; the
filters of the list the staff member came from travel along in the forms and the URLs."""

from __future__ import annotations

import urllib.parse

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import clinic_queries, review_queries
from web.staff.context import client_ip, clinic, off_loop, settings, staff, tracker
from web.staff.filters import Filters, SenderScope
from web.staff.inputs import record_id
from web.staff.rendering import error_page
from web.staff.tracker_store import TRACKER_MISSING, conversation_exists, next_conversation

bp = Blueprint("staff_review")
# What the review form's buttons set; "unread" takes the review away.
REVIEW_CHOICES = {"reviewed": "reviewed", "follow_up": "follow_up", "unread": None}
NO_CONVERSATION = "No conversation with this id (it may have been deleted by the retention policy)."


def transcript_url(sender_id: str, filters: Filters) -> str:
    return "/staff/conversations/view?" + urllib.parse.urlencode(
        {"sender": sender_id, **filters.as_args()}
    )


def list_url(filters: Filters, **extra: str) -> str:
    query = urllib.parse.urlencode({**filters.as_args(), **extra})
    return "/staff/conversations" + ("?" + query if query else "")


def _see_other(url: str) -> HTTPResponse:
    return response.redirect(url, status=303)


async def _existing(request: Request, sender_id: str) -> bool:
    """Reviews, tags and notes are kept only for a conversation the tracker store holds."""
    if not sender_id:
        return False
    try:
        return await off_loop(conversation_exists, tracker(request), sender_id)
    except TRACKER_MISSING:
        return False


async def _next_unread(request: Request, after: str, filters: Filters) -> HTTPResponse:
    """To the next unread conversation the list's filters let through (whatever review status
    they asked for), carrying those filters on; back to the list when none is left."""
    unread = filters.but(status="unread")
    engine = clinic(request)
    senders = await off_loop(clinic_queries.request_senders, engine)
    scope = await off_loop(review_queries.scope_for, engine, unread) or SenderScope()
    try:
        found = await off_loop(
            next_conversation,
            tracker(request),
            unread,
            senders,
            settings(request).timezone,
            scope,
            after,
        )
    except TRACKER_MISSING:
        found = None
    if found is None:
        return _see_other(list_url(unread, caught_up="1"))
    return _see_other(transcript_url(found, filters))


@bp.get("/conversations/next")
async def next_unread(request: Request) -> HTTPResponse:
    """Skips to the next unread conversation without marking this one."""
    return await _next_unread(
        request, (request.args.get("sender") or "")[:255], Filters.from_args(request.args)
    )


@bp.post("/conversations/review")
async def review(request: Request) -> HTTPResponse:
    sender_id = (request.form.get("sender") or "")[:255]
    # Not "status": that is the list's review filter, which the form carries along too.
    choice = request.form.get("review") or ""
    note = (request.form.get("note") or "").strip()
    if choice not in REVIEW_CHOICES:
        return await error_page(request, 400, "Unknown review status.")
    if choice == "follow_up" and not note:
        return await error_page(request, 400, "Say in a few words what needs following up.")
    if not await _existing(request, sender_id):
        return await error_page(request, 404, NO_CONVERSATION)
    await off_loop(
        review_queries.set_review,
        clinic(request),
        sender_id,
        REVIEW_CHOICES[choice],
        note,
        staff(request).username,
        client_ip(request),
    )
    filters = Filters.from_args(request.form)
    if request.form.get("then") == "next":
        return await _next_unread(request, sender_id, filters)
    return _see_other(transcript_url(sender_id, filters))


@bp.post("/conversations/tags")
async def add_tag(request: Request) -> HTTPResponse:
    sender_id = (request.form.get("sender") or "")[:255]
    if not await _existing(request, sender_id):
        return await error_page(request, 404, NO_CONVERSATION)
    name = await off_loop(
        review_queries.add_tag,
        clinic(request),
        sender_id,
        request.form.get("name") or "",
        staff(request).username,
        client_ip(request),
    )
    if name is None:
        return await error_page(request, 400, "Type the tag's name.")
    return _see_other(transcript_url(sender_id, Filters.from_args(request.form)) + "#tags")


@bp.post("/conversations/tags/remove")
async def remove_tag(request: Request) -> HTTPResponse:
    sender_id = (request.form.get("sender") or "")[:255]
    tag_id = record_id(request.form.get("tag_id"), "tag")
    await off_loop(
        review_queries.remove_tag,
        clinic(request),
        sender_id,
        tag_id,
        staff(request).username,
        client_ip(request),
    )
    return _see_other(transcript_url(sender_id, Filters.from_args(request.form)) + "#tags")


@bp.post("/conversations/notes")
async def add_note(request: Request) -> HTTPResponse:
    sender_id = (request.form.get("sender") or "")[:255]
    if not await _existing(request, sender_id):
        return await error_page(request, 404, NO_CONVERSATION)
    note_id = await off_loop(
        review_queries.add_note,
        clinic(request),
        sender_id,
        request.form.get("text") or "",
        staff(request).username,
        client_ip(request),
    )
    if note_id is None:
        return await error_page(request, 400, "The note was empty.")
    return _see_other(transcript_url(sender_id, Filters.from_args(request.form)) + "#notes")


@bp.post("/filters")
async def save_filter(request: Request) -> HTTPResponse:
    filters = Filters.from_args(request.form)
    saved = await off_loop(
        review_queries.save_filter,
        clinic(request),
        staff(request).username,
        request.form.get("name") or "",
        urllib.parse.urlencode(filters.as_args()),
        client_ip(request),
    )
    if saved is None:
        return await error_page(request, 400, "Give the filters a name.")
    return _see_other(list_url(filters))


@bp.post("/filters/<filter_id:int>/delete")
async def delete_filter(request: Request, filter_id: int) -> HTTPResponse:
    await off_loop(
        review_queries.delete_filter,
        clinic(request),
        staff(request).username,
        filter_id,
        client_ip(request),
    )
    return _see_other(list_url(Filters.from_args(request.form)))
