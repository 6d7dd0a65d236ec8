"""Reading what visitors type: yes/no answers, stated conditions, names, contacts, times.

Pure functions, no Rasa imports, so they are tested on their own (tests/unit/test_parsing.py).
Visitors type on phones: answers are short, informal and misspelt ("yep", "nope", "yes 20 wks").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from understanding.screening import NO, UNCLEAR, UNSURE, YES, answering, read_answer

__all__ = ["NO", "UNSURE", "YES", "parse_yes_no", "stated_conditions", "parse_contact"]

# Condition entity ids (nlp/vocabulary.yml) -> the screening slot they answer.
CONDITION_SLOTS = {
    "pregnancy": "pregnant",
    "inflamed_skin": "inflamed_skin",
    "sunburn": "sunburn",
    "lidocaine_allergy": "lidocaine_allergy",
}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower().replace("’", "'"))


def parse_yes_no(
    text: str, intent: str | None = None, slot: str | None = None, reading: str | None = None
) -> str | None:
    """An answer to a yes/no screening question: "yes", "no", "unsure" or None (not an answer,
    or one to ask again). The rules are named data (understanding/screening.yml); a no needs an
    explicit negation, and any sign that the condition applies is a yes or not sure."""
    answer = read_answer(text, slot or "", *answering(text, intent, reading))
    return None if answer.value == UNCLEAR else answer.value


_FIRST_PERSON = re.compile(
    r"\b(i'?m|im|i am|i have|i'?ve|ive|i got|i was|i think i'?m|i might be|i may be|i get|"
    r"my skin|my face|i'?ve got|me)\b"
)
_HYPOTHETICAL = re.compile(r"\b(if|what if|whether|in case|suppose|when someone|someone who)\b")
_NEGATION = re.compile(r"\b(not|no|never|without|don'?t|dont|isn'?t|aren'?t|haven'?t|am not|n't)\b")
_AN_ALLERGY = re.compile(r"\b(allerg\w*|react\w*|hives|rash\w*|welts|swell\w*)\b")
_CLAUSE_BREAK = re.compile(r"[,.;!?]| but | and | so | though ")


def stated_conditions(text: str, entities: Iterable[Mapping]) -> dict[str, str]:
    """Screening facts a visitor states about themselves: {"pregnant": "yes", ...}.

    "I'm pregnant, can I book?" states a fact; "can pregnant women have it?" and "what if I'm
    pregnant?" do not; "I'm not pregnant" states "no". Only the clause holding the condition is
    read, so "no, but I have a sunburn" states a sunburn.
    """
    lowered = (text or "").lower().replace("’", "'")
    facts: dict[str, str] = {}
    for entity in entities:
        if entity.get("entity") != "condition":
            continue
        slot = CONDITION_SLOTS.get(str(entity.get("value")))
        start = entity.get("start")
        if slot is None or start is None:
            continue
        before = lowered[: int(start)]
        # The clause up to the condition, and the condition's own words ("im expecting").
        clause = (
            (_CLAUSE_BREAK.split(before)[-1] if before else "")
            + " "
            + lowered[int(start) : int(entity.get("end") or start)]
        )
        if _HYPOTHETICAL.search(clause) or not _FIRST_PERSON.search(clause):
            continue
        if slot == "lidocaine_allergy" and not _AN_ALLERGY.search(lowered):
            continue  # "I've had lidocaine before" names the drug, not an allergy to it
        facts[slot] = NO if _NEGATION.search(clause) else YES
    return facts


_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE_CHARS = re.compile(r"\+?[\d][\d\s().-]{5,}\d")


def parse_contact(text: str) -> tuple[str, str] | None:
    """("email", address) or ("phone", number) from what a visitor typed, else None.

    Phone numbers are North American style, as the clinic is in Ottawa: ten digits, optionally
    with a leading 1 or +1; international numbers of 11 to 15 digits with a leading + are kept.
    """
    raw = (text or "").strip()
    email = _EMAIL.search(raw)
    if email:
        return "email", email.group(0).lower()
    for match in _PHONE_CHARS.finditer(raw):
        candidate = match.group(0)
        digits = re.sub(r"\D", "", candidate)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) == 10 and digits[0] not in "01":
            return "phone", f"{digits[:3]} {digits[3:6]} {digits[6:]}"
        if candidate.startswith("+") and 11 <= len(digits) <= 15:
            return "phone", f"+{digits}"
    return None


_NAME_PREFIX = re.compile(
    r"^(hi|hello|hey)?[\s,!.]*(my name is|my name's|name is|name's|i am|i'm|im|it's|its|this is|"
    r"call me|it is)\s+",
    re.IGNORECASE,
)
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[\s'.-]+[^\W\d_]+)*\.?$", re.UNICODE)


def parse_name(text: str) -> str | None:
    """A person's name from "Maria Lopez", "my name is john", "it's Anne-Marie"; else None."""
    candidate = _NAME_PREFIX.sub("", (text or "").strip()).strip(" .,!")
    if not candidate or len(candidate) > 80 or len(candidate.split()) > 5:
        return None
    if not _NAME_CHARS.match(candidate):
        return None
    if normalise(candidate) in {
        "yes",
        "no",
        "nope",
        "yeah",
        "ok",
        "okay",
        "stop",
        "cancel",
        "hi",
        "hello",
        "thanks",
        "maybe",
        "none",
        "nothing",
        "idk",
    }:
        return None
    return " ".join(part[:1].upper() + part[1:] for part in candidate.split())


def parse_preferred_time(text: str) -> str | None:
    """Any short description of when to call ("tuesday morning", "asap"); None when empty or
    so long it is clearly not an answer."""
    candidate = re.sub(r"\s+", " ", (text or "").strip())
    if len(candidate) < 2 or len(candidate) > 120 or candidate.startswith("/"):
        return None
    return candidate
