"""The console's routes. Access control is one request middleware on the whole blueprint:
no route is reachable without a live session except the login form itself, and every POST
needs the session's CSRF token. Handlers stay thin; queries live in conversations.py, files in
exports.py."""
from __future__ import annotations

import asyncio
import math
import secrets
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import sqlalchemy as sa
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from web.staff import charts, exports
from web.staff.auth import (COOKIE_PATH, PRELOGIN_COOKIE, SESSION_COOKIE, StaffSession,
                            authenticate, clear_failures, create_session, csrf_ok,
                            delete_session, load_session, prelogin_csrf, record_failure,
                            too_many_failures)
from web.staff.conversations import (TRACKER_MISSING, Filters, build_transcript,
                                     conversation_flags, dashboard_stats, group_messages,
                                     intents_seen, list_conversations, all_matching,
                                     load_events, load_user_events, local_timezone, normalise,
                                     text_key,
                                     tracker_engine, unclear_messages)
from web.staff.db import (DISMISSED, as_utc, audit, audit_log, clinic_engine,
                          consultation_requests, nlu_labels, utcnow)
from web.staff.masking import is_phone, mask_contact, mask_text, mask_value, pseudonymise

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATUSES = ("new", "contacted", "closed")
OUT_OF_SCOPE = "out_of_scope"
DATA_SUFFIXES = (".csv", ".json", ".yml", ".yaml", ".svg")
PUBLIC_PATHS = ("/staff/login",)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

bp = Blueprint("staff", url_prefix="/staff")

env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                  autoescape=select_autoescape(["html"], default=True, default_for_string=True))


# --- helpers -------------------------------------------------------------------------------

def _tz():
    return local_timezone()


def fmt_time(value: Any, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, datetime):
        moment = as_utc(value)
    else:
        return str(value)
    return moment.astimezone(_tz()).strftime(pattern)


def fmt_pct(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.0%}"


def fmt_conf(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.2f}"


def qs(params: Dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urllib.parse.urlencode({k: v for k, v in merged.items() if v not in (None, "")})


env.filters.update(when=fmt_time, pct=fmt_pct, conf=fmt_conf, mask=mask_text, maskv=mask_value)
env.globals.update(qs=qs, quote=lambda s: urllib.parse.quote(str(s), safe=""))


def settings(request: Request):
    return request.app.ctx.settings


def clinic(request: Request) -> sa.engine.Engine:
    return clinic_engine(settings(request).clinic_db_url)


def tracker(request: Request) -> sa.engine.Engine:
    return tracker_engine(settings(request).tracker_db_url)


def client_ip(request: Request) -> str:
    return (request.remote_addr or request.ip or "")[:64]


def staff(request: Request) -> StaffSession:
    return request.ctx.staff


def secure(resp: HTTPResponse) -> HTTPResponse:
    for name, value in SECURITY_HEADERS.items():
        resp.headers[name] = value
    return resp


def set_cookie(resp: HTTPResponse, request: Request, name: str, value: str,
               max_age: Optional[int] = None) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if settings(request).cookie_secure:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def render(request: Request, template: str, http_status: int = 200, **context: Any) -> HTTPResponse:
    session = getattr(request.ctx, "staff", None)
    if session is not None:
        context.setdefault("user", session.username)
        context.setdefault("csrf", session.csrf_token)
        try:
            with clinic(request).connect() as conn:
                context.setdefault("new_requests", conn.execute(
                    sa.select(sa.func.count()).select_from(consultation_requests)
                    .where(consultation_requests.c.status == "new")).scalar_one())
        except sa.exc.SQLAlchemyError:
            context.setdefault("new_requests", 0)
    context.setdefault("path", request.path)
    html = env.get_template(template).render(**context)
    return response.html(html, status=http_status)


def error_page(request: Request, status: int, message: str) -> HTTPResponse:
    return render(request, "error.html", http_status=status, status_code=status, message=message)


def safe_next(value: Optional[str], default: str = "/staff/") -> str:
    """Only same-site console paths: never a redirect to another host."""
    if value and (value == "/staff" or value.startswith(("/staff/", "/staff?"))) \
            and "\\" not in value and "\n" not in value and "\r" not in value:
        return value
    return default


def is_data_request(request: Request) -> bool:
    path = request.path
    return (request.method != "GET" or path.startswith("/staff/export/")
            or path.endswith(DATA_SUFFIXES))


def download(body: str, filename: str, content_type: str) -> HTTPResponse:
    return response.text(body, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def int_arg(request: Request, name: str, default: int, low: int = 1, high: int = 10**6) -> int:
    try:
        return min(max(int(request.args.get(name, default)), low), high)
    except (TypeError, ValueError):
        return default


def request_senders(request: Request) -> Set[str]:
    with clinic(request).connect() as conn:
        return {r[0] for r in conn.execute(sa.select(consultation_requests.c.sender_id).distinct())}


def domain_info() -> Dict[str, Set[str]]:
    """Intents, slots, forms and entities of domain.yml (or a domain/ folder), read now."""
    paths: List[Path] = []
    for candidate in (ROOT / "domain.yml", ROOT / "domain.yaml"):
        if candidate.is_file():
            paths.append(candidate)
    if not paths and (ROOT / "domain").is_dir():
        paths = sorted(p for p in (ROOT / "domain").rglob("*.y*ml"))
    info: Dict[str, Set[str]] = {"intents": set(), "slots": set(), "forms": set(),
                                 "entities": set()}
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for key in ("intents", "entities"):
            for item in data.get(key) or []:
                if isinstance(item, str):
                    info[key].add(item)
                elif isinstance(item, dict):
                    info[key].update(str(k) for k in item)
        info["slots"].update(str(k) for k in (data.get("slots") or {}))
        info["forms"].update(str(k) for k in (data.get("forms") or {}))
    if info["forms"]:
        info["slots"].add("requested_slot")
    return info


async def run_blocking(func, *args):
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


# --- access control ------------------------------------------------------------------------

@bp.on_request
async def require_staff(request: Request) -> Optional[HTTPResponse]:
    if request.path.rstrip("/") in PUBLIC_PATHS:
        return None
    session = load_session(clinic(request), request.cookies.get(SESSION_COOKIE))
    if session is None:
        if not is_data_request(request):
            target = request.path + (("?" + request.query_string) if request.query_string else "")
            return response.redirect("/staff/login?" + urllib.parse.urlencode({"next": target}))
        return response.text("Staff login required.", status=401)
    request.ctx.staff = session
    if request.method == "POST" and not csrf_ok(session.csrf_token, request.form.get("csrf_token")):
        return response.text("The form was out of date or not sent by the console (CSRF check "
                             "failed). Go back, reload the page and try again.", status=403)
    return None


@bp.on_response
async def add_headers(request: Request, resp: HTTPResponse) -> None:
    secure(resp)


# --- login / logout ------------------------------------------------------------------------

def _login_page(request: Request, status: int = 200, error: Optional[str] = None,
                username: str = "") -> HTTPResponse:
    token = request.cookies.get(PRELOGIN_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", http_status=status, error=error, username=username,
                  login_csrf=prelogin_csrf(settings(request).secret_key, token),
                  next=safe_next(request.args.get("next") or request.form.get("next")))
    set_cookie(resp, request, PRELOGIN_COOKIE, token, max_age=3600)
    return resp


@bp.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    if load_session(clinic(request), request.cookies.get(SESSION_COOKIE)):
        return response.redirect(safe_next(request.args.get("next")))
    return _login_page(request)


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    token = request.cookies.get(PRELOGIN_COOKIE) or ""
    given = request.form.get("csrf_token")
    if not token or not csrf_ok(prelogin_csrf(settings(request).secret_key, token), given):
        return response.text("The login form was out of date (CSRF check failed). Reload the "
                             "login page and try again.", status=403)
    engine = clinic(request)
    username = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    ip = client_ip(request)
    if await run_blocking(too_many_failures, engine, username, ip):
        with engine.begin() as conn:
            audit(conn, username or "(empty)", "login_blocked", ip=ip)
        return _login_page(request, 429, "Too many failed attempts. Wait 15 minutes, then try "
                                         "again.", username)
    if not username or not await run_blocking(authenticate, engine, username, password):
        record_failure(engine, username, ip)
        with engine.begin() as conn:
            audit(conn, username or "(empty)", "login_failed", ip=ip)
        return _login_page(request, 401, "Wrong username or password.", username)
    clear_failures(engine, username, ip)
    session_token = create_session(engine, username, ip)
    with engine.begin() as conn:
        audit(conn, username, "login", ip=ip)
    resp = response.redirect(safe_next(request.form.get("next")), status=303)
    set_cookie(resp, request, SESSION_COOKIE, session_token)
    set_cookie(resp, request, PRELOGIN_COOKIE, "", max_age=0)
    return resp


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    delete_session(clinic(request), request.cookies.get(SESSION_COOKIE) or "")
    with clinic(request).begin() as conn:
        audit(conn, staff(request).username, "logout", ip=client_ip(request))
    resp = response.redirect("/staff/login", status=303)
    set_cookie(resp, request, SESSION_COOKIE, "", max_age=0)
    return resp


# --- dashboard -----------------------------------------------------------------------------

@bp.get("/")
async def dashboard(request: Request) -> HTTPResponse:
    days = int_arg(request, "days", 30, 1, 366)
    tz = _tz()
    today = datetime.now(tz).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=tz).timestamp()
    until = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=tz).timestamp()
    senders = request_senders(request)
    try:
        stats = dashboard_stats(tracker(request), since, until, senders, tz)
    except TRACKER_MISSING:
        stats = None
    with clinic(request).connect() as conn:
        by_status = dict(conn.execute(
            sa.select(consultation_requests.c.status, sa.func.count())
            .group_by(consultation_requests.c.status)).all())
    chart_days = charts.bar_chart(stats["per_day"], f"Conversations per day, last {days} days") \
        if stats else None
    chart_intents = charts.hbar_chart(stats["top_intents"], "Top intents") if stats else None
    return render(request, "dashboard.html", nav="dashboard", days=days, stats=stats,
                  by_status=by_status, chart_days=chart_days, chart_intents=chart_intents,
                  share_bar=charts.share_bar)


# --- conversations -------------------------------------------------------------------------

@bp.get("/conversations")
async def conversations(request: Request) -> HTTPResponse:
    filters = Filters.from_args(request.args)
    page_number = int_arg(request, "page", 1)
    senders = request_senders(request)
    info = domain_info()
    try:
        page = list_conversations(tracker(request), filters, senders, _tz(), page_number)
        seen = intents_seen(tracker(request))
    except TRACKER_MISSING:
        page, seen = None, []
    return render(request, "conversations.html", nav="conversations", page=page,
                  filters=filters, args=filters.as_args(),
                  intents=sorted(info["intents"] | set(seen)))


def _requests_for(request: Request, sender_id: str) -> List[Dict[str, Any]]:
    with clinic(request).connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(consultation_requests).where(consultation_requests.c.sender_id == sender_id)
            .order_by(consultation_requests.c.created_at)).mappings()]


def _transcript(request: Request, sender_id: str, reveal: bool) -> HTTPResponse:
    try:
        evts = load_events(tracker(request), sender_id)
    except TRACKER_MISSING:
        evts = []
    if not evts:
        return error_page(request, 404, "No conversation with this id (it may have been deleted "
                                        "by the retention policy).")
    flags = conversation_flags(evts)
    transcript = build_transcript(evts)
    if not reveal:
        for item in transcript:
            if item["kind"] in ("user", "bot"):
                item["text"] = mask_text(item["text"])
                if item["kind"] == "user":
                    item["entities"] = mask_value(item["entities"])
            else:
                for sub in item["items"]:
                    if sub["kind"] == "slot":
                        sub["value"] = mask_value(sub["value"])
    with clinic(request).begin() as conn:
        audit(conn, staff(request).username, "reveal_contact" if reveal else "view_transcript",
              sender_id, {"conversation": sender_id} if reveal else None, client_ip(request))
    return render(request, "transcript.html", nav="conversations", sender_id=sender_id,
                  flags=flags, transcript=transcript, reveal=reveal,
                  requests=_requests_for(request, sender_id), mask_contact=mask_contact)


@bp.get("/conversations/view")
async def transcript(request: Request) -> HTTPResponse:
    sender_id = (request.args.get("sender") or "")[:255]
    return _transcript(request, sender_id, reveal=False)


@bp.post("/conversations/reveal")
async def transcript_reveal(request: Request) -> HTTPResponse:
    sender_id = (request.form.get("sender") or "")[:255]
    return _transcript(request, sender_id, reveal=True)


# --- consultation requests -----------------------------------------------------------------

@bp.get("/requests")
async def requests_queue(request: Request) -> HTTPResponse:
    status = request.args.get("status", "new")
    if status not in STATUSES + ("all",):
        status = "new"
    page_number = int_arg(request, "page", 1)
    per_page = 50
    c = consultation_requests.c
    with clinic(request).connect() as conn:
        counts = dict(conn.execute(sa.select(c.status, sa.func.count()).group_by(c.status)).all())
        query = sa.select(consultation_requests)
        if status != "all":
            query = query.where(c.status == status)
        total = counts.get(status, 0) if status != "all" else sum(counts.values())
        pages = max(1, math.ceil(total / per_page))
        page_number = min(page_number, pages)
        rows = [dict(r) for r in conn.execute(
            query.order_by(c.created_at.desc(), c.id.desc())
            .limit(per_page).offset((page_number - 1) * per_page)).mappings()]
    return render(request, "requests.html", nav="requests", rows=rows, status=status,
                  counts=counts, statuses=STATUSES, page=page_number, pages=pages,
                  mask_contact=mask_contact)


def _request_row(request: Request, request_id: int) -> Optional[Dict[str, Any]]:
    with clinic(request).connect() as conn:
        row = conn.execute(sa.select(consultation_requests)
                           .where(consultation_requests.c.id == request_id)).mappings().first()
    return dict(row) if row else None


@bp.get("/requests/<request_id:int>")
async def request_detail(request: Request, request_id: int) -> HTTPResponse:
    row = _request_row(request, request_id)
    if row is None:
        return error_page(request, 404, "No such consultation request.")
    return render(request, "request.html", nav="requests", row=row, reveal=False,
                  statuses=STATUSES, mask_contact=mask_contact)


@bp.post("/requests/<request_id:int>/reveal")
async def request_reveal(request: Request, request_id: int) -> HTTPResponse:
    row = _request_row(request, request_id)
    if row is None:
        return error_page(request, 404, "No such consultation request.")
    with clinic(request).begin() as conn:
        audit(conn, staff(request).username, "reveal_contact", f"request:{request_id}",
              {"request": request_id, "sender_id": row["sender_id"]}, client_ip(request))
    return render(request, "request.html", nav="requests", row=row, reveal=True,
                  statuses=STATUSES, mask_contact=mask_contact)


@bp.post("/requests/<request_id:int>/status")
async def request_status(request: Request, request_id: int) -> HTTPResponse:
    new_status = request.form.get("status")
    if new_status not in STATUSES:
        return error_page(request, 400, "Unknown status.")
    who = staff(request).username
    c = consultation_requests.c
    with clinic(request).begin() as conn:
        old = conn.execute(sa.select(c.status).where(c.id == request_id)).scalar_one_or_none()
        if old is None:
            return error_page(request, 404, "No such consultation request.")
        if old != new_status:
            conn.execute(consultation_requests.update().where(c.id == request_id).values(
                status=new_status, status_changed_by=who, status_changed_at=utcnow()))
            audit(conn, who, "change_status", f"request:{request_id}",
                  {"request": request_id, "from": old, "to": new_status}, client_ip(request))
    return response.redirect(safe_next(request.form.get("next"), "/staff/requests"), status=303)


# --- improving the assistant ---------------------------------------------------------------

def _labelled_keys(request: Request) -> Set[str]:
    with clinic(request).connect() as conn:
        return {r[0] for r in conn.execute(sa.select(nlu_labels.c.text_key))}


@bp.get("/improve")
async def improve(request: Request) -> HTTPResponse:
    days = int_arg(request, "days", 90, 1, 3660)
    since = (datetime.now(timezone.utc) - timedelta(days=days)).timestamp()
    try:
        messages = unclear_messages(tracker(request), since=since)
    except TRACKER_MISSING:
        messages = []
    done = _labelled_keys(request)
    open_messages = [m for m in messages if text_key(m["text"]) not in done]
    groups = group_messages(open_messages)
    page_number = int_arg(request, "page", 1)
    per_page = 30
    pages = max(1, math.ceil(len(groups) / per_page))
    page_number = min(page_number, pages)
    intents = sorted(domain_info()["intents"] - {OUT_OF_SCOPE, "nlu_fallback"})
    return render(request, "improve.html", nav="improve", days=days,
                  groups=groups[(page_number - 1) * per_page: page_number * per_page],
                  total=len(groups), messages=len(open_messages), page=page_number, pages=pages,
                  intents=intents, labelled=len(done))


@bp.post("/improve/label")
async def improve_label(request: Request) -> HTTPResponse:
    choice = request.form.get("intent") or ""
    allowed = domain_info()["intents"] | {OUT_OF_SCOPE, DISMISSED}
    if choice not in allowed or choice == "nlu_fallback":
        return error_page(request, 400, "Pick one of the assistant's intents.")
    ids = []
    for value in request.form.getlist("event_id") or []:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    try:
        found = load_user_events(tracker(request), ids)
    except TRACKER_MISSING:
        found = []
    if not found:
        return error_page(request, 400, "Those messages are no longer in the conversation store.")
    who = staff(request).username
    now = utcnow()
    stored = 0
    with clinic(request).begin() as conn:
        for ev in found:
            text = (ev["data"].get("text") or "").strip()
            if not normalise(text):
                continue
            key = text_key(text)
            predicted = ((ev["data"].get("parse_data") or {}).get("intent") or {}).get("name")
            conn.execute(nlu_labels.delete().where(nlu_labels.c.text_key == key))
            conn.execute(nlu_labels.insert().values(
                text=pseudonymise(text), text_key=key, intent=choice, predicted_intent=predicted,
                sender_id=ev["sender_id"], labelled_by=who, labelled_at=now))
            stored += 1
        audit(conn, who, "label", choice, {"messages": stored, "intent": choice},
              client_ip(request))
    return response.redirect(safe_next(request.form.get("next"), "/staff/improve"), status=303)


@bp.get("/improve/labels")
async def labels(request: Request) -> HTTPResponse:
    with clinic(request).connect() as conn:
        rows = [dict(r) for r in conn.execute(
            sa.select(nlu_labels).order_by(nlu_labels.c.labelled_at.desc(), nlu_labels.c.id.desc())
        ).mappings()]
    return render(request, "labels.html", nav="improve", rows=rows, dismissed=DISMISSED)


@bp.post("/improve/labels/<label_id:int>/delete")
async def label_delete(request: Request, label_id: int) -> HTTPResponse:
    with clinic(request).begin() as conn:
        conn.execute(nlu_labels.delete().where(nlu_labels.c.id == label_id))
        audit(conn, staff(request).username, "unlabel", str(label_id), None, client_ip(request))
    return response.redirect("/staff/improve/labels", status=303)


# --- exports -------------------------------------------------------------------------------

def _stamp() -> str:
    return datetime.now(_tz()).strftime("%Y%m%d-%H%M")


def _log_export(request: Request, what: str, masked: bool, count: int,
                extra: Optional[Dict[str, Any]] = None) -> None:
    with clinic(request).begin() as conn:
        audit(conn, staff(request).username, "export", what,
              {"masked": masked, "count": count, **(extra or {})}, client_ip(request))


@bp.get("/exports")
async def exports_page(request: Request) -> HTTPResponse:
    return render(request, "exports.html", nav="exports", statuses=STATUSES)


@bp.get("/export/nlu.yml")
async def export_nlu(request: Request) -> HTTPResponse:
    with clinic(request).connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(nlu_labels).order_by(nlu_labels.c.id))
                .mappings()]
    body = exports.nlu_yaml(rows, skip={DISMISSED})
    _log_export(request, "nlu.yml", True, sum(1 for r in rows if r["intent"] != DISMISSED))
    return download(body, f"nlu-staff-labels-{_stamp()}.yml", "text/yaml; charset=utf-8")


@bp.get("/export/story.yml")
async def export_story(request: Request) -> HTTPResponse:
    sender_id = (request.args.get("sender") or "")[:255]
    try:
        evts = load_events(tracker(request), sender_id)
    except TRACKER_MISSING:
        evts = []
    if not evts:
        return response.text("No conversation with this id.", status=404)
    info = domain_info()
    known = []
    for row in _requests_for(request, sender_id):
        known.extend([row["name"], row["contact"]])
    for ev in evts:  # the visitor's name and contact as the bot stored them
        value = ev["data"].get("value")
        if ev["type"] != "slot" or not isinstance(value, str):
            continue
        if ev["data"].get("name") == "name" or (
                ev["data"].get("name") == "contact" and ("@" in value or is_phone(value))):
            known.append(value)
    sessions = exports.story_sessions(
        evts, slots=info["slots"] or None, forms=info["forms"] or None,
        entities=info["entities"] or None, known=known)
    body = exports.story_yaml(sender_id, sessions)
    _log_export(request, "story.yml", True, 1, {"conversation": sender_id})
    safe = "".join(ch for ch in sender_id if ch.isalnum() or ch in "-_")[:40] or "conversation"
    return download(body, f"test_conversation_{safe}.yml", "text/yaml; charset=utf-8")


def _conversation_records(request: Request, reveal: bool) -> List[Dict[str, Any]]:
    source = request.form if request.method == "POST" else request.args
    filters = Filters.from_args({k: source.get(k) for k in
                                 ("from", "to", "request", "contra", "fallback", "intent", "q")})
    senders = request_senders(request)
    engine = tracker(request)
    try:
        rows = all_matching(engine, filters, senders, _tz())
    except TRACKER_MISSING:
        return []
    records = []
    for row in rows:
        evts = load_events(engine, row["sender_id"])
        flags = conversation_flags(evts)
        flags["has_request"] = row["sender_id"] in senders
        records.append(exports.conversation_record(row["sender_id"], flags,
                                                   build_transcript(evts), reveal))
    return records


def _request_records(request: Request, reveal: bool) -> List[Dict[str, Any]]:
    source = request.form if request.method == "POST" else request.args
    status = source.get("status") or "all"
    query = sa.select(consultation_requests).order_by(consultation_requests.c.created_at.desc())
    if status in STATUSES:
        query = query.where(consultation_requests.c.status == status)
    with clinic(request).connect() as conn:
        return [exports.request_record(dict(r), reveal) for r in conn.execute(query).mappings()]


def _export_handler(kind: str, fmt: str):
    async def handler(request: Request) -> HTTPResponse:
        reveal = request.method == "POST" and request.form.get("reveal") == "1"
        records = (_conversation_records if kind == "conversations" else _request_records)(
            request, reveal)
        if fmt == "json":
            body, content_type = exports.to_json(records), "application/json; charset=utf-8"
        elif kind == "conversations":
            body, content_type = exports.conversations_csv(records), "text/csv; charset=utf-8"
        else:
            body, content_type = exports.requests_csv(records), "text/csv; charset=utf-8"
        _log_export(request, f"{kind}.{fmt}", not reveal, len(records))
        suffix = "" if not reveal else "-UNMASKED"
        return download(body, f"{kind}-{_stamp()}{suffix}.{fmt}", content_type)

    handler.__name__ = f"export_{kind}_{fmt}"
    return handler


for _kind in ("conversations", "requests"):
    for _fmt in ("csv", "json"):
        bp.add_route(_export_handler(_kind, _fmt), f"/export/{_kind}.{_fmt}",
                     methods=["GET", "POST"], name=f"export_{_kind}_{_fmt}")


# --- audit log -----------------------------------------------------------------------------

@bp.get("/audit")
async def audit_page(request: Request) -> HTTPResponse:
    page_number = int_arg(request, "page", 1)
    action = request.args.get("action") or ""
    per_page = 100
    query = sa.select(audit_log)
    count = sa.select(sa.func.count()).select_from(audit_log)
    if action:
        query = query.where(audit_log.c.action == action)
        count = count.where(audit_log.c.action == action)
    with clinic(request).connect() as conn:
        total = conn.execute(count).scalar_one()
        pages = max(1, math.ceil(total / per_page))
        page_number = min(page_number, pages)
        rows = [dict(r) for r in conn.execute(
            query.order_by(audit_log.c.id.desc()).limit(per_page)
            .offset((page_number - 1) * per_page)).mappings()]
        actions = [r[0] for r in conn.execute(sa.select(audit_log.c.action).distinct()
                                              .order_by(audit_log.c.action))]
    return render(request, "audit.html", nav="audit", rows=rows, page=page_number, pages=pages,
                  total=total, action=action, actions=actions)
