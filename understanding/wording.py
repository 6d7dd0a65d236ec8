"""What a question's wording says of its topic, beside the classifier: a concern named as a risk
of the treatment ("will it give me acne?") is a side-effect question; a preparation reading of a
question placed after the treatment ("makeup the following morning?") is aftercare; how long
the appointment lasts is its duration, not how long results last; healing from something else
("how long does a broken finger take to heal") or a pick of everyday skincare ("a good
moisturiser for winter") is none of the article's topics; "is this like surgery?" asks what
the procedure is. Pure functions over the text
(understanding/answers.py calls them; tested through tests/unit/test_answer_routing.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from understanding.registry import patterns_of

# The patterns, their reasons and their examples: understanding/wording.yml.
_pattern = patterns_of("wording")


_BEFORE = _pattern("before")
# Arriving from somewhere is before the treatment: "can i come straight from the gym".
_ARRIVING = _pattern("arriving")
_AGAIN = _pattern("again")
# "Will it give me acne?", "can needling make rosacea worse?": a concern named as a risk of the
# treatment, a side-effect question, not a question about what it treats.
_RISK_OF_IT = _pattern("risk_of_it")
# "What does it actually trigger in the body": how it works, not a risk.
_MECHANISM = _pattern("mechanism")
_RISK_READ_AS = {"ask_treats", "ask_results", "ask_what_is", "ask_medical_advice"}
# How long or how often, asked of a product or an activity ("how long before should I stop my
# AHA/BHA", "do I have to stop running after", "will makeup mess up the results"): when to use or
# avoid it around the treatment, never how often the treatment is repeated or what it achieves.
# A product told as background ("tried every cream, so how many sessions?") leaves a question
# about sessions one.
_TIMING_READ_AS = {"ask_maintenance", "ask_results", "ask_duration"}
# A product or activity placed after the treatment ("a dinner that night, can I wear makeup?")
# is aftercare, though the classifier read preparation.
_PLACED_AFTER = _pattern("placed_after")
# The numbing cream the clinic puts on ("after they put the cream on"): no product of one's
# routine (understanding/answers.py reads a product named right after these words as no subject).
NUMBING_WORDS = _pattern("numbing_words").pattern
# "Whats a good moisturiser for winter": a product pick with no treatment in view is everyday
# skincare, none of the article's topics.
_PRODUCT_PICK = _pattern("product_pick")
_AROUND_A_TREATMENT = _pattern("around_a_treatment")
# "Is this invasive? I don't want anything where they cut me", "is this like surgery?": what the
# procedure is.
_SURGERY = _pattern("surgery")
# A day or a time named in a message the classifier read as no topic: a visit proposed.
_DAY_OR_TIME = _pattern("day_or_time")
_NO_TOPIC = {"inform", "nlu_fallback"}
# "What actually is it?" after a story: what the procedure is, not advice.
_WHAT_IT_IS = _pattern("what_it_is")
_WHAT_IT_IS_READ_AS = {"ask_medical_advice", "ask_other_treatments", "out_of_scope", "nlu_fallback"}
_SURGERY_READ_AS = {"ask_medical_advice", "ask_contraindications", "ask_pain", "ask_side_effects"}
# "What conditions can it treat": what it treats, though "conditions" sounds like eligibility.
_IT_TREATS = _pattern("it_treats")
_RESULTS_SEEN = _pattern("results_seen")
_GO_AHEAD_ASKED = _pattern("go_ahead_asked")
# Near topics read for "will that part be sore": a part of the face read as a concern to treat.
_PAIN_READ_AS = {"ask_treats", "ask_what_is", "ask_medical_advice", "ask_compare", "ask_prep"}
_BENEFIT_NAMED = _pattern("benefit_named")
_LENGTH_OF_THE_VISIT = _pattern("length_of_the_visit")
# "How long does a single treatment take": read as how many, or how long results last.
_LENGTH_READ_AS = {"ask_maintenance", "ask_results", "ask_sessions"}
_RESULTS_AFTER_ONE = _pattern("results_after_one")
_HOW_MANY_SESSIONS = _pattern("how_many_sessions")
# Read for "how many rounds would she need": money, time, or advice for a concern named.
_SESSIONS_READ_AS = {
    "ask_price",
    "ask_duration",
    "ask_maintenance",
    "ask_what_is",
    "ask_results",
    "ask_medical_advice",
    "ask_treats",
}
_WILL_IT_HURT = _pattern("will_it_hurt")
_UPKEEP_NAMED = _pattern("upkeep_named")
_MECHANISM_CHECKED = _pattern("mechanism_checked")
_BOOKING_WISHED = _pattern("booking_wished")
_SENSATION_LIKENED = _pattern("sensation_likened")
_MECHANISM_ASKED = _pattern("mechanism_asked")
_PAIN_SCALE = _pattern("pain_scale")
_FITS_A_WINDOW = _pattern("fits_a_window")
_UPKEEP_ASKED = _pattern("upkeep_asked")
_SAFETY_ASKED = _pattern("safety_asked")
_VISIT_ASKED_FOR = _pattern("visit_asked_for")
_DOWNTIME_NAMED = _pattern("downtime_named")
_LENGTH_IN_MINUTES = _pattern("length_in_minutes")
_SYMPTOM_EXPECTED = _pattern("symptom_expected")
# "Will it go all flaky": read as aftercare, preparation, or (told of reactive skin) eligibility.
_SYMPTOM_EXPECTED_READ_AS = {"ask_aftercare", "ask_prep", "ask_contraindications"}
# The near topics of time that "how much down time" is read as.
_TIME_TOPICS = {"ask_duration", "ask_maintenance", "ask_results", "ask_sessions"}
_COVERING_AFTER_EFFECTS = _pattern("covering_after_effects")
# Near topics read for "can I cover the redness with makeup": makeup is aftercare then.
_COVERING_READ_AS = {"ask_prep", "ask_side_effects", "ask_after_effects", "nlu_fallback"}
_NUMBING_NAMED = re.compile(NUMBING_WORDS, re.I)
# Readings with no topic of their own, or a near one, for the questions above.
_NEAR_OR_NONE = {
    "nlu_fallback",
    "out_of_scope",
    "ask_other_treatments",
    "ask_medical_advice",
    "ask_duration",
    "ask_results",
    "ask_treats",
    "ask_compare",
    "ask_after_effects",
    "ask_aftercare",
    "ask_what_is",
    "ask_sessions",
    "ask_downtime",
}
_NUMBING_APPLIED_WHEN = _pattern("numbing_applied_when")
_NUMBING_TIME_READ_AS = {"ask_prep", "ask_pain", "ask_results", "ask_downtime", "ask_duration"}
# "Is being in the sun after a problem?": read as preparation, a side effect, or nothing.
_PLACED_AFTER_READ_AS = {"ask_prep", "ask_side_effects", "nlu_fallback"}
_SOCIAL_DOWNTIME = _pattern("social_downtime")
# Near topics read for "when can I see people again": the looks, results, top-ups ("hiding for a
# week last time, how long do u need after this one") or aftercare ("when can i go out after").
_SOCIAL_READ_AS = {
    "ask_after_effects",
    "ask_side_effects",
    "ask_results",
    "ask_maintenance",
    "ask_aftercare",
}
_CARE_AFTER_TREATMENT = _pattern("care_after_treatment")
_LOOK_AFTERWARDS = _pattern("look_afterwards")
_ADVICE_OR_UNSURE = {"ask_medical_advice", "nlu_fallback", "out_of_scope"}
_GO_AHEAD_READ_AS = {"ask_side_effects", "ask_after_effects", "ask_downtime", "ask_aftercare"}
# Near topics read for "when will I see a difference": the time read as recovery or top-ups.
_RESULTS_READ_AS = {"ask_downtime", "ask_maintenance", "ask_after_effects", "ask_duration"}
# "How long do I wait before doing a peel?": the peel comes after the treatment, so the
# "before" is no preparation.
_WAIT_BEFORE_DOING = _pattern("wait_before_doing")
# Healing or recovery from something else than needling ("how long does a broken finger take to
# heal", "days off after knee surgery", "my new ear piercing is red"): not the article's downtime.
_ANOTHER_BODY_EVENT = _pattern("another_body_event")
_RECOVERY_WORDS = _pattern("recovery_words")
_NEEDLING_NAMED = _pattern("needling_named")
_RECOVERY_TOPICS = {
    "ask_downtime",
    "ask_aftercare",
    "ask_duration",
    "ask_after_effects",
    "ask_side_effects",
    "ask_pain",
    "report_warning_signs",
    "out_of_scope",
}


def speaks_of_before(text: str) -> bool:
    """Whether the message places its subject before the treatment: "before my appointment",
    not "before I use retinol again" or "wait before doing a peel" (both after)."""
    if _ARRIVING.search(text):
        return True
    return bool(
        _BEFORE.search(text) and not _AGAIN.search(text) and not _WAIT_BEFORE_DOING.search(text)
    )


def topic_by_wording(
    intent: str | None, text: str, labels: Collection = (), trace: list[str] | None = None
) -> str | None:
    """The intent, changed where the wording (or what it names: `labels`, the entities'
    kinds) says the classifier's near topic is not the one. The id of the rule that changed it
    (understanding/routing.yml) is added to `trace`."""
    decided = _topic_by_wording(intent, text, labels)
    if decided is None:
        return intent
    rule_id, topic = decided
    if trace is not None:
        trace.append(rule_id)
    return topic


def _topic_by_wording(intent: str | None, text: str, labels: Collection) -> tuple[str, str] | None:
    named = set(labels) - {"topic"}  # "after my session": a topic word, no subject
    if (
        intent in _RISK_READ_AS
        and _RISK_OF_IT.search(text)
        and not _MECHANISM.search(text)
        and not _BENEFIT_NAMED.search(text)
    ):
        return "wording.risk_of_it", "ask_side_effects"
    treats_read_as = ("ask_contraindications", "ask_what_is")  # "what kind of things do u treat"
    if intent in treats_read_as and _IT_TREATS.search(text) and not labels:
        return "wording.what_it_treats", "ask_treats"
    if intent in _NO_TOPIC and _DAY_OR_TIME.search(text) and not labels:
        return "wording.visit_proposed", "ask_opening_hours"
    expecting = intent in _SYMPTOM_EXPECTED_READ_AS and "symptom" in named
    if expecting and _SYMPTOM_EXPECTED.search(text) and not speaks_of_before(text):
        return "wording.symptom_expected", "ask_after_effects"
    if intent == "ask_sessions" and _LENGTH_IN_MINUTES.search(text):
        return "wording.length_in_minutes", "ask_duration"
    if intent in _TIME_TOPICS and _DOWNTIME_NAMED.search(text) and not named:
        return "wording.downtime_named", "ask_downtime"
    if (
        intent in _NEAR_OR_NONE | {"ask_pain", "ask_prep"}
        and _SAFETY_ASKED.search(text)
        and not named
    ):
        return "wording.safety_asked", "ask_side_effects"
    if intent in _NEAR_OR_NONE and _VISIT_ASKED_FOR.search(text) and not named:
        return "wording.visit_asked_for", "ask_opening_hours"
    if intent in _NEAR_OR_NONE and _PAIN_SCALE.search(text):
        return "wording.pain_scale", "ask_pain"
    if intent in _NEAR_OR_NONE - {"ask_what_is"} and _MECHANISM_ASKED.search(text):
        return "wording.mechanism_asked", "ask_what_is"
    if intent in _NEAR_OR_NONE - {"ask_duration"} and _FITS_A_WINDOW.search(text):
        return "wording.fits_a_window", "ask_duration"
    if intent in _NEAR_OR_NONE - {"ask_sessions"} and _UPKEEP_ASKED.search(text):
        return "wording.upkeep_asked", "ask_maintenance"
    if intent in _PAIN_READ_AS and _WILL_IT_HURT.search(text) and not _PLACED_AFTER.search(text):
        return "wording.will_it_hurt", "ask_pain"
    if intent in _NUMBING_TIME_READ_AS and _NUMBING_APPLIED_WHEN.search(text):
        return "wording.numbing_applied_when", "ask_duration"
    if intent in _SOCIAL_READ_AS and _SOCIAL_DOWNTIME.search(text):
        return "wording.social_downtime", "ask_downtime"
    if intent in ("ask_results", "ask_treats") and _MECHANISM_CHECKED.search(text) and not named:
        return "wording.mechanism_checked", "ask_what_is"
    if (
        intent in _SESSIONS_READ_AS
        and _HOW_MANY_SESSIONS.search(text)
        and not _UPKEEP_NAMED.search(text)
    ):
        return "wording.how_many_sessions", "ask_sessions"
    if intent in _LENGTH_READ_AS and _LENGTH_OF_THE_VISIT.search(text):
        return "wording.length_of_the_visit", "ask_duration"
    if intent in _GO_AHEAD_READ_AS and "condition" in labels and _GO_AHEAD_ASKED.search(text):
        return "wording.go_ahead_asked", "ask_contraindications"
    if intent in _ADVICE_OR_UNSURE and _CARE_AFTER_TREATMENT.search(text) and not named:
        return "wording.care_after_treatment", "ask_aftercare"
    if intent in _ADVICE_OR_UNSURE and _LOOK_AFTERWARDS.search(text) and not named:
        return "wording.look_afterwards", "ask_after_effects"
    numbing = _NUMBING_NAMED.search(text)  # "how long for the numbing to kick in" is no result
    if intent in _RESULTS_READ_AS and _RESULTS_SEEN.search(text) and not named and not numbing:
        return "wording.results_seen", "ask_results"
    if intent in _WHAT_IT_IS_READ_AS and _WHAT_IT_IS.search(text):
        return "wording.asks_what_it_is", "ask_what_is"
    if intent in _SURGERY_READ_AS and _SURGERY.search(text):
        return "wording.like_surgery", "ask_what_is"
    subject = set(labels) & {"product", "activity"}
    if (
        intent in _COVERING_READ_AS
        and "product" in subject
        and _COVERING_AFTER_EFFECTS.search(text)
    ):
        return "wording.covering_after_effects", "ask_aftercare"
    if intent in _PLACED_AFTER_READ_AS and subject and placed_after(text):
        return "wording.subject_placed_after", "ask_aftercare"
    if intent in _TIMING_READ_AS and subject:
        return "wording.timing_of_a_subject", (
            "ask_prep" if speaks_of_before(text) else "ask_aftercare"
        )
    return None


def placed_after(text: str) -> bool:
    """Whether the message places what it tells after the treatment ("sunburnt the day after")."""
    return bool(_PLACED_AFTER.search(text)) and not speaks_of_before(text)


def seen_as_a_result(text: str) -> bool:
    """When or what one sees is asked: "will I see a difference", "look better"."""
    return bool(_RESULTS_SEEN.search(text))


def results_after_one(text: str) -> bool:
    """Whether one session shows results is asked: "results after 1 session?"."""
    return bool(_RESULTS_AFTER_ONE.search(text))


def sensation_likened(text: str) -> bool:
    """What the treatment feels like, asked or heard: "my buddy says it feels like sandpaper"."""
    return bool(_SENSATION_LIKENED.search(text)) and not _PLACED_AFTER.search(text)


def booking_wished(text: str) -> bool:
    """A wish to book told beside a question: "I want to book, but first, does it hurt?"."""
    return bool(_BOOKING_WISHED.search(text))


def recovery_from_something_else(intent: str | None, labels: Collection, text: str) -> bool:
    """Healing or recovery from something other than needling, with no warning sign named."""
    return bool(
        intent in _RECOVERY_TOPICS
        and not set(labels) & {"warning_sign", "emergency_sign"}
        and _ANOTHER_BODY_EVENT.search(text)
        and _RECOVERY_WORDS.search(text)
        and not _NEEDLING_NAMED.search(text)
    )


def everyday_skincare(intent: str | None, text: str) -> bool:
    """A pick of everyday skincare or gear with no treatment in view ("whats a good moisturiser
    for winter", "best running shoes")."""
    in_view = _NEEDLING_NAMED.search(text) or _AROUND_A_TREATMENT.search(text)
    picking = intent in ("ask_aftercare", "ask_prep", "out_of_scope")
    return bool(picking and _PRODUCT_PICK.search(text) and not in_view)


_TOPICS_JOINED = _pattern("topics_joined")
_TOPICS_LISTED = _pattern("topics_listed")
# Entities that each make a topic of their own.
_TOPIC_ENTITIES = ("topic", "symptom", "treatment", "concern")
# A concern or a treatment told with its look ("rosacea and redness", "a peel, and I peeled for
# a week") is one subject, not two questions.
_ONE_SUBJECT = ({"concern", "symptom"}, {"treatment", "symptom"})
# Listed topics are names ("number of sessions"), not clauses ("which has less down time").
_LISTED_PART_MAX_WORDS = 3


def split_by_topics(text: str, entities: Sequence[Mapping]) -> list[str]:
    """The questions of a message naming different topics joined ("price and sessions?") or
    listed ("sessions, downtime, results"), cut at the joints between them; else none."""
    named = sorted(
        (int(e["start"]), int(e["end"]), str(e["entity"]), str(e.get("value")))
        for e in entities
        if e.get("entity") in _TOPIC_ENTITIES and "start" in e and "end" in e
    )
    cuts: list[tuple[int, int]] = []
    for (_, end, kind, value), (start, _, next_kind, next_value) in zip(
        named, named[1:], strict=False
    ):
        if (kind, value) == (next_kind, next_value) or {kind, next_kind} in _ONE_SUBJECT:
            continue
        joint = _TOPICS_JOINED.search(text, end, start) or _TOPICS_LISTED.search(text, end, start)
        if joint:
            cuts.append(joint.span())
    edges = [0, *(i for cut in cuts for i in cut), len(text)]
    parts = [text[a:b].strip(" ,/") for a, b in zip(edges[::2], edges[1::2], strict=False)]
    if len(parts) < 2 or any(len(p) < 3 for p in parts):
        return []
    listed = any(not _TOPICS_JOINED.fullmatch(text[a:b]) for a, b in cuts)
    if listed and any(len(p.split()) > _LISTED_PART_MAX_WORDS for p in parts):
        return []
    return parts
