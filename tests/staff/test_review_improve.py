"""The Improve inbox's states against the real web app, on a tracker store written the way
Rasa writes it and a clinic database of its own (labels here must not mix with those
test_staff_console.py checks):

new -> labelled -> exported, new -> ignored (with a reason); a handled group leaves the
default view and comes back with "show handled"; the NLU export holds what is labelled and
not exported yet, marks it exported, and "re-export everything" gives it all again.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml

from tests.staff.review_helpers import audit_since, last_audit_id, rows
from tests.staff.staff_helpers import Staff, bot, session_start, staff_cli, user, write_tracker
from tests.web_process import FakeRasa, web_app

NOW = time.time()
USERNAME = "improve.nurse"
PRICE, PRICE_TOO = "how much iz it", "how much iz it pls"  # alike: one group, two labels
NOISE, HOURS = "asdf qwerty zxcv", "r u open on sundays"


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    folder = tmp_path_factory.mktemp("improve_states")
    for n, text in enumerate((PRICE, PRICE_TOO, NOISE, HOURS)):
        write_tracker(
            folder / "tracker.db",
            f"visitor-{n}",
            session_start()
            + [
                user(text, "nlu_fallback", 0.3),
                bot("Sorry, could you rephrase?", "utter_default"),
            ],
            NOW - 3600 + n * 60,
        )
    assert staff_cli(folder / "clinic.db", "add", USERNAME).returncode == 0
    rasa = FakeRasa()
    env = {
        "CLINIC_DB_URL": f"sqlite:///{folder / 'clinic.db'}",
        "TRACKER_DB_URL": f"sqlite:///{folder / 'tracker.db'}",
    }
    with web_app(folder / "web", rasa.url, env) as base:
        client = Staff(base)
        assert client.login(USERNAME).status_code == 303
        yield client, folder / "clinic.db"
    rasa.close()


def groups(staff: Staff, handled: bool = False) -> dict[str, dict]:
    """The Improve page's groups by their first words: state badges and the message ids."""
    page = staff.get("/staff/improve?days=30" + ("&handled=1" if handled else ""))
    assert page.status_code == 200
    out = {}
    for item in re.findall(
        r'<li class="group[^"]*">(.*?)</li>\s*(?=<li class="group|</ol>)', page.text, re.S
    ):
        text = " ".join(re.search(r"“(.*?)”", item).group(1).split()[:3])
        out[text] = {
            "states": re.findall(r'<span class="state (\w+)">', item.split("“")[0]),
            "ids": sorted(set(re.findall(r'name="event_id" value="(\d+)"', item))),
            "html": item,
        }
    return out


def key(text: str) -> str:
    return " ".join(text.split()[:3])


def exported(staff: Staff, everything: bool = False) -> dict[str, list[str]]:
    response = staff.post("/staff/export/nlu.yml", {"all": "1"} if everything else {})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = yaml.safe_load(response.text)
    return {
        item["intent"]: sorted(line[2:] for line in item["examples"].splitlines())
        for item in data["nlu"] or []
    }


def states(db: Path) -> dict[str, str]:
    """Each label's state, from the tables themselves."""
    out = {}
    for r in rows(
        db,
        "SELECT l.text, l.intent, s.exported_at FROM nlu_labels l "
        "LEFT JOIN nlu_label_states s ON s.label_id = l.id",
    ):
        out[r["text"]] = (
            "ignored"
            if r["intent"] == "__dismissed__"
            else "exported"
            if r["exported_at"]
            else "labelled"
        )
    return out


def test_states_move_from_new_to_labelled_to_exported_and_ignored(console):
    staff, db = console
    start = last_audit_id(db)
    inbox = groups(staff)
    assert set(inbox) == {key(PRICE), key(NOISE), key(HOURS)}
    assert all(g["states"] == ["new"] for g in inbox.values())
    assert exported(staff) == {}  # nothing labelled yet

    # labelled: out of the default view, shown with "show handled"
    assert (
        staff.post(
            "/staff/improve/label", {"event_id": inbox[key(PRICE)]["ids"], "intent": "ask_price"}
        ).status_code
        == 303
    )
    assert set(groups(staff)) == {key(NOISE), key(HOURS)}
    assert groups(staff, handled=True)[key(PRICE)]["states"] == ["labelled"]

    # ignored needs a reason, keeps it, and is never exported
    assert (
        staff.post(
            "/staff/improve/label",
            {"event_id": inbox[key(NOISE)]["ids"], "intent": "__dismissed__"},
        ).status_code
        == 400
    )
    assert (
        staff.post(
            "/staff/improve/label",
            {
                "event_id": inbox[key(NOISE)]["ids"],
                "intent": "__dismissed__",
                "reason": "keyboard mash",
            },
        ).status_code
        == 303
    )
    assert set(groups(staff)) == {key(HOURS)}
    shown = groups(staff, handled=True)
    assert (
        shown[key(NOISE)]["states"] == ["ignored"] and "keyboard mash" in shown[key(NOISE)]["html"]
    )
    assert states(db) == {PRICE: "labelled", PRICE_TOO: "labelled", NOISE: "ignored"}

    # the export holds the labelled, marks them exported; a second one is empty
    first = exported(staff)
    assert first == {"ask_price": [PRICE, PRICE_TOO]}
    assert states(db)[PRICE] == "exported"
    assert groups(staff, handled=True)[key(PRICE)]["states"] == ["exported"]
    assert exported(staff) == {}
    assert exported(staff, everything=True) == first

    # a new label goes out in the next export, alone
    assert (
        staff.post(
            "/staff/improve/label", {"event_id": inbox[key(HOURS)]["ids"], "intent": "out_of_scope"}
        ).status_code
        == 303
    )
    assert groups(staff) == {}
    assert exported(staff) == {"out_of_scope": [HOURS]}
    page = staff.get("/staff/improve").text
    assert re.search(r"labelled, not exported: 0.*ignored: 1.*exported: 3", page, re.S)

    # Undo makes a group new again
    labels = rows(db, "SELECT id, text FROM nlu_labels WHERE text = ?", NOISE)
    assert staff.post(f"/staff/improve/labels/{labels[0]['id']}/delete").status_code == 303
    assert groups(staff)[key(NOISE)]["states"] == ["new"]
    assert not rows(db, "SELECT * FROM nlu_label_states WHERE label_id = ?", labels[0]["id"])

    audited = audit_since(db, start)
    exports = [json.loads(r["detail"]) for r in audited if r["action"] == "export"]
    assert [(e["count"], e["newly_exported"], e["everything"]) for e in exports] == [
        (0, 0, False),
        (2, 2, False),
        (0, 0, False),
        (2, 0, True),
        (1, 1, False),
    ]
    ignored = [
        json.loads(r["detail"])
        for r in audited
        if r["action"] == "label" and json.loads(r["detail"])["intent"] == "__dismissed__"
    ]
    assert ignored == [{"messages": 1, "intent": "__dismissed__", "reason": "keyboard mash"}]
    assert "unlabel" in [r["action"] for r in audited]


def test_relabelling_an_exported_message_exports_it_again(console):
    staff, db = console
    price = rows(db, "SELECT * FROM nlu_labels WHERE text = ?", PRICE)
    assert states(db)[PRICE] == "exported"
    tracker = db.parent / "tracker.db"
    event_ids = [
        str(r["id"])
        for r in rows(tracker, "SELECT id, data FROM events WHERE type_name = 'user'")
        if json.loads(r["data"])["text"] == PRICE
    ]
    assert (
        staff.post(
            "/staff/improve/label", {"event_id": event_ids, "intent": "ask_sessions"}
        ).status_code
        == 303
    )
    assert states(db)[PRICE] == "labelled"
    assert rows(db, "SELECT id FROM nlu_labels WHERE text = ?", PRICE)[0]["id"] != price[0]["id"]
    assert exported(staff) == {"ask_sessions": [PRICE]}
    assert states(db)[PRICE] == "exported"


def test_undoing_a_relabelling_puts_the_earlier_label_back_as_it_was(console):
    staff, db = console
    assert states(db)[PRICE] == "exported"  # as ask_sessions, by the test above
    tracker = db.parent / "tracker.db"
    event_ids = [
        str(r["id"])
        for r in rows(tracker, "SELECT id, data FROM events WHERE type_name = 'user'")
        if json.loads(r["data"])["text"] == PRICE
    ]
    since = last_audit_id(db)
    response = staff.post("/staff/improve/label", {"event_id": event_ids, "intent": "ask_duration"})
    saved = re.search(r"saved=([\d%C,]+)", response.headers["Location"]).group(1)
    label_ids = saved.replace("%2C", ",").split(",")
    assert rows(db, "SELECT intent FROM nlu_labels WHERE text = ?", PRICE)[0]["intent"] == (
        "ask_duration"
    )
    undo = staff.post("/staff/improve/labels/undo", {"label_id": label_ids})
    assert undo.status_code == 303
    page = staff.get(undo.headers["Location"]).text
    assert "Undone: 1 label deleted; the message has its earlier label again." in page
    [label] = rows(db, "SELECT intent FROM nlu_labels WHERE text = ?", PRICE)
    assert label["intent"] == "ask_sessions" and states(db)[PRICE] == "exported"
    unlabel = [r for r in audit_since(db, since) if r["action"] == "unlabel"]
    assert [json.loads(r["detail"]) for r in unlabel] == [{"restored": "ask_sessions"}]
