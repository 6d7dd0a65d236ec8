"""Visitors chatting through nginx at the same time, and what PostgreSQL kept of their chats.

Each visitor is one aiohttp session over HTTPS to nginx, from its own loopback address
(127.0.x.y), as real visitors come from their own addresses: nginx's per-address chat limit
(deploy/nginx.conf) then applies to each one as it does in production. A visitor waits at least
MIN_GAP_S between two messages (people read and type), which keeps each one under that limit.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import sqlalchemy as sa
from yarl import URL

MIN_GAP_S = 0.5  # nginx allows 2 chat messages a second per address
CLIENT_TIMEOUT_S = 30  # well above the web app's own 15 s, so a hang would show as such

FAQS = [
    "does it hurt?",
    "how long does it take?",
    "can i go to the gym after",
    "how many sessions will I need?",
    "is there any downtime?",
    "does it help with acne scars?",
    "what should I avoid before the treatment?",
    "how much does it cost",
    "when will I see results?",
    "what are the side effects?",
    "does it work on stretch marks?",
]
NAMES = ["Maria Lopez", "Sam Carter", "Priya Shah", "Tom Becker", "Ana Silva", "Lee Wong"]


def source_address(index: int) -> str:
    return f"127.0.{10 + index // 250}.{1 + index % 250}"


@dataclass
class Turn:
    text: str
    status: int  # HTTP status; 0 when no answer came (connection error or client timeout)
    seconds: float
    messages: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""  # the web app's {"error": ...}, or what went wrong on the way

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.messages)

    @property
    def reply(self) -> str:
        parts = []
        for m in self.messages:
            parts.append(m.get("text") or "")
            parts.extend(b.get("title", "") for b in m.get("buttons") or [])
        return "\n".join(parts)


class Visitor:
    def __init__(
        self,
        base_url: str,
        cafile: str,
        index: int = 0,
        sender: str | None = None,
        waiting: set | None = None,
        cookies: Any = None,
    ):
        self.waiting = waiting if waiting is not None else set()  # visitors awaiting an answer
        self.base_url = base_url
        self.address = source_address(index)
        # The web app issues the conversation and binds it to a cookie (web/site.py): a visitor
        # coming back (a reload) brings the cookies it had (`cookies`, from `self.cookies`).
        self.sender = sender or ""
        self._cookies = cookies
        self.jar: aiohttp.CookieJar | None = None
        self.context = ssl.create_default_context(cafile=cafile)
        self.turns: list[Turn] = []
        self._last_sent = 0.0
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Visitor:
        connector = aiohttp.TCPConnector(ssl=self.context, local_addr=(self.address, 0))
        self.jar = aiohttp.CookieJar(unsafe=True)  # unsafe: cookies for IP addresses too
        if self._cookies is not None:
            self.jar.update_cookies(self._cookies, response_url=URL(self.base_url))
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S),
            cookie_jar=self.jar,
        )
        if not self.sender:
            async with self.session.post(f"{self.base_url}/api/chat/new", json={}) as response:
                response.raise_for_status()
                self.sender = (await response.json())["sender"]
        return self

    @property
    def cookies(self) -> Any:
        """The cookies this visitor holds for the chat, to come back with."""
        assert self.jar is not None
        return self.jar.filter_cookies(URL(f"{self.base_url}/api/chat"))

    async def __aexit__(self, *exc: object) -> None:
        assert self.session is not None
        await self.session.close()

    async def say(self, text: str, message_id: str | None = None) -> Turn:
        """One try of a message; a Retry sends the same `message_id` (as the widget does)."""
        assert self.session is not None
        await asyncio.sleep(max(0.0, self._last_sent + MIN_GAP_S - time.monotonic()))
        self._last_sent = started = time.monotonic()
        body = {"sender": self.sender, "message": text}
        if message_id:
            body["message_id"] = message_id
        self.waiting.add(self.sender)
        try:
            async with self.session.post(f"{self.base_url}/api/chat", json=body) as response:
                raw = await response.read()
                turn = Turn(text, response.status, time.monotonic() - started)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            turn = Turn(text, 0, time.monotonic() - started, error=type(error).__name__)
            self.turns.append(turn)
            return turn
        finally:
            self.waiting.discard(self.sender)
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if turn.status == 200 and isinstance(data, list):
            turn.messages = data
        else:
            turn.error = data.get("error", "") if isinstance(data, dict) else raw[:200].decode()
        self.turns.append(turn)
        return turn

    async def say_until_answered(self, text: str, tries: int = 8, pause: float = 1.0) -> Turn:
        """What the widget's Retry button does, pressed by a patient visitor (bounded)."""
        message_id = uuid.uuid4().hex
        turn = await self.say(text, message_id)
        for _ in range(tries - 1):
            if turn.ok:
                break
            await asyncio.sleep(pause)
            turn = await self.say(text, message_id)
        return turn


async def say_to_rasa(
    session: aiohttp.ClientSession, rasa_url: str, sender: str, text: str
) -> Turn:
    """A message sent straight to one Rasa server's REST channel (as the web app sends it), so a
    test chooses which server gets it. Rasa answers a failed turn with no messages."""
    started = time.monotonic()
    body = {"sender": sender, "message": text}
    async with session.post(f"{rasa_url}/webhooks/rest/webhook", json=body) as response:
        messages = await response.json()
        return Turn(text, response.status, time.monotonic() - started, messages or [])


def booking_script(index: int) -> list[tuple[str, str | None]]:
    """Twenty turns: questions, a screening answered with buttons and with text, a request,
    questions again. Each with what the reply must say (None: any answer)."""
    faqs = FAQS[index % len(FAQS) :] + FAQS[: index % len(FAQS)]
    answers = ["/deny", "no", "/deny", "nope"] if index % 2 else ["no", "/deny", "nope", "/deny"]
    name = NAMES[index % len(NAMES)]
    email = f"visitor{index}@example.com"
    return [
        *((q, None) for q in faqs[:5]),
        ("I'd like to book a consultation", r"pregnant"),
        (answers[0], r"inflamed|cystic"),
        (answers[1], r"sunburn"),
        (answers[2], r"lidocaine"),
        (answers[3], r"name"),
        (name, name.split()[0]),
        (email, r"prefer"),
        ("weekday mornings", re.escape(email)),
        ("yes", r"sent to the clinic"),
        *((q, None) for q in faqs[5:11]),
    ]


def faq_script(index: int, turns: int) -> list[tuple[str, str | None]]:
    return [(FAQS[(index + i) % len(FAQS)], None) for i in range(turns)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summary(turns: list[Turn]) -> str:
    seconds = [t.seconds for t in turns]
    errors = sum(not t.ok for t in turns)
    return (
        f"{len(turns)} turns, {errors} errors, p50 {percentile(seconds, 0.5):.2f} s, "
        f"p95 {percentile(seconds, 0.95):.2f} s, max {max(seconds, default=0):.2f} s"
    )


def events_of(tracker_url: str, senders: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every event PostgreSQL holds for these conversations, in the order they were stored."""
    engine = sa.create_engine(tracker_url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT sender_id, type_name, action_name, data FROM events "
                    "WHERE sender_id = ANY(:senders) ORDER BY id"
                ),
                {"senders": senders},
            ).mappings()
            found: dict[str, list[dict[str, Any]]] = {s: [] for s in senders}
            for row in rows:
                found[row["sender_id"]].append(
                    {
                        "type": row["type_name"],
                        "action": row["action_name"],
                        "data": json.loads(row["data"]),
                    }
                )
            return found
    finally:
        engine.dispose()


StoredTurn = tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]


def _bot(text: str | None, buttons: list[dict[str, Any]] | None) -> tuple[str, tuple[str, ...]]:
    return text or "", tuple(b.get("payload", "") for b in buttons or [])


def stored_turns(events: list[dict[str, Any]]) -> list[StoredTurn]:
    """The conversation as PostgreSQL holds it: each visitor message with the bot messages
    (text, button payloads) stored after it and before the next one."""
    turns: list[tuple[str, list[tuple[str, tuple[str, ...]]]]] = []
    for event in events:
        if event["type"] == "user":
            turns.append((event["data"].get("text") or "", []))
        elif event["type"] == "bot" and turns:
            data = event["data"]
            turns[-1][1].append(_bot(data.get("text"), (data.get("data") or {}).get("buttons")))
    return [(text, tuple(bots)) for text, bots in turns]


def seen_turns(turns: list[Turn]) -> list[StoredTurn]:
    """The conversation as the visitor saw it (answered turns only), in the same shape."""
    return [
        (t.text, tuple(_bot(m.get("text"), m.get("buttons")) for m in t.messages))
        for t in turns
        if t.ok
    ]


def compare(stored: list[StoredTurn], seen: list[StoredTurn]) -> tuple[list, list]:
    """(lost, extra): answered turns missing from `stored`, and stored turns the visitor never
    saw answered (a message processed by a server that then failed, or a failed try the visitor
    repeated). Both empty when `stored` is exactly what the visitor saw."""
    lost, extra, position = [], [], 0
    for turn in seen:
        try:
            found = stored.index(turn, position)
        except ValueError:
            lost.append(turn)
            continue
        extra += stored[position:found]
        position = found + 1
    return lost, extra + stored[position:]


def lost_and_extra(tracker_url: str, visitors: list[Visitor]) -> tuple[list, list]:
    """(answered turns missing from the tracker store, stored turns no visitor saw answered),
    over every visitor's conversation."""
    events = events_of(tracker_url, [v.sender for v in visitors])
    lost, extra = [], []
    for v in visitors:
        missing, more = compare(stored_turns(events[v.sender]), seen_turns(v.turns))
        lost += missing
        extra += more
    return lost, extra
