"""Downloads: conversations and requests as CSV or JSON (masked unless a POST asks to reveal,
which the audit log records), labelled messages as NLU YAML (those not exported before, which
it marks exported), a conversation as a test story."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.schema import DISMISSED, REQUEST_STATUSES
from web.staff import clinic_queries, export_data, exports
from web.staff.context import client_ip, clinic, off_loop, settings, staff, tracker
from web.staff.filters import FILTER_ARGS, Filters
from web.staff.rendering import Viewed, download, render, stamp

bp = Blueprint("staff_exports")
YAML = "text/yaml; charset=utf-8"


async def _log_export(
    request: Request, what: str, masked: bool, count: int, extra: dict[str, Any] | None = None
) -> None:
    await off_loop(
        clinic_queries.record,
        clinic(request),
        staff(request).username,
        "export",
        what,
        {"masked": masked, "count": count, **(extra or {})},
        client_ip(request),
    )


@bp.get("/exports")
async def exports_page(request: Request) -> HTTPResponse:
    states = await off_loop(clinic_queries.state_counts, clinic(request))
    return await render(
        request,
        "exports.html",
        viewed=Viewed("view_exports"),
        nav="exports",
        statuses=REQUEST_STATUSES,
        pending=states["labelled"],
    )


@bp.route("/export/nlu.yml", methods=["GET", "POST"])
async def export_nlu(request: Request) -> HTTPResponse:
    """The labels not exported yet, marked exported as they go out (`all=1`: every label again,
    for a file that was lost). The console offers it as a POST form; a GET does the same for
    scripts, and cannot be sent from another site with the session (SameSite=Strict)."""
    source = request.form if request.method == "POST" else request.args
    rows = await off_loop(
        clinic_queries.take_nlu_export,
        clinic(request),
        staff(request).username,
        client_ip(request),
        everything=source.get("all") == "1",
    )
    body = await off_loop(exports.nlu_yaml, rows, skip={DISMISSED})
    return download(body, f"nlu-staff-labels-{stamp(request)}.yml", YAML)


@bp.get("/export/story.yml")
async def export_story(request: Request) -> HTTPResponse:
    sender_id = (request.args.get("sender") or "")[:255]
    body = await off_loop(export_data.story, tracker(request), clinic(request), sender_id)
    if body is None:
        return response.text("No conversation with this id.", status=404)
    await _log_export(request, "story.yml", True, 1, {"conversation": sender_id})
    safe = "".join(ch for ch in sender_id if ch.isalnum() or ch in "-_")[:40] or "conversation"
    return download(body, f"test_conversation_{safe}.yml", YAML)


def _build(
    kind: str, fmt: str, source: Any, tracker_engine: Any, clinic_engine: Any, tz: Any, reveal: bool
) -> tuple:
    """The records and the file body of a CSV/JSON export (blocking)."""
    if kind == "conversations":
        filters = Filters.from_args({k: source.get(k) for k in FILTER_ARGS})
        records = export_data.conversation_records(
            tracker_engine, clinic_engine, filters, tz, reveal
        )
    else:
        records = export_data.request_records(clinic_engine, source.get("status") or "all", reveal)
    if fmt == "json":
        return records, exports.to_json(records), "application/json; charset=utf-8"
    to_csv = exports.conversations_csv if kind == "conversations" else exports.requests_csv
    return records, to_csv(records), "text/csv; charset=utf-8"


def _export_handler(kind: str, fmt: str):
    async def handler(request: Request) -> HTTPResponse:
        reveal = request.method == "POST" and request.form.get("reveal") == "1"
        source = request.form if request.method == "POST" else request.args
        records, body, content_type = await off_loop(
            _build,
            kind,
            fmt,
            source,
            tracker(request),
            clinic(request),
            settings(request).timezone,
            reveal,
        )
        await _log_export(request, f"{kind}.{fmt}", not reveal, len(records))
        suffix = "-UNMASKED" if reveal else ""
        return download(body, f"{kind}-{stamp(request)}{suffix}.{fmt}", content_type)

    handler.__name__ = f"export_{kind}_{fmt}"
    return handler


for _kind in ("conversations", "requests"):
    for _fmt in ("csv", "json"):
        bp.add_route(
            _export_handler(_kind, _fmt),
            f"/export/{_kind}.{_fmt}",
            methods=["GET", "POST"],
            name=f"export_{_kind}_{_fmt}",
        )
