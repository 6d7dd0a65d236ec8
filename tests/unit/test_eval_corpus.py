"""The evaluation corpus (eval/corpus.py): every set reads as its kind, the newest blind set is
found by name, and a mistake in a set is said with its file and item."""

import re
from pathlib import Path

import pytest

from eval.consent_accuracy import evaluate as judge_consent
from eval.corpus import (
    CONSENT,
    QUESTIONS,
    SCREENING,
    CorpusError,
    every_set,
    kind_of,
    latest,
    load,
    load_readings,
)


def test_every_set_reads_as_its_kind():
    sets = every_set()
    assert {kind_of(p) for p in sets} == {QUESTIONS, SCREENING, CONSENT}
    assert all(load(p) for p in sets)
    assert len(load_readings()) == 400


def test_the_newest_blind_set_is_found_by_its_number(tmp_path: Path):
    for name in ("blind", "blind_v2", "blind_v10", "blind_v9", "blind_v10_screening"):
        (tmp_path / f"{name}.yml").write_text("[]")
    assert [p.name for p in latest(tmp_path)] == ["blind_v10.yml", "blind_v10_screening.yml"]
    assert [p.name for p in every_set(tmp_path)][:3] == [
        "blind.yml",
        "blind_v2.yml",
        "blind_v9.yml",
    ]


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("q.yml", '- {tag: pain, q: "hurt?", expect: ["numb("]}', "item 1 bad regex"),
        ("q.yml", '- {q: "hurt?"}', "item 1 needs 'tag' and 'q'"),
        ("s_screening.yml", "- {slot: sunburn, a: nope, means: maybe}", "'means' must be"),
        ("s_screening.yml", "- {slot: tattoo, a: nope, means: no}", "'slot' must be"),
        ("s_consent.yml", "- {a: send it, means: unsure}", "'means' must be one of yes, no, ask"),
        ("empty.yml", "", "non-empty list"),
    ],
)
def test_a_mistake_in_a_set_is_named(tmp_path: Path, name: str, text: str, said: str):
    (tmp_path / name).write_text(text)
    with pytest.raises(CorpusError, match=re.escape(said)):
        load(tmp_path / name)


def test_the_consent_judge_reads_each_reply_and_counts_by_meaning():
    tally = judge_consent(
        [
            {"a": "yes send it", "means": "yes"},
            {"a": "no, my phone number is wrong", "means": "no"},
            {"a": "will they call today?", "means": "yes"},
        ]
    )
    assert (tally.right, tally.total) == (2, 3)
    assert tally.tables["means"] == {"yes": [1, 2], "no": [1, 1]}
    assert tally.misses and "will they call today?" in tally.misses[0]
