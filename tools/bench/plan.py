"""The benchmark's stages: their order, what each one's cache key covers, and time estimates."""

from __future__ import annotations

import argparse

from tools.bench import cv
from tools.bench.cache import StageCache, bench_modules, fingerprint
from tools.bench.configs import (
    ARTICLE,
    NLU_INPUTS,
    QUESTION_SETS,
    RASA_VARIANTS,
    SERVING_INPUTS,
    TRAINING_INPUTS,
    VARIANTS,
)
from tools.processes import ROOT

# First-run guesses (seconds) on 2 cores; later runs use the last run's own times.
ESTIMATES = {"train": 420, "serve": 300, "cv": 600, "retrain": 300, "search": 5}
TITLES = {
    "train": "training from scratch",
    "serve": "serving: start, memory, answer accuracy, load",
    "cv": f"{cv.FOLDS}-fold NLU cross-validation (the same folds for both)",
    "retrain": "retraining after a wording change (warm cache)",
    "search": "search baseline: answer accuracy",
}


def stage_key(
    stage: str, name: str, keys: dict[str, str], levels: tuple[int, ...], cv_sample: int
) -> str:
    config = [c for c in (VARIANTS[name].config,) if c is not None]
    if stage in ("train", "retrain"):
        return fingerprint([*config, *TRAINING_INPUTS, *bench_modules("training", "runner")], stage)
    if stage == "serve":
        modules = bench_modules("serve", "load", "accuracy", "memory")
        return fingerprint([*SERVING_INPUTS, *modules], f"{keys[f'train:{name}']}{levels}")
    if stage == "cv":
        drawn = f"{cv.FOLDS} folds, sample {cv_sample}, seed {cv.SEED}"
        return fingerprint([*config, *NLU_INPUTS, *bench_modules("cv", "runner")], drawn)
    tools = [ROOT / "eval" / "answer_accuracy.py", *bench_modules("search", "accuracy", "load")]
    return fingerprint([ARTICLE, *QUESTION_SETS.values(), *tools])


def plan(args: argparse.Namespace) -> list[tuple[str, str]]:
    rasa = [n for n in RASA_VARIANTS if n in args.only]
    steps = [(s, n) for n in rasa for s in ("train", "serve")]
    steps += [("search", "search")] if "search" in args.only else []
    steps += [("cv", n) for n in rasa]
    steps += [("retrain", n) for n in rasa]
    return steps


def estimate(cache: StageCache, stage: str, name: str) -> float:
    """The stage's time in its last run, whatever its inputs were then; else a first guess."""
    return float((cache.record(f"{stage}:{name}") or {}).get("seconds") or ESTIMATES[stage])
