"""Concurrent visitors through the web app's POST /api/chat: reply times and messages a second.

Each simulated visitor holds one short conversation: a greeting now and then, a few questions
as visitors type them, and for some a screening and consultation request. Scripts come from a
fixed seed, so every configuration gets the same conversations. Visitors send their next
message as soon as the answer arrives (no reading time): `concurrency` is the number of
messages in flight, and throughput is what the server sustains at that load. Each visitor keeps
the conversation cookie the web app gives it, as a browser does, so its messages stay in one
conversation.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from typing import Any

import aiohttp

from web.site import CONVERSATION_COOKIE

SEED = 11
CLIENT_TIMEOUT_S = 60  # above the web app's own 15 s towards Rasa: a slow turn is its 503, not ours
LEVEL_TIMEOUT_S = 15 * 60
QUESTIONS = [
    "does it hurt?",
    "how long does it take",
    "how many sessions will i need",
    "is there any downtime?",
    "does it help with acne scars",
    "can it fix stretch marks",
    "what should I avoid before the treatment?",
    "can i go to the gym after",
    "when will I see results?",
    "what are the side effects",
    "how much does it cost",
    "is it safe if im pregnant",
    "can I wear makeup the next day",
    "does it work for rosacea",
    "how is it different from laser",
    "do i need numbing cream",
    "how often should i get a touch up",
    "what is microneedling exactly",
    "is bruising normal after",
    "where is the clinic",
]
OPENERS = ["hi", "hello there", "hey"]
CLOSERS = ["thanks!", "ok thank you", "bye"]
NAMES = ["Maria Lopez", "Sam Carter", "Priya Shah", "Tom Becker", "Ana Silva", "Lee Wong"]


def conversation_script(rng: random.Random, index: int) -> list[str]:
    """One visitor's messages; about one in three books a consultation."""
    script = [rng.choice(OPENERS)] if rng.random() < 0.5 else []
    script += rng.sample(QUESTIONS, rng.randint(2, 4))
    if rng.random() < 0.35:
        name = rng.choice(NAMES)
        script += ["I'd like to book a consultation", "no", "/deny", "nope", "no"]
        script += [name, f"visitor{index}@example.com", "weekday mornings", "yes"]
    if rng.random() < 0.5:
        script.append(rng.choice(CLOSERS))
    return script


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value at or below which `share` of the values lie."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def percentiles(values: list[float]) -> dict[str, float | None]:
    return {
        f"p{round(share * 100)}": None if (v := percentile(values, share)) is None else round(v, 1)
        for share in (0.5, 0.95, 0.99)
    }


async def _visitor(
    session: aiohttp.ClientSession, url: str, sender: str, script: list[str], turns: list
) -> None:
    cookie: dict[str, str] = {}  # the visitor's own: the session's jar is shared by all
    for message in script:
        started = time.perf_counter()
        status = 0
        body_json = {"sender": sender, "message": message}
        try:
            async with session.post(url, json=body_json, headers=cookie) as response:
                body = await response.read()
                status = response.status
                if CONVERSATION_COOKIE in response.cookies:
                    value = response.cookies[CONVERSATION_COOKIE].value
                    cookie = {"Cookie": f"{CONVERSATION_COOKIE}={value}"}
                if status == 200 and not isinstance(json.loads(body), list):
                    status = -1
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            pass
        turns.append((time.perf_counter() - started, status))


async def run_level(base_url: str, concurrency: int, conversations: int, tag: str) -> dict:
    rng = random.Random(f"{SEED}-{concurrency}-{conversations}")
    scripts = [conversation_script(rng, i) for i in range(conversations)]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(i)
    turns: list[tuple[float, int]] = []
    url = f"{base_url}/api/chat"
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=concurrency)

    jar = aiohttp.DummyCookieJar()  # each visitor sends its own cookie (_visitor)
    session = aiohttp.ClientSession(timeout=timeout, connector=connector, cookie_jar=jar)
    async with session:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                sender = f"bench-{tag}-{concurrency}-{i:04d}-{rng.getrandbits(32):08x}"
                await _visitor(session, url, sender, scripts[i], turns)

        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(worker() for _ in range(concurrency))), LEVEL_TIMEOUT_S
        )
        wall = time.perf_counter() - started
    ok = [seconds * 1000 for seconds, status in turns if status == 200]
    return {
        "latency_ms": percentiles(ok),
        "throughput_msg_s": round(len(ok) / wall, 2) if wall else None,
        "turns": len(turns),
        "errors": len(turns) - len(ok),
        "conversations": conversations,
        "seconds": round(wall, 1),
    }


def conversations_at(concurrency: int) -> int:
    """Enough conversations for each visitor slot to hold several in turn."""
    return max(20, 3 * concurrency)


def run_load(base_url: str, levels: tuple[int, ...], tag: str) -> dict[str, Any]:
    """A warm-up (not timed), then each concurrency level in turn."""
    asyncio.run(run_level(base_url, 4, 8, f"{tag}-warmup"))
    results = {}
    for level in levels:
        results[str(level)] = asyncio.run(run_level(base_url, level, conversations_at(level), tag))
        r = results[str(level)]
        print(
            f"    {tag}: {level} concurrent: p50 {r['latency_ms']['p50']} ms, "
            f"p95 {r['latency_ms']['p95']} ms, {r['throughput_msg_s']} msg/s, "
            f"{r['errors']} errors of {r['turns']} ({r['seconds']} s)",
            flush=True,
        )
    return results
