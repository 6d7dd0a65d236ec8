"""How a statement about one's skin is read, before it is answered: what a front-desk person
hears in "I've got big pores on my cheeks", "my cheeks go red from the cold" or "2 weeks after
my sessions I have brown patches". Pure functions over the message's text, its intent and its
entities (understanding/answers.py calls them); tested through tests/unit/test_answer_routing.py.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from understanding.registry import load as load_rules

QUESTION_WORD = (
    r"(?:how|hows|what|whats|when|whens|does|do|is|are|can|could|will|would|should|"
    r"where|wheres|who|whos|why|which|any)"
)
# The vocabulary's safety labels (answers.SAFETY): a message holding one keeps its warning.
_WARNING_LABELS = {"emergency_sign", "warning_sign"}

# Messages that describe the visitor's own skin today ("my eyes are puffy from crying", "I've got
# big pores on my cheeks") are not reports of a treatment's effects: no question, no word placing
# them around a treatment. Answering them with side effects and "contact the clinic" would
# frighten for nothing; a warning-sign word always counts, whatever the wording.
_TREATMENT_WORDS = re.compile(
    r"\b(after|afterwards|since|post|treatment|treated|needling|microneedling|needles?|session|"
    r"procedure|appointment|appt|days? later|last time|numbing|cream|lidocaine|an(a)?esthetic)\b",
    re.I,
)
# "After" names a treatment only when a treatment or a span of time follows ("after my session",
# "after 2 days", "after getting it done", or nothing: "red after"); after anything else it tells
# of an everyday day: "warm after sitting by the fire", "red after a curry". "Since" likewise,
# for one's life: "a mole since I was a kid".
_AFTER_WHAT = (
    r"(?:(?:my|the|your|a|an|last|that|this|each|one|two|three|four|five|\d+|few|couple|of|"
    r"several|getting|having|being|doing|i|we|it|was|had|got|\w+'s)\s+)*"
)
_NOT_EVERYDAY = (
    r"(?:sessions?|treatments?|\w*needl\w*|procedures?|appointments?|appt|it|that|them|this|"
    r"days?|hours?|nights?|weeks?|months?|wards|done|numbing|cream|lidocaine|an(?:a)?esthetic|"
    # a bare "after" ("day 3 after and my skin is flaky") means after the treatment
    r"and|but|so|now|still|lol|tbh)\b"
)
_EVERYDAY_AFTER = re.compile(
    rf"\bafter\s+(?!{_AFTER_WHAT}{_NOT_EVERYDAY}){_AFTER_WHAT}[a-z]+|"
    r"\bsince (i was( a)? \w+|birth|childhood|forever|my teens|high school|puberty)\b",
    re.I,
)
_ASKING = re.compile(
    rf"\?|(^|[,.;!]\s*|\b(and|but|so)\s+){QUESTION_WORD}\b|"
    r"\b(normal|expected|okay|ok|worry|worried|should i)\b",
    re.I,
)
# An everyday cause stated with a symptom: "puffy from crying", "red when I'm embarrassed",
# "flaky in winter", "a red birthmark".
_EVERYDAY_CAUSE = re.compile(
    r"\b(from|when|whenever|because|cause|birthmark|always|usually|regularly|"
    r"(every|once a|twice a) (day|morning|night|week|month)|"
    r"in (the )?(winter|summer|cold|heat)|since (i was|birth|childhood)|cold|freezing|windy|"
    r"weather|blush\w*|embarrass\w*|nervous|beach|lake|cottage|holiday|vacation|in the sun|"
    r"(it'?s|its|it is|it) gone|went away|cleared up|makes? (me|my)|gets? me|"
    # everyday doings that warm, redden or tire: "went hiking", "just had coffee"
    r"hik\w*|ran|running|jog\w*|cycl\w*|bik(e|ing)|sports?|match|game|class|gym|workout|"
    r"work(ed|ing)? out|yoga|danc\w*|coffee|spicy|curry|hot food|"
    r"beer|drinking|heater|fire ?place|bonfire|hot shower|hot bath|"
    # small everyday mishaps: "a mosquito bite", "scratched it with my nail", "nicked it shaving"
    r"bites?|bitten|mosquito\w*|bugs?|insects?|spiders?|wasps?|bee sting|scratched|(a|the) scratch|"
    r"by accident|accidentally|shav\w*|razor|nick(ed)?|paper ?cut|popp(ed|ing)|picked|"
    r"squeez\w*|bump(ed)? (into|my|it)|walked into|pollen|hay ?fever|detergent|new (soap|cleanser)|"
    r"oven|stove|kettle|curling iron|flat iron|straighteners?|cooking|baking)\b",
    re.I,
)
# A classifier's warning reading needs something felt or seen: "my face is hot and weird" may
# follow a treatment, "i shave my face every morning" tells of a habit.
_SENSATION = re.compile(
    r"\b(hot|warm|weird|strange|throb\w*|bleed\w*|blister\w*|rash\w*|bumps?|hives|sore|hurts?|"
    r"pain\w*|burn\w*|sting\w*|tingl\w*|dizzy|faint\w*|sick|nause\w*|wors(e|ening)|"
    r"spread\w*|puffy|puffed|swell\w*|swollen|blew up|blown up|ooz\w*|crust\w*|fever\w*|"
    # a symptom told as growing: "getting redder and hotter", "more swollen every day"
    r"redder|hotter|warmer|puffier|sorer|itchier|more (red|swollen|painful|sore|inflamed))\b",
    re.I,
)
# Topics a symptom statement is mistaken for.
_SYMPTOM_TOPICS = ("ask_side_effects", "ask_after_effects")
_SAFETY_INTENTS = ("report_warning_signs", "report_emergency")
# A symptom placed after one's own treatment ("2 weeks after my sessions i have brown patches")
# is about the treatment's effects, whatever else the sentence resembles ("sessions").
_AFTER_MY_TREATMENT = re.compile(
    r"\b(after|since|post|from)\s+(my|the|your|a|last|that|this)?\s*(\w+\s)?"
    r"(sessions?|treatments?|needling|microneedling|procedure|appointment|appt)\b",
    re.I,
)
_EFFECT_TOPICS = (
    *_SYMPTOM_TOPICS,
    *_SAFETY_INTENTS,
    "ask_downtime",
    "ask_aftercare",
    "ask_medical_advice",
)
# How people tell of skin that has always been so ("goes red whenever I climb stairs, my whole
# life"): never a treatment's effect, even in a question about the treatment.
_LIFELONG = re.compile(
    r"\b(whenever|every time i|my whole life|all my life|always (been|had|get|gets)|"
    r"since (i was|birth|childhood|forever))\b",
    re.I,
)
# Where a severe allergic reaction shows: an emergency reading that names one is always kept.
_EMERGENCY_PLACES = re.compile(
    r"\b(throat|breath\w*|swallow\w*|wheez\w*|faint\w*|collaps\w*|hives)\b", re.I
)


# A fear or a tendency told before a treatment ("I tend to faint around needles") is no reaction
# happening now; told with needles or pain it is a question about pain.
_TENDENCY = re.compile(
    r"\b(tend to|usually|always|whenever|every time|scared|afraid|nervous|anxious|phobia|"
    r"worried|terrified)\b",
    re.I,
)
_PAIN_WORDS = re.compile(
    r"\b(pain\w*|hurt\w*|needles?|sore|ouch|uncomfortable|discomfort|agon\w*|excruciat\w*)\b", re.I
)
# Fainting told as one's history with needles or blood ("I fainted once getting blood taken",
# "I tend to pass out around needles") is a fear to answer with the pain answer, not a reaction
# happening now. Only fainting: breathing, the throat or hives always keep the emergency reply,
# and so does fainting after a treatment.
_FAINTING = re.compile(r"\b(faint\w*|pass(ed|es|ing)? out|black(ed)? out)\b", re.I)
_FAINTING_HISTORY = re.compile(
    r"\b(once|before|in the past|as a kid|tend to|usually|always|whenever|every time|"
    r"blood (test|tests|taken|drawn|work|draws?)|getting blood|sight of (blood|needles?)|"
    r"(around|at|with) needles?|needle phobi\w*|vaccin\w*|jabs?|shots?)\b",
    re.I,
)
# Signs of a severe allergic reaction in the airway: never a fear or a habit told.
_AIRWAY = r"throat|breath\w*|swallow\w*|wheez\w*|tongue|lips?|chest|anaphyla\w*"
_SEVERE_NOT_FAINTING = re.compile(rf"\b({_AIRWAY}|hives)\b", re.I)
# "Is microneedling gonna be sore there?" asks about the treatment to come: no report of a
# warning sign, whatever the classifier read.
_ASKS_WHAT_WILL_HAPPEN = re.compile(
    r"\b(will (it|i|my|the|this)|(gonna|going to|is it|would it) (be|hurt|make|feel|sting))\b",
    re.I,
)

# What places a message after a treatment or now: then it may report a sign, and keeps its reading.
_TOLD_AFTERWARDS = re.compile(
    r"\b(after|afterwards|since|post|ago|yesterday|today|tonight|now|still|days?|hours?)\b", re.I
)

# "I break out in hives with numbing cream": an allergy told, which the article makes a reason
# not to have the treatment, not a reaction happening now (that names the airway, "now", or a
# treatment just had).
_REACTION_NOW = re.compile(rf"\b(now|right now|rn|currently|all over|spreading|{_AIRWAY})\b", re.I)


# A reaction to the numbing cream spreading over the body or making one light-headed is a severe
# allergic reaction, whatever the words ("bumps everywhere since the lidocaine", "whole body
# itchy since the anesthetic"); told of a past time it is an allergy, read elsewhere.
_AFTER_NUMBING = re.compile(
    r"\b(since|after|from) (the |my |that |using (the )?)?(lidocaine|lidocain|numbing|"
    r"an(a)?esthetic|freezing|cream)\b",
    re.I,
)
_ALL_OVER = re.compile(
    r"\b(all over|everywhere|whole body|entire body|(chest|arms|legs|neck|back|body) and)\b", re.I
)
_SKIN_REACTION = re.compile(
    r"\b(hives|welts|bumps|blotch\w*|itch\w*|rash\w*|swell\w*|swollen)\b", re.I
)
_FAINTISH = re.compile(r"\b(light ?-?headed|dizzy|faint\w*|woozy)\b", re.I)
_LONG_AGO = re.compile(r"\b(last time|once|in the past|years? ago|as a (kid|child|teen))\b", re.I)


def _a_reaction_to_the_numbing(text: str) -> bool:
    return bool(
        _AFTER_NUMBING.search(text)
        and not _LONG_AGO.search(text)
        and ((_SKIN_REACTION.search(text) and _ALL_OVER.search(text)) or _FAINTISH.search(text))
    )


# An allergy or reaction to the numbing, told in any words ("the stuff they numb u with made my
# arm swell up", "i break out in a rash from emla cream"): the screening registry's words for
# the numbing and for a reaction, so both readings share one vocabulary. Asking whether the
# cream causes a reaction is a side-effect question, not an allergy told.
_SCREENING_RULES = load_rules("screening")
_NUMBING_NAMED = _SCREENING_RULES.by_id("lidocaine.caution.numbing_named")
_A_REACTION = _SCREENING_RULES.by_id("lidocaine.yes.allergy_named")
_ASKS_IF_IT_CAUSES = re.compile(
    r"\b(does|do|will|would|can|could|might|is it)\b[^.?]*\b(cause|give|make|lead to)s?\b", re.I
)


def _an_allergy_told(
    intent: str | None, entities: Sequence[Mapping], labels: set, text: str
) -> bool:
    lidocaine = any(e.get("value") == "lidocaine_allergy" for e in entities)
    lowered = text.lower()
    return bool(
        (lidocaine or _NUMBING_NAMED.search(lowered))
        and _A_REACTION.search(lowered)
        and not labels & _WARNING_LABELS
        and not _REACTION_NOW.search(text)
        and not _AFTER_MY_TREATMENT.search(text)
        and not _ASKS_IF_IT_CAUSES.search(text)
        # read as an alarm and placed right after the numbing: a reaction happening, not told
        and not (
            intent in _SAFETY_INTENTS and _AFTER_NUMBING.search(text) and not _LONG_AGO.search(text)
        )
    )


def _with_the_allergy(entities: Sequence[Mapping]) -> list[Mapping]:
    """The entities, with the lidocaine allergy among them (so it gets its own answer) and
    without concerns: "I break out in a rash" tells of the reaction, not of acne."""
    kept = [e for e in entities if e.get("entity") != "concern"]
    if any(e.get("value") == "lidocaine_allergy" for e in kept):
        return kept
    return [*kept, {"entity": "condition", "value": "lidocaine_allergy", "start": 0, "end": 0}]


# A sign told of somebody else who had no treatment ("my husband has a fever but I'm fine"): not
# the visitor's reaction. Never when a treatment, a time after one or the airway is named.
_SOMEONE_ELSE = re.compile(
    r"\bmy (husband|wife|partner|boyfriend|girlfriend|son|daughter|kids?|child|children|baby|"
    r"mom|mum|mother|dad|father|friend|sister|brother|roommate|coworker|colleague)\b"
    r"(\s+\w+){0,2}\s+(has|had|have|got|is|was|'s)\b",
    re.I,
)


def _someone_elses_sign(labels: set, intent: str | None, text: str) -> bool:
    return bool(
        (labels & _WARNING_LABELS or intent in _SAFETY_INTENTS)
        and _SOMEONE_ELSE.search(text)
        and not _TREATMENT_WORDS.search(text)
        and not _SEVERE_NOT_FAINTING.search(text)
    )


def _a_fear_of_fainting(labels: set, text: str) -> bool:
    return bool(
        labels & _WARNING_LABELS == {"emergency_sign"}
        and _FAINTING.search(text)
        and _FAINTING_HISTORY.search(text)
        and _PAIN_WORDS.search(text)
        and not _SEVERE_NOT_FAINTING.search(text)
        and not _AFTER_MY_TREATMENT.search(text)
    )


# Redness, swelling or warmth in the first two days is what the article says to expect ("goes
# away after about 48 hours"): "did needling yesterday and my face is still pink" is an
# after-effect, not a warning sign. What turns it into one is change for the worse or a sign of
# infection, and then the warning stays.
_FIRST_DAYS = re.compile(
    r"\b(yesterday|today|tonight|last night|this (morning|afternoon|evening)|earlier|"
    r"same day|next day|day after|(on )?day (1|one|2|two)|2nd day|second day|"
    r"(right|straight|just|immediately|shortly|soon) after|"
    r"(1|one|2|two|24|48) ?(hours?|hrs?|days?)|just (had|got|did)|"
    r"(a|one) day (since|after|later|ago|out)|been (a|one) day|(a )?couple (of )?days)\b",
    re.I,
)
# Side effects the article lists with no time limit: dryness, bruising, irritation told with no
# sign of getting worse are side effects to expect, whatever day it is.
_LISTED_MILD_EFFECTS = {"flaking_dryness", "bruising", "irritation"}
_GETTING_WORSE = re.compile(
    r"\b(wors\w*|spread\w*|pus|ooz\w*|fever\w*|streaks?|crust\w*|throb\w*|blister\w*|"
    r"bleed\w*|hotter|more and more|bigger|severe|really bad|shut|huge|massive|extreme\w*|"
    r"can'?t|won'?t|not (going|getting)|(not|no) better)\b",
    re.I,
)


def _everyday_cause(text: str) -> re.Match | None:
    """An everyday cause stated: "from the cold", "after a hot shower"."""
    return _EVERYDAY_CAUSE.search(text) or _EVERYDAY_AFTER.search(text)


def describes_everyday_skin(text: str) -> bool:
    """The visitor tells about skin ("my pores are huge", "lips chapped from the wind"), asking
    nothing and naming no treatment."""
    text = text or ""
    return bool(
        not _ASKING.search(text) and not _TREATMENT_WORDS.search(_EVERYDAY_AFTER.sub(" ", text))
    )


def _not_an_alarm_after_all(
    intent: str | None, entities: Sequence[Mapping], labels: set, text: str
) -> tuple[str | None, list[Mapping], str] | None:
    """A safety reading that tells of something other than a reaction happening now: a fear
    ("I tend to faint around needles"), an allergy told as a habit ("I break out in hives with
    numbing cream"), a question about the treatment to come ("is it gonna be sore there?"), or
    an effect the article says to expect (dryness or a bruise, or redness in the first two
    days) with no sign of getting worse. None when the reading stands or is not a safety one."""
    if intent == "report_emergency" and not labels & _WARNING_LABELS and _TENDENCY.search(text):
        topic = "ask_pain" if _PAIN_WORDS.search(text) else None
        return topic, list(entities), "statement.fear_or_tendency"
    if _an_allergy_told(intent, entities, labels, text):
        return (
            "ask_contraindications",
            _with_the_allergy(entities),
            "statement.numbing_allergy_told",
        )
    if _a_fear_of_fainting(labels, text):
        kept = [e for e in entities if e.get("entity") != "emergency_sign"]
        return "ask_pain", kept, "statement.fear_of_fainting"
    if (
        intent in _SAFETY_INTENTS
        and not labels & _WARNING_LABELS
        and "symptom" not in labels
        and _ASKS_WHAT_WILL_HAPPEN.search(text)
        and not _TOLD_AFTERWARDS.search(text)
    ):
        topic = "ask_pain" if _PAIN_WORDS.search(text) else "ask_side_effects"
        return topic, list(entities), "statement.asks_what_will_happen"
    if labels & _WARNING_LABELS or intent != "report_warning_signs" or _GETTING_WORSE.search(text):
        return None
    everyday = describes_everyday_skin(text)
    if everyday and _everyday_cause(text):
        return None  # "itchy from the cold": no effect of a treatment at all, read below
    symptoms = {e.get("value") for e in entities if e.get("entity") == "symptom"}
    if symptoms and symptoms <= _LISTED_MILD_EFFECTS:
        return "ask_side_effects", list(entities), "statement.listed_mild_effect"
    if not everyday and _FIRST_DAYS.search(text):
        return "ask_after_effects", list(entities), "statement.first_two_days"
    return None


def reading_of_a_statement(
    intent: str | None,
    entities: Sequence[Mapping],
    text: str,
    topics: Collection[str],
    trace: list[str] | None = None,
) -> tuple[str | None, list[Mapping]]:
    """What a statement about one's skin really asks, as (intent, entities).

    Naming a concern and no symptom ("big pores on my cheeks") it asks whether needling treats
    it, whatever small-talk reading ("goodbye") the classifier made of it. A symptom with an
    everyday cause ("red blotches when I'm embarrassed", "puffy from crying") is no side effect
    and no warning sign: its symptom is dropped, and the message is none of the assistant's
    topics; so is anything else told with an everyday cause ("a scratch from my cat") that the
    classifier read as an effect. Fears, allergies told as habits, questions about the
    treatment to come and expected effects are no alarm (`_not_an_alarm_after_all`). A warning
    or emergency reading with nothing felt or seen ("i shave my face", "just had coffee and i'm
    jittery") is none either.
    Each time the classifier's side-effects or warning reading would have answered "contact
    the clinic". A warning-sign word always keeps its warning, so does an emergency reading
    naming the throat or breathing, and so does a symptom with no stated cause: on a needling
    clinic's chat it may well follow a treatment."""
    topic, kept, rule_id = _statement(intent, entities, text, topics)
    if rule_id and trace is not None:
        trace.append(rule_id)
    return topic, kept


def _statement(
    intent: str | None, entities: Sequence[Mapping], text: str, topics: Collection[str]
) -> tuple[str | None, list[Mapping], str | None]:
    labels = {entity.get("entity") for entity in entities}
    text = text or ""
    if _a_reaction_to_the_numbing(text):
        return "report_emergency", list(entities), "statement.reaction_to_the_numbing"
    symptoms = {e.get("value") for e in entities if e.get("entity") == "symptom"}
    if (
        intent == "report_warning_signs"
        and symptoms == {"pigment_changes"}
        and not labels & _WARNING_LABELS
    ):
        # A rare risk the article names, with its own reply (which says to contact the clinic).
        return "ask_side_effects", list(entities), "statement.pigment_change_is_a_listed_risk"
    if _someone_elses_sign(labels, intent, text):
        kept = [e for e in entities if e.get("entity") not in (*_WARNING_LABELS, "symptom")]
        return None, kept, "statement.someone_elses_sign"
    reading = _not_an_alarm_after_all(intent, entities, labels, text)
    if reading is not None:
        return reading
    severe = intent == "report_emergency" and _EMERGENCY_PLACES.search(text)
    if labels & _WARNING_LABELS or severe:
        return intent, list(entities), "safety.warning_kept"
    if "symptom" in labels and intent not in _EFFECT_TOPICS and _AFTER_MY_TREATMENT.search(text):
        return "ask_side_effects", list(entities), "statement.symptom_after_treatment"
    felt = "symptom" in labels or bool(_SENSATION.search(text))
    if felt and _LIFELONG.search(text) and intent in (*_SYMPTOM_TOPICS, *_SAFETY_INTENTS):
        # Whether skin like that suits needling is the doctor's to judge, at a consultation.
        kept = [e for e in entities if e.get("entity") != "symptom"]
        topic = "ask_medical_advice" if _ASKING.search(text) else None
        return topic, kept, "statement.lifelong_skin"
    if not describes_everyday_skin(text):
        return intent, list(entities), None
    cause = _everyday_cause(text)
    effect_reading = intent in (*_SYMPTOM_TOPICS, *_SAFETY_INTENTS)
    if cause and (felt or effect_reading) and not _GETTING_WORSE.search(text):
        # "red from the cold" lowers no alarm when it grows: "worse every day" keeps it.
        kept = [e for e in entities if e.get("entity") != "symptom"]
        return (None if effect_reading else intent), kept, "statement.everyday_cause"
    concern_only = "concern" in labels and "symptom" not in labels
    if concern_only and (effect_reading or intent not in topics):
        return "ask_treats", list(entities), "statement.concern_stated"
    if not felt and intent in _SAFETY_INTENTS:
        return None, list(entities), "statement.nothing_felt"
    return intent, list(entities), None
