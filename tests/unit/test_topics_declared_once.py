"""A question topic is declared in three files, and they must agree.

Adding a topic means: the intent in domain.yml (and its examples in data/nlu.yml), the intent in
`TOPICS` in understanding/subjects.py, and the intent in the `or:` of every rule of data/rules.yml
that
sends questions to action_answer_question (the rule for questions with nothing going on, and the
rules for questions asked during the screening_form and the contact_form). A topic missing from
one of them is classified but never answered, or answered with nothing.
"""

from pathlib import Path

import yaml

from understanding.subjects import TOPICS

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
RULES = yaml.safe_load((ROOT / "data" / "rules.yml").read_text())["rules"]

# Intents those rules send to action_answer_question that are not topics, and why.
NOT_TOPICS = {
    "report_warning_signs": "safety: the action answers warning signs before anything else",
    "report_emergency": "safety: the action answers an emergency before anything else",
    "out_of_scope": "answered with the honest 'I can only help with medical needling'",
    "nlu_fallback": "Rasa's own intent for an unsure classification: a rephrase prompt, or the "
    "topic a word of the vocabulary names",
    "inform": "a fact stated with no form active: answered from the subject it names "
    '("I have rosacea"), else a rephrase prompt',
    "unsure": '"not sure" with no form active: a rephrase prompt',
}


def question_rules() -> dict[str, list[str]]:
    """Rule name -> the intents of its `or:`, for rules whose `or:` holds a topic and is
    followed by action_answer_question."""
    found = {}
    for rule in RULES:
        steps = rule.get("steps") or []
        for step, following in zip(steps, steps[1:], strict=False):
            intents = [branch.get("intent") for branch in step.get("or") or []]
            if following.get("action") == "action_answer_question" and set(intents) & set(TOPICS):
                found[rule["rule"]] = intents
    return found


def test_the_three_question_rules_are_found():
    assert len(question_rules()) == 3, (
        "Expected three rules in data/rules.yml sending questions to action_answer_question "
        f"(nothing going on, during screening_form, during contact_form); found "
        f"{sorted(question_rules())}. If the rules changed on purpose, update this test."
    )


def test_every_topic_is_an_intent_of_the_domain():
    missing = sorted(set(TOPICS) - set(DOMAIN["intents"]))
    assert not missing, (
        f"{missing} are in TOPICS (understanding/subjects.py) but not under `intents:` in "
        "domain.yml: "
        "add them to domain.yml (with examples in data/nlu.yml), or remove them from TOPICS."
    )


def test_every_topic_has_its_general_response():
    missing = sorted(
        intent for intent, (general, _) in TOPICS.items() if general not in DOMAIN["responses"]
    )
    assert not missing, (
        f"The general responses of {missing} (TOPICS in understanding/subjects.py) are not in "
        "domain.yml: write them under `responses:`."
    )


def test_every_topic_is_in_every_question_rule():
    for name, intents in question_rules().items():
        missing = sorted(set(TOPICS) - set(intents))
        assert not missing, (
            f"{missing} are in TOPICS (understanding/subjects.py) but not in the `or:` of the rule "
            f"{name!r}: add `- intent: ...` there in data/rules.yml."
        )


def test_every_intent_a_question_rule_answers_is_a_topic_or_explained():
    for name, intents in question_rules().items():
        unexplained = sorted(set(intents) - set(TOPICS) - set(NOT_TOPICS))
        assert not unexplained, (
            f"The rule {name!r} in data/rules.yml sends {unexplained} to "
            "action_answer_question, but they are not in TOPICS: add them to TOPICS in "
            "understanding/answers.py (with their responses), or, if they are not question topics, "
            "to NOT_TOPICS in this test with the reason."
        )
        unknown = sorted(set(intents) - set(DOMAIN["intents"]) - {"nlu_fallback"})
        assert not unknown, (
            f"The rule {name!r} in data/rules.yml names {unknown}, which domain.yml does not "
            "list under `intents:`."
        )
