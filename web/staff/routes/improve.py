"""Improving the assistant: the messages it did not handle with confidence, grouped, labelled
by staff with what the visitor meant (readable names with examples, plain_words.py) or ignored
with a reason, and the labels kept so far. Handled groups (labelled, ignored, exported) leave
the inbox; `handled=1` shows them too. Saving a label comes back with a confirmation naming it
(`saved=<label ids>`) and an Undo that deletes those labels."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.schema import DISMISSED
from web.staff import plain_words
from web.staff.domain import domain_info
from web.staff.inputs import BadInput, id_list, number, record_ids, text
from web.staff.links import link, safe_next, with_query
from web.staff.pager import Pager
from web.staff.plain_words import intent_name, intent_words
from web.staff.rendering import Viewed, render
from web.staff.services.improve import Improve
from web.staff.unclear import HANDLED_WITH_CONFIDENCE, answered_name

bp = Blueprint("staff_improve")
OUT_OF_SCOPE = "out_of_scope"
PER_PAGE = 30
HANDLED_SHOWN = 200  # handled groups listed at most, most frequent first


@bp.listener("before_server_start")
async def read_intent_examples(_app: object, _loop: object) -> None:
    """The intents' examples come from data/nlu.yml, read once as the app starts rather than
    by the first page that needs them."""
    plain_words.load()


@bp.get("/improve")
async def improve(request: Request) -> HTTPResponse:
    days = number(request.args, "days", 90, 1, 3660)
    show_handled = request.args.get("handled") == "1"
    asked_page = number(request.args, "page", 1)
    saved_ids = id_list(request.args.get("saved"), "label")
    inbox = await Improve(request).inbox(days, show_handled, saved_ids)
    groups, handled, saved = inbox["groups"], inbox["handled"], inbox["saved"]
    pager = Pager.at(asked_page, len(groups), PER_PAGE)
    return await render(
        request,
        "improve.html",
        viewed=Viewed(
            "view_improve", detail={"days": days, "page": pager.page, "handled": show_handled}
        ),
        nav="improve",
        days=days,
        groups=pager.of(groups),
        total=pager.total,
        messages=inbox["messages"],
        pager=pager,
        intents=inbox["intents"],
        answered_name=answered_name,
        plain_intent=intent_name,
        confident=HANDLED_WITH_CONFIDENCE,
        saved=saved,
        saved_as=intent_words(saved[0]["intent"]) if saved else None,
        undone=number(request.args, "undone", 0, 0, 10**6),
        restored=number(request.args, "restored", 0, 0, 10**6),
        dismissed=DISMISSED,
        labelled=inbox["labelled"],
        show_handled=show_handled,
        handled=handled[:HANDLED_SHOWN],
        handled_total=len(handled),
        states=inbox["states"],
        args={"days": days, "handled": "1" if show_handled else None},
    )


@bp.post("/improve/label")
async def improve_label(request: Request) -> HTTPResponse:
    choice = text(request.form, "intent")
    allowed = domain_info()["intents"] | {OUT_OF_SCOPE, DISMISSED}
    if choice not in allowed or choice == "nlu_fallback":
        raise BadInput("Pick one of the assistant's intents.")
    reason = text(request.form, "reason", strip=True)
    if choice == DISMISSED and not reason:
        raise BadInput("Say why these messages are ignored.")
    ids = record_ids(request.form.getlist("event_id") or [], "message")
    stored = await Improve(request).label(ids, choice, reason)
    return _back(request, saved=",".join(map(str, stored)))


@bp.post("/improve/labels/undo")
async def labels_undo(request: Request) -> HTTPResponse:
    """The confirmation's Undo: the labels just saved are deleted, their messages new again."""
    ids = record_ids(request.form.getlist("label_id") or [], "label")
    undone, restored = await Improve(request).undo(ids)
    return _back(request, undone=str(undone), restored=str(restored))


NOTICES = ("saved", "undone", "restored")  # the confirmation's arguments, never carried on


def _back(request: Request, **notice: str) -> HTTPResponse:
    """Back to the inbox page the form was on, with this confirmation instead of its own."""
    back = safe_next(request.form.get("next"), link(request, "staff_improve.improve"))
    return response.redirect(with_query(back, drop=NOTICES, **notice), status=303)


@bp.get("/improve/labels")
async def labels(request: Request) -> HTTPResponse:
    rows = await Improve(request).labels()
    pending = sum(1 for row in rows if row["state"] == "labelled")
    return await render(
        request,
        "labels.html",
        viewed=Viewed("view_labels", detail={"labels": len(rows)}),
        nav="improve",
        rows=rows,
        dismissed=DISMISSED,
        pending=pending,
        plain_intent=intent_name,
    )


@bp.post("/improve/labels/<label_id:int>/delete")
async def label_delete(request: Request, label_id: int) -> HTTPResponse:
    await Improve(request).delete_label(label_id)
    return response.redirect(link(request, "staff_improve.labels"), status=303)
