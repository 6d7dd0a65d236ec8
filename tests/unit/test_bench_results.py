"""bench/results.json: three variants with the same keys, null where a measure does not apply."""

from tools.bench.configs import QUESTION_SETS
from tools.bench.cv import annotated_entities, confusion
from tools.bench.results import KEYS, assemble, shape_problems
from tools.bench.training import change_nlu_example, change_response_text

SCORE = {"overall": 0.5, "right": 1, "total": 2, "by_tag": {"pain": {"right": 1, "total": 2}}}
ACCURACY = {name: SCORE for name in QUESTION_SETS}
LATENCY = {"1": {"p50": 100.0, "p95": 200.0, "p99": 300.0}}
SERVE = {
    "answer_accuracy": ACCURACY,
    "latency_ms": LATENCY,
    "throughput_msg_s": {"1": 9.5},
    "load": {"1": {"errors": 0}},
    "rss_mb": {"after_load_model": 1200.0, "after_load_test": 1250.0},
    "start_s": 40.0,
}
STAGES = {
    "ours": {
        "train": {"train_s": 300.0, "model_mb": 57.0, "model": "m"},
        "serve": SERVE,
        "cv": {"intent_f1": 0.93, "entity_f1": None, "intent_f1_by_intent": {"greet": 1.0}},
        "retrain": {"unchanged": 20.0, "response_text": 25.0, "nlu_example": 90.0},
    },
    "stock": {"train": None, "serve": SERVE, "cv": None},
    "search": {"search": {"answer_accuracy": ACCURACY, "train_s": 0.01, "model_mb": 0.2}},
}


def test_every_variant_has_every_key_and_the_shape_is_right():
    results = assemble(STAGES)
    assert set(results) == {"ours", "stock", "search"}
    for variant in results.values():
        assert set(KEYS) <= set(variant)
    assert shape_problems(results) == []


def test_what_does_not_apply_or_was_not_measured_is_null():
    results = assemble(STAGES)
    assert results["search"]["latency_ms"] is None
    assert results["search"]["rss_mb"] is None
    assert results["stock"]["train_s"] is None  # its training failed or was skipped
    assert results["ours"]["entity_f1"] is None
    assert results["ours"]["retrain_s"]["response_text"] == 25.0


def test_a_wrong_shape_is_reported():
    results = assemble(STAGES)
    del results["stock"]["model_mb"]
    results["ours"]["latency_ms"] = {"1": {"p50": 1.0}}
    results["ours"]["intent_f1"] = 93
    problems = " ".join(shape_problems(results))
    assert "stock: missing ['model_mb']" in problems
    assert "latency_ms[1]" in problems
    assert "intent_f1 must be between 0 and 1" in problems


def test_the_confusion_matrix_counts_true_intent_by_predicted_intent():
    predictions = [
        {"intent": "greet", "intent_prediction": {"name": "greet"}},
        {"intent": "greet", "intent_prediction": {"name": "thank"}},
        {"intent": "thank", "intent_prediction": {"name": "thank"}},
    ]
    assert confusion(predictions) == {"labels": ["greet", "thank"], "matrix": [[1, 1], [0, 1]]}


def test_entities_are_counted_only_where_the_data_marks_them():
    assert (
        annotated_entities('- does it help with [acne](concern)\n- hi [there]{"entity": "x"}') == 2
    )
    assert annotated_entities("- does it help with acne [scars]\n- hi") == 0


def test_the_wording_changes_touch_one_response_and_one_example():
    domain = (
        "intents:\n  - greet\nresponses:\n"
        '  utter_greet:\n    - text: "Hi!"\n  utter_bye:\n    - text: "Bye"\n'
    )
    changed = change_response_text(domain)
    assert '- text: "Hello again! Hi!"' in changed and '- text: "Bye"' in changed
    nlu = "nlu:\n- intent: greet\n  examples: |\n    - hello\n    - hi\n"
    assert (
        change_nlu_example(nlu)
        == "nlu:\n- intent: greet\n  examples: |\n    - hello please\n    - hi\n"
    )
