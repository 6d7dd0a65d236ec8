"""Reading the reply to "Shall I send this request to the clinic?": personal details go only on
an explicit yes. The rules are data (understanding/consent.yml), combined in its `order`."""

from __future__ import annotations

from understanding.registry import load
from understanding.screening import Answer

SEND, HOLD, ASK = "yes", "no", "ask"
ORDER = ("button", "hesitation", "question", "both", "yes", "no", "ask")
_BUTTONS = {"/affirm": SEND, "/deny": HOLD}


def read_consent(text: str) -> Answer:
    """yes (send), no (do not send; change the details) or ask (ask again), with the rules."""
    words = (text or "").strip().lower().replace("’", "'")
    if words in _BUTTONS:
        return Answer(_BUTTONS[words], "button")
    hesitation = load("screening").by_id("hesitation.only")
    if not words or hesitation.search(words):
        return Answer(ASK, "hesitation", (hesitation.id,) if words else ())
    rules = load("consent")
    yes = [r.id for r in rules.reading(SEND) if r.search(words)]
    no = [r.id for r in rules.reading(HOLD) if r.search(words)]
    if words.endswith("?") and not no:
        return Answer(ASK, "question", tuple(yes))
    if yes and no:
        return Answer(ASK, "both", (*yes, *no))
    if yes:
        return Answer(SEND, "yes", tuple(yes))
    if no:
        return Answer(HOLD, "no", tuple(no))
    return Answer(ASK, "ask", ())


DETAILS = ("name", "contact", "preferred_time")


def read_detail(text: str) -> Answer | None:
    """Which contact detail a reply names (in the order the form asks them), or None."""
    words = (text or "").strip().lower().replace("’", "'")
    rules = load("consent")
    for detail in DETAILS:
        fired = [r.id for r in rules.reading(detail) if r.search(words)]
        if fired:
            return Answer(detail, "detail", tuple(fired))
    return None
