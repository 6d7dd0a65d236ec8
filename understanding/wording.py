"""What a question's wording says of its topic, beside the classifier. The classifier carries
paraphrase; these rules hold what it cannot learn from examples alone: a concern named as a risk
of the treatment ("will it give me acne?") is a side-effect question; a preparation reading of a
question placed after the treatment ("makeup the following morning?") is aftercare; when or what
one sees is the results; healing from something else ("how long does a broken finger take to
heal") or a pick of everyday skincare ("a good moisturiser for winter") is none of the article's
topics. Pure functions over the text (understanding/answers.py calls them; tested through
tests/unit/test_answer_routing.py and the examples of understanding/routing.yml).
"""

from __future__ import annotations

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
# "Whats a good moisturiser for winter": a product pick with no treatment in view is everyday
# skincare, none of the article's topics.
_PRODUCT_PICK = _pattern("product_pick")
_AROUND_A_TREATMENT = _pattern("around_a_treatment")
# A day or a time named in a message the classifier read as no topic: a visit proposed.
_DAY_OR_TIME = _pattern("day_or_time")
_NO_TOPIC = {"inform", "nlu_fallback"}
_RESULTS_SEEN = _pattern("results_seen")
# and in French: "à quel moment peut-on constater l'effet sur les cicatrices?"
_RESULTS_SEEN_FR = patterns_of("wording_fr")("when_it_shows")
_GO_AHEAD_ASKED = _pattern("go_ahead_asked")
_BENEFIT_NAMED = _pattern("benefit_named")
_RESULTS_AFTER_ONE = _pattern("results_after_one")
_BOOKING_WISHED = _pattern("booking_wished")
_SENSATION_LIKENED = _pattern("sensation_likened")
# The numbing cream the clinic puts on, named.
_NUMBING_NAMED = _pattern("numbing_words")
# "Is being in the sun after a problem?": read as preparation, a side effect, or nothing.
_PLACED_AFTER_READ_AS = {"ask_prep", "ask_side_effects", "nlu_fallback"}
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
    if intent in _NO_TOPIC and _DAY_OR_TIME.search(text) and not labels:
        return "wording.visit_proposed", "ask_opening_hours"
    if intent in _GO_AHEAD_READ_AS and "condition" in labels and _GO_AHEAD_ASKED.search(text):
        return "wording.go_ahead_asked", "ask_contraindications"
    numbing = _NUMBING_NAMED.search(text)  # "how long for the numbing to kick in" is no result
    if intent in _RESULTS_READ_AS and _RESULTS_SEEN.search(text) and not named and not numbing:
        return "wording.results_seen", "ask_results"
    subject = set(labels) & {"product", "activity"}
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
    """When or what one sees is asked: "will I see a difference", "look better", "quand est-ce
    qu'on voit une différence"."""
    return bool(_RESULTS_SEEN.search(text) or _RESULTS_SEEN_FR.search(text))


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
