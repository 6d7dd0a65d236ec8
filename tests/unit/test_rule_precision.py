"""eval.rule_precision counts, per rule, the answers it decided and how many were right."""

from eval.rule_precision import consent_counts, known_rules, screening_counts


def test_a_screening_rule_is_counted_where_it_decides_and_credited_when_right():
    fired, right = screening_counts(
        [
            {"slot": "sunburn", "a": "nope", "means": "no"},
            {"slot": "pregnant", "a": "nah", "means": "unsure"},
            {"slot": "sunburn", "a": "got burnt at the lake", "means": "yes"},
        ]
    )
    assert fired["no.word_first"] == 2 and right["no.word_first"] == 1
    assert fired["sunburn.yes.signs"] == 1 and right["sunburn.yes.signs"] == 1


def test_every_registry_knows_its_rules():
    rules = known_rules()
    assert "no.word_first" in rules and "consent.yes.send" in rules
    assert "statement.everyday_cause" in rules


def test_a_consent_rule_is_counted_and_credited_like_a_screening_rule():
    fired, right = consent_counts(
        [
            {"a": "yes send it", "means": "yes"},
            {"a": "ok, change my name", "means": "no"},  # read as "ask": yes and no both fired
            {"a": "change my name", "means": "no"},
        ]
    )
    assert fired["consent.yes.send"] == 2 and right["consent.yes.send"] == 1
    assert fired["consent.no.change"] == 2 and right["consent.no.change"] == 1
