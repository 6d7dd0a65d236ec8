"""One conversation on two Rasa servers: its turns are processed one at a time, each on the
conversation as the previous one left it, and a visitor's message is never lost.

Rasa's own stores lost a raced message about once in sixty races (both servers took the same
lock ticket; the SQL tracker store then stored the second turn without its start, the visitor's
message among it, after both had been answered). deploy/endpoints.postgres-redis.yml names the
stores that prevent it (stores/), and the cluster runs that file. These tests exercise each way
two servers got through Rasa's lock at once: a ticket taken by both at the same moment, a turn
slower than the lock's lifetime, and a Redis restart, which loses every lock (no lock can
prevent that one; the tracker store makes it harmless).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import aiohttp
import yaml
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from tests.e2e.visitors import Turn, events_of, say_to_rasa, seen_turns, stored_turns
from tools.cluster import ENDPOINTS
from tools.processes import LOOPBACK, Process

# The screening asks four questions in turn; a "no" to each moves it to the next.
QUESTION_2, QUESTION_3 = r"inflamed|cystic", r"sunburn"


@contextmanager
def stalled(process: Process) -> Iterator[None]:
    """The process frozen (SIGSTOP), as a hung or overloaded action server is: calls to it are
    accepted and wait. Thawed however the block ends."""
    assert process.popen is not None
    os.killpg(process.popen.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(process.popen.pid, signal.SIGCONT)


async def _start_screening(session: aiohttp.ClientSession, rasa_url: str) -> tuple[str, Turn]:
    sender = f"one-at-a-time-{uuid.uuid4().hex}"
    turn = await say_to_rasa(session, rasa_url, sender, "I'd like to book a consultation")
    assert turn.ok and re.search("pregnant", turn.reply, re.I), turn
    return sender, turn


def _take_tickets_at_once(servers: list[LockStore], conversation: str) -> list[int]:
    all_ready = threading.Barrier(len(servers))

    def take(store: LockStore) -> int:
        all_ready.wait()
        return store.issue_ticket(conversation)

    with ThreadPoolExecutor(len(servers)) as pool:
        return list(pool.map(take, servers))


def test_two_servers_taking_a_ticket_at_the_same_moment_get_different_ones(cluster):
    """The lock store the Rasa servers run, on the cluster's Redis. Rasa's RedisLockStore gave
    both the same ticket nearly every time, and so let both messages through at once."""
    settings = yaml.safe_load(ENDPOINTS.read_text())["lock_store"]
    endpoint = EndpointConfig(url=LOOPBACK, type=settings["type"], port=cluster.redis_port, db=1)
    servers = [LockStore.create(endpoint) for _ in range(2)]  # each with its own connections
    same = 0
    for _ in range(50):
        conversation = f"tickets-{uuid.uuid4().hex}"
        tickets = _take_tickets_at_once(servers, conversation)
        same += tickets[0] == tickets[1]
        for store, ticket in zip(servers, tickets, strict=True):
            store.cleanup(conversation, ticket)
    assert same == 0, f"{same} of 50 conversations gave both servers the same ticket"


def test_a_turn_slower_than_the_lock_lifetime_keeps_its_conversation_until_it_is_stored(
    cluster, report
):
    """A stalled action server holds a screening answer on server A for longer than
    TICKET_LOCK_LIFETIME. The visitor's next answer, on server B, waits for it and continues
    from it: with Rasa's lock, A's ticket had expired, and B answered the same question again
    on the conversation as it was before A's turn."""
    a, b = cluster.rasa_urls

    async def run() -> tuple[str, list[Turn]]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            sender, start = await _start_screening(session, a)
            with stalled(cluster.actions):
                slow = asyncio.create_task(say_to_rasa(session, a, sender, "no"))
                await asyncio.sleep(cluster.lock_lifetime + 1)
                later = asyncio.create_task(say_to_rasa(session, b, sender, "no"))
                await asyncio.sleep(1)
            return sender, [start, await slow, await later]

    sender, turns = asyncio.run(run())
    _, slow, later = turns
    report(
        f"a turn stalled {cluster.lock_lifetime + 2} s (lock lifetime {cluster.lock_lifetime} s): "
        f"answered in {slow.seconds:.1f} s; the next message, sent to the other server meanwhile, "
        f"was answered in {later.seconds:.1f} s"
    )
    assert slow.ok and re.search(QUESTION_2, slow.reply, re.I), slow
    assert later.ok and re.search(QUESTION_3, later.reply, re.I), later
    assert stored_turns(events_of(cluster.tracker_db_url, [sender])[sender]) == seen_turns(turns)


def test_after_a_redis_restart_no_turn_is_stored_over_another(cluster, report):
    """Redis keeps nothing on disk, so a restart loses every lock: a message arriving while an
    earlier turn of its conversation still runs (stalled here) goes through at once, and both
    turns run on the same conversation. The tracker store stores the one that finishes first
    and refuses the other, whose visitor is asked to retry (Rasa answers nothing). Rasa's own
    store kept both answers to one question, or dropped the later turn's message."""
    a, b = cluster.rasa_urls

    async def run() -> tuple[str, list[Turn], list[Turn]]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            sender, start = await _start_screening(session, a)
            with stalled(cluster.actions):
                slow = asyncio.create_task(say_to_rasa(session, a, sender, "no"))
                await asyncio.sleep(1)
                await asyncio.to_thread(cluster.redis.stop)
                await asyncio.to_thread(cluster.revive)
                later = asyncio.create_task(say_to_rasa(session, b, sender, "no"))
                await asyncio.sleep(2)
            raced = [await slow, await later]
            answered = [turn for turn in raced if turn.ok]
            refused = [turn for turn in raced if not turn.ok]
            retried = [await say_to_rasa(session, b, sender, turn.text) for turn in refused]
            return sender, [start, *answered, *retried], refused

    sender, turns, refused = asyncio.run(run())
    report(
        f"Redis restarted while a turn ran: {len(refused)} of the two messages then run at once "
        "refused by the tracker store (the visitor's retry answered), none stored over another"
    )
    assert all(turn.status == 200 and turn.messages == [] for turn in refused), refused
    _, second, third = turns
    assert second.ok and re.search(QUESTION_2, second.reply, re.I), second
    assert third.ok and re.search(QUESTION_3, third.reply, re.I), third
    assert stored_turns(events_of(cluster.tracker_db_url, [sender])[sender]) == seen_turns(turns)
