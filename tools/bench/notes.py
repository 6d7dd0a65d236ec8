"""The report's settings and notes: how the figures were taken, and what to read into them."""

from __future__ import annotations

from typing import Any

import yaml

from tools.bench import load
from tools.bench.configs import BENCH_ENV, STOCK
from tools.bench.results import same_folds


def settings(levels: tuple[int, ...], results: dict[str, Any]) -> list[str]:
    stock = yaml.safe_load(STOCK.config.read_text()) if STOCK.config else {}
    conversations = ", ".join(f"{lvl}: {load.conversations_at(lvl)}" for lvl in levels)
    return [
        "Each configuration is trained with `rasa train` on the same `data/` and `domain.yml` "
        "(copied to bench/work/inputs when the run starts, so edits made meanwhile do not "
        "reach one configuration and not the other), "
        "with RASA_CACHE_DIRECTORY pointing at an empty folder (Rasa 3.6's training cache; "
        "default `.rasa/cache`), and served by `tools.stack.Stack` (action server, Rasa server, "
        "web app) on free ports with fresh SQLite databases, stopped before the next one starts.",
        "stock: `bench/stock-config.yml` is the config.yml `rasa init --no-prompt` wrote (after "
        "its own first training, which adds the default pipeline and policies as comments); "
        f"`pipeline` and `policies` are empty, so Rasa fills in its defaults; assistant_id is "
        f"kept as written (`{stock.get('assistant_id')}`). Rasa is given a copy in bench/work, "
        "because it writes the defaults it used back into such a file.",
        "Answer accuracy: each question is the first message of a fresh conversation, sent to "
        "the Rasa REST channel as `eval/answer_accuracy.py` sends it, and judged by its `judge`.",
        f"Load: through the web app's POST /api/chat with {', '.join(map(str, levels))} "
        f"concurrent conversations (conversations per level: {conversations}); seed "
        f"{load.SEED}; a warm-up of 8 conversations first, not timed; the next message is sent "
        "when the answer arrives (no reading time); latency counts answered turns only "
        "(HTTP 200 with a JSON list), and throughput is answered turns per wall-clock second.",
        "Served: ours by the project's launcher (`python -m serving.rasa_server run`, as "
        "`make run` serves it); stock by Rasa's own `rasa run` (`Stack(stock_rasa=True)`), so "
        "the launcher's changes count for ours only. The same action server and web app serve "
        "both.",
        "Chat rate limits off for the benchmark's stack only: "
        + ", ".join(f"{k}={v}" for k, v in BENCH_ENV.items())
        + " (0 = no limit).",
        f"NLU: {cv_protocol(results)}",
        "Retraining: `rasa train` with a copy of the training cache the training from scratch "
        'filled: nothing changed; the first response of domain.yml reworded ("Hello again!" '
        'added); the first example of data/nlu.yml reworded ("please" added; ours only).',
        "Memory: resident set size of the Rasa server process and its children (/proc), "
        "right after it answered /status with the model loaded, and after the load test.",
        "Start time: from starting the Rasa process until /status names the loaded model.",
        "MB are 10^6 bytes.",
    ]


def cv_protocol(results: dict[str, Any]) -> str:
    drawn = next((results[n]["cv"] for n in ("ours", "stock") if results[n].get("cv")), None)
    if not drawn:
        return "not cross-validated in this run."
    sample = (
        f"a stratified sample of {drawn['examples']} of the {drawn['of']} examples of "
        f"data/nlu.yml (seed {drawn['seed']}; `--cv-sample 0` for all of them)"
        if drawn["examples"] < drawn["of"]
        else f"all {drawn['of']} examples of data/nlu.yml"
    )
    return (
        f"{drawn['folds']} folds drawn once with a fixed seed from {sample}, the same folds "
        f"for ours and stock (id {drawn['folds_id']}); each fold trained with `rasa train nlu` "
        "and tested with `rasa test nlu`; F1 is the weighted average over the pooled test "
        "folds' predictions, as `rasa test nlu --cross-validation` gives it."
    )


def notes(results: dict[str, Any], stage_results: dict[str, dict[str, Any]]) -> list[str]:
    search_ms = results["search"].get("latency_in_process_ms") or {}
    found = [
        "search is measured in this process: no server, so latency, throughput, memory and "
        "start time are null in results.json; `latency_in_process_ms` holds its time per "
        "question, `train_s` its TF-IDF fit and `model_mb` its pickled index.",
        f"search answers a question in {search_ms.get('p50')} ms (p50; p99 "
        f"{search_ms.get('p99')} ms), in this process.",
        "stock trains with Rasa's default random seeds (none fixed), so its accuracy and F1 "
        "move from one training to the next (by a few questions on the public sample between "
        "two runs while the benchmark was built); ours is deterministic (a logistic regression).",
        "Timings are wall-clock on a shared 2-core machine: other work on it (say, another "
        "training) shows up in them.",
    ]
    drawn = (results["ours"].get("cv") or {}, results["stock"].get("cv") or {})
    if drawn[0] and drawn[1]:
        found.append(
            "Intent F1 by fold: "
            + "; ".join(
                f"{n} {', '.join(f'{f:.3f}' for f in d['intent_f1_by_fold'] or [])}"
                for n, d in zip(("ours", "stock"), drawn, strict=True)
            )
            + "."
        )
    if drawn[0].get("examples", 0) < drawn[0].get("of", 0):
        found.append(
            f"The intent F1s are from {drawn[0]['examples']} of the {drawn[0]['of']} examples, "
            "to keep stock's DIET (100 epochs a fold) to minutes. Both are lower than they "
            "would be with all the data. Stock's DIET learns from the examples alone, while "
            "ours starts from two pretrained sentence encoders, so stock probably loses more "
            "to the smaller sample and the ratio probably flatters ours (not measured here: "
            "`--cv-sample 0` runs all the examples). Compare the two with each other, not "
            "with a figure from all the examples."
        )
    if same_folds(results) is False:
        found.append(
            "ours and stock were cross-validated on different folds (one of them is from the "
            "cache, drawn from other data): their F1s are not compared."
        )
    no_entity_f1 = [
        name
        for name in ("ours", "stock")
        if (stage_results.get(name, {}).get("cv") or {})
        and stage_results[name]["cv"].get("entity_f1") is None
    ]
    if no_entity_f1:
        cv_result = stage_results[no_entity_f1[0]]["cv"]
        found.append(
            f"Entity F1 does not apply ({', '.join(no_entity_f1)}): data/nlu.yml annotates "
            f"{cv_result.get('annotated_entities', 0)} entities, so cross-validation has nothing "
            "to score an extractor against (Rasa's entity reports: "
            f"{cv_result.get('entity_f1_by_extractor') or 'none written'}). Ours takes its "
            "entities from the vocabulary's entity ruler (nlp/components.py), which the answer "
            "accuracy covers; stock's DIET learns none."
        )
    for name in ("ours", "stock"):
        for level, errors in (results[name].get("load_errors") or {}).items():
            if errors:
                found.append(
                    f"{name}: {errors} turns failed at {level} concurrent (HTTP error or no "
                    "answer); they are left out of the latency percentiles."
                )
    return found
