"""The review workflow on a conversation: its status (reviewed, needs follow-up, unread again),
"next unread" through the list's filters, its tags and notes, and each staff member's saved
filters. Every change is a POST (CSRF-checked by access.py) that ends in a redirect; the
filters of the list the staff member came from travel along in the forms and the URLs."""

from __future__ import annotations

import urllib.parse

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff.filters import Filters
from web.staff.inputs import BadInput, record_id, sender, text
from web.staff.links import link
from web.staff.services.conversations import Conversations
from web.staff.services.review import Reviews

bp = Blueprint("staff_review")
# What the review form's buttons set; "unread" takes the review away.
REVIEW_CHOICES = {"reviewed": "reviewed", "follow_up": "follow_up", "unread": None}


def transcript_url(request: Request, sender_id: str, filters: Filters, anchor: str = "") -> str:
    """A conversation, with the filters of the list the staff member came from."""
    return link(
        request,
        "staff_conversations.transcript",
        sender=sender_id,
        **filters.as_args(),
        _anchor=anchor,
    )


def list_url(request: Request, filters: Filters, **extra: str) -> str:
    return link(request, "staff_conversations.conversations", filters.as_args(), **extra)


def _see_other(url: str) -> HTTPResponse:
    return response.redirect(url, status=303)


def _back_to(request: Request, sender_id: str, part: str) -> HTTPResponse:
    """To the part of the transcript a form was in, with the list's filters it carried."""
    filters = Filters.from_args(request.form)
    return _see_other(transcript_url(request, sender_id, filters, part))


async def _next_unread(request: Request, after: str, filters: Filters) -> HTTPResponse:
    """To the next unread conversation the list's filters let through (whatever review status
    they asked for), carrying those filters on; back to the list when none is left."""
    found = await Conversations(request).next_unread(after, filters)
    if found is None:
        return _see_other(list_url(request, filters.but(status="unread"), caught_up="1"))
    return _see_other(transcript_url(request, found, filters))


@bp.get("/conversations/next")
async def next_unread(request: Request) -> HTTPResponse:
    """Skips to the next unread conversation without marking this one."""
    return await _next_unread(request, sender(request.args), Filters.from_args(request.args))


@bp.post("/conversations/review")
async def review(request: Request) -> HTTPResponse:
    sender_id = sender(request.form)
    # Not "status": that is the list's review filter, which the form carries along too.
    choice = text(request.form, "review")
    note = text(request.form, "note", strip=True)
    if choice not in REVIEW_CHOICES:
        raise BadInput("Unknown review status.")
    if choice == "follow_up" and not note:
        raise BadInput("Say in a few words what needs following up.")
    await Reviews(request).set_review(sender_id, REVIEW_CHOICES[choice], note)
    filters = Filters.from_args(request.form)
    if request.form.get("then") == "next":
        return await _next_unread(request, sender_id, filters)
    return _see_other(transcript_url(request, sender_id, filters))


@bp.post("/conversations/tags")
async def add_tag(request: Request) -> HTTPResponse:
    sender_id = sender(request.form)
    await Reviews(request).add_tag(sender_id, text(request.form, "name"))
    return _back_to(request, sender_id, "tags")


@bp.post("/conversations/tags/remove")
async def remove_tag(request: Request) -> HTTPResponse:
    sender_id = sender(request.form)
    tag_id = record_id(request.form.get("tag_id"), "tag")
    await Reviews(request).remove_tag(sender_id, tag_id)
    return _back_to(request, sender_id, "tags")


@bp.post("/conversations/notes")
async def add_note(request: Request) -> HTTPResponse:
    sender_id = sender(request.form)
    await Reviews(request).add_note(sender_id, text(request.form, "text"))
    return _back_to(request, sender_id, "notes")


@bp.post("/filters")
async def save_filter(request: Request) -> HTTPResponse:
    filters = Filters.from_args(request.form)
    query = urllib.parse.urlencode(filters.as_args())
    await Reviews(request).save_filter(text(request.form, "name"), query)
    return _see_other(list_url(request, filters))


@bp.post("/filters/<filter_id:int>/delete")
async def delete_filter(request: Request, filter_id: int) -> HTTPResponse:
    await Reviews(request).delete_filter(filter_id)
    return _see_other(list_url(request, Filters.from_args(request.form)))
