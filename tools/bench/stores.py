"""What the several-servers stores cost a turn: Rasa's SQL tracker store and Redis lock store
against ours (stores/), side by side in one run, on a real PostgreSQL and Redis.

    python -m tools.bench.stores [--conversations 40] [--turns 8] [--rounds 3]

Each turn is what a Rasa server does around one message: take the conversation's lock, read
the tracker, add the visitor's message and two bot events, store it, let the lock go. The two
variants take turns round by round (each in its own database and Redis db), so both see the
same machine; the figure to keep is the ratio, ours / Rasa's. Prints the median and 95th
percentile of a turn, and of the save alone, for each. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.utils.endpoints import EndpointConfig

from stores.lock_store import AtomicRedisLockStore
from stores.tracker_store import CompareAndAppendSQLTrackerStore
from tools.cluster_parts import redis_process
from tools.postgres import PostgresServer
from tools.processes import LOOPBACK, free_port


@dataclass
class Variant:
    name: str
    tracker_store: Any
    lock_store: Any
    turn_ms: list[float] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)


def variants(postgres: PostgresServer, redis_port: int) -> list[Variant]:
    domain = Domain.load("domain.yml")
    sql = {
        "dialect": "postgresql",
        "host": LOOPBACK,
        "port": postgres.port,
        "username": postgres.user,
        "password": postgres.password,
    }
    for db in ("bench_rasa", "bench_ours"):
        postgres.create_database(db)
    return [
        Variant(
            "Rasa's stores",
            SQLTrackerStore(domain, db="bench_rasa", **sql),
            RedisLockStore(host=LOOPBACK, port=redis_port, db=1),
        ),
        Variant(
            "ours (stores/)",
            CompareAndAppendSQLTrackerStore(domain, db="bench_ours", **sql),
            AtomicRedisLockStore(EndpointConfig(url=LOOPBACK, port=redis_port, db=2)),
        ),
    ]


async def turn(variant: Variant, sender: str, number: int) -> None:
    started = time.perf_counter()
    async with variant.lock_store.lock(sender):
        tracker = await variant.tracker_store.get_or_create_tracker(sender)
        tracker.update(UserUttered(f"does it hurt? ({number})", {"name": "ask_pain"}))
        tracker.update(ActionExecuted("action_answer_question"))
        tracker.update(BotUttered("It's done under a numbing cream."))
        tracker.update(ActionExecuted("action_listen"))
        saving = time.perf_counter()
        await variant.tracker_store.save(tracker)
        variant.save_ms.append((time.perf_counter() - saving) * 1000)
    variant.turn_ms.append((time.perf_counter() - started) * 1000)


async def run(
    conversations: int, turns: int, rounds: int, postgres: PostgresServer, redis: int
) -> list[Variant]:
    measured = variants(postgres, redis)
    for round_number in range(rounds):
        for variant in measured if round_number % 2 == 0 else reversed(measured):
            for number in range(turns):
                # The conversations of a round run at once, as on a busy server.
                await asyncio.gather(
                    *(
                        turn(variant, f"r{round_number}-c{conversation}", number)
                        for conversation in range(conversations)
                    )
                )
    return measured


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-stores-") as folder:
        work = Path(folder)
        work.chmod(0o711)  # PostgreSQL runs as its own user when we are root
        postgres = PostgresServer(work / "pg", port=free_port()).start()
        redis_port = free_port()
        redis = redis_process(redis_port, work)
        redis.start()
        try:
            redis.wait_ready(timeout=30, progress=False)
            measured = asyncio.run(
                run(args.conversations, args.turns, args.rounds, postgres, redis_port)
            )
        finally:
            redis.stop()
            postgres.stop()
    print(
        f"{args.rounds} rounds of {args.conversations} conversations at once x {args.turns} "
        "turns, each variant in turn (ms)"
    )
    print(f"{'stores':16} {'turn p50':>9} {'turn p95':>9} {'save p50':>9} {'save p95':>9}")
    for variant in measured:
        print(
            f"{variant.name:16} {statistics.median(variant.turn_ms):9.1f} "
            f"{p95(variant.turn_ms):9.1f} {statistics.median(variant.save_ms):9.1f} "
            f"{p95(variant.save_ms):9.1f}"
        )
    rasa, ours = measured
    print(
        "ours / Rasa's: turn p50 "
        f"{statistics.median(ours.turn_ms) / statistics.median(rasa.turn_ms):.2f}x, "
        f"save p50 {statistics.median(ours.save_ms) / statistics.median(rasa.save_ms):.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
