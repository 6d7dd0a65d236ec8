"""Helpers for the review-workflow tests: reading the clinic database the way a person would
check it (plain SQL, independent of the console's queries), pressing an access key in
Chromium, and the list of routes the review workflow added."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

# Every POST route the review workflow added or opened, with form data that would change
# something if the request got through.
NEW_POSTS = [
    ("/staff/conversations/review", {"review": "reviewed"}),
    ("/staff/conversations/tags", {"name": "should not exist"}),
    ("/staff/conversations/tags/remove", {"tag_id": "1"}),
    ("/staff/conversations/notes", {"text": "should not exist"}),
    ("/staff/filters", {"name": "should not exist", "status": "unread"}),
    ("/staff/filters/1/delete", {}),
    ("/staff/export/nlu.yml", {"all": "1"}),
]
# The tables the review workflow writes; a refused request leaves their counts alone.
REVIEW_TABLES = (
    "conversation_reviews",
    "tags",
    "conversation_tags",
    "conversation_notes",
    "saved_filters",
    "nlu_label_states",
    "audit_log",
)


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def counts(db: Path) -> dict:
    return {
        table: rows(db, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] for table in REVIEW_TABLES
    }


def last_audit_id(db: Path) -> int:
    return rows(db, "SELECT COALESCE(MAX(id), 0) AS n FROM audit_log")[0]["n"]


def audit_since(db: Path, after: int) -> list[sqlite3.Row]:
    return rows(db, "SELECT * FROM audit_log WHERE id > ? ORDER BY id", after)


# Audit lines of reading (every page viewed is a view_... line) and signing in, which the
# tests of changes leave aside.
NOT_CHANGES = ("reveal_contact", "export", "login", "logout")


def changes_since(db: Path, after: int) -> list[sqlite3.Row]:
    return [
        r
        for r in audit_since(db, after)
        if r["action"] not in NOT_CHANGES and not r["action"].startswith("view_")
    ]


def listed_senders(html: str) -> list[str]:
    """The conversations a list page links to, in order."""
    return re.findall(r'href="/staff/conversations/view\?[^"]*?sender=([^"&]+)', html)


def press_access_key(page, key: str) -> None:
    """Alt+key as a person presses it in Chromium on Linux. Blink handles access keys on the
    "char" event, which Playwright's keyboard.press does not send while Alt is held, so the
    key events go through the DevTools protocol (what a real keyboard produces)."""
    cdp = page.context.new_cdp_session(page)
    try:
        code = ord(key.upper())
        base = {
            "modifiers": 1,
            "key": key,
            "code": "Key" + key.upper(),
            "windowsVirtualKeyCode": code,
            "nativeVirtualKeyCode": code,
        }
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", **base})
        cdp.send(
            "Input.dispatchKeyEvent", {"type": "char", "text": key, "unmodifiedText": key, **base}
        )
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **base})
    finally:
        cdp.detach()


UNLABELLED_INPUTS_JS = """
() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id || el.outerHTML)
"""
