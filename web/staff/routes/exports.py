"""Downloads: conversations and requests as CSV or JSON, labelled messages as NLU YAML (those not
exported before, which it marks exported), a conversation as a test story.

CSV and JSON are masked. An unmasked file takes two steps: a page that says what the file will
hold and how to keep it (`/exports/unmasked`), then the POST from that page (`reveal=1` with
`confirmed=1`); a POST asking to reveal without the second is sent to that page instead. Every
download is audited, with whether it was masked."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.schema import REQUEST_STATUSES
from web.staff import exports
from web.staff.context import settings
from web.staff.filters import FILTER_ARGS, Filters
from web.staff.inputs import BadInput, one_of, sender, text
from web.staff.links import link
from web.staff.rendering import Viewed, download, render, stamp
from web.staff.services.exports import Exports

bp = Blueprint("staff_exports")
CONFIRM = "staff_exports.confirm_unmasked"
YAML = "text/yaml; charset=utf-8"
# The files that can be had unmasked, as the confirmation page names them.
UNMASKED = {
    "conversations.csv": "every message of the conversations, one row each (CSV)",
    "conversations.json": "the conversations with their messages (JSON)",
    "requests.csv": "the consultation requests (CSV)",
    "requests.json": "the consultation requests (JSON)",
}


def export_route(kind: str, fmt: str) -> str:
    """The name of the route of a CSV/JSON export ("export_conversation_summary_csv")."""
    return f"export_{kind}_{fmt}".replace("-", "_")


def _request_status(source: Any) -> str:
    status = text(source, "status") or "all"
    if status not in REQUEST_STATUSES + ("all",):
        raise BadInput(f"Export requests of one status ({', '.join(REQUEST_STATUSES)}) or all.")
    return status


def _selection(kind: str, source: Any) -> dict[str, str]:
    """What a CSV/JSON export of `kind` is asked for, as query-string arguments (BadInput when
    it cannot be used): the list's filters for conversations, a status for requests."""
    if kind == "requests":
        return {"status": _request_status(source)}
    return Filters.from_args({k: source.get(k) for k in FILTER_ARGS}).as_args()


@bp.get("/exports")
async def exports_page(request: Request) -> HTTPResponse:
    pending = await Exports(request).pending()
    return await render(
        request,
        "exports.html",
        viewed=Viewed("view_exports"),
        nav="exports",
        statuses=REQUEST_STATUSES,
        status=one_of(request.args, "status", REQUEST_STATUSES, "all"),
        pending=pending,
        zone=exports.zone_name(settings(request).timezone),
    )


@bp.get("/exports/unmasked")
async def confirm_unmasked(request: Request) -> HTTPResponse:
    """The first step of an unmasked export: what the file will hold, and what to do with it."""
    what = text(request.args, "what")
    if what not in UNMASKED:
        raise BadInput("Choose the file to export with contact details: " + ", ".join(UNMASKED))
    kind, fmt = what.split(".")
    selection = _selection(kind, request.args)
    count = await Exports(request).count(kind, selection)
    return await render(
        request,
        "export_confirm.html",
        viewed=Viewed("view_export_confirm", what, {"selection": selection, "count": count}),
        nav="exports",
        what=what,
        kind=kind,
        fmt=fmt,
        described=UNMASKED[what],
        selection=selection,
        count=count,
        export_route=f"{bp.name}.{export_route(kind, fmt)}",
    )


@bp.route("/export/nlu.yml", methods=["GET", "POST"])
async def export_nlu(request: Request) -> HTTPResponse:
    """The labels not exported yet, marked exported as they go out (`all=1`: every label again,
    for a file that was lost). The console offers it as a POST form; a GET does the same for
    scripts, and cannot be sent from another site with the session (SameSite=Strict)."""
    source = request.form if request.method == "POST" else request.args
    body = await Exports(request).nlu(everything=source.get("all") == "1")
    return download(body, f"nlu-staff-labels-{stamp(request)}.yml", YAML)


@bp.get("/export/story.yml")
async def export_story(request: Request) -> HTTPResponse:
    sender_id = sender(request.args)
    body = await Exports(request).story(sender_id)
    if body is None:
        return response.text("No conversation with this id.", status=404)
    safe = "".join(ch for ch in sender_id if ch.isalnum() or ch in "-_")[:40] or "conversation"
    return download(body, f"test_conversation_{safe}.yml", YAML)


def _export_handler(kind: str, fmt: str):
    async def handler(request: Request) -> HTTPResponse:
        source = request.form if request.method == "POST" else request.args
        selection = _selection(kind, source)  # a 400 before anything else, confirmed or not
        reveal = request.method == "POST" and source.get("reveal") == "1"
        if reveal and source.get("confirmed") != "1":
            what = {"what": f"{kind}.{fmt}", **selection}
            return response.redirect(link(request, CONFIRM, what), status=303)
        file = await Exports(request).table(kind, fmt, selection, reveal)
        suffix = "-UNMASKED" if reveal else ""
        return download(file.body, f"{kind}-{stamp(request)}{suffix}.{fmt}", file.content_type)

    handler.__name__ = export_route(kind, fmt)
    return handler


for _kind, _fmt in (
    ("conversations", "csv"),
    ("conversations", "json"),
    ("conversation-summary", "csv"),
    ("requests", "csv"),
    ("requests", "json"),
):
    bp.add_route(
        _export_handler(_kind, _fmt),
        f"/export/{_kind}.{_fmt}",
        # The summary holds no contact details, so it has no unmasked form to POST.
        methods=["GET"] if _kind == "conversation-summary" else ["GET", "POST"],
        name=export_route(_kind, _fmt),
    )
