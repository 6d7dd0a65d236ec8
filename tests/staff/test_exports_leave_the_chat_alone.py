"""A staff export does not stall the visitors' chat.

The web app serves the chat and the console on one event loop. An export of thousands of
conversations takes seconds; were it run on the loop, every chat message arriving meanwhile
would wait for it. Against the real web app (Rasa replaced by a stand-in that answers at once,
so the time measured is the web app's own) and a tracker store of a few thousand booking
conversations.
"""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.staff.staff_helpers import Staff, booking_events, staff_cli, write_tracker
from tests.web_process import FakeRasa, web_app

USERNAME = "export.nurse"
CONVERSATIONS = 4000


def fill_tracker(tracker: Path, copies: int) -> None:
    """One real booking conversation, copied under `copies` sender ids (fast, in SQL)."""
    write_tracker(tracker, "template", booking_events(), time.time() - 3600)
    with sqlite3.connect(tracker) as db:
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "SELECT 'visitor-' || n.i, type_name, timestamp + n.i, intent_name, action_name, data "
            "FROM n, events WHERE sender_id = 'template'",
            (copies,),
        )


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("exports_and_chat")
    fill_tracker(folder / "tracker.db", CONVERSATIONS)
    assert staff_cli(folder / "clinic.db", "add", USERNAME).returncode == 0
    rasa = FakeRasa()
    env = {"CHAT_RATE_PER_SENDER": "0", "CHAT_RATE_PER_ADDRESS": "0"}
    try:
        with web_app(folder, rasa.url, env) as base_url:
            staff = Staff(base_url)
            assert staff.login(USERNAME).status_code == 303  # to the console
            yield base_url, staff
    finally:
        rasa.close()


def export(staff: Staff) -> float:
    started = time.monotonic()
    response = staff.get("/staff/export/conversations.json", timeout=300)
    assert response.status_code == 200 and response.json()
    return time.monotonic() - started


def chat(base_url: str, sender: str) -> float:
    started = time.monotonic()
    response = requests.post(
        f"{base_url}/api/chat", json={"sender": sender, "message": "does it hurt?"}, timeout=30
    )
    assert response.status_code == 200
    return time.monotonic() - started


def test_the_chat_answers_promptly_while_exports_run(console):
    base_url, staff = console
    alone = export(staff)
    # Enough data that an export on the event loop would hold chat messages for seconds.
    assert alone > 1.0, f"one export took {alone:.2f} s: too little data to tell"
    quiet = max(chat(base_url, f"quiet-{uuid.uuid4().hex}") for _ in range(5))

    exports = [threading.Thread(target=export, args=(staff,)) for _ in range(3)]
    for thread in exports:
        thread.start()
    during: list[float] = []
    sender = f"busy-{uuid.uuid4().hex}"
    deadline = time.monotonic() + 120
    while any(t.is_alive() for t in exports) and time.monotonic() < deadline:
        during.append(chat(base_url, sender))
        time.sleep(0.05)
    for thread in exports:
        thread.join(timeout=120)
    print(
        f"\none export {alone:.2f} s; chat worst {quiet * 1000:.0f} ms alone, "
        f"{max(during) * 1000:.0f} ms over {len(during)} messages during 3 exports"
    )
    assert len(during) >= 5
    # On the loop, a message arriving during an export would wait for the rest of it: about
    # half an export typically, a whole one at worst. Off the loop it waits only for a share of
    # two cores busy with three exports, which now and then costs one message a few hundred ms.
    assert statistics.median(during) < min(0.5, alone / 4)
    assert max(during) < 0.9 * alone
