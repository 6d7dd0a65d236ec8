"""Staff console against the real stack: the trained bot fills the tracker store by chatting,
the action server stores consultation requests, the console (the real web app) reads both.

Expected results are computed straight from the SQLite files with plain SQL, independently of
the console's own queries.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import warnings
from datetime import datetime, timedelta

import pytest
import requests
import yaml

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import Conversation
from tests.staff.staff_helpers import (
    PASSWORD,
    ROOT,
    Staff,
    record_console_errors,
    staff_cli,
    wait_for,
)

USERNAME = "nurse.jones"
EMAIL = "jane.doe@gmail.com"
NAME = "Jane Doe"


# --- ground truth from the database files --------------------------------------------------


def tracker_rows(stack) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"file:{stack.tracker_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    finally:
        conn.close()


def clinic_query(stack, sql: str, *args) -> list[sqlite3.Row]:
    conn = sqlite3.connect(stack.clinic_db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


class Truth:
    def __init__(self, stack):
        self.rows = tracker_rows(stack)
        self.users = [r for r in self.rows if r["type_name"] == "user"]
        self.conversations = {r["sender_id"] for r in self.users}
        self.requests = {
            r["sender_id"]
            for r in clinic_query(stack, "SELECT sender_id FROM consultation_requests")
        } & self.conversations

    def fallback(self) -> set[str]:
        return {
            r["sender_id"]
            for r in self.rows
            if (r["type_name"] == "user" and r["intent_name"] == "nlu_fallback")
            or (r["type_name"] == "action" and r["action_name"] == "action_default_fallback")
        } & self.conversations

    def flagged(self) -> set[str]:
        out = set()
        for r in self.rows:
            if r["type_name"] == "slot":
                data = json.loads(r["data"])
                if data.get("name") in (
                    "pregnant",
                    "inflamed_skin",
                    "sunburn",
                    "lidocaine_allergy",
                ) and str(data.get("value")).lower() in ("yes", "unsure"):
                    out.add(r["sender_id"])
        return out & self.conversations

    def in_french(self) -> set[str]:
        return {
            r["sender_id"]
            for r in self.rows
            if r["type_name"] == "slot"
            and json.loads(r["data"]).get("name") == "language"
            and json.loads(r["data"]).get("value") == "fr"
        } & self.conversations

    def with_intent(self, intent: str) -> set[str]:
        return {r["sender_id"] for r in self.users if r["intent_name"] == intent}

    def wrote(self, needle: str) -> set[str]:
        return {
            r["sender_id"]
            for r in self.users
            if needle.lower() in (json.loads(r["data"]).get("text") or "").lower()
        }


# --- the conversations and the staff account -----------------------------------------------


class Console:
    def __init__(self, stack):
        self.stack = stack
        self.base = stack.web_url
        self.booking = Conversation(stack.rasa_url)
        self.contra = Conversation(stack.rasa_url)
        self.odd = Conversation(stack.rasa_url)
        self.percent = Conversation(stack.rasa_url)
        self.french = Conversation(stack.rasa_url)
        self.transcripts: dict[str, list[str]] = {}

    def chat(self, conversation: Conversation, *texts: str) -> list[str]:
        said = self.transcripts.setdefault(conversation.sender, [])
        for text in texts:
            said.append(f"> {text}")
            said.append(conversation.say(text))
        return said

    def staff(self, username: str = USERNAME) -> Staff:
        client = Staff(self.base)
        response = client.login(username)
        assert response.status_code == 303, response.text
        return client


@pytest.fixture(scope="module")
def console(stack) -> Console:
    c = Console(stack)
    created = staff_cli(stack.clinic_db, "add", USERNAME)
    assert created.returncode == 0, created.stderr
    assert staff_cli(stack.clinic_db, "add", "locked.out").returncode == 0
    c.chat(
        c.booking, "I want to book", "no", "no", "no", "no", NAME, EMAIL, "Monday morning", "yes"
    )
    c.chat(c.contra, "I want to book", "yes", "no", "no", "no")
    c.chat(c.odd, "' OR 1=1 --", "xqzv blorp wibble?", "Does it hurt?")
    c.chat(c.percent, "Is it 100% safe?", "thanks")
    c.chat(c.french, "bonjour, est-ce que ça fait mal?", "merci")
    c.chat(c.french, "je veux prendre rendez-vous", "non", "non", "non", "non")
    c.chat(c.french, "Élise Côté", "819-555-0142", "lundi matin", "oui envoie")
    stored = wait_for(
        lambda: clinic_query(
            stack, "SELECT * FROM consultation_requests WHERE sender_id = ?", c.booking.sender
        )
    )
    assert stored, "the booking did not store a request; the bot said:\n" + "\n".join(
        c.transcripts[c.booking.sender]
    )
    c.request_id = stored[0]["id"]
    return c


@pytest.fixture(scope="module")
def staff(console) -> Staff:
    return console.staff()


def staff_routes():
    """Every route of the real app under /staff/, with a concrete path."""
    from sanic import Sanic

    from web.app import create_app
    from web.settings import Settings

    try:
        app = Sanic.get_app("staff_route_probe")
    except Exception:  # not made yet in this process
        app = create_app(
            Settings(
                secret_key="test",
                clinic_db_url="sqlite:///:memory:",
                tracker_db_url="sqlite:///:memory:",
            ),
            name="staff_route_probe",
        )
    routes = []
    for route in app.router.routes:
        if not (route.path == "staff" or route.path.startswith("staff/")):
            continue
        path = "/" + re.sub(r"<[^>]+:int>", "1", re.sub(r"<[^:>]+(:str)?>", "x", route.path))
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


# --- access --------------------------------------------------------------------------------


def test_every_staff_route_refuses_without_login(console):
    routes = staff_routes()
    assert len(routes) >= 25, routes
    anonymous = requests.Session()
    for method, path in routes:
        if path == "/staff/login":
            continue
        for cookie in (None, "forged-token-value"):
            anonymous.cookies.clear()
            if cookie:
                anonymous.cookies.set("staff_session", cookie, path="/staff")
            response = anonymous.request(
                method,
                console.base + path + "?sender=x&status=all",
                allow_redirects=False,
                timeout=30,
                data={"status": "closed", "reveal": "1"} if method == "POST" else None,
            )
            data_like = method != "GET" or "/export/" in path
            expected = 401 if data_like else 302
            assert response.status_code == expected, (method, path, response.status_code)
            if expected == 302:
                assert response.headers["Location"].startswith("/staff/login?next=")
            assert NAME not in response.text and EMAIL not in response.text
            assert console.booking.sender not in response.text
    # nothing changed: the POSTs above were refused
    status = clinic_query(
        console.stack, "SELECT status FROM consultation_requests WHERE id = ?", console.request_id
    )[0]["status"]
    assert status == "new"


def test_login_logout_and_cookie_attributes(console):
    client = Staff(console.base)
    wrong = client.login(USERNAME, "not the password at all")
    assert wrong.status_code == 401 and "staff_session" not in client.http.cookies
    response = client.login(USERNAME)
    assert response.status_code == 303
    cookie = next(
        c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("staff_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie  # COOKIE_SECURE is off on plain http://127.0.0.1
    page = client.get("/staff/")
    assert page.status_code == 200 and USERNAME in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["Cache-Control"] == "no-store"
    token = client.http.cookies.get("staff_session")
    count_sql = "SELECT COUNT(*) AS n FROM staff_sessions"
    sessions_before = clinic_query(console.stack, count_sql)[0]["n"]
    assert client.post("/staff/logout").status_code == 303
    assert clinic_query(console.stack, count_sql)[0]["n"] == sessions_before - 1
    stale = requests.get(
        console.base + "/staff/requests",
        cookies={"staff_session": token},
        allow_redirects=False,
        timeout=30,
    )
    assert stale.status_code == 302
    actions = {
        r["action"]
        for r in clinic_query(
            console.stack, "SELECT action FROM audit_log WHERE username = ?", USERNAME
        )
    }
    assert {"login", "login_failed", "logout"} <= actions


def test_login_is_rate_limited(console):
    client = Staff(console.base)
    for _ in range(5):
        assert client.login("locked.out", "wrong password, wrong").status_code == 401
    blocked = client.login("locked.out", PASSWORD)  # even the right password
    assert blocked.status_code == 429 and "staff_session" not in client.http.cookies
    # another account from the same address is not affected
    assert Staff(console.base).login(USERNAME).status_code == 303


def test_csrf_is_checked_on_every_post(console, staff):
    path = f"/staff/requests/{console.request_id}/status"
    other = console.staff()  # a second session has its own token
    for data in (
        {"status": "closed"},
        {"status": "closed", "csrf_token": "forged"},
        {"status": "closed", "csrf_token": other.csrf},
    ):
        response = staff.post(path, data, csrf=False)
        assert response.status_code == 403, data
    for path in (
        "/staff/conversations/reveal",
        "/staff/improve/label",
        "/staff/export/requests.csv",
        "/staff/logout",
    ):
        assert (
            staff.post(
                path, {"sender": console.booking.sender, "reveal": "1"}, csrf=False
            ).status_code
            == 403
        ), path
    login_page = Staff(console.base)
    login_page.get("/staff/login")
    no_token = login_page.post(
        "/staff/login", {"username": USERNAME, "password": PASSWORD}, csrf=False
    )
    assert no_token.status_code == 403
    assert (
        clinic_query(
            console.stack,
            "SELECT status FROM consultation_requests WHERE id = ?",
            console.request_id,
        )[0]["status"]
        == "new"
    )
    assert staff.get("/staff/").status_code == 200  # the session survived the rejected logout


# --- conversations -------------------------------------------------------------------------


def exported(staff: Staff, **filters) -> set[str]:
    response = staff.get("/staff/export/conversations.json?" + urllib.parse.urlencode(filters))
    assert response.status_code == 200, response.text
    return {c["sender_id"] for c in response.json()}


def listed_total(staff: Staff, **filters) -> int:
    page = staff.get("/staff/conversations?" + urllib.parse.urlencode(filters))
    assert page.status_code == 200
    return int(re.search(r'id="counts"><strong>(\d+)</strong>', page.text).group(1))


def test_list_filters_and_counts(console, staff):
    truth = Truth(console.stack)
    ours = {
        console.booking.sender,
        console.contra.sender,
        console.odd.sender,
        console.percent.sender,
        console.french.sender,
    }
    assert ours <= truth.conversations
    assert truth.in_french() & ours == {console.french.sender}
    assert console.contra.sender in truth.flagged() and console.booking.sender in truth.requests
    cases = [
        ({}, truth.conversations),
        ({"request": "yes"}, truth.requests),
        ({"request": "no"}, truth.conversations - truth.requests),
        ({"contra": "yes"}, truth.flagged()),
        ({"contra": "no"}, truth.conversations - truth.flagged()),
        ({"fallback": "yes"}, truth.fallback()),
        ({"fallback": "no"}, truth.conversations - truth.fallback()),
        ({"intent": "book_consultation"}, truth.with_intent("book_consultation")),
        ({"q": "does it HURT"}, truth.wrote("does it hurt")),
        ({"lang": "fr"}, truth.in_french()),
        ({"lang": "en"}, truth.conversations - truth.in_french()),
        (
            {"intent": "book_consultation", "contra": "yes"},
            truth.with_intent("book_consultation") & truth.flagged(),
        ),
    ]
    for filters, expected in cases:
        assert exported(staff, **filters) == expected, filters
        assert listed_total(staff, **filters) == len(expected), filters
    today = datetime.now().astimezone().date()
    assert ours <= exported(staff, **{"from": today.isoformat()})
    assert not ours & exported(staff, to=(today - timedelta(days=1)).isoformat())
    assert exported(staff, **{"from": (today + timedelta(days=1)).isoformat()}) == set()
    page = staff.get("/staff/conversations")
    assert page.text.index(console.percent.sender) < page.text.index(console.booking.sender)


@pytest.mark.parametrize(
    "needle, owner", [("' OR 1=1 --", "odd"), ("%", "percent"), ("100%", "percent"), ("_", None)]
)
def test_search_is_literal(console, staff, needle, owner):
    truth = Truth(console.stack)
    found = exported(staff, q=needle)
    assert found == truth.wrote(needle)
    if owner:
        assert getattr(console, owner).sender in found
    assert listed_total(staff, q=needle) == len(found)


def test_a_conversation_held_in_french_is_marked_so(console, staff):
    def view(sender):
        return staff.get("/staff/conversations/view?sender=" + urllib.parse.quote(sender)).text

    assert "speaks French" in view(console.french.sender)
    assert "speaks French" not in view(console.percent.sender)
    listed = staff.get("/staff/conversations?lang=fr").text
    assert console.french.sender in listed and console.percent.sender not in listed
    # the request is stored with its language: whom to call back in French
    [french] = wait_for(
        lambda: clinic_query(
            console.stack,
            "SELECT id, language FROM consultation_requests WHERE sender_id = ?",
            console.french.sender,
        )
    )
    assert french["language"] == "fr"
    assert "call back in French" in staff.get(f"/staff/requests/{french['id']}").text
    english = staff.get(f"/staff/requests/{console.request_id}").text
    assert "call back in French" not in english and "<dd>English</dd>" in english
    queue = staff.get("/staff/requests?status=all").text
    assert re.search(r'Élise Côté <span class="tag">French</span>', queue), queue


def test_transcript_masking_and_reveal(console, staff):
    sender = console.booking.sender
    page = staff.get("/staff/conversations/view?sender=" + urllib.parse.quote(sender))
    assert page.status_code == 200
    assert EMAIL not in page.text and "j***@g***.com" in page.text
    assert "I want to book" in page.text and "<details>" in page.text
    # the intent in plain words, its id and confidence behind "Show details"
    assert re.search(
        r"answered as <strong>Wants a consultation</strong> <code>book_consultation</code> "
        r"\(\d\.\d\d\)",
        page.text,
    )
    assert 'class="tag request"' in page.text
    contra = staff.get(
        "/staff/conversations/view?sender=" + urllib.parse.quote(console.contra.sender)
    )
    assert "pregnant: <strong>yes</strong>" in contra.text
    revealed = staff.post("/staff/conversations/reveal", {"sender": sender})
    assert revealed.status_code == 200 and EMAIL in revealed.text
    audit = clinic_query(
        console.stack,
        "SELECT username, action, target FROM audit_log WHERE target = ? ORDER BY id",
        sender,
    )
    assert [(r["username"], r["action"]) for r in audit][-2:] == [
        (USERNAME, "view_transcript"),
        (USERNAME, "reveal_contact"),
    ]
    assert staff.get("/staff/conversations/view?sender=no-such-sender").status_code == 404


def test_requests_queue_masking_and_status_change(console, staff):
    queue = staff.get("/staff/requests?status=new")
    assert queue.status_code == 200 and NAME in queue.text
    assert EMAIL not in queue.text and "j***@g***.com" in queue.text
    detail = staff.post(f"/staff/requests/{console.request_id}/reveal")
    assert detail.status_code == 200 and EMAIL in detail.text
    bad = staff.post(f"/staff/requests/{console.request_id}/status", {"status": "deleted"})
    assert bad.status_code == 400
    changed = staff.post(
        f"/staff/requests/{console.request_id}/status",
        {"status": "contacted", "next": "/staff/requests?status=new"},
    )
    assert changed.status_code == 303  # back to the list, which confirms what was saved
    assert changed.headers["Location"] == f"/staff/requests?status=new&saved={console.request_id}"
    confirmed = staff.get(changed.headers["Location"]).text
    assert f'Saved: request <a href="/staff/requests/{console.request_id}">' in confirmed
    row = clinic_query(
        console.stack, "SELECT * FROM consultation_requests WHERE id = ?", console.request_id
    )[0]
    assert row["status"] == "contacted" and row["status_changed_by"] == USERNAME
    assert row["status_changed_at"]
    assert (
        f'/staff/requests/{console.request_id}"' not in staff.get("/staff/requests?status=new").text
    )
    assert (
        f'/staff/requests/{console.request_id}"'
        in staff.get("/staff/requests?status=contacted").text
    )
    audit = clinic_query(
        console.stack,
        "SELECT action, detail FROM audit_log WHERE target = ? ORDER BY id",
        f"request:{console.request_id}",
    )
    assert [r["action"] for r in audit][-2:] == ["reveal_contact", "change_status"]
    assert json.loads(audit[-1]["detail"])["to"] == "contacted"
    offsite = staff.post(
        f"/staff/requests/{console.request_id}/status",
        {"status": "new", "next": "https://evil.example/"},
    )
    assert offsite.headers["Location"] == f"/staff/requests?saved={console.request_id}"


def test_exports_are_masked_by_default_and_audited(console, staff):
    csv_body = staff.get("/staff/export/requests.csv?status=all")
    assert csv_body.status_code == 200 and "attachment" in csv_body.headers["Content-Disposition"]
    assert EMAIL not in csv_body.text and "j***@g***.com" in csv_body.text
    conv = staff.get("/staff/export/conversations.csv")
    assert EMAIL not in conv.text and console.booking.sender in conv.text
    as_json = staff.get("/staff/export/requests.json").json()
    assert any(
        r["sender_id"] == console.booking.sender and r["contact"] == "j***@g***.com"
        for r in as_json
    )
    asked = staff.post("/staff/export/requests.json", {"reveal": "1", "status": "all"})
    assert asked.status_code == 303  # to the confirmation page first
    assert asked.headers["Location"] == "/staff/exports/unmasked?what=requests.json&status=all"
    unmasked = staff.post(
        "/staff/export/requests.json", {"reveal": "1", "confirmed": "1", "status": "all"}
    )
    assert any(r["contact"] == EMAIL for r in unmasked.json())
    exports = clinic_query(
        console.stack,
        "SELECT target, detail FROM audit_log WHERE action = 'export' AND username = ?",
        USERNAME,
    )
    details = [(r["target"], json.loads(r["detail"])["masked"]) for r in exports]
    assert ("requests.csv", True) in details and ("requests.json", False) in details
    audit_page = staff.get("/staff/audit")
    assert audit_page.status_code == 200 and "change status" in audit_page.text


# --- improving the assistant ---------------------------------------------------------------


def test_label_unclear_messages_and_export_nlu(console, staff, tmp_path):
    from rasa.shared.nlu.training_data.loading import load_data

    page = staff.get("/staff/improve")
    assert page.status_code == 200
    groups = re.findall(
        r'<li class="group">(.*?)</li>\s*(?=<li class="group">|</ol>)', page.text, re.S
    )
    assert groups, "the bot understood every message; nothing to label"
    first = groups[0]
    ids = re.findall(r'name="event_id" value="(\d+)"', first)
    intents = re.findall(r'<option value="([a-z_]+)"', first)
    assert "ask_price" in intents and "out_of_scope" in intents and "nlu_fallback" not in intents
    labelled = staff.post("/staff/improve/label", {"event_id": ids, "intent": "ask_price"})
    assert labelled.status_code == 303
    bogus = staff.post("/staff/improve/label", {"event_id": ids, "intent": "not_an_intent"})
    assert bogus.status_code == 400
    body = staff.get("/staff/export/nlu.yml")
    assert body.status_code == 200 and body.headers["Content-Type"].startswith("text/yaml")
    path = tmp_path / "nlu.yml"
    path.write_text(body.text)
    data = load_data(str(path))
    texts = {m.get("text") for m in data.intent_examples if m.get("intent") == "ask_price"}
    assert texts, body.text
    labels = clinic_query(console.stack, "SELECT text, intent, labelled_by FROM nlu_labels")
    assert {r["labelled_by"] for r in labels} == {USERNAME}
    assert not [r for r in labels if "@" in r["text"] and "someone@example.com" not in r["text"]]
    # the labelled group leaves the default view (counting groups would depend on the pager)
    after = staff.get("/staff/improve").text
    assert not [i for i in ids if f'name="event_id" value="{i}"' in after]


def test_story_export_reads_with_rasa(console, staff, tmp_path):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    response = staff.get(
        "/staff/export/story.yml?sender=" + urllib.parse.quote(console.booking.sender)
    )
    assert response.status_code == 200
    body = response.text
    assert EMAIL not in body and NAME not in body
    assert yaml.safe_load(body)["stories"]
    path = tmp_path / "test_conversation.yml"
    path.write_text(body)
    domain = Domain.load(str(ROOT / "domain.yml"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        steps = YAMLStoryReader(domain).read_from_file(str(path))
    assert not [w for w in caught if "not part of the domain" in str(w.message)]
    events = [e for step in steps for e in step.events]
    intents = [e.intent_name for e in events if e.type_name == "user"]
    assert intents[0] == "book_consultation" and intents.count("deny") >= 4
    actions = {e.action_name for e in events if e.type_name == "action"}
    assert actions <= set(domain.action_names_or_texts)
    assert not actions & {"action_listen", "action_session_start", "action_extract_slots"}
    assert {e.key for e in events if e.type_name == "slot"} <= {s.name for s in domain.slots}
    assert "action_submit_consultation_request" in actions


def test_dashboard(console, staff):
    page = staff.get("/staff/?days=7")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 3 and "Top intents" in page.text
    assert "<script" not in page.text


# --- retention -----------------------------------------------------------------------------


def test_retention_command_on_copies(console, tmp_path):
    tracker = tmp_path / "tracker.db"
    clinic = tmp_path / "clinic.db"
    shutil.copy(console.stack.tracker_db, tracker)
    shutil.copy(console.stack.clinic_db, clinic)
    old_sender = console.booking.sender
    with sqlite3.connect(tracker) as conn:  # make one conversation 400 days old
        conn.execute(
            "UPDATE events SET timestamp = timestamp - 400 * 86400 WHERE sender_id = ?",
            (old_sender,),
        )
        n_events = conn.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (old_sender,)
        ).fetchone()[0]
        senders = {r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events")}
    with sqlite3.connect(clinic) as conn:
        conn.execute(
            "UPDATE consultation_requests SET created_at = '2020-01-01 00:00:00.000000' "
            "WHERE sender_id = ?",
            (old_sender,),
        )
        n_requests = conn.execute("SELECT COUNT(*) FROM consultation_requests").fetchone()[0]
    env = {
        "TRACKER_DB_URL": f"sqlite:///{tracker}",
        "CLINIC_DB_URL": f"sqlite:///{clinic}",
        "PYTHONPATH": str(ROOT),
        "RETENTION_DAYS": "365",
        "PATH": "/usr/bin:/bin",
    }

    def run(*args):
        result = subprocess.run(
            [sys.executable, "-m", "web.staff.retention", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert run("--dry-run").startswith(
        f"Would delete 1 conversation(s) ({n_events} events) and 1 consultation request(s)"
    )
    assert run().startswith(f"Deleted 1 conversation(s) ({n_events} events) and 1 consultation")
    assert run().startswith("Deleted 0 conversation(s) (0 events) and 0 consultation")
    with sqlite3.connect(tracker) as conn:
        left = {r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events")}
    assert left == senders - {old_sender}
    with sqlite3.connect(clinic) as conn:
        assert (
            conn.execute("SELECT COUNT(*) FROM consultation_requests").fetchone()[0]
            == n_requests - 1
        )
    # the live files were not touched
    assert old_sender in {r["sender_id"] for r in tracker_rows(console.stack)}


# --- in a browser --------------------------------------------------------------------------


def test_browser_login_transcript_and_status_change(console, test_output):
    from playwright.sync_api import sync_playwright

    shots = test_output / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    base = console.base
    offsite: list[str] = []
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: None if r.url.startswith(base) else offsite.append(r.url))
            record_console_errors(page, problems)
            page.goto(base + "/staff/requests?status=all")
            assert "/staff/login" in page.url
            page.fill("#username", USERNAME)
            page.fill("#password", PASSWORD)
            page.screenshot(path=str(shots / "staff-login.png"))
            page.click("form[action='/staff/login'] button[type=submit]")
            page.wait_for_url(base + "/staff/requests?status=all")

            page.click("nav >> text=Conversations")
            page.wait_for_url(base + "/staff/conversations")
            page.click(f"a[href='/staff/conversations/view?sender={console.booking.sender}']")
            page.wait_for_selector("ol.transcript")
            assert "I want to book" in page.inner_text("ol.transcript")
            assert EMAIL not in page.content()
            assert not page.is_visible("li.internal")  # behind "Show details"
            page.check("#show-details")
            summary = page.locator("li.internal summary").first
            summary.click()
            assert page.locator("li.internal details").first.get_attribute("open") is not None
            page.screenshot(path=str(shots / "staff-transcript.png"), full_page=True)

            page.goto(base + "/staff/requests?status=all")
            form = page.locator(f"form[action='/staff/requests/{console.request_id}/status']")
            form.locator("select").select_option("closed")
            form.locator("button").click()
            page.wait_for_load_state()
            row = clinic_query(
                console.stack,
                "SELECT status, status_changed_by FROM consultation_requests WHERE id = ?",
                console.request_id,
            )[0]
            assert (row["status"], row["status_changed_by"]) == ("closed", USERNAME)
            page.goto(base + "/staff/requests?status=closed")
            assert page.locator(f"a[href='/staff/requests/{console.request_id}']").count() == 1
            page.screenshot(path=str(shots / "staff-requests.png"), full_page=True)

            page.goto(base + "/staff/")
            page.screenshot(path=str(shots / "staff-dashboard.png"), full_page=True)
            page.click("form[action='/staff/logout'] button")
            page.wait_for_url(base + "/staff/login")
            page.goto(base + "/staff/requests")
            assert "/staff/login" in page.url
        finally:
            browser.close()
    assert offsite == [], offsite
    assert problems == [], problems


def test_improve_shows_the_topic_a_visitor_tapped_when_offered_the_likeliest(console, staff):
    unsure = Conversation(console.stack.rasa_url)
    offer = unsure.say("is it worth it")
    assert re.search(r"did you mean", offer, re.I) and "Something else" in offer
    assert re.search(r"immediate|long.?term|glow", unsure.say("/ask_results"), re.I)
    page = staff.get("/staff/improve?days=30")
    assert page.status_code == 200
    assert re.search(r"the visitor chose <strong>Results</strong>", page.text)
