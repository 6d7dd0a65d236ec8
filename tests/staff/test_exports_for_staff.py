"""Exports as clinic staff open them: against the real web app on a real SQLite tracker store
(written the way Rasa writes it) and clinic database, with STAFF_TIMEZONE=Europe/Paris (not the
machine's zone, so a time left in UTC shows).

- every CSV starts with a UTF-8 byte order mark, so Excel shows "Ça fait mal";
- times are the clinic's local time, to the second, the zone named in the header, across a
  daylight-saving change;
- the per-message CSV holds what belongs to each message only; the conversation-level values
  are in a CSV with one row per conversation;
- a quick reply reads as its button's title ("Yes, send it"), not its payload ("/affirm");
- an unmasked export takes a confirmation page first, and stays audited;
- the exports page has one status select, and no enabled "Export 0 new examples".

Expected values are computed from the database files with plain SQL and zoneinfo.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import urllib.parse
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinic.requests import save_request
from tests.staff.review_helpers import audit_since, last_audit_id
from tests.staff.review_helpers import rows as sql  # `rows` names CSV rows here
from tests.staff.staff_helpers import (
    Staff,
    action,
    booking_events,
    console_app,
    request_fields,
    session_start,
    staff_cli,
    user,
    write_tracker,
)

USERNAME = "export.clerk"
ZONE = "Europe/Paris"
PARIS = ZoneInfo(ZONE)
EMAIL = "ana.export@gmail.com"
# Summer (UTC+2) and winter (UTC+1), with fractions of a second that must not show.
SUMMER = datetime(2026, 7, 1, 10, 0, 0, 250000, tzinfo=timezone.utc).timestamp()
WINTER = datetime(2026, 1, 15, 10, 0, 0, 500000, tzinfo=timezone.utc).timestamp()
RECEIVED = datetime(2026, 7, 1, 10, 5, 7, 123456, tzinfo=timezone.utc)
BUTTONS = [
    {"title": "Yes, send it", "payload": "/affirm"},
    {"title": "No, change it", "payload": "/deny"},
]


def bot_with(text: str, buttons: list[dict]):
    from rasa.shared.core.events import BotUttered

    return BotUttered(text, {"buttons": buttons}, {"utter_action": "utter_ask_confirm"})


def bot(text: str):
    from rasa.shared.core.events import BotUttered

    return BotUttered(text, {}, {"utter_action": "utter_x"})


def conversations() -> dict[str, tuple[list, float]]:
    return {
        "summer-french": (
            session_start()
            + [
                user("Ça fait mal ?", "ask_pain", 0.93),
                bot("Un peu."),
                bot_with("Shall I send your request?", BUTTONS),
                action("action_listen"),
                user("/affirm", "affirm", 1.0),  # the visitor tapped "Yes, send it"
                bot("Sent."),
                user("/stop", "stop", 1.0),  # typed: no button had this payload
            ],
            SUMMER,
        ),
        "winter-fallback": (
            session_start()
            + [
                user("xqzv blorp", "nlu_fallback", 0.2),
                action("action_default_fallback"),
                bot("Sorry, I did not get that."),
                user("Does it hurt?", "ask_pain", 0.95),
                bot("A little."),
            ],
            WINTER,
        ),
        "booked": (booking_events("Ana Export", EMAIL), SUMMER + 3600),
    }


def with_conversations(where: Path, username: str) -> Path:
    """`where` with the conversations above in tracker.db and staff account `username` in
    clinic.db."""
    for sender, (evts, start) in conversations().items():
        write_tracker(where / "tracker.db", sender, evts, start)
    assert staff_cli(where / "clinic.db", "add", username).returncode == 0
    return where


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = with_conversations(tmp_path_factory.mktemp("staff_exports"), USERNAME)
    save_request(
        f"sqlite:///{where / 'clinic.db'}",
        request_fields("booked", "Ana Export", EMAIL, created_at=RECEIVED),
    )
    return where


@pytest.fixture(scope="module")
def staff(folder: Path) -> Iterator[Staff]:
    with console_app(folder, STAFF_TIMEZONE=ZONE) as base:
        client = Staff(base)
        assert client.login(USERNAME).status_code == 303
        yield client


def paris(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")


def messages_in_tracker(folder: Path) -> list[tuple[str, str, str]]:
    """(sender, local time, text) of every visitor and assistant message, in order."""
    out = []
    for row in sql(
        folder / "tracker.db",
        "SELECT sender_id, timestamp, data FROM events WHERE type_name IN ('user', 'bot') "
        "ORDER BY sender_id, id",
    ):
        out.append((row["sender_id"], paris(row["timestamp"]), json.loads(row["data"])["text"]))
    return out


def read_csv(response) -> tuple[list[str], list[dict[str, str]]]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def audits(folder: Path, after: int = 0) -> list[sqlite3.Row]:
    return audit_since(folder / "clinic.db", after)


def last_audit(folder: Path) -> int:
    return last_audit_id(folder / "clinic.db")


CSVS = [
    "/staff/export/conversations.csv",
    "/staff/export/conversation-summary.csv",
    "/staff/export/requests.csv?status=all",
]


@pytest.mark.parametrize("path", CSVS)
def test_every_csv_starts_with_a_utf8_byte_order_mark(staff: Staff, path: str) -> None:
    response = staff.get(path)
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert not response.content.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    assert not staff.get("/staff/export/conversations.json").content.startswith(b"\xef\xbb\xbf")


def test_accents_survive_as_excel_reads_a_file_with_a_bom(staff: Staff) -> None:
    raw = staff.get("/staff/export/conversations.csv").content
    # Excel with a BOM reads UTF-8; without one it reads the legacy code page, and shows this:
    assert "Ça fait mal".encode().decode("cp1252") == "Ã‡a fait mal"
    assert "Ça fait mal ?" in raw.decode("utf-8-sig")
    assert "Ã‡a" not in raw.decode("utf-8-sig")


def test_message_times_are_local_to_the_second_with_the_zone_in_the_header(
    staff: Staff, folder: Path
) -> None:
    header, rows = read_csv(staff.get("/staff/export/conversations.csv"))
    assert header[:3] == ["sender_id", "time (Europe/Paris)", "from"]
    expected = messages_in_tracker(folder)
    got = sorted(
        ((r["sender_id"], r["time (Europe/Paris)"], r["text"]) for r in rows),
        key=lambda r: (r[0], r[1]),
    )
    exported_times = {(s, t) for s, t, _ in got}
    assert exported_times == {(s, t) for s, t, _ in expected}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for _, t, _ in got)
    # summer is UTC+2, winter UTC+1 (a fixed offset gets one wrong); the first visitor message
    # comes after the three events of the session's start, 2 s apart
    assert ("summer-french", "2026-07-01 12:00:06") in exported_times
    assert ("winter-fallback", "2026-01-15 11:00:06") in exported_times


def test_request_times_are_local_in_csv_and_json(staff: Staff) -> None:
    header, rows = read_csv(staff.get("/staff/export/requests.csv?status=all"))
    assert "created_at (Europe/Paris)" in header and "status_changed_at (Europe/Paris)" in header
    assert rows[0]["created_at (Europe/Paris)"] == "2026-07-01 12:05:07"
    as_json = staff.get("/staff/export/requests.json?status=all").json()
    assert as_json[0]["created_at"] == "2026-07-01T12:05:07+02:00"
    conversations_json = {
        c["sender_id"]: c for c in staff.get("/staff/export/conversations.json").json()
    }
    assert conversations_json["winter-fallback"]["started"] == "2026-01-15T11:00:00+01:00"
    assert conversations_json["summer-french"]["messages"][0]["time"] == "2026-07-01T12:00:06+02:00"


def test_the_per_message_csv_holds_only_what_belongs_to_each_message(staff: Staff) -> None:
    header, rows = read_csv(staff.get("/staff/export/conversations.csv"))
    assert not {"fallback", "contraindications", "has_request"} & set(header)
    unclear = [r["text"] for r in rows if r["not understood"] == "yes"]
    assert "xqzv blorp" in unclear and "Does it hurt?" not in unclear
    assert not [r for r in rows if r["from"] == "assistant" and r["not understood"]]
    header, summary = read_csv(staff.get("/staff/export/conversation-summary.csv"))
    assert header[:3] == ["sender_id", "started (Europe/Paris)", "last message (Europe/Paris)"]
    by_sender = {r["sender_id"]: r for r in summary}
    assert sorted(by_sender) == ["booked", "summer-french", "winter-fallback"]  # one row each
    assert by_sender["winter-fallback"]["fallback"] == "yes"
    assert by_sender["summer-french"]["fallback"] == "no"
    assert by_sender["booked"]["consultation request"] == "yes"
    assert by_sender["winter-fallback"]["visitor messages"] == "2"
    assert by_sender["winter-fallback"]["started (Europe/Paris)"] == "2026-01-15 11:00:00"


def test_a_quick_reply_reads_as_its_buttons_title(staff: Staff) -> None:
    _, rows = read_csv(staff.get("/staff/export/conversations.csv"))
    said = [r["text"] for r in rows if r["sender_id"] == "summer-french" and r["from"] == "visitor"]
    assert said == ["Ça fait mal ?", "Yes, send it", "/stop"]
    assert not [r for r in rows if r["text"] == "/affirm"]
    message = next(
        m
        for c in staff.get("/staff/export/conversations.json").json()
        if c["sender_id"] == "summer-french"
        for m in c["messages"]
        if m.get("payload")
    )
    assert (message["text"], message["payload"], message["intent"]) == (
        "Yes, send it",
        "/affirm",
        "affirm",
    )


# --- the unmasked export -------------------------------------------------------------------


def test_an_unmasked_export_goes_through_a_confirmation_page(staff: Staff, folder: Path) -> None:
    since = last_audit(folder)
    asked = staff.post("/staff/export/requests.csv", {"reveal": "1", "status": "new"})
    assert asked.status_code == 303 and EMAIL not in asked.text
    assert asked.headers["Location"] == "/staff/exports/unmasked?what=requests.csv&status=new"
    assert not [r for r in audits(folder, since) if r["action"] == "export"]
    page = staff.get(asked.headers["Location"])
    assert page.status_code == 200 and EMAIL not in page.text
    assert "<strong>1 request</strong> (status new)" in page.text
    form = re.search(
        r'<form method="post" action="/staff/export/requests.csv".*?</form>', page.text, re.S
    )
    assert form, page.text[:2000]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    assert fields["reveal"] == "1" and fields["confirmed"] == "1" and fields["status"] == "new"
    viewed = [r for r in audits(folder, since) if r["action"] == "view_export_confirm"]
    assert [json.loads(r["detail"])["count"] for r in viewed] == [1]
    since = last_audit(folder)
    done = staff.post("/staff/export/requests.csv", fields)
    _, rows = read_csv(done)
    assert [r["contact"] for r in rows] == [EMAIL]
    assert "UNMASKED" in done.headers["Content-Disposition"]
    exported = [r for r in audits(folder, since) if r["action"] == "export"]
    assert [(r["target"], json.loads(r["detail"])["masked"], r["username"]) for r in exported] == [
        ("requests.csv", False, USERNAME)
    ]


def test_the_confirmation_carries_the_conversation_filters_and_counts_them(
    staff: Staff, folder: Path
) -> None:
    asked = staff.post("/staff/export/conversations.json", {"reveal": "1", "fallback": "yes"})
    assert asked.status_code == 303
    location = asked.headers["Location"]
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query) == {
        "what": ["conversations.json"],
        "fallback": ["yes"],
    }
    page = staff.get(location)
    assert "<strong>1 conversation</strong>" in page.text and "fallback=yes" in page.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text.split("<main>")[1]))
    assert fields["fallback"] == "yes"
    body = staff.post("/staff/export/conversations.json", fields).json()
    assert [c["sender_id"] for c in body] == ["winter-fallback"]
    assert staff.get("/staff/exports/unmasked?what=story.yml").status_code == 400
    assert staff.get("/staff/exports/unmasked?what=requests.csv&status=gone").status_code == 400
    masked = staff.get("/staff/export/requests.csv?status=all")
    assert EMAIL not in masked.content.decode("utf-8-sig")


# --- the exports page ----------------------------------------------------------------------


def test_the_exports_page_has_one_status_select_and_no_empty_nlu_export(
    staff: Staff, folder: Path
) -> None:
    from clinic.db import engine_for
    from web.staff.clinic_queries import store_labels

    page = staff.get("/staff/exports").text
    assert page.count("<select") == 1
    select = re.search(r'<select id="request-status" name="status">(.*?)</select>', page, re.S)
    assert select and re.findall(r"<option value=\"(\w+)\"\s*(selected)?", select.group(1)) == [
        ("all", "selected"),
        ("new", ""),
        ("contacted", ""),
        ("closed", ""),
    ]
    button = re.search(r"<button[^>]*>Export[^<]*new example[^<]*</button>", page)
    assert button and "disabled" in button.group(0), page
    assert "Export 0" not in page
    reason = re.search(r'aria-describedby="([\w-]+)"', button.group(0)).group(1)
    assert re.search(rf'id="{reason}"[^>]*>Nothing new to export', page)
    from_the_queue = staff.get("/staff/exports?status=new").text  # its link keeps the tab
    assert re.search(r'<option value="new"\s+selected>', from_the_queue)
    event = sql(
        folder / "tracker.db", "SELECT id, data FROM events WHERE intent_name = 'nlu_fallback'"
    )
    store_labels(
        engine_for(f"sqlite:///{folder / 'clinic.db'}"),
        [{"sender_id": "winter-fallback", "data": json.loads(event[0]["data"])}],
        "out_of_scope",
        "someone.else",
        "127.0.0.1",
    )
    page = staff.get("/staff/exports").text
    button = re.search(r"<button[^>]*>Export 1 new example as Rasa NLU YAML</button>", page)
    assert button and "disabled" not in button.group(0)
