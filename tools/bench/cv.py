"""NLU intent (and entity) F1 by cross-validation, ours and stock on the very same folds.

`rasa test nlu --cross-validation` draws its folds at random each time (StratifiedKFold without a
seed), so two configurations run that way are judged on different splits. Here the folds are
drawn once, with a fixed seed, and written as files: each fold is trained with
`rasa train nlu` and tested with `rasa test nlu`, as a Rasa user would, and the test folds'
predictions are pooled into one weighted F1, as Rasa's own cross-validation pools them.

Stock's DIET trains 100 epochs a fold, which on all 3,500-odd examples takes about ten minutes
a fold on 2 cores. So by default the folds are drawn from a fixed stratified sample of the
examples (every intent in its proportion; `make bench BENCH_ARGS=--cv-sample 0` uses them all).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from tools.bench.cache import WORK, BenchError
from tools.bench.configs import DATA, DOMAIN, Variant
from tools.bench.runner import bench_env, run_logged
from tools.bench.training import CACHE_ENV
from tools.stack import VENV_BIN

FOLDS = 3
SAMPLE = 1000  # examples drawn for the folds; 0: all of them
SEED = 22
FOLD_TIMEOUT_S = 45 * 60
SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")
# Labels Rasa puts in entity reports that are not entity types.
NOT_ENTITIES = {*SUMMARY_KEYS, "no_entity"}
FOLDS_DIR = WORK / "cv" / "folds"


def weighted_f1(report: dict[str, Any]) -> float | None:
    value = (report.get("weighted avg") or {}).get("f1-score")
    return round(float(value), 4) if value is not None else None


def per_label_f1(report: dict[str, Any]) -> dict[str, float]:
    return {
        label: round(float(scores["f1-score"]), 4)
        for label, scores in sorted(report.items())
        if label not in NOT_ENTITIES and isinstance(scores, dict) and "f1-score" in scores
    }


def predicted(prediction: dict[str, Any]) -> str:
    return (prediction.get("intent_prediction") or {}).get("name") or "None"


def confusion(predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """{"labels": [...], "matrix": rows = true intent, columns = predicted}."""
    pairs = [(p["intent"], predicted(p)) for p in predictions]
    labels = sorted({label for pair in pairs for label in pair})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for true, guess in pairs:
        matrix[index[true]][index[guess]] += 1
    return {"labels": labels, "matrix": matrix}


def intent_report(predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """scikit-learn's classification report of the pooled predictions, as Rasa makes it."""
    from sklearn.metrics import classification_report

    truth = [p["intent"] for p in predictions]
    guesses = [predicted(p) for p in predictions]
    report: dict[str, Any] = classification_report(
        truth, guesses, output_dict=True, zero_division=0
    )
    return report


def annotated_entities(nlu_text: str) -> int:
    """How many examples mark an entity, [text](type) or [text]{...}."""
    return len(re.findall(r"\[[^\]\n]+\](\([^)\n]+\)|\{[^}\n]+\})", nlu_text))


def make_folds(
    nlu: Path, out: Path, folds: int = FOLDS, sample: int = SAMPLE, seed: int = SEED
) -> dict[str, Any]:
    """Writes out/<i>/train.yml and out/<i>/test.yml (Rasa's YAML) for each fold, drawn with a
    fixed seed from a stratified sample of `sample` examples (0: all). Returns what was drawn,
    with an id of the folds' contents: two runs judged on the same folds have the same id."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold, train_test_split

    data = load_data(str(nlu))
    examples = data.intent_examples
    labels = [example.get_full_intent() for example in examples]
    chosen = list(range(len(examples)))
    if 0 < sample < len(examples):
        chosen, _ = train_test_split(chosen, train_size=sample, stratify=labels, random_state=seed)
        chosen = sorted(chosen)
    shutil.rmtree(out, ignore_errors=True)
    digest = hashlib.sha256()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    chosen_labels = [labels[i] for i in chosen]
    for fold, (train, test) in enumerate(splitter.split(chosen, chosen_labels), start=1):
        (out / str(fold)).mkdir(parents=True)
        for name, part in (("train", train), ("test", test)):
            subset = TrainingData(
                training_examples=[examples[chosen[i]] for i in part],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
            )
            path = out / str(fold) / f"{name}.yml"
            RasaYAMLWriter().dump(path, subset)
            digest.update(path.read_bytes())
    return {
        "folds": folds,
        "examples": len(chosen),
        "of": len(examples),
        "seed": seed,
        "folds_id": digest.hexdigest()[:12],
    }


def read_fold(out: Path) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, float | None]]:
    """A fold's predictions, its intent report and each entity extractor's weighted F1."""
    if not (out / "intent_report.json").exists():
        raise BenchError(f"no intent_report.json in {out}")
    predictions: list[dict[str, Any]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        if (out / name).exists():
            predictions += json.loads((out / name).read_text())
    entities = {
        path.name.removesuffix("_report.json"): weighted_f1(json.loads(path.read_text()))
        for path in sorted(out.glob("*_report.json"))
        if path.name not in ("intent_report.json", "response_selection_report.json")
    }
    return predictions, json.loads((out / "intent_report.json").read_text()), entities


def cross_validate(variant: Variant, sample: int = SAMPLE) -> dict[str, Any]:
    folder = WORK / "cv" / variant.name
    shutil.rmtree(folder, ignore_errors=True)
    cache = folder / "rasa-cache"  # shared by the folds: spaCy and the encoders load once
    drawn = make_folds(DATA / "nlu.yml", FOLDS_DIR, sample=sample)
    print(
        f"    {variant.name}: {FOLDS}-fold cross-validation on {drawn['examples']} of "
        f"{drawn['of']} examples (stratified sample, seed {SEED}; folds {drawn['folds_id']})",
        flush=True,
    )
    env = bench_env(**{CACHE_ENV: str(cache)})
    pooled: list[dict[str, Any]] = []
    by_fold: list[float | None] = []
    entity_by_fold: dict[str, list[float]] = {}
    for fold in range(1, FOLDS + 1):
        files, out = FOLDS_DIR / str(fold), folder / f"fold-{fold}"
        label = f"{variant.name}: fold {fold}/{FOLDS}"
        argv = [str(VENV_BIN / "rasa"), "train", "nlu", "--config", str(variant.config_copy())]
        argv += ["--domain", str(DOMAIN), "--nlu", str(files / "train.yml"), "--out", str(out)]
        argv += ["--fixed-model-name", "model"]
        run_logged(argv, out / "train.log", FOLD_TIMEOUT_S, f"{label} training", env)
        model = out / "model.tar.gz"
        if not model.exists():
            raise BenchError(f"{label}: Rasa wrote no model at {model}; log: {out / 'train.log'}")
        argv = [str(VENV_BIN / "rasa"), "test", "nlu", "--model", str(model)]
        argv += ["--nlu", str(files / "test.yml"), "--out", str(out / "report")]
        argv += ["--successes", "--no-plot"]
        run_logged(argv, out / "test.log", FOLD_TIMEOUT_S, f"{label} testing", env)
        predictions, report, entities = read_fold(out / "report")
        pooled += predictions
        by_fold.append(weighted_f1(report))
        for extractor, f1 in entities.items():
            if f1 is not None:
                entity_by_fold.setdefault(extractor, []).append(f1)
        print(f"    {label}: intent F1 {by_fold[-1]}", flush=True)
    shutil.rmtree(cache, ignore_errors=True)
    report = intent_report(pooled)
    annotated = annotated_entities((DATA / "nlu.yml").read_text())
    entity_f1 = {name: round(sum(f) / len(f), 4) for name, f in entity_by_fold.items()}
    result = {
        **drawn,
        "intent_f1": weighted_f1(report),
        "intent_f1_by_fold": by_fold,
        "intent_f1_by_intent": per_label_f1(report),
        # Without annotated entities in the data there is nothing to score an extractor against.
        "entity_f1": max(entity_f1.values(), default=None) if annotated else None,
        "entity_f1_by_extractor": entity_f1,
        "annotated_entities": annotated,
        "predictions": len(pooled),
        "confusion": confusion(pooled),
    }
    print(
        f"    {variant.name}: intent F1 {result['intent_f1']} (weighted, {len(pooled)} test "
        f"predictions pooled over {FOLDS} folds; by fold {by_fold})",
        flush=True,
    )
    return result
