"""Training from scratch (an empty Rasa training cache), and retraining after a wording change
(the warm cache of that training, one response text or one NLU example changed)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from tools.bench.cache import WORK, BenchError
from tools.bench.configs import DATA, DOMAIN, Variant
from tools.bench.runner import bench_env, run_logged
from tools.stack import VENV_BIN

TRAIN_TIMEOUT_S = 45 * 60
# Rasa 3.6 keeps its training cache where RASA_CACHE_DIRECTORY says (default .rasa/cache under
# the working directory): a fresh folder is a training from scratch, and the project's own cache
# is never touched.
CACHE_ENV = "RASA_CACHE_DIRECTORY"


def rasa_cache(name: str) -> Path:
    return WORK / "rasa-cache" / name


def train(
    config: Path, out: Path, cache: Path, log: Path, label: str, domain: Path, data: Path
) -> tuple[float, Path]:
    out.mkdir(parents=True, exist_ok=True)
    model = out / "model.tar.gz"
    model.unlink(missing_ok=True)
    argv = [str(VENV_BIN / "rasa"), "train", "--config", str(config), "--domain", str(domain)]
    argv += ["--data", str(data), "--out", str(out), "--fixed-model-name", "model"]
    seconds = run_logged(argv, log, TRAIN_TIMEOUT_S, label, bench_env(**{CACHE_ENV: str(cache)}))
    if not model.exists():
        raise BenchError(f"{label}: Rasa finished but wrote no model at {model}; log: {log}")
    return seconds, model


def train_from_scratch(variant: Variant) -> dict[str, Any]:
    cache = rasa_cache(variant.name)
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    folder = WORK / "train" / variant.name
    seconds, model = train(
        variant.config_copy(),
        folder,
        cache,
        folder / "train.log",
        f"{variant.name}: training",
        DOMAIN,
        DATA,
    )
    return {
        "train_s": round(seconds, 1),
        "model_mb": round(model.stat().st_size / 1e6, 1),
        "model": str(model),
    }


def change_response_text(domain: str) -> str:
    """The domain with the first response text reworded ("Hello again!" added at its start):
    any change to a response's text changes the same fingerprints, however many words."""
    responses = domain.find("\nresponses:")
    match = re.compile(r"^(\s*-?\s*text:\s*[\"']?)", re.MULTILINE).search(domain, max(responses, 0))
    if responses < 0 or match is None:
        raise BenchError("no response text found in domain.yml to reword")
    return domain[: match.end()] + "Hello again! " + domain[match.end() :]


def change_nlu_example(nlu: str) -> str:
    """The NLU data with its first example reworded (a word added at its end)."""
    match = re.compile(r"^\s+- \S.*$", re.MULTILINE).search(nlu, max(nlu.find("examples:"), 0))
    if match is None:
        raise BenchError("no NLU example found in data/nlu.yml to reword")
    return nlu[: match.end()] + " please" + nlu[match.end() :]


# What is changed before retraining. Stock leaves out the NLU example: its DIET then trains
# from scratch again, about as long as its whole NLU training (measured in the training stage).
RETRAIN_CASES = {
    "ours": ("unchanged", "response_text", "nlu_example"),
    "stock": ("unchanged", "response_text"),
}


def retrain_after_changes(variant: Variant, warm_cache: Path | None) -> dict[str, Any]:
    """Seconds to retrain with the warm cache: nothing changed, one response text changed, one
    NLU example changed (RETRAIN_CASES). Each starts from a copy of the same warm cache."""
    folder = WORK / "retrain" / variant.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    config = variant.config_copy()
    if warm_cache is None or not warm_cache.exists():
        print(f"    {variant.name}: warming the training cache first (not timed)", flush=True)
        warm_cache = folder / "warm-cache"
        train(config, folder / "warm", warm_cache, folder / "warm.log", "warming", DOMAIN, DATA)
    domain = folder / "domain-reworded.yml"
    domain.write_text(change_response_text(DOMAIN.read_text()))
    data = folder / "data-reworded"
    shutil.copytree(DATA, data)
    (data / "nlu.yml").write_text(change_nlu_example((DATA / "nlu.yml").read_text()))
    cases = {
        "unchanged": (DOMAIN, DATA),
        "response_text": (domain, DATA),
        "nlu_example": (DOMAIN, data),
    }
    result: dict[str, Any] = {}
    for case in RETRAIN_CASES[variant.name]:
        case_domain, case_data = cases[case]
        cache = folder / f"cache-{case}"
        shutil.copytree(warm_cache, cache)
        label = f"{variant.name}: retraining ({case.replace('_', ' ')})"
        seconds, _ = train(
            config, folder / case, cache, folder / f"{case}.log", label, case_domain, case_data
        )
        shutil.rmtree(cache, ignore_errors=True)
        result[case] = round(seconds, 1)
        print(f"    {label}: {seconds:.0f} s", flush=True)
    return result
