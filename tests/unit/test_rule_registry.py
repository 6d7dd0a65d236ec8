"""The rule registry (understanding/*.yml): every rule fires on its examples and not on its near
misses, no phrase sits in two opposite classes, and each file's stated order is the code's."""

import pytest

from understanding import consent, screening
from understanding.registry import load

FILES = (
    "screening",
    "consent",
    "statements",
    "statements_fr",
    "wording",
    "wording_fr",
    "language",
)
RULES = [(name, rule) for name in FILES for rule in load(name).rules]


@pytest.mark.parametrize("name,rule", RULES, ids=[r.id for _, r in RULES])
def test_every_rule_fires_on_its_examples_and_not_on_its_near_misses(name, rule):
    assert rule.examples, f"{rule.id} has no examples"
    assert rule.not_examples, f"{rule.id} has no near misses"
    for example in rule.examples:
        assert rule.search(example.lower()), f"{rule.id} misses its example {example!r}"
    for near_miss in rule.not_examples:
        assert not rule.search(near_miss.lower()), f"{rule.id} fires on {near_miss!r}"


def test_no_example_of_a_yes_is_also_read_as_a_no_of_the_same_question():
    rules = load("screening").rules
    for slot in screening.SLOTS:
        yes = [r for r in rules if r.decides == "yes" and r.applies_to(slot)]
        no = [r for r in rules if r.decides == "no" and r.applies_to(slot)]
        for rule in yes:
            for example in rule.examples:
                opposite = [n.id for n in no if n.search(example.lower())]
                assert not opposite, f"{example!r}: {rule.id} says yes, {opposite} say no"


@pytest.mark.parametrize(
    "name,code_order", [("screening", screening.ORDER), ("consent", consent.ORDER)]
)
def test_the_registry_states_the_order_the_code_follows(name, code_order):
    assert load(name).order == code_order


def test_a_pattern_naming_an_unknown_word_list_is_an_error(tmp_path, monkeypatch):
    from understanding import registry

    (tmp_path / "broken.yml").write_text(
        "rules:\n  - {id: x, reads: screening, decides: 'no', pattern: '{nowhere}'}\n"
    )
    monkeypatch.setattr(registry, "HERE", tmp_path)
    with pytest.raises(ValueError, match="unknown word list"):
        registry.load.__wrapped__("broken")


@pytest.mark.parametrize(
    "pattern,expected",
    [("abc", 1), ("a|b", 2), ("a|b|(c|d)", 4), (r"x(?:y|z)+(?!p|q)", 3), (r"[|]\|x|y", 2)],
)
def test_the_rule_count_counts_every_branch_at_any_depth(pattern, expected):
    from eval.rule_count import alternatives

    assert alternatives(pattern) == expected
