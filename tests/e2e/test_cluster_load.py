"""The several-servers cluster under load, through nginx, and the Redis lock under a race.

Fifty visitors chat at once, twenty turns each (questions, a screening answered with buttons and
with text, a consultation request), over HTTPS through nginx to the web app, which forwards to
nginx's upstream over the two Rasa servers. Every turn must be answered, and PostgreSQL's events
table must hold each conversation exactly as the visitor saw it: every message and every reply,
once, in order.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import aiohttp
import sqlalchemy as sa

from tests.e2e.visitors import (
    Visitor,
    booking_script,
    events_of,
    seen_turns,
    stored_turns,
    summary,
)

VISITORS, TURNS = 50, 20
LOAD_DEADLINE_S = 240  # bounded: 1000 turns take about 40-90 s on 2 cores


async def _converse(cluster, index: int):
    async with Visitor(cluster.base_url, str(cluster.cafile), index) as visitor:
        unexpected = []
        for text, expected in booking_script(index):
            turn = await visitor.say(text)
            if expected and not re.search(expected, turn.reply, re.I):
                unexpected.append((text, turn.status, turn.reply[:100] or turn.error))
        return visitor, unexpected


def test_fifty_visitors_at_once_are_all_answered_and_every_turn_is_stored_once_in_order(
    cluster, report
):
    async def run():
        return await asyncio.wait_for(
            asyncio.gather(*(_converse(cluster, i) for i in range(VISITORS))), LOAD_DEADLINE_S
        )

    started = time.monotonic()
    results = asyncio.run(run())
    elapsed = time.monotonic() - started
    turns = [t for visitor, _ in results for t in visitor.turns]
    report(
        f"load: {VISITORS} visitors x {TURNS} turns through nginx in {elapsed:.0f} s: "
        f"{summary(turns)}"
    )

    assert len(turns) == VISITORS * TURNS
    failed = [(t.text, t.status, t.error) for t in turns if not t.ok]
    assert failed == [], f"{len(failed)} turns failed, e.g. {failed[:5]}"
    unexpected = [u for _, found in results for u in found]
    assert unexpected == [], f"{len(unexpected)} unexpected replies, e.g. {unexpected[:5]}"

    events = events_of(cluster.tracker_db_url, [v.sender for v, _ in results])
    differing = [
        v.sender for v, _ in results if stored_turns(events[v.sender]) != seen_turns(v.turns)
    ]
    assert differing == [], (
        f"{len(differing)} conversations stored differently from what "
        f"their visitors saw, e.g. {differing[:3]}"
    )

    # Each screening ended in a stored request, exactly one per conversation.
    engine = sa.create_engine(cluster.clinic_db_url, future=True)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                sa.text(
                    "SELECT sender_id, count(*) AS n FROM consultation_requests "
                    "WHERE sender_id = ANY(:s) GROUP BY sender_id"
                ),
                {"s": [v.sender for v, _ in results]},
            ).all()
    finally:
        engine.dispose()
    assert sorted(n for _, n in stored) == [1] * VISITORS


RACES = 10


async def _post(session, url: str, sender: str, text: str):
    started = time.monotonic()
    async with session.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as response:
        return text, response.status, await response.json(), time.monotonic() - started


async def _race(session, urls, sender: str):
    """A conversation in its screening gets two questions at the same moment, one on each
    Rasa server."""
    await _post(session, urls[0], sender, "I want to book")
    return await asyncio.gather(
        _post(session, urls[0], sender, "does it hurt?"),
        _post(session, urls[1], sender, "how long does it take?"),
    )


def test_two_messages_at_once_on_two_servers_are_processed_one_after_the_other(cluster, report):
    async def run():
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            senders = [f"race-{uuid.uuid4().hex}" for _ in range(RACES)]
            results = await asyncio.wait_for(
                asyncio.gather(*(_race(session, cluster.rasa_urls, s) for s in senders)), 120
            )
            return senders, results

    senders, results = asyncio.run(run())
    events = events_of(cluster.tracker_db_url, senders)
    waited = 0
    for sender, pair in zip(senders, results, strict=True):
        assert all(status == 200 and messages for _, status, messages, _ in pair), pair
        # The two turns, after the first one ("I want to book"), each whole: a message, every
        # event of its processing, then action_listen, before the other message starts.
        kinds = [(e["type"], e["action"]) for e in events[sender]]
        users = [i for i, (kind, _) in enumerate(kinds) if kind == "user"]
        assert len(users) == 3, kinds
        assert kinds[users[2] - 1] == ("action", "action_listen"), kinds
        assert kinds[-1] == ("action", "action_listen"), kinds
        # What each server answered is what is stored after its own message.
        answered = {text: tuple(m.get("text") for m in messages) for text, _, messages, _ in pair}
        for text, bots in stored_turns(events[sender])[1:]:
            assert tuple(t for t, _ in bots) == answered[text], (text, bots, answered)
        first, second = sorted(seconds for *_, seconds in pair)
        waited += second - first > 0.5  # the lock store polls once a second
    report(
        f"race: {RACES} conversations got two messages at once, one on each Rasa server: "
        f"all processed whole, one after the other ({waited} visibly waited for the lock)"
    )
