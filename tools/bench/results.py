"""bench/results.json: {"ours": {...}, "stock": {...}, "search": {...}}, every variant with the
same keys, null where a measure does not apply or was not taken."""

from __future__ import annotations

from typing import Any

from tools.bench.configs import QUESTION_SETS

KEYS = (
    "answer_accuracy",
    "intent_f1",
    "entity_f1",
    "latency_ms",
    "throughput_msg_s",
    "rss_mb",
    "start_s",
    "train_s",
    "model_mb",
    "retrain_s",
)
VARIANT_NAMES = ("ours", "stock", "search")
RSS_KEYS = ("after_load_model", "after_load_test")
PERCENTILES = ("p50", "p95", "p99")
# How the cross-validation was drawn, kept beside its F1.
CV_KEYS = ("folds", "examples", "of", "seed", "folds_id", "intent_f1_by_fold")


def assemble(stages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """From {variant: {stage: result or None}} to the results file."""
    results: dict[str, Any] = {}
    for name in VARIANT_NAMES:
        got = stages.get(name, {})
        out: dict[str, Any] = dict.fromkeys(KEYS)
        if name == "search":
            search = got.get("search") or {}
            for key in ("answer_accuracy", "train_s", "model_mb", "latency_in_process_ms"):
                out[key] = search.get(key)
            results[name] = out
            continue
        train, serve, cv = got.get("train") or {}, got.get("serve") or {}, got.get("cv") or {}
        out.update({k: train.get(k) for k in ("train_s", "model_mb")})
        for key in ("answer_accuracy", "latency_ms", "throughput_msg_s", "rss_mb", "start_s"):
            out[key] = serve.get(key)
        if serve.get("load"):
            out["load_errors"] = {lvl: r["errors"] for lvl, r in serve["load"].items()}
        out.update({k: cv.get(k) for k in ("intent_f1", "entity_f1")})
        if cv:
            out["cv"] = {k: cv.get(k) for k in CV_KEYS}
        if name == "ours" and cv:
            out["intent_f1_by_intent"] = cv.get("intent_f1_by_intent")
        out["retrain_s"] = got.get("retrain")
        results[name] = out
    return results


def _is_share(value: Any) -> bool:
    return isinstance(value, (int, float)) and 0 <= value <= 1


def shape_problems(results: dict[str, Any]) -> list[str]:
    """What is wrong with the file's shape; empty when it is right."""
    problems = []
    if set(results) != set(VARIANT_NAMES):
        problems.append(f"variants {sorted(results)}, expected {sorted(VARIANT_NAMES)}")
    for name, variant in results.items():
        missing = [k for k in KEYS if k not in variant]
        if missing:
            problems.append(f"{name}: missing {missing}")
        accuracy = variant.get("answer_accuracy")
        if accuracy is not None:
            for set_name in QUESTION_SETS:
                scores = accuracy.get(set_name) or {}
                if not _is_share(scores.get("overall")) or not isinstance(
                    scores.get("by_tag"), dict
                ):
                    problems.append(f"{name}: answer_accuracy.{set_name} needs overall and by_tag")
        for level, values in (variant.get("latency_ms") or {}).items():
            if set(values) != set(PERCENTILES):
                problems.append(f"{name}: latency_ms[{level}] needs {PERCENTILES}")
        throughput = variant.get("throughput_msg_s")
        if throughput is not None and set(throughput) != set(variant.get("latency_ms") or {}):
            problems.append(f"{name}: throughput_msg_s levels differ from latency_ms levels")
        rss = variant.get("rss_mb")
        if rss is not None and set(rss) != set(RSS_KEYS):
            problems.append(f"{name}: rss_mb needs {RSS_KEYS}")
        for key in ("intent_f1", "entity_f1"):
            if variant.get(key) is not None and not _is_share(variant[key]):
                problems.append(f"{name}: {key} must be between 0 and 1")
    return problems


def same_folds(results: dict[str, Any]) -> bool | None:
    """Whether ours and stock were cross-validated on the same folds (None: not both were).
    Their F1s compare only then; a stage from the cache can date from other data."""
    drawn = [(results[n].get("cv") or {}).get("folds_id") for n in ("ours", "stock")]
    return None if None in drawn else drawn[0] == drawn[1]
