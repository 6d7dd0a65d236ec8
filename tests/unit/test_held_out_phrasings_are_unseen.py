"""The held-out phrasings (tests/nlu_holdout.yml, `make nlu-test`) measure wording the
classifier never saw: none may also be a training example, or the figure flatters the model."""

import re
from pathlib import Path

from eval.label_agreement import training_labels

ROOT = Path(__file__).resolve().parents[2]


def examples(path: Path) -> set[str]:
    found = {re.sub(r"[^a-z0-9 ]", "", text).strip() for text in training_labels(path)}
    return found - {""}


def test_no_held_out_phrasing_is_a_training_example():
    shared = examples(ROOT / "tests" / "nlu_holdout.yml") & examples(ROOT / "data" / "nlu.yml")
    assert not shared, sorted(shared)
