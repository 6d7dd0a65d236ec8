"""`make bench`: trains and serves ours and stock one after the other, runs the search baseline,
cross-validates both NLU pipelines, times retraining, and writes bench/results.json and
bench/REPORT.md. Stages whose inputs did not change since their last run come from the cache
in bench/work/stages (--fresh ignores it)."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.bench import cv, machine, notes, report, search, serve, training
from tools.bench.cache import BENCH_DIR, WORK, BenchError, StageCache
from tools.bench.configs import STAGES, VARIANTS, Variant, snapshot
from tools.bench.plan import TITLES, estimate, plan, stage_key
from tools.bench.results import assemble, shape_problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="ignore cached stage results")
    parser.add_argument("--only", default="ours,stock,search", help="variants to run")
    parser.add_argument("--skip", default="", help=f"stages to skip: {','.join(STAGES)}")
    parser.add_argument("--levels", default="1,8,32", help="concurrent conversations")
    parser.add_argument(
        "--cv-sample",
        type=int,
        default=cv.SAMPLE,
        help=f"examples drawn for cross-validation (default {cv.SAMPLE}; 0: all of them)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: rewrite results.json and REPORT.md from each stage's last record",
    )
    args = parser.parse_args(argv)
    args.only = [n for n in args.only.split(",") if n]
    skip = {s for s in args.skip.split(",") if s}
    levels = tuple(int(level) for level in args.levels.split(","))
    if set(args.only) - set(VARIANTS) or skip - set(STAGES):
        parser.error(f"variants: {','.join(VARIANTS)}; stages: {','.join(STAGES)}")

    cache = StageCache(fresh=args.fresh)
    keys: dict[str, str] = {}
    every_step = plan(argparse.Namespace(only=list(VARIANTS)))
    for stage, name in every_step:
        keys[f"{stage}:{name}"] = stage_key(stage, name, keys, levels, args.cv_sample)
    # Stages left out by --only or --skip still report their cached figures, so a development
    # run leaves a complete report; only the selected ones run.
    selected = [(s, n) for s, n in plan(args) if s not in skip]
    snapshot()
    todo = [(s, n) for s, n in selected if not cache.get(f"{s}:{n}", keys[f"{s}:{n}"])]
    todo = [] if args.report_only else todo
    remaining = sum(estimate(cache, s, n) for s, n in todo)
    print(f"==> bench: {len(todo)} of {len(every_step)} stages to run, ~{remaining / 60:.0f} min")

    stage_results: dict[str, dict[str, Any]] = {}
    records: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    started_all = time.monotonic()

    def run(stage: str, name: str, work: Callable[[], Any]) -> None:
        nonlocal remaining
        stage_id, key = f"{stage}:{name}", keys[f"{stage}:{name}"]
        cached = cache.get(stage_id, key)
        if args.report_only and not cached:
            cached = cache.record(stage_id)
        if cached or args.report_only or (stage, name) not in selected:
            status = "from cache" if cached else "not run"
            if cached and args.report_only:
                status = "measured then (report rewritten by --report-only)"
            if cached and cached.get("key") != key:
                status += " (its inputs have changed since)"
            elif not args.report_only and (stage, name) not in selected:
                status += " (left out by --only/--skip)"
            print(f"==> {name}: {TITLES[stage]} ... {status}", flush=True)
            records[stage_id] = {**(cached or {}), "status": status}
            stage_results.setdefault(name, {})[stage] = cached["result"] if cached else None
            return
        last = estimate(cache, stage, name)
        print(f"==> {name}: {TITLES[stage]} (estimated ~{last / 60:.0f} min)", flush=True)
        began = time.monotonic()
        project = machine.project_state()  # the project may change while the bench runs
        try:
            result = work()
        except Exception as error:  # one failed stage must not cost the others' figures
            detail = str(error) if isinstance(error, BenchError) else traceback.format_exc()
            print(f"!!! {name}: {TITLES[stage]} FAILED:\n{detail}", file=sys.stderr, flush=True)
            first_line = (str(error) or type(error).__name__).splitlines()[0]
            failures.append(f"{stage_id}: {first_line}")
            records[stage_id] = {"status": "FAILED: " + first_line}
            stage_results.setdefault(name, {})[stage] = None
            remaining -= last
            return
        seconds = time.monotonic() - began
        record = cache.put(stage_id, key, result, seconds, project=project)
        records[stage_id] = {**record, "status": "measured"}
        stage_results.setdefault(name, {})[stage] = result
        remaining = max(0.0, remaining - last)
        left = f"about {remaining / 60:.0f} min left"
        print(f"==> {name}: {TITLES[stage]} ... {seconds:.0f} s ({left})", flush=True)

    for stage, name in every_step:
        work = functools.partial(_work, stage, name, keys, stage_results, levels, args.cv_sample)
        run(stage, name, work)

    results = assemble(stage_results)
    problems = shape_problems(results)
    if problems:
        print("results.json has the wrong shape: " + "; ".join(problems), file=sys.stderr)
        return 1
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    extras = {
        "confusion_ours": (stage_results.get("ours", {}).get("cv") or {}).get("confusion"),
        "misses_ours": (stage_results.get("ours", {}).get("serve") or {}).get("misses"),
    }
    path = report.write(
        results,
        records,
        extras,
        machine.describe(),
        notes.settings(levels, results),
        notes.notes(results, stage_results),
        BENCH_DIR,
    )
    minutes = (time.monotonic() - started_all) / 60
    print(f"==> bench: wrote {BENCH_DIR / 'results.json'} and {path} ({minutes:.1f} min)")
    for failure in failures:
        print(f"!!! failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _work(
    stage: str,
    name: str,
    keys: dict[str, str],
    stage_results: dict[str, dict[str, Any]],
    levels: tuple[int, ...],
    cv_sample: int,
) -> Any:
    variant = VARIANTS[name]
    if stage == "train":
        return _trained(variant, keys[f"train:{name}"])
    if stage == "serve":
        return serve.serve_and_measure(name, _model(stage_results, name), levels)
    if stage == "cv":
        return cv.cross_validate(variant, cv_sample)
    if stage == "retrain":
        return training.retrain_after_changes(variant, _warm_cache(name, keys))
    return search.run()


def _trained(variant: Variant, key: str) -> dict[str, Any]:
    result = training.train_from_scratch(variant)
    # The training cache this run filled, marked with what it was trained from, so retraining
    # uses it as its warm cache only while it still matches.
    (training.rasa_cache(variant.name) / "bench-train-key").write_text(key)
    return result


def _warm_cache(name: str, keys: dict[str, str]) -> Path | None:
    folder = training.rasa_cache(name)
    marker = folder / "bench-train-key"
    return folder if marker.exists() and marker.read_text() == keys[f"train:{name}"] else None


def _model(stage_results: dict[str, dict[str, Any]], name: str) -> Path:
    trained = stage_results.get(name, {}).get("train")
    if not trained or not Path(trained["model"]).exists():
        raise BenchError(f"{name}: no trained model in {WORK / 'train' / name}: run its training")
    return Path(trained["model"])


if __name__ == "__main__":
    sys.exit(main())
