"""Reading what visitors type: yes/no answers, stated conditions, names, contacts, times.

Pure functions, no Rasa imports, so they are tested on their own (tests/unit/test_parsing.py).
Visitors type on phones: answers are short, informal and misspelt ("yep", "nope", "yes 20 wks").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

YES, NO, UNSURE = "yes", "no", "unsure"

# Condition entity ids (nlp/vocabulary.yml) -> the screening slot they answer.
CONDITION_SLOTS = {
    "pregnancy": "pregnant",
    "inflamed_skin": "inflamed_skin",
    "sunburn": "sunburn",
    "lidocaine_allergy": "lidocaine_allergy",
}

_UNSURE = re.compile(
    r"\b(not sure|unsure|don'?t know|dont know|do not know|no idea|idk|maybe|perhaps|possibly|"
    r"might be|could be|not certain|can'?t tell|cannot tell|no clue|dunno|doubt it|"
    r"(find|finding) out|hoping (i am|so)|"
    r"(haven'?t|have not|not) a clue|hard to (say|tell|know)|not positive|depends|it varies|"
    r"too (early|soon) to (say|tell)|"
    r"can'?t say|cannot say|never asked|(can'?t|cannot|don'?t|do not) remember|not 100|"
    r"not a hundred|no way (to|of) know\w*|(this|too) early to know|"
    r"on and off|comes and goes|sometimes|occasionally|now and then|from time to time|some days|"
    r"(i'?d|i would|i'?ll|i will|i) (have|need) to (check|look|ask))\b"
)
# A condition that was and is no more ("had cystic acne as a teen, long gone"): a no, except an
# allergy, which a person does not grow out of on their own say-so.
_IN_THE_PAST = re.compile(
    r"\b(not anymore|not any more|no longer|used to|long gone|all gone|gone now|"
    r"in the past|as a (teen|teenager|kid|child)|cleared up|(yrs|years|months) ago|"
    r"(long |all |fully )?healed( up| now)?|had (my|the|a) baby)\b"
)
_NOW = re.compile(r"\b(again|right now|currently|at the moment|atm|rn|today|this week)\b")
# A hedge that asks back ("kinda?", "sort of?"): the visitor is not sure.
_HEDGED_QUESTION = re.compile(
    r"\b(kind of|kinda|sort of|sorta|a bit|a little|i think( so)?)\s*\?|"
    # "i think its just windburn?", "i dont think so?": a guess asked back
    r"\bi (don'?t |dont |do not )?think\b[^?]*\?|"
    r"^(kind of|kinda|sort of|sorta)\W*$"
)
# "def not", "absolutely not", "all good": a no wherever it stands.
_EMPHATIC_NO = re.compile(
    r"\b(def(initely|o)?|absolutely|certainly|totally|hell) not\b|^\W*(all good|all fine|"
    r"all clear|nothing like that|none of (that|those))\b"
)
_NEGATED = re.compile(
    r"\b(not|no|never|isn'?t|aren'?t|haven'?t|hasn'?t|don'?t|n't)\W+(\w+\W+){0,2}$"
)
# What an answer says about the question it answers, in the visitor's words: "20 weeks" to "are
# you pregnant?", "skin's clear atm" to "is your skin inflamed?", "fried at the beach" to "are
# you sunburnt?", "never been tested" to "are you allergic to lidocaine?".
SLOT_CUES: dict[str, dict[str, re.Pattern[str]]] = {
    "pregnant": {
        # A man, a woman past fifty, after the menopause, or a negative test.
        NO: re.compile(
            r"\b(i'?m|im|i am) (a )?(guy|man|male|dude|boy)\b|\bnot (preg\w*|expecting)\b|"
            r"\b(i'?m|im|i am) ([5-9]\d)\b(?! ?(weeks?|wks?|months?))|\b(post)?.?menopaus\w*|"
            r"\btests?\b[^.?]*\b(negative|neg)\b|\bnegative (test|result)|"
            r"\bhysterectomy\b|\btubes tied\b|\bdone having (kids|babies|children)\b"
        ),
        YES: re.compile(
            r"\b(preg+o|preggers|pregnant|expecting|trimester|\d+ ?(weeks?|wks?|months?)|"
            r"due (date|in)|bun in the oven|baby on the way|baby shower|bump|showing|"
            r"eating for two|"
            r"positive (pregnancy )?(test|result)|tests? (was|were|is|came back) positive|"
            r"tested positive|baby (#|no\.? ?|number ?)?\d|on the way|"
            r"(just )?found out (i'?m|im|i am|last|this|a few|yesterday|today|recently))\b|🤰"
        ),
        # A test still to come: not known yet.
        UNSURE: re.compile(
            r"\b(waiting (on|for) (a |the |my )?(test|results?|bloods?)|"
            r"(take|taking|do|doing) a (pregnancy )?test|period is late|late period)\b"
        ),
    },
    "inflamed_skin": {
        NO: re.compile(
            r"\b(clear|fine|normal|calm|healthy|good|no (breakouts?|spots|pimples|acne|cysts?)|"
            r"(just|only) (the |my |some )?(old )?scars?|behav\w*|settled|under control|"
            r"no (issues|problems)|nothing active|not active|(great|good) shape|just texture|"
            r"zero (redness|inflammation|breakouts?|acne))\b"
        ),
        YES: re.compile(
            r"\b(cysts?|cystic|lumps?|painful|sore|breaking out|broken out|broke out|"
            r"flar(e|es|ed|ing)|angry|inflamed|swollen|pus|irritated|rash\w*)\b"
        ),
    },
    "sunburn": {
        NO: re.compile(
            r"\b((haven'?t|have not|not|no|never) (been |seen )?(out )?(in )?the sun|no sun|winter|"
            r"indoors|inside|no sunburn|pale|pasty|office|(haven'?t|have not|not|never) been "
            r"(out|outside|outdoors)|skin'?s (fine|normal|good|ok)|skin is (fine|normal|good|ok)|"
            # the dark months: "it's november lol"
            r"november|december|january|february|snow\w*|night shifts?|work nights|daylight|"
            r"basement|wfh|work from home|(live|living) in sunscreen|"
            r"sunscreen (every|each|daily))\b"
        ),
        YES: re.compile(
            r"\b(sunburn(t|ed)?|sun ?burnt|burnt|burned|fried|peeling|lobster|crispy)\b|"
            # "still red and sore from the beach"
            r"\b(red|sore|pink|stings?|stinging|burning|tender)\b[^.]*\b(from|after) (the |a )?"
            r"(beach|sun|lake|pool|cottage|hike|day outside)\b|"
            # "all day at the pool yesterday, forgot sunscreen, im red"
            r"\b(beach|sun|lake|pool|cottage|hike|outside|forgot (my )?sunscreen)\b[^.]*"
            r"\b(i'?m|im|i am|is|got|went|now|so) (all |really |super |bright |a bit |a little )?"
            r"(red|pink|burnt|burned|sore|peeling)\b"
        ),
    },
    "lidocaine_allergy": {
        UNSURE: re.compile(r"\bnever (been )?(tested|had it|had that|used it)\b"),
        # Allergic, but to something else named ("only allergic to penicillin"), or used before
        # without trouble ("I've had lidocaine before, all good").
        NO: re.compile(
            r"\b(only|just) (allergic|allergy) to\b|\b(no|without( any)?|never had (any|a)) "
            r"(problems?|issues?|reactions?|trouble)\b|\ballergic to (penicillin|nuts|peanuts|"
            r"latex|pollen|cats|dogs|bees|shellfish|dust|gluten|eggs|sulfa|codeine|ibuprofen)\b|"
            # used before without trouble: "the dentist uses it on me all the time, never a problem"
            r"\b(had|used|uses|have had|'ve had|got|get|numbed|numbing|lidocaine|freezing)\b[^.]*"
            r"\b(all good|all fine|(was|worked|totally|perfectly|always|just) fine|no problems?|"
            r"never (a|any) (problem|issue)s?|zero (issues?|problems?)|no issues?|no reactions?|"
            r"(didn'?t|did not|never) react\w*)\b"
        ),
        YES: re.compile(
            r"\b(allergic|allergy|hives|rash|welts|reacted|reactions?|swell(s|ed)? up|epi ?pens?|"
            r"anaphyla\w*)\b"
        ),
    },
}
_NO = re.compile(
    # "not that I know of": no known allergy, no pregnancy known, as a clinic's intake form reads
    r"\bnot that (i know|i am aware|i'?m aware)\b|\bnot to my knowledge\b|"
    r"^\W*(no+|no+pe|nopes|nop|nuh( uh)?|nah|naw|non|never|"
    r"not (at the moment|now|currently|atm|rn)|not at all|not really|none|negative|n"
    r"|i'?m not|im not|"
    r"i am not|i don'?t|i do not|i haven'?t|i have not|not me|nothing|it'?s not|its not|"
    r"it is not|it isn'?t)\b"
)
_YES = re.compile(
    r"^\W*(yes+|ys|yas|yeh|yeah|yea|yep|yup|ya|yah|y|sure|correct|right|true|affirmative|indeed|"
    r"definitely|i am|i'?m|im|i do|i have|i think so|i guess so|a little|a bit|(a )?little bit|"
    r"lil bit|(a )?(tiny|teeny|wee|small) (bit|amount|patch)|a touch|slightly|kind of|"
    r"kinda|sort of|(it is|it'?s|its|they are|they'?re)(?=\W*$|\W*,))\b"
)
# "I'm 62, so no": the answer at the end of a sentence decides.
_NO_AT_END = re.compile(r"(\bso|,)\s*(no+|nope|nah|not really)\W*$")
# "found out last week that i am actually": the answer at the end of a sentence.
_YES_AT_END = re.compile(r"\b(i am|i'?m|im|i do|i have)( actually| indeed)?\W*$")
# "lol no", "haha yes", "sadly yes": the interjection or adverb says nothing about the answer.
_FILLER = re.compile(
    r"^\W*((lol|lmao|haha+|ha|omg|um+|uh+|hm+|ugh+|welp|oof|sigh|well|oh|ok|okay|ah|ouch|"
    r"yikes|oops|unfortunately|sadly|honestly|actually|luckily|thankfully|fortunately)\W+)+"
)
# "yes but not that one": what follows the but takes the yes back, no reservation.
_NOT_THAT = re.compile(r"(not|never) (that|this|it|lido\w*|the numbing)\b")
# "My shoulders are burnt but not my face": a yes about another part of the body than the one
# to be treated is for the doctor to weigh.
_ELSEWHERE = re.compile(
    r"\b(but )?not (on )?(my |the )?(face|cheeks?|forehead|nose|chin|neck|area)\b|"
    r"\bonly (on )?(my |the )?(shoulders?|back|arms?|legs?|chest|feet|hands?|body)\b|"
    r"\b(shoulders?|back|arms?|legs?|chest|feet|hands?|body) only\b|"
    r"\bface (is|was|'s|stayed) (fine|ok|okay|good|clear|covered|under)\b"
)
# "No, but my cheeks are warm": a no with a reservation is for the doctor to weigh.
_RESERVATION = re.compile(r"\bbut\b\W+\w+\W+\w+")
# An answer that asks back about the question ("what is lidocaine?", "bit pink, does that
# count?") is not sure; another question ("does it hurt?") is answered as a question.
_ASKS_BACK = re.compile(
    r"\b(does|would|do|will) [^?]{0,40}\bcount\b|\bwhat counts\b|"
    r"^\W*(is|are) (a|an|some|mild|slight|light|just) \w+( \w+)? (ok|okay|fine|alright)\b|"
    r"\b(the same( thing)?|"
    r"(what'?s|whats|what is|what are) (a |an |the )?(local )?"
    r"(lido\w*|ligno\w*|an(a)?esthetics?|topical|cystic|cysts?|inflamed|inflammation|"
    r"sunburn\w*))\b[^?]*\?|"
    # "is that like a tan?" asks back; "yes, is that a problem?" is a yes with a worry
    r"\bis (that|it|this) (the|a|like)\b(?! (problem|issue|big deal|concern))[^?]*\?\W*$|"
    # asking why it is asked: "why do you need to know?", "what's that got to do with it?"
    r"\bwhy (do|does|would|d) (you|u|it|that|this) (need|want|matter|ask)|"
    r"\b(what'?s|whats|what has|what does) (that|this|it) (got )?to do with\b|"
    r"\b(does|would|will) (it|that|this) matter\b|^\W*(what'?s|whats|what is) (that|this|it)\W*$|"
    r"\b(what do (you|u|ya) mean|what does (that|this|it) mean|what is an? local an(a)?esthetic)\b"
)


# "how do i tell if its inflamed or just normal redness", "how do i find out if i am": asking
# how to tell, or what a word of the question means, with or without "?", before any word of it
# is read as an answer.
_HOW_TO_TELL = re.compile(
    r"\bhow (would|do|can|could|will|should|d) (i|u|you|one) (even )?(know|tell|find out|check)\b|"
    # "whats cystic acne", "what counts as sunburnt": the words of the question asked back
    r"^\W*((what'?s|whats|what is|wats|wat is) (a |an |the )?(local )?(topical )?(lido\w*|ligno\w*|"
    r"an(a)?esthetics?|cystic( acne)?|cysts?|inflamed( skin)?|inflammation|sunburn\w*)|"
    r"what counts( as)?\b.*)\W*(lol|haha|\?)*\W*$"
)


# Intents that are no answer whatever a reading by meaning says: "stop", "I want a human".
_DOING_SOMETHING_ELSE = {
    "stop",
    "talk_to_human",
    "book_consultation",
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "report_emergency",
    "report_warning_signs",
}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower().replace("’", "'"))


def _cue(slot: str | None, answer: str, words: str, negated: bool = False) -> bool:
    """Whether the answer's own words, read against the question asked, say `answer`: a cue
    right after a negation ("not inflamed", "no cysts") counts only when `negated` is asked."""
    pattern = SLOT_CUES.get(slot or "", {}).get(answer)
    if pattern is None:
        return False
    return any(
        bool(_NEGATED.search(words[: m.start()])) == negated for m in pattern.finditer(words)
    )


def parse_yes_no(
    text: str, intent: str | None = None, slot: str | None = None, reading: str | None = None
) -> str | None:
    """An answer to a yes/no screening question: "yes", "no", "unsure" or None (not an answer).

    Read as a person at the front desk would, against the question asked (`slot`): the words
    win over the intent because "not sure" can look like a "no" to the classifier, and "skin's
    clear atm" like nothing at all. Where no rule speaks, the `reading` of the answer by meaning
    against this question (nlp/screening_reader.py) does, unless the message is a question or
    a command ("stop"); the intent (from quick-reply buttons, or an affirm/deny nothing else
    caught) comes last.
    """
    words = _FILLER.sub("", normalise(text))
    if words.startswith("/"):  # a quick-reply payload such as "/affirm"
        words = ""
    if (
        _UNSURE.search(words)
        or _HEDGED_QUESTION.search(words)
        or _HOW_TO_TELL.search(words)
        or _cue(slot, UNSURE, words)
    ):
        return UNSURE
    if _NO_AT_END.search(words):
        return NO
    if _IN_THE_PAST.search(words) and not _NOW.search(words):
        return UNSURE if slot == "lidocaine_allergy" else NO
    if (
        _NO.search(words)
        or _EMPHATIC_NO.search(words)
        or _cue(slot, NO, words)
        or (_cue(slot, YES, words, negated=True) and not _cue(slot, YES, words))
    ):
        # "tan but not burnt": the no comes after the but, and is no reservation.
        after_but = words.split(" but ", 1)[-1] if " but " in words else ""
        no_after_but = (
            _cue(slot, NO, after_but)
            or _cue(slot, YES, after_but, negated=True)
            or bool(_NOT_THAT.match(after_but))
        )
        reserved = (
            _RESERVATION.search(words) and not _EMPHATIC_NO.search(words) and not no_after_but
        )
        return UNSURE if reserved else NO
    if _ASKS_BACK.search(words):
        return UNSURE
    if _cue(slot, YES, words) or _YES.search(words) or _YES_AT_END.search(words):
        return UNSURE if _ELSEWHERE.search(words) else YES
    answers = reading in (YES, NO, UNSURE) and words and not words.endswith("?")
    if answers and intent not in _DOING_SOMETHING_ELSE:
        return reading
    return {"affirm": YES, "deny": NO, "unsure": UNSURE}.get(intent or "")


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
