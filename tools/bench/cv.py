"""NLU intent and entity F1 by 5-fold cross-validation (`rasa test nlu --cross-validation`).

Rasa pools the test folds' predictions and writes intent_report.json, one <extractor>_report.json
per entity extractor, and (with --successes) every prediction, from which the confusion matrix is
counted here rather than drawn by Rasa, so the report's plot is made like its others.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from tools.bench.cache import WORK, BenchError
from tools.bench.configs import DATA, Variant
from tools.bench.runner import bench_env, log_tail, run_logged
from tools.bench.training import CACHE_ENV
from tools.stack import VENV_BIN

FOLDS = 5
CV_TIMEOUT_S = 90 * 60
SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")
# Labels Rasa puts in entity reports that are not entity types.
NOT_ENTITIES = {*SUMMARY_KEYS, "no_entity"}


def fold_progress(log: Path) -> str:
    """Which fold is training: every fold trains one intent classifier (DIET for stock, the
    project's SentenceIntentClassifier for ours)."""
    text = log_tail(log, 4_000_000)
    folds = len(re.findall(r"Starting to train component '(DIETClassifier|SentenceIntent)", text))
    epochs = re.findall(r"Epochs: +(\d+)%", text[-20000:])
    return f"fold {max(folds, 1)}/{FOLDS}" + (f", DIET {epochs[-1]}%" if epochs else "")


def weighted_f1(report: dict[str, Any]) -> float | None:
    value = (report.get("weighted avg") or {}).get("f1-score")
    return round(float(value), 4) if value is not None else None


def per_label_f1(report: dict[str, Any]) -> dict[str, float]:
    return {
        label: round(float(scores["f1-score"]), 4)
        for label, scores in sorted(report.items())
        if label not in NOT_ENTITIES and isinstance(scores, dict) and "f1-score" in scores
    }


def confusion(predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """{"labels": [...], "matrix": rows = true intent, columns = predicted}."""
    pairs = [
        (p["intent"], (p.get("intent_prediction") or {}).get("name") or "None") for p in predictions
    ]
    labels = sorted({label for pair in pairs for label in pair})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for true, predicted in pairs:
        matrix[index[true]][index[predicted]] += 1
    return {"labels": labels, "matrix": matrix}


def read_results(out: Path, data_has_entities: bool) -> dict[str, Any]:
    intent_report = json.loads((out / "intent_report.json").read_text())
    predictions: list[dict[str, Any]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        if (out / name).exists():
            predictions += json.loads((out / name).read_text())
    entity_reports = {
        path.name.removesuffix("_report.json"): json.loads(path.read_text())
        for path in sorted(out.glob("*_report.json"))
        if path.name not in ("intent_report.json", "response_selection_report.json")
    }
    entity_f1 = {name: weighted_f1(report) for name, report in entity_reports.items()}
    return {
        "intent_f1": weighted_f1(intent_report),
        "intent_f1_by_intent": per_label_f1(intent_report),
        # Without annotated entities in the data there is nothing to score an extractor against.
        "entity_f1": max((f for f in entity_f1.values() if f is not None), default=None)
        if data_has_entities
        else None,
        "entity_f1_by_extractor": entity_f1,
        "predictions": len(predictions),
        "confusion": confusion(predictions),
    }


def annotated_entities(nlu_text: str) -> int:
    """How many examples mark an entity, [text](type) or [text]{...}."""
    return len(re.findall(r"\[[^\]\n]+\](\([^)\n]+\)|\{[^}\n]+\})", nlu_text))


def cross_validate(variant: Variant) -> dict[str, Any]:
    folder = WORK / "cv" / variant.name
    shutil.rmtree(folder, ignore_errors=True)
    out = folder / "out"
    cache = folder / "rasa-cache"
    argv = [str(VENV_BIN / "rasa"), "test", "nlu", "--cross-validation", "--folds", str(FOLDS)]
    argv += ["--config", str(variant.config_copy()), "--nlu", str(DATA / "nlu.yml")]
    argv += ["--out", str(out), "--successes", "--no-plot"]
    log = folder / "cv.log"
    label = f"{variant.name}: {FOLDS}-fold cross-validation"
    run_logged(argv, log, CV_TIMEOUT_S, label, bench_env(**{CACHE_ENV: str(cache)}), fold_progress)
    shutil.rmtree(cache, ignore_errors=True)
    if not (out / "intent_report.json").exists():
        raise BenchError(f"{label}: no intent_report.json in {out}; log: {log}")
    entities = annotated_entities((DATA / "nlu.yml").read_text())
    result = read_results(out, entities > 0)
    result["annotated_entities"] = entities
    return result
