"""Reading a free-text answer to a screening question, safe by construction.

The rules are data (understanding/screening.yml); this module finds which fire and combines them
in the file's `order`. Whatever the wording, three invariants hold, each with its own tests
(tests/unit/test_screening_safety.py):
- a *no* needs an explicit negation or a stated absence: a circumstance (a month, a place), a
  classifier's "deny" or a reading by meaning never makes one;
- any sign that the condition applies makes the answer *yes* or *not sure*, never *no*;
- a yes and a no said together are *not sure*: the doctor checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from understanding.registry import Rule, load

YES, NO, UNSURE = "yes", "no", "unsure"
# The reading when the answer is none of the three: the question is asked again.
UNCLEAR = "unclear"
SLOTS = ("pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy")
ORDER = (
    "button",
    "hesitation",
    "concluded",
    "correction",
    "unsure",
    "contradiction",
    "yes",
    "past",
    "no",
    "caution",
    "by_meaning",
    "intent",
    "unclear",
)
BUTTONS = {"/affirm": YES, "/deny": NO, "/unsure": UNSURE}
# Intents that are no answer whatever a reading by meaning says: "stop", "I want a human".
DOING_SOMETHING_ELSE = {
    "stop",
    "talk_to_human",
    "book_consultation",
    "ask_request_status",
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "report_emergency",
    "report_warning_signs",
}
_INTENTS = {"affirm": YES, "unsure": UNSURE}
T = TypeVar("T")

# Interjections and adverbs that say nothing about the answer: "lol no", "sadly yes".
_registry = load("screening")
_FILLER = _registry.by_id("piece.filler").pattern
# A negation's reach, and a cue behind two negations: understanding/screening.yml's pieces.
_NEGATED_BEFORE = _registry.by_id("piece.negated_before").pattern
_TWICE_NEGATED_BEFORE = _registry.by_id("piece.twice_negated_before").pattern


@dataclass(frozen=True)
class Answer:
    """What an answer says to one question, and the ids of the rules that decided it."""

    value: str  # yes, no, unsure or unclear
    step: str  # the step of ORDER that decided
    rules: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"answer": self.value, "step": self.step, "rules": list(self.rules)}


def normalise(text: str) -> str:
    words = re.sub(r"\s+", " ", (text or "").strip().lower().replace("’", "'"))
    return _FILLER.sub("", words)


def _spans(rule: Rule, words: str) -> list[tuple[int, int]]:
    return [m.span() for m in rule.pattern.finditer(words) if m.end() > m.start()]


def _masked(words: str, masks: list[tuple[int, int]]) -> str:
    for start, end in masks:
        # a word-like fill, so that nothing reads the gap as the end of the answer
        words = words[:start] + "_" * (end - start) + words[end:]
    return words


def _fired(rules: list[Rule], words: str) -> list[Rule]:
    return [rule for rule in rules if rule.search(words)]


def _cues(rules: list[Rule], words: str, masks: list[tuple[int, int]]) -> tuple[list, list, list]:
    """(rules whose cue stands, whose cue a negation turns over, whose cue two negations
    hedge), read outside the masks."""
    standing, negated, doubled = [], [], []
    text = _masked(words, masks)
    negation_masks = [s for r in rules if r.decides == "mask" for s in _spans(r, words)]
    for rule in rules:
        spans = _spans(rule, text)
        if not spans:
            continue
        if not rule.negatable:
            standing.append(rule)
            continue
        before = [_masked(words, negation_masks)[:start] for start, _ in spans]
        if any(_TWICE_NEGATED_BEFORE.search(b) for b in before):
            # "I didn't not get burnt", "I wouldn't say it's not inflamed": not sure
            doubled.append(rule)
        elif any(not _NEGATED_BEFORE.search(b) for b in before):
            standing.append(rule)
        else:
            negated.append(rule)
    return standing, negated, doubled


def _ids(*groups: list[Rule]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule.id for group in groups for rule in group))


def read_answer(
    text: str, slot: str, intent: str | None = None, by_meaning: str | None = None
) -> Answer:
    """What `text` answers to the screening question of `slot`, with the rules that decided."""
    raw = (text or "").strip()
    if raw.lower() in BUTTONS:
        return Answer(BUTTONS[raw.lower()], "button")
    registry = load("screening")
    hesitation = registry.by_id("hesitation.only")
    if hesitation.search(raw.lower()):
        return Answer(UNCLEAR, "hesitation", (hesitation.id,))
    words = normalise(raw)
    concluded = registry.by_id("yes.concluded")
    if concluded.search(words):
        # "i cant say im not lol. so yes": a yes at the end decides (it only adds caution)
        return Answer(YES, "concluded", (concluded.id,))
    correction = registry.by_id("correction.taken_back")
    marks = list(correction.pattern.finditer(words))
    if marks and marks[-1].end() < len(words):
        # What follows the last correction answers; if it says nothing, a no before it is
        # taken back all the same.
        later = read_answer(words[marks[-1].end() :], slot, None, None)
        if later.value != UNCLEAR:
            return Answer(later.value, "correction", (correction.id, *later.rules))
        whole = read_answer(words[: marks[-1].start()], slot, intent, by_meaning)
        value = UNSURE if whole.value == NO else whole.value
        return Answer(value, "correction", (correction.id, *whole.rules))
    rules = [r for r in registry.rules if r.applies_to(slot) and r.decides != "piece"]
    masks = [s for r in rules if r.decides == "mask" and r.slots for s in _spans(r, words)]
    by_kind: dict[str, list[Rule]] = {}
    for rule in _fired([r for r in rules if r.decides != "mask"], words):
        by_kind.setdefault(rule.decides, []).append(rule)
    cue_rules = [
        r for r in rules if r.decides in (YES, "caution") or (r.negatable and r.decides == NO)
    ]
    standing, negated, doubled = _cues(cue_rules, words, masks)
    yes = [r for r in standing if r.decides == YES]
    # a stated absence negated ("not calm at all") is no absence: caution, never a no
    caution = [r for r in standing if r.decides == "caution"] + [
        r for r in negated if r.decides == NO
    ]
    # a cue turned over by a negation is an explicit no: "not burnt", "not lidocaine"
    no = [r for r in by_kind.get(NO, []) if not r.negatable or r in standing] + [
        r for r in negated if r.decides != NO
    ]
    back = bool(by_kind.get("now"))
    past = by_kind.get("past", []) if not back else []
    earlier = by_kind.get("earlier", []) if not back else []
    said_yes = [r for r in yes if r.id.startswith("yes.")]  # a yes word, not a sign
    if past:
        # "had cystic acne as a teen, long gone": the condition is said to be over. A yes word
        # beside it is not overruled ("yes, long gone" is not sure), and an allergy is not
        # outgrown by saying so: "yep, anaphylaxis to it as a kid" is a yes.
        if said_yes and slot != "lidocaine_allergy":
            return Answer(UNSURE, "past", _ids(said_yes, past))
        yes = said_yes if slot == "lidocaine_allergy" else []
    elif earlier and yes and not said_yes:
        # "no, last sunburn was years ago": the signs are of an earlier time, the no is of now;
        # "had cystic acne as a teen", with no answer of now: the doctor checks
        if not no:
            return Answer(UNSURE, "past", _ids(yes, earlier))
        yes = []
    after_but = words.split(" but ", 1)[1] if " but " in words else ""
    no_after_but = bool(after_but) and read_answer(after_but, slot).value == NO

    unsure = by_kind.get(UNSURE, [])
    signs = [r for r in yes if r.slots]
    hedged_only = bool(unsure) and all(r.id == "unsure.hedged_question" for r in unsure)
    if hedged_only and signs and not (doubled or no or by_kind.get("elsewhere")):
        # "kinda? just got a positive test": the hedge asks about a degree, the condition's own
        # signs answer it
        return Answer(YES, "unsure", _ids(unsure, signs))
    if unsure or doubled:
        return Answer(UNSURE, "unsure", _ids(unsure, doubled))
    if yes and no:
        if no_after_but and all(r.id == "yes.degree" for r in yes):
            # "a bit tanned but not burnt": a degree, then the condition itself negated
            return Answer(NO, "contradiction", _ids(yes, no))
        return Answer(UNSURE, "contradiction", _ids(yes, no))
    if yes:
        elsewhere = by_kind.get("elsewhere", [])
        return Answer(UNSURE if elsewhere else YES, "yes", _ids(yes, elsewhere))
    if past:
        return Answer(UNSURE if slot == "lidocaine_allergy" else NO, "past", _ids(past))
    if no and any(r.decides == NO for r in negated):
        # "it's not calm, no": the no agrees with an absence negated, which is a sign
        return Answer(UNSURE, "contradiction", _ids(no, caution))
    if no:
        reservation = by_kind.get("reservation", [])
        emphatic = any(r.id == "no.emphatic" for r in no)
        # "no, had cystic acne but that was 20 years ago": a reservation of an earlier time only
        if reservation and not emphatic and not no_after_but and not earlier:
            return Answer(UNSURE, "no", _ids(no, reservation))
        return Answer(NO, "no", _ids(no))
    if caution:
        return Answer(UNSURE, "caution", _ids(caution))
    asking = words.endswith("?")
    if by_meaning in (YES, UNSURE) and not asking:
        return Answer(by_meaning, "by_meaning", ("by_meaning.screening_reader",))
    if intent in _INTENTS and words and not asking:
        return Answer(_INTENTS[intent], "intent", (f"intent.{intent}",))
    circumstance = by_kind.get("circumstance", [])
    if circumstance or by_meaning == NO or intent == "deny":
        return Answer(UNCLEAR, "unclear", _ids(circumstance) or ("unclear.no_negation",))
    return Answer(UNCLEAR, "unclear", ())


def answering(text: str, intent: str | None, by_meaning: T) -> tuple[str | None, T | None]:
    """The intent and reading by meaning an answer is read with: none for a message doing
    something else ("stop", "I want a human"), whatever they say; a button keeps its intent."""
    if intent in DOING_SOMETHING_ELSE and not (text or "").startswith("/"):
        return None, None
    return intent, by_meaning


def read_all(
    text: str, intent: str | None = None, by_meaning: dict[str, str] | None = None
) -> dict[str, Answer]:
    """What `text` would answer to each screening question."""
    intent, meanings = answering(text, intent, by_meaning or {})
    return {slot: read_answer(text, slot, intent, (meanings or {}).get(slot)) for slot in SLOTS}


def from_dict(data: object) -> Answer | None:
    """An answer as the reading stores it (Answer.as_dict), or None."""
    if not isinstance(data, dict) or data.get("answer") is None:
        return None
    rules = tuple(str(r) for r in data.get("rules") or ())
    return Answer(str(data["answer"]), str(data.get("step") or ""), rules)
