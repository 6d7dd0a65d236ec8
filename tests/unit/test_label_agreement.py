"""The annotators' readings stay comparable with the data: their labels are the domain's intents,
and the examples they read are still training examples (eval/label_agreement.py)."""

from pathlib import Path

import yaml

from eval.label_agreement import READINGS, report, training_labels

ROOT = Path(__file__).resolve().parents[2]


def test_readings_use_the_domains_intents():
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    readings = yaml.safe_load(READINGS.read_text())
    assert len(readings) == 400
    assert {r["a"] for r in readings} | {r["b"] for r in readings} <= intents


def test_the_examples_read_are_still_training_examples():
    labels = training_labels(ROOT / "data" / "nlu.yml")
    readings = yaml.safe_load(READINGS.read_text())
    assert all(r["text"].lower() in labels for r in readings)


def test_report_counts_agreement_and_sides_taken_on_errors():
    readings = [
        {"text": "cya", "a": "goodbye", "b": "goodbye"},
        {"text": "where r u", "a": "ask_contact_details", "b": "ask_contact_details"},
        {"text": "not in the data", "a": "greet", "b": "greet"},
    ]
    labels = {"cya": "goodbye", "where r u": "ask_clinic"}
    text = report(readings, labels, {"cya": "greet"})
    assert "2 of 3 annotated examples are in the training data" in text
    assert "annotator a agrees with the data's label: 1/2 = 50.0%" in text
    assert "'where r u': data ask_clinic, annotators ask_contact_details" in text
    assert "annotator a sides with the data's label 1/1 = 100.0%, with the classifier 0/1" in text
