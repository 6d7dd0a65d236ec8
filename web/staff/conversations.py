"""Reading conversations from Rasa's tracker store, read-only.

The SQLTrackerStore keeps one row per event in `events` (id, sender_id, type_name, timestamp,
intent_name, action_name, data = the event as JSON text). Queries here are SQLAlchemy Core
expressions with bound parameters; fields inside `data` are read with the dialect's JSON
functions (json_extract on SQLite, ->/->> on PostgreSQL). A conversation is one sender_id.

Pure functions (escape_like, normalise, group_messages, build_transcript, conversation_flags)
take plain values so they are unit-tested without a database.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import urllib.parse
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

SCREENING_SLOTS = ("pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy")
FLAGGED_VALUES = ("yes", "unsure")
FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope")
LOW_CONFIDENCE = 0.6
# Bookkeeping actions that are not part of the conversation a person reads or a story holds.
HIDDEN_ACTIONS = ("action_listen", "action_session_start", "action_extract_slots",
                  "action_validate_slot_mappings")

_meta = sa.MetaData()
# The SQLTrackerStore schema, declared here for queries only: never created, never written
# (except by retention.py, on its own engine).
events = sa.Table(
    "events", _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

# Errors that mean "the tracker store has no conversations yet" (no file, no table).
TRACKER_MISSING = (sa.exc.OperationalError, sa.exc.ProgrammingError)


# --- engines -------------------------------------------------------------------------------

def sqlite_path(url: str) -> Optional[Path]:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


@lru_cache(maxsize=None)
def tracker_engine(url: str) -> sa.engine.Engine:
    """A read-only engine on the tracker store: SQLite opened with mode=ro (the file is never
    created or written), PostgreSQL sessions with default_transaction_read_only."""
    path = sqlite_path(url)
    if path is not None:
        uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)

        return sa.create_engine("sqlite://", creator=connect, poolclass=NullPool, future=True)
    connect_args: Dict[str, Any] = {}
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        connect_args["options"] = "-c default_transaction_read_only=on"
    return sa.create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)


# --- SQL helpers ---------------------------------------------------------------------------

def escape_like(text: str, escape: str = "\\") -> str:
    """Escapes LIKE wildcards so a search for `%` or `_` finds those characters."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")


def contains_pattern(text: str) -> str:
    return "%" + escape_like(text) + "%"


def json_text(dialect: str, column: sa.sql.ColumnElement, *path: str) -> sa.sql.ColumnElement:
    """A field of a JSON text column as SQL text (path items are constants of this module)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import JSON

        expr: sa.sql.ColumnElement = sa.cast(column, JSON)
        for key in path[:-1]:
            expr = expr.op("->", return_type=JSON)(sa.literal(key))
        return expr.op("->>", return_type=sa.Text)(sa.literal(path[-1]))
    json_path = "$." + ".".join(f'"{key}"' for key in path)
    if dialect == "sqlite":
        return sa.func.json_extract(column, json_path, type_=sa.Text)
    return sa.func.json_unquote(sa.func.json_extract(column, json_path), type_=sa.Text)


def dialect_of(engine: sa.engine.Engine) -> str:
    return engine.dialect.name


# --- filters -------------------------------------------------------------------------------

def _tristate(value: Optional[str]) -> Optional[bool]:
    return {"yes": True, "no": False}.get((value or "").strip().lower())


def _date(value: Optional[str]) -> Optional[date]:
    try:
        return date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


@dataclass
class Filters:
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    has_request: Optional[bool] = None
    contraindication: Optional[bool] = None
    fallback: Optional[bool] = None
    intent: Optional[str] = None
    q: Optional[str] = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "Filters":
        def get(name: str) -> Optional[str]:
            value = args.get(name)
            if isinstance(value, list):
                value = value[0] if value else None
            return value

        return cls(
            date_from=_date(get("from")), date_to=_date(get("to")),
            has_request=_tristate(get("request")), contraindication=_tristate(get("contra")),
            fallback=_tristate(get("fallback")),
            intent=(get("intent") or "").strip()[:255] or None,
            q=(get("q") or "").strip()[:500] or None,
        )

    def as_args(self) -> Dict[str, str]:
        """Query-string form, for pagination and export links."""
        out: Dict[str, str] = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        for key, value in (("request", self.has_request), ("contra", self.contraindication),
                           ("fallback", self.fallback)):
            if value is not None:
                out[key] = "yes" if value else "no"
        if self.intent:
            out["intent"] = self.intent
        if self.q:
            out["q"] = self.q
        return out


def day_start(day: date, tz: tzinfo) -> float:
    return datetime.combine(day, time.min, tzinfo=tz).timestamp()


def _summary(dialect: str) -> sa.sql.Subquery:
    e = events.c
    is_user = sa.case((e.type_name == "user", 1), else_=0)
    is_fallback = sa.case(
        (sa.and_(e.type_name == "user", e.intent_name == "nlu_fallback"), 1),
        (sa.and_(e.type_name == "action", e.action_name == "action_default_fallback"), 1),
        else_=0,
    )
    is_flagged = sa.case(
        (e.type_name != "slot", 0),
        (sa.and_(json_text(dialect, e.data, "name").in_(SCREENING_SLOTS),
                 sa.func.lower(json_text(dialect, e.data, "value")).in_(FLAGGED_VALUES)), 1),
        else_=0,
    )
    return (
        sa.select(
            e.sender_id,
            sa.func.min(e.timestamp).label("started"),
            sa.func.max(e.timestamp).label("last"),
            sa.func.sum(is_user).label("n_user"),
            sa.func.max(is_fallback).label("fallback"),
            sa.func.max(is_flagged).label("flagged"),
        )
        .group_by(e.sender_id)
        .subquery("summary")
    )


def _filtered(dialect: str, filters: Filters, request_senders: Set[str], tz: tzinfo):
    s = _summary(dialect)
    query = sa.select(s).where(s.c.n_user > 0)
    if filters.date_from:
        query = query.where(s.c.last >= day_start(filters.date_from, tz))
    if filters.date_to:
        query = query.where(s.c.started < day_start(filters.date_to + timedelta(days=1), tz))
    if filters.fallback is not None:
        query = query.where(s.c.fallback == (1 if filters.fallback else 0))
    if filters.contraindication is not None:
        query = query.where(s.c.flagged == (1 if filters.contraindication else 0))
    if filters.has_request is not None:
        in_requests = s.c.sender_id.in_(sorted(request_senders))
        query = query.where(in_requests if filters.has_request else sa.not_(in_requests))
    if filters.intent:
        query = query.where(s.c.sender_id.in_(
            sa.select(events.c.sender_id).where(events.c.type_name == "user",
                                                events.c.intent_name == filters.intent)))
    if filters.q:
        text = json_text(dialect, events.c.data, "text")
        query = query.where(s.c.sender_id.in_(
            sa.select(events.c.sender_id).where(
                events.c.type_name == "user",
                text.ilike(contains_pattern(filters.q), escape="\\"))))
    return query


@dataclass
class ConversationPage:
    rows: List[Dict[str, Any]]
    total: int
    with_fallback: int
    with_flag: int
    with_request: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_conversations(engine: sa.engine.Engine, filters: Filters, request_senders: Set[str],
                       tz: tzinfo, page: int = 1, per_page: int = 25) -> ConversationPage:
    """Conversations matching the filters, newest first, with counts over all matches."""
    dialect = dialect_of(engine)
    query = _filtered(dialect, filters, request_senders, tz).subquery("matches")
    in_requests = sa.case((query.c.sender_id.in_(sorted(request_senders)), 1), else_=0)
    with engine.connect() as conn:
        total, fallbacks, flags, requests = conn.execute(
            sa.select(sa.func.count(), sa.func.sum(query.c.fallback), sa.func.sum(query.c.flagged),
                      sa.func.sum(in_requests))
        ).one()
        page = max(1, min(page, max(1, -(-int(total or 0) // per_page))))
        rows = [dict(r) for r in conn.execute(
            sa.select(query).order_by(query.c.last.desc(), query.c.sender_id)
            .limit(per_page).offset((page - 1) * per_page)
        ).mappings()]
        previews = first_user_texts(conn, [r["sender_id"] for r in rows])
    for row in rows:
        row["preview"] = previews.get(row["sender_id"], "")
        row["has_request"] = row["sender_id"] in request_senders
    return ConversationPage(rows, int(total or 0), int(fallbacks or 0), int(flags or 0),
                            int(requests or 0), page, per_page)


def all_matching(engine: sa.engine.Engine, filters: Filters, request_senders: Set[str],
                 tz: tzinfo, limit: int = 10000) -> List[Dict[str, Any]]:
    """Every conversation matching the filters (for exports), newest first."""
    query = _filtered(dialect_of(engine), filters, request_senders, tz).subquery("matches")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(query).order_by(query.c.last.desc()).limit(limit)).mappings()
        return [dict(r) for r in rows]


def first_user_texts(conn: sa.engine.Connection, senders: Sequence[str]) -> Dict[str, str]:
    if not senders:
        return {}
    first_ids = (sa.select(sa.func.min(events.c.id))
                 .where(events.c.type_name == "user", events.c.sender_id.in_(list(senders)))
                 .group_by(events.c.sender_id))
    out = {}
    for row in conn.execute(sa.select(events.c.sender_id, events.c.data)
                            .where(events.c.id.in_(first_ids))):
        out[row.sender_id] = _loads(row.data).get("text") or ""
    return out


def intents_seen(engine: sa.engine.Engine) -> List[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(
            sa.select(events.c.intent_name).where(events.c.type_name == "user",
                                                  events.c.intent_name.isnot(None))
            .distinct().order_by(events.c.intent_name))]


# --- one conversation ----------------------------------------------------------------------

def _loads(data: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def load_events(engine: sa.engine.Engine, sender_id: str) -> List[Dict[str, Any]]:
    """A conversation's events in order: {id, type, timestamp, intent, action, data}."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(events).where(events.c.sender_id == sender_id).order_by(events.c.id))
        return [
            {"id": r.id, "type": r.type_name, "timestamp": r.timestamp, "intent": r.intent_name,
             "action": r.action_name, "data": _loads(r.data)}
            for r in rows
        ]


def load_user_events(engine: sa.engine.Engine, ids: Iterable[int]) -> List[Dict[str, Any]]:
    ids = [int(i) for i in ids][:500]
    if not ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(sa.select(events).where(events.c.id.in_(ids),
                                                    events.c.type_name == "user"))
        return [{"id": r.id, "sender_id": r.sender_id, "timestamp": r.timestamp,
                 "intent": r.intent_name, "data": _loads(r.data)} for r in rows]


def _intent_of(data: Mapping[str, Any]) -> Tuple[Optional[str], Optional[float]]:
    intent = (data.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name"), float(confidence) if isinstance(confidence, (int, float)) else None


def is_hidden_action(name: Optional[str]) -> bool:
    return not name or name in HIDDEN_ACTIONS or name.startswith("validate_")


def build_transcript(evts: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Turns events into what a person reads: messages, and between them one 'internal' entry
    holding the actions, slots, forms and session events (shown collapsed)."""
    out: List[Dict[str, Any]] = []
    pending: List[Dict[str, Any]] = []

    def flush() -> None:
        if pending:
            counts = Counter(item["kind"] for item in pending)
            out.append({"kind": "internal", "items": list(pending), "counts": dict(counts)})
            pending.clear()

    for ev in evts:
        data = ev.get("data") or {}
        kind = ev.get("type") or data.get("event")
        ts = ev.get("timestamp") or data.get("timestamp")
        if kind == "user":
            flush()
            parse = data.get("parse_data") or {}
            name, confidence = _intent_of(data)
            ranking = [
                {"name": r.get("name"), "confidence": r.get("confidence")}
                for r in (parse.get("intent_ranking") or [])[:4] if isinstance(r, dict)
            ]
            entities = [
                {"entity": e.get("entity"), "value": e.get("value"), "role": e.get("role"),
                 "extractor": e.get("extractor"), "confidence": e.get("confidence_entity")}
                for e in (parse.get("entities") or data.get("entities") or [])
                if isinstance(e, dict)
            ]
            out.append({
                "kind": "user", "id": ev.get("id"), "timestamp": ts, "text": data.get("text") or "",
                "intent": name, "confidence": confidence, "ranking": ranking, "entities": entities,
                "low_confidence": name in FALLBACK_INTENTS or (
                    confidence is not None and confidence < LOW_CONFIDENCE),
            })
        elif kind == "bot":
            flush()
            bot_data = data.get("data") or {}
            buttons = [b.get("title") for b in (bot_data.get("buttons") or [])
                       if isinstance(b, dict)]
            out.append({
                "kind": "bot", "timestamp": ts, "text": data.get("text") or "", "buttons": buttons,
                "image": bot_data.get("image"),
                "template": (data.get("metadata") or {}).get("utter_action"),
            })
        elif kind == "action":
            name = data.get("name") or ev.get("action")
            if name == "action_listen":
                continue
            pending.append({"kind": "action", "timestamp": ts, "name": name,
                            "policy": data.get("policy"), "confidence": data.get("confidence")})
        elif kind == "slot":
            pending.append({"kind": "slot", "timestamp": ts, "name": data.get("name"),
                            "value": data.get("value")})
        elif kind == "active_loop":
            pending.append({"kind": "form", "timestamp": ts, "name": data.get("name")})
        elif kind in ("session_started", "restart", "rewind", "undo", "reset_slots", "followup",
                      "loop_interrupted", "action_execution_rejected", "pause", "resume"):
            pending.append({"kind": "event", "timestamp": ts, "name": kind,
                            "detail": data.get("name") or ""})
    flush()
    return out


def conversation_flags(evts: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """What the list and transcript show about a conversation."""
    fallbacks = 0
    low = 0
    flagged: "OrderedDict[str, str]" = OrderedDict()
    intents: Counter = Counter()
    user_messages = 0
    for ev in evts:
        data = ev.get("data") or {}
        kind = ev.get("type") or data.get("event")
        if kind == "user":
            user_messages += 1
            name, confidence = _intent_of(data)
            if name:
                intents[name] += 1
            if name == "nlu_fallback":
                fallbacks += 1
            if name in FALLBACK_INTENTS or (confidence is not None and confidence < LOW_CONFIDENCE):
                low += 1
        elif kind == "action" and \
                (data.get("name") or ev.get("action")) == "action_default_fallback":
            fallbacks += 1
        elif kind == "slot" and data.get("name") in SCREENING_SLOTS:
            value = str(data.get("value")).lower() if data.get("value") is not None else None
            if value in FLAGGED_VALUES:
                flagged[data["name"]] = value
    times = [ev.get("timestamp") for ev in evts if ev.get("timestamp")]
    return {
        "fallback": fallbacks > 0, "fallbacks": fallbacks, "low_confidence": low,
        "contraindications": list(flagged.items()), "intents": intents.most_common(),
        "user_messages": user_messages,
        "started": min(times) if times else None, "last": max(times) if times else None,
    }


# --- messages the assistant did not understand ---------------------------------------------

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lowercase, punctuation removed, whitespace collapsed: how alike messages are compared."""
    return _SPACE.sub(" ", _PUNCT.sub("", (text or "").lower())).strip()


def text_key(text: str) -> str:
    """What identifies alike messages (same normalised text), without storing the text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def jaccard(a: Set[str], b: Set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def unclear_messages(engine: sa.engine.Engine, since: Optional[float] = None,
                     threshold: float = LOW_CONFIDENCE, limit: int = 5000) -> List[Dict[str, Any]]:
    """User messages classified nlu_fallback or out_of_scope, or with confidence < threshold."""
    dialect = dialect_of(engine)
    e = events.c
    confidence = sa.cast(json_text(dialect, e.data, "parse_data", "intent", "confidence"), sa.Float)
    query = (sa.select(e.id, e.sender_id, e.timestamp, e.intent_name, e.data)
             .where(e.type_name == "user",
                    sa.or_(e.intent_name.in_(FALLBACK_INTENTS), confidence < threshold))
             .order_by(e.id.desc()).limit(limit))
    if since is not None:
        query = query.where(e.timestamp >= since)
    out = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            data = _loads(row.data)
            text = (data.get("text") or "").strip()
            if not text or text.startswith("/"):  # button payloads are not language
                continue
            name, confidence_value = _intent_of(data)
            ranking = (data.get("parse_data") or {}).get("intent_ranking") or []
            guess = next((r.get("name") for r in ranking
                          if isinstance(r, dict) and r.get("name") not in ("nlu_fallback", None)),
                         None)
            out.append({"id": row.id, "sender_id": row.sender_id, "timestamp": row.timestamp,
                        "text": text, "intent": name, "confidence": confidence_value,
                        "guess": guess})
    return out


def group_messages(messages: Sequence[Mapping[str, Any]], near: Optional[float] = 0.6
                   ) -> List[Dict[str, Any]]:
    """Groups messages with the same normalised text and, when `near` is set, merges groups
    whose token sets have a Jaccard similarity >= near. Largest groups first."""
    exact: "OrderedDict[str, List[Mapping[str, Any]]]" = OrderedDict()
    for message in messages:
        key = normalise(message["text"])
        if key:
            exact.setdefault(key, []).append(message)
    clusters: List[Dict[str, Any]] = []
    for key, members in sorted(exact.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        tokens = set(key.split())
        target = None
        if near is not None:
            best = 0.0
            for cluster in clusters:
                score = jaccard(tokens, cluster["tokens"])
                if score >= near and score > best:
                    target, best = cluster, score
        if target is None:
            target = {"key": key, "tokens": tokens, "keys": [], "messages": []}
            clusters.append(target)
        target["keys"].append(key)
        target["messages"].extend(members)
    groups = []
    for cluster in clusters:
        msgs = cluster["messages"]
        texts = Counter(m["text"] for m in msgs)
        guesses = Counter(m.get("guess") or m.get("intent") for m in msgs)
        confidences = [m["confidence"] for m in msgs if m.get("confidence") is not None]
        groups.append({
            "key": cluster["key"], "keys": cluster["keys"],
            "text": texts.most_common(1)[0][0], "texts": texts.most_common(),
            "count": len(msgs), "ids": [m["id"] for m in msgs if "id" in m],
            "senders": list(OrderedDict.fromkeys(m["sender_id"] for m in msgs
                                                 if m.get("sender_id"))),
            "last_seen": max((m.get("timestamp") or 0 for m in msgs), default=0),
            "guess": guesses.most_common(1)[0][0] if guesses else None,
            "min_confidence": min(confidences) if confidences else None,
        })
    groups.sort(key=lambda g: (-g["count"], -g["last_seen"]))
    return groups


# --- dashboard -----------------------------------------------------------------------------

def dashboard_stats(engine: sa.engine.Engine, since: float, until: float,
                    request_senders: Set[str], tz: tzinfo) -> Dict[str, Any]:
    """Figures over conversations that started in [since, until)."""
    dialect = dialect_of(engine)
    s = _summary(dialect)
    e = events.c
    with engine.connect() as conn:
        convs = conn.execute(
            sa.select(s).where(s.c.n_user > 0, s.c.started >= since, s.c.started < until)
        ).mappings().all()
        intents = conn.execute(
            sa.select(e.intent_name, sa.func.count()).where(
                e.type_name == "user", e.timestamp >= since, e.timestamp < until)
            .group_by(e.intent_name).order_by(sa.func.count().desc(), e.intent_name)
        ).all()
        turns = conn.execute(
            sa.select(e.sender_id, e.type_name, e.intent_name).where(
                e.timestamp >= since, e.timestamp < until,
                sa.or_(e.type_name == "user",
                       sa.and_(e.type_name == "action",
                               e.action_name == "action_default_fallback")))
            .order_by(e.sender_id, e.id)
        ).all()
        slot_name = json_text(dialect, e.data, "name")
        flagged_rows = conn.execute(
            sa.select(slot_name.label("slot"), sa.func.count(sa.distinct(e.sender_id))).where(
                e.type_name == "slot", e.timestamp >= since, e.timestamp < until,
                slot_name.in_(SCREENING_SLOTS),
                sa.func.lower(json_text(dialect, e.data, "value")).in_(FLAGGED_VALUES))
            .group_by(slot_name)
        ).all()
    per_day: Counter = Counter(datetime.fromtimestamp(c["started"], tz).date() for c in convs)
    first = datetime.fromtimestamp(since, tz).date()
    last = datetime.fromtimestamp(until - 1, tz).date()
    days = [(first + timedelta(days=i)) for i in range((last - first).days + 1)]
    user_messages = sum(count for _, count in intents)
    fallback_messages = count_fallback_turns(turns)
    n = len(convs)
    with_request = sum(1 for c in convs if c["sender_id"] in request_senders)
    return {
        "conversations": n,
        "per_day": [(d, per_day.get(d, 0)) for d in days],
        "top_intents": [(name or "(none)", count) for name, count in intents[:10]],
        "user_messages": user_messages,
        "fallback_messages": fallback_messages,
        "fallback_rate": fallback_messages / user_messages if user_messages else 0.0,
        "with_fallback": sum(1 for c in convs if c["fallback"]),
        "with_request": with_request,
        "request_share": with_request / n if n else 0.0,
        "with_flag": sum(1 for c in convs if c["flagged"]),
        "flags_by_slot": {slot: count for slot, count in flagged_rows},
    }


def count_fallback_turns(rows: Iterable[Sequence[Any]]) -> int:
    """Visitor messages the assistant fell back on: classified nlu_fallback, or answered with
    action_default_fallback. Rows: (sender_id, type_name, intent_name) in event order."""
    count = 0
    pending = False  # the current visitor message is not counted yet
    sender = None
    for row_sender, kind, intent in rows:
        if row_sender != sender:
            sender, pending = row_sender, False
        if kind == "user":
            pending = intent != "nlu_fallback"
            count += 0 if pending else 1
        elif pending:  # action_default_fallback after a message not counted yet
            count += 1
            pending = False
    return count


def local_timezone() -> tzinfo:
    """STAFF_TIMEZONE (an IANA name such as Europe/Berlin) or the server's own zone."""
    name = os.environ.get("STAFF_TIMEZONE")
    if name:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name)
        except Exception:  # unknown zone name: fall back to the server's
            pass
    return datetime.now().astimezone().tzinfo  # type: ignore[return-value]
