"""The several-servers configuration (deploy/endpoints.postgres-redis.yml) works as documented.

Two Rasa servers started with that very endpoints file share a throwaway PostgreSQL server
(tracker store; tests/pg.py) and a throwaway redis-server (lock store), with one action server
that stores requests in PostgreSQL too. One conversation whose messages alternate between the
two servers keeps its state, its events are in PostgreSQL's `events` table, the request lands in
the clinic database on PostgreSQL, and the Rasa servers took their conversation locks in Redis.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import redis
import sqlalchemy as sa

from tests.conftest import Conversation
from tests.pg import postgres  # noqa: F401  (the session's throwaway PostgreSQL server)
from tools.cluster_parts import redis_process
from tools.processes import start_together
from tools.stack import DEFAULT_MODEL, ROOT, VENV_BIN, Process, free_port

ENDPOINTS = ROOT / "deploy" / "endpoints.postgres-redis.yml"


@pytest.fixture(scope="module")
def cluster(postgres, tmp_path_factory):  # noqa: F811  (the fixture imported above)
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` first.")
    workdir = tmp_path_factory.mktemp("several-servers")
    tracker_url = postgres.create_database("several_tracker")
    clinic_url = postgres.create_database("several_clinic")
    redis_port, actions_port = free_port(), free_port()
    env = dict(os.environ)
    env.update(
        {
            # What deploy/endpoints.postgres-redis.yml reads (Rasa expands ${...} from these).
            "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "POSTGRES_HOST": postgres.host,
            "POSTGRES_PORT": str(postgres.port),
            "POSTGRES_DB": "several_tracker",
            "POSTGRES_USER": postgres.user,
            "POSTGRES_PASSWORD": postgres.password,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(redis_port),
            "CLINIC_DB_URL": clinic_url,
            "ACTIONS_PORT": str(actions_port),
            "ACTION_SERVER_TOKEN": "several-servers-secret",
            "PYTHONPATH": str(ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    rasa = str(VENV_BIN / "rasa")
    processes = [
        redis_process(redis_port, workdir),
        Process(
            "action server",
            [str(VENV_BIN / "python"), "-m", "serving.action_server"],
            env,
            f"http://127.0.0.1:{actions_port}/health",
            workdir / "actions.log",
        ),
    ]
    urls = []
    for name in ("a", "b"):
        port = free_port()
        urls.append(f"http://127.0.0.1:{port}")
        processes.append(
            Process(
                f"Rasa server {name.upper()}",
                [
                    rasa,
                    "run",
                    "--model",
                    str(DEFAULT_MODEL),
                    "--endpoints",
                    str(ENDPOINTS),
                    "--credentials",
                    str(ROOT / "credentials.yml"),
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env,
                f"http://127.0.0.1:{port}/",
                workdir / f"rasa-{name}.log",
            )
        )
    try:
        start_together(processes, lambda process: 300, progress=False)
        yield {
            "rasa": urls,
            "tracker_url": tracker_url,
            "clinic_url": clinic_url,
            "redis": redis.Redis(host="127.0.0.1", port=redis_port, socket_timeout=5),
            "logs": workdir,
        }
    finally:
        for process in reversed(processes):
            process.stop()


def rows(url: str, query: str, **params):
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(query), params).mappings()]
    finally:
        engine.dispose()


def test_a_conversation_alternating_between_two_rasa_servers_keeps_its_state(cluster):
    a = Conversation(cluster["rasa"][0])
    b = Conversation(cluster["rasa"][1])
    b.sender = a.sender
    turns = [
        (a, "I want to book", r"pregnant"),
        (b, "no", r"inflamed|cystic"),
        (a, "no", r"sunburn"),
        (b, "no", r"lidocaine"),
        (a, "no", r"name"),
        (b, "Maria Lopez", r"Maria"),
        (a, "maria.lopez@example.com", r"prefer"),
        (b, "weekday mornings", r"maria\.lopez@example\.com"),
        (a, "yes", r"sent to the clinic"),
    ]
    for chat, text, expected in turns:
        reply = chat.say(text)
        server = "A" if chat is a else "B"
        assert re.search(expected, reply, re.I), (
            f"server {server} answered {text!r} with {reply!r}, expected /{expected}/"
        )

    # The whole conversation is in PostgreSQL's events table, in order, whichever server wrote it.
    events = rows(
        cluster["tracker_url"],
        "SELECT type_name, action_name, data FROM events WHERE sender_id = :s ORDER BY id",
        s=a.sender,
    )
    said = [json.loads(e["data"])["text"] for e in events if e["type_name"] == "user"]
    assert said == [text for _, text, _ in turns]
    assert "action_submit_consultation_request" in {e["action_name"] for e in events}

    # The action server stored the request in the clinic database on PostgreSQL.
    [stored] = rows(
        cluster["clinic_url"],
        "SELECT * FROM consultation_requests WHERE sender_id = :s",
        s=a.sender,
    )
    assert stored["name"] == "Maria Lopez" and stored["contact_kind"] == "email"
    assert [stored[s] for s in ("pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy")] == [
        "no"
    ] * 4

    # Both Rasa servers locked the conversation in Redis (the lock store's db 1), not in memory.
    stats = cluster["redis"].info("commandstats")
    assert stats.get("cmdstat_set", {}).get("calls", 0) >= len(turns), stats
    clients = cluster["redis"].client_list()
    assert sum(1 for c in clients if c.get("db") == "1") >= 2, clients
