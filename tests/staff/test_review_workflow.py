"""The review workflow against the real stack: the trained bot fills the tracker store as
visitors chat, staff review, tag and annotate those conversations in the real web app (HTTP
and Chromium), and the clinic database is checked with plain SQL.

Improve states are in test_review_improve.py, the same queries on PostgreSQL in
test_review_postgres.py.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid

import pytest
import requests

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import Conversation
from tests.staff.review_helpers import (
    NEW_POSTS,
    UNLABELLED_INPUTS_JS,
    changes_since,
    counts,
    last_audit_id,
    listed_senders,
    press_access_key,
    rows,
)
from tests.staff.staff_helpers import ROOT, Staff, record_console_errors, sign_in, staff_cli

ANNA, BEN = "review.anna", "review.ben"


class Review:
    def __init__(self, stack):
        self.stack = stack
        self.base = stack.web_url
        self.db = stack.clinic_db
        self.said = {}
        for key, text in (
            ("hurt", "Does it hurt?"),
            ("recovery", "How long is the recovery?"),
            ("odd", "xqzv blorp wibble?"),
            ("makeup", "Can I wear makeup after?"),
            ("safe", "Is it safe?"),
        ):
            conversation = Conversation(stack.rasa_url)
            self.said[key] = conversation.say(text)
            setattr(self, key, conversation.sender)

    def staff(self, username: str = ANNA) -> Staff:
        client = Staff(self.base)
        assert client.login(username).status_code == 303
        return client

    def view(self, client: Staff, sender: str, **filters) -> str:
        page = client.get(
            "/staff/conversations/view?" + urllib.parse.urlencode({"sender": sender, **filters})
        )
        assert page.status_code == 200, page.status_code
        return page.text


@pytest.fixture(scope="module")
def review(stack) -> Review:
    for name in (ANNA, BEN):
        assert staff_cli(stack.clinic_db, "add", name).returncode == 0
    return Review(stack)


def row_of(html: str, sender: str) -> str:
    match = re.search(
        r"<tr[^>]*>(?:(?!</tr>).)*?sender=" + re.escape(sender) + r".*?</tr>", html, re.S
    )
    assert match, f"{sender} is not listed"
    return match.group(0)


def listed(client: Staff, **filters) -> list[str]:
    page = client.get("/staff/conversations?" + urllib.parse.urlencode(filters))
    assert page.status_code == 200
    return listed_senders(page.text)


# --- review status -------------------------------------------------------------------------


def test_opening_does_not_mark_a_conversation_the_button_does(review):
    anna, ben = review.staff(ANNA), review.staff(BEN)
    review.view(anna, review.hurt)
    assert not rows(
        review.db, "SELECT * FROM conversation_reviews WHERE sender_id = ?", review.hurt
    )
    assert 'class="review unread"' in row_of(anna.get("/staff/conversations").text, review.hurt)
    since = last_audit_id(review.db)
    done = anna.post("/staff/conversations/review", {"sender": review.hurt, "review": "reviewed"})
    assert done.status_code == 303
    assert done.headers["Location"] == "/staff/conversations/view?sender=" + review.hurt
    stored = rows(review.db, "SELECT * FROM conversation_reviews WHERE sender_id = ?", review.hurt)
    assert [(r["status"], r["changed_by"]) for r in stored] == [("reviewed", ANNA)]
    audited = changes_since(review.db, since)
    assert [(r["action"], r["username"], r["target"]) for r in audited] == [
        ("review", ANNA, review.hurt)
    ]
    assert json.loads(audited[0]["detail"]) == {"from": "unread", "to": "reviewed", "note": False}
    # the second staff account sees who reviewed it, in the list and on the transcript
    listed_row = row_of(ben.get("/staff/conversations").text, review.hurt)
    assert 'class="review reviewed"' in listed_row and f"by {ANNA}" in listed_row
    assert f"by {ANNA}" in review.view(ben, review.hurt)
    assert review.hurt in listed(ben, status="reviewed")
    assert review.hurt not in listed(ben, status="unread")
    # the same status again changes nothing and is not audited again
    anna.post("/staff/conversations/review", {"sender": review.hurt, "review": "reviewed"})
    assert [r["action"] for r in changes_since(review.db, since)] == ["review"]
    assert (
        anna.post(
            "/staff/conversations/review", {"sender": "no-such-conversation", "review": "reviewed"}
        ).status_code
        == 404
    )
    assert (
        anna.post(
            "/staff/conversations/review", {"sender": review.hurt, "review": "deleted"}
        ).status_code
        == 400
    )


def test_follow_up_needs_a_note_and_filters_by_status(review):
    anna = review.staff()
    sender = review.recovery
    assert (
        anna.post(
            "/staff/conversations/review", {"sender": sender, "review": "follow_up", "note": " "}
        ).status_code
        == 400
    )
    assert (
        anna.post(
            "/staff/conversations/review",
            {"sender": sender, "review": "follow_up", "note": "ask the doctor about downtime"},
        ).status_code
        == 303
    )
    stored = rows(review.db, "SELECT * FROM conversation_reviews WHERE sender_id = ?", sender)
    assert (stored[0]["status"], stored[0]["note"]) == (
        "follow_up",
        "ask the doctor about downtime",
    )
    assert "ask the doctor about downtime" in row_of(anna.get("/staff/conversations").text, sender)
    truth = {
        r["sender_id"]
        for r in rows(
            review.db, "SELECT sender_id FROM conversation_reviews WHERE status = 'follow_up'"
        )
    }
    assert set(listed(anna, status="follow_up")) == truth
    assert sender not in listed(anna, status="unread")
    # and unread again
    anna.post("/staff/conversations/review", {"sender": sender, "review": "unread"})
    assert sender in listed(anna, status="unread")
    actions = [
        r["action"]
        for r in rows(
            review.db, "SELECT action FROM audit_log WHERE target = ? AND action = 'review'", sender
        )
    ]
    assert actions == ["review", "review"]


# --- tags ----------------------------------------------------------------------------------


def test_tags_are_made_by_typing_filtered_counted_and_removed(review):
    anna, ben = review.staff(), review.staff(BEN)
    since = last_audit_id(review.db)
    assert (
        anna.post(
            "/staff/conversations/tags", {"sender": review.hurt, "name": "Wrong answer"}
        ).status_code
        == 303
    )
    # the same name typed differently is the same tag
    assert (
        ben.post(
            "/staff/conversations/tags", {"sender": review.recovery, "name": "  wrong   ANSWER "}
        ).status_code
        == 303
    )
    assert [
        r["name"]
        for r in rows(review.db, "SELECT name FROM tags WHERE name_key = ?", "wrong answer")
    ] == ["Wrong answer"]
    tagged = {review.hurt, review.recovery}
    assert set(listed(anna, tag="Wrong answer")) == tagged
    assert set(listed(anna, tag="wrong answer", status="reviewed")) == {review.hurt}
    export = anna.get("/staff/export/conversations.json?tag=Wrong+answer").json()
    assert {c["sender_id"] for c in export} == tagged
    page = anna.get("/staff/conversations").text
    assert 'class="tag label"' in row_of(page, review.hurt)
    assert 'class="tag label"' not in row_of(page, review.odd)
    assert re.search(r"Wrong answer</a> 2 conversations", anna.get("/staff/").text)
    tag_id = rows(review.db, "SELECT id FROM tags WHERE name = 'Wrong answer'")[0]["id"]
    removed = anna.post(
        "/staff/conversations/tags/remove",
        {"sender": review.hurt, "tag_id": str(tag_id), "tag": "Wrong answer"},
    )
    assert removed.status_code == 303 and "tag=Wrong+answer" in removed.headers["Location"]
    assert listed(anna, tag="Wrong answer") == [review.recovery]
    assert "Remove tag Wrong answer" not in review.view(anna, review.hurt)
    audited = [(r["action"], r["username"]) for r in changes_since(review.db, since)]
    assert audited == [("create_tag", ANNA), ("tag", ANNA), ("tag", BEN), ("untag", ANNA)]


# --- notes ---------------------------------------------------------------------------------


def test_a_note_is_shown_to_staff_and_never_sent_to_the_visitor(review):
    # The web app issues the conversation and binds it to the browser's cookie.
    browser = requests.Session()
    issued = browser.post(review.base + "/api/chat/new", json={}, timeout=30)
    assert issued.status_code == 200, issued.text
    sender = issued.json()["sender"]
    chat = review.base + "/api/chat"

    def say(text: str) -> str:
        answer = browser.post(chat, json={"sender": sender, "message": text}, timeout=120)
        assert answer.status_code == 200, answer.text
        return answer.text

    replies = [say("Does microneedling hurt?")]
    note = f"Staff only {uuid.uuid4().hex[:8]}: visitor sounded anxious, call back"
    anna = review.staff()
    since = last_audit_id(review.db)
    added = anna.post("/staff/conversations/notes", {"sender": sender, "text": note})
    assert added.status_code == 303
    assert note in review.view(anna, sender) and note in review.view(review.staff(BEN), sender)
    stored = rows(
        review.db, "SELECT author, text FROM conversation_notes WHERE sender_id = ?", sender
    )
    assert [(r["author"], r["text"]) for r in stored] == [(ANNA, note)]
    audited = changes_since(review.db, since)
    assert [r["action"] for r in audited] == ["add_note"] and note not in audited[0]["detail"]
    replies += [say("How long does it take?"), say("what did the staff write about me?")]
    assert not [r for r in replies if note in r or "Staff only" in r]
    tracker = sqlite3.connect(f"file:{review.stack.tracker_db}?mode=ro", uri=True)
    try:
        datas = [
            r[0] for r in tracker.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
        ]
    finally:
        tracker.close()
    assert datas and not [d for d in datas if "Staff only" in d]
    assert (
        anna.post("/staff/conversations/notes", {"sender": sender, "text": "  "}).status_code == 400
    )


# --- access --------------------------------------------------------------------------------


def test_every_new_route_needs_a_login_and_the_sessions_csrf_token(review):
    from web.staff.routes import review as review_routes

    covered = {path for path, _ in NEW_POSTS}
    declared = {
        "/staff/" + re.sub(r"<[^>]+:int>", "1", route.uri.lstrip("/"))
        for route in review_routes.bp._future_routes
        if "POST" in route.methods
    }
    assert declared <= covered, declared - covered
    anna, other = review.staff(), review.staff(BEN)
    before = counts(review.db)
    for path, data in NEW_POSTS:
        data = {"sender": review.odd, **data}
        anonymous = requests.post(review.base + path, data=data, allow_redirects=False, timeout=30)
        assert anonymous.status_code == 401, path
        for token in (None, "forged", other.csrf):
            form = dict(data, **({"csrf_token": token} if token else {}))
            assert anna.post(path, form, csrf=False).status_code == 403, (path, token)
    assert counts(review.db) == before
    skip = requests.get(
        review.base + "/staff/conversations/next?sender=x", timeout=30, allow_redirects=False
    )
    assert skip.status_code == 302 and skip.headers["Location"].startswith("/staff/login?next=")


# --- retention -----------------------------------------------------------------------------


def test_retention_deletes_reviews_tags_and_notes_with_their_conversation(review, tmp_path):
    anna = review.staff()
    old, kept = review.makeup, review.safe
    for sender in (old, kept):
        anna.post(
            "/staff/conversations/review",
            {"sender": sender, "review": "follow_up", "note": "call back"},
        )
        anna.post("/staff/conversations/tags", {"sender": sender, "name": "great example"})
        anna.post("/staff/conversations/notes", {"sender": sender, "text": "keep an eye"})
    tracker, clinic = tmp_path / "tracker.db", tmp_path / "clinic.db"
    shutil.copy(review.stack.tracker_db, tracker)
    shutil.copy(review.db, clinic)
    with sqlite3.connect(tracker) as conn:  # one conversation 400 days old
        conn.execute(
            "UPDATE events SET timestamp = timestamp - 400 * 86400 WHERE sender_id = ?", (old,)
        )
    env = {
        "TRACKER_DB_URL": f"sqlite:///{tracker}",
        "CLINIC_DB_URL": f"sqlite:///{clinic}",
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "web.staff.retention", "--days", "365"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 conversation(s)" in done.stdout and "with 3 review(s)" in done.stdout

    def kept_about(sender: str) -> list[int]:
        return [
            rows(clinic, f"SELECT COUNT(*) AS n FROM {table} WHERE sender_id = ?", sender)[0]["n"]
            for table in ("conversation_reviews", "conversation_tags", "conversation_notes")
        ]

    assert kept_about(old) == [0, 0, 0] and kept_about(kept) == [1, 1, 1]
    assert rows(clinic, "SELECT COUNT(*) AS n FROM tags WHERE name = 'great example'")[0]["n"] == 1
    again = subprocess.run(
        [sys.executable, "-m", "web.staff.retention", "--days", "365"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Deleted 0 conversation(s)" in again.stdout and "with 0 review(s)" in again.stdout
    assert kept_about(kept) == [1, 1, 1]
    # the live files were not touched
    assert len(rows(review.db, "SELECT * FROM conversation_notes WHERE sender_id = ?", old)) == 1
    audited = rows(clinic, "SELECT detail FROM audit_log WHERE action = 'retention'")
    assert json.loads(audited[-1]["detail"])["review_rows"] == 3


# --- saved filters -------------------------------------------------------------------------


def test_saved_filters_are_per_person_and_survive_a_restart(review, tmp_path):
    from tests.web_process import FakeRasa, web_app

    env = {
        "CLINIC_DB_URL": f"sqlite:///{review.db}",
        "TRACKER_DB_URL": f"sqlite:///{review.stack.tracker_db}",
    }
    wanted = {"status": "unread", "fallback": "yes", "tag": "wrong answer"}
    name = "Unread fallbacks, wrong answers"
    rasa = FakeRasa()
    try:
        with web_app(tmp_path / "first", rasa.url, env) as base:
            anna = Staff(base)
            assert anna.login(ANNA).status_code == 303
            saved = anna.post("/staff/filters", {"name": name, **wanted, "page": "3"})
            assert saved.status_code == 303
            assert saved.headers["Location"] == "/staff/conversations?" + urllib.parse.urlencode(
                {"fallback": "yes", "status": "unread", "tag": "wrong answer"}
            )
        with web_app(tmp_path / "second", rasa.url, env) as base:  # a new process
            anna, ben = Staff(base), Staff(base)
            assert anna.login(ANNA).status_code == 303 and ben.login(BEN).status_code == 303
            page = anna.get("/staff/conversations").text
            link = re.search(r'<a href="(/staff/conversations\?[^"]+)">' + name + "</a>", page)
            assert link, "the saved filter is not listed"
            target = link.group(1).replace("&amp;", "&")
            assert dict(urllib.parse.parse_qsl(target.split("?", 1)[1])) == {
                "fallback": "yes",
                "status": "unread",
                "tag": "wrong answer",
            }
            filtered = anna.get(target).text
            assert '<option value="unread" selected>' in filtered
            assert f">{name}</a>" not in ben.get("/staff/conversations").text  # anna's only
            filter_id = rows(review.db, "SELECT id FROM saved_filters WHERE name = ?", name)[0][
                "id"
            ]
            assert ben.post(f"/staff/filters/{filter_id}/delete").status_code == 303
            assert f">{name}</a>" in anna.get("/staff/conversations").text  # ben cannot delete it
            assert anna.post(f"/staff/filters/{filter_id}/delete").status_code == 303
            assert f">{name}</a>" not in anna.get("/staff/conversations").text
    finally:
        rasa.close()
    audited = [
        (r["action"], r["username"])
        for r in rows(review.db, "SELECT action, username FROM audit_log WHERE target = ?", name)
    ]
    assert audited == [("save_filter", ANNA), ("delete_filter", ANNA)]


# --- in a browser, by keyboard -------------------------------------------------------------


def test_review_loop_in_a_browser_by_keyboard(review, test_output):
    from playwright.sync_api import sync_playwright

    shots = test_output / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    batch = [review.odd, review.makeup, review.safe]
    anna = review.staff()
    for sender in batch:
        anna.post("/staff/conversations/tags", {"sender": sender, "name": "spot check"})
        anna.post("/staff/conversations/review", {"sender": sender, "review": "unread"})
    base, problems = review.base, []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            record_console_errors(page, problems)
            page.goto(base + "/staff/conversations?tag=spot+check&status=unread")
            sign_in(page, ANNA)
            page.wait_for_url(re.compile(r".*/conversations\?tag=spot\+check&status=unread$"))
            order = listed_senders(page.content())
            assert sorted(order) == sorted(batch), order
            page.click(f"a[href*='sender={order[0]}']")
            page.wait_for_selector("#review-status")
            assert "tag=spot+check" in page.url and "status=unread" in page.url
            assert page.is_visible("#keyboard-hint")
            assert page.evaluate(UNLABELLED_INPUTS_JS) == []
            page.keyboard.press("Tab")  # focus is visible on the first link
            assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
            press_access_key(page, "t")  # Alt+T: to the tag field, type, Enter
            assert page.evaluate("document.activeElement.id") == "tag-name"
            page.keyboard.type("for the doctor")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "for the doctor" in page.inner_text("#tags + ul")
            page.fill("#note-text", "Asked about downtime twice; the answer was too general.")
            with page.expect_navigation():
                page.click("form.note-form button")
            page.screenshot(path=str(shots / "staff-review-transcript.png"), full_page=True)
            for expected in order[1:]:  # Alt+N: reviewed, and on to the next unread
                with page.expect_navigation():
                    press_access_key(page, "n")
                assert f"sender={expected}" in page.url and "tag=spot+check" in page.url
            with page.expect_navigation():
                press_access_key(page, "n")
            assert "caught_up=1" in page.url
            assert "No unread conversation left" in page.inner_text("main")
            reviewed = {
                r["sender_id"]: r["changed_by"]
                for r in rows(
                    review.db, "SELECT * FROM conversation_reviews WHERE status = 'reviewed'"
                )
            }
            assert all(reviewed.get(s) == ANNA for s in batch)
            anna.post(
                "/staff/conversations/review",
                {"sender": review.safe, "review": "follow_up", "note": "check the downtime answer"},
            )
            page.goto(base + "/staff/conversations")
            assert page.evaluate(UNLABELLED_INPUTS_JS) == []
            for sender in batch:
                assert "spot check" in page.inner_text(f"tr:has(a[href*='sender={sender}'])")
            page.screenshot(path=str(shots / "staff-review-list.png"), full_page=True)
            for path in ("/staff/improve?handled=1", "/staff/improve/labels", "/staff/exports"):
                page.goto(base + path)
                assert page.evaluate(UNLABELLED_INPUTS_JS) == [], path
        finally:
            browser.close()
    assert problems == [], problems
