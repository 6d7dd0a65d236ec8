"""bench/REPORT.md from the results, the stage records and the machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tools.bench import plots
from tools.bench.configs import QUESTION_SETS, VARIANTS
from tools.bench.results import same_folds
from tools.processes import ROOT

NAMES = ("ours", "stock", "search")


def _fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and unit == "%":
        return f"{value:.1%}"
    if isinstance(value, float) and 0 < abs(value) < 10**-digits:
        return f"{value:.2g}{unit}"  # a tiny figure shown as itself, not as 0
    return f"{value:.{digits}f}{unit}" if isinstance(value, (int, float)) else str(value)


def _ratio(ours: Any, stock: Any) -> str:
    if not isinstance(ours, (int, float)) or not isinstance(stock, (int, float)) or not stock:
        return "–"
    return f"{ours / stock:.2f}"


def _get(variant: dict[str, Any], *path: str) -> Any:
    value: Any = variant
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def cv_label(results: dict[str, Any]) -> str:
    """ "3-fold CV on 1000 of 3570 examples", from whichever variant was cross-validated."""
    drawn = next((results[n]["cv"] for n in ("ours", "stock") if results[n].get("cv")), None)
    if not drawn:
        return "CV"
    return f"{drawn['folds']}-fold CV on {drawn['examples']} of {drawn['of']} examples"


def summary_rows(results: dict[str, Any], levels: list[str]) -> list[tuple[str, tuple, str, int]]:
    rows: list[tuple[str, tuple, str, int]] = [
        (f"answer accuracy, {name}", ("answer_accuracy", name, "overall"), "%", 1)
        for name in QUESTION_SETS
    ]
    rows += [
        (f"intent F1 ({cv_label(results)}, weighted)", ("intent_f1",), "", 3),
        (f"entity F1 ({cv_label(results)}, weighted)", ("entity_f1",), "", 3),
    ]
    for level in levels:
        rows += [
            (f"latency {p}, {level} concurrent (ms)", ("latency_ms", level, p), "", 0)
            for p in ("p50", "p95", "p99")
        ]
        rows.append((f"throughput, {level} concurrent (msg/s)", ("throughput_msg_s", level), "", 1))
    rows += [
        ("Rasa RSS after loading the model (MB)", ("rss_mb", "after_load_model"), "", 0),
        ("Rasa RSS after the load test (MB)", ("rss_mb", "after_load_test"), "", 0),
        ("start time (s)", ("start_s",), "", 1),
        ("training from scratch (s)", ("train_s",), "", 1),
        ("retraining, nothing changed (s)", ("retrain_s", "unchanged"), "", 1),
        ("retraining, a response reworded (s)", ("retrain_s", "response_text"), "", 1),
        ("retraining, an NLU example reworded (s)", ("retrain_s", "nlu_example"), "", 1),
        ("model size (MB)", ("model_mb",), "", 1),
    ]
    return rows


def summary_table(results: dict[str, Any]) -> list[str]:
    levels = sorted(
        {lvl for n in ("ours", "stock") for lvl in (results[n].get("latency_ms") or {})}, key=int
    )
    lines = [
        "| measure | ours | stock | search | ours/stock |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, path, unit, digits in summary_rows(results, levels):
        values = [_get(results[n], *path) for n in NAMES]
        cells = " | ".join(_fmt(v, unit, digits) for v in values)
        ratio = _ratio(values[0], values[1])
        if path[0] in ("intent_f1", "entity_f1") and same_folds(results) is False:
            ratio = "– (other folds)"
        lines.append(f"| {label} | {cells} | {ratio} |")
    return lines


def by_tag_tables(results: dict[str, Any]) -> list[str]:
    lines = []
    for set_name, path in QUESTION_SETS.items():
        lines += [f"\n### {set_name} (`{os.path.relpath(path, ROOT)}`)\n"]
        lines += ["| tag | asked | ours | stock | search |", "| --- | ---: | ---: | ---: | ---: |"]
        tags: dict[str, int] = {}
        for name in NAMES:
            for tag, score in (
                _get(results[name], "answer_accuracy", set_name, "by_tag") or {}
            ).items():
                tags[tag] = score["total"]
        for tag, total in sorted(tags.items()):
            cells = []
            for name in NAMES:
                score = _get(results[name], "answer_accuracy", set_name, "by_tag", tag)
                cells.append(f"{score['right']} ({score['share']:.0%})" if score else "–")
            lines.append(f"| {tag} | {total} | " + " | ".join(cells) + " |")
    return lines


def provenance_table(records: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| stage | measured at | took (s) | in this run | project then |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for stage, info in records.items():
        lines.append(
            f"| {stage} | {info.get('measured_at') or '–'} | {_fmt(info.get('seconds'))} "
            f"| {info['status']} | {info.get('project') or '–'} |"
        )
    return lines


def write(
    results: dict[str, Any],
    records: dict[str, dict[str, Any]],
    extras: dict[str, Any],
    machine: dict[str, Any],
    settings: list[str],
    notes: list[str],
    out_dir: Path,
) -> Path:
    latency_png = out_dir / "latency.png"
    confusion_png = out_dir / "intent-confusion-ours.png"
    has_latency = plots.latency_plot(results, latency_png)
    has_confusion = plots.confusion_plot(
        extras.get("confusion_ours"), confusion_png, f"ours: intents in {cv_label(results)}"
    )
    lines = [
        "# Benchmark: ours, Rasa's stock configuration, and a plain article search",
        "",
        "Made by `make bench` (`python -m tools.bench`); figures in `bench/results.json`.",
        "",
        *(f"- **{n}**: {VARIANTS[n].summary}" for n in NAMES),
        "",
        "## Results",
        "",
        *summary_table(results),
        "",
        "ours/stock is ours divided by stock: above 1 is better for accuracy, F1 and "
        "throughput, below 1 is better for times, memory and size. Retraining (target for "
        "ours: under 30 s) starts from the training cache of the training from scratch above; "
        "stock's NLU example case is not measured (its DIET trains again from scratch).",
    ]
    if has_latency:
        lines += ["", f"![latency and throughput by concurrency]({latency_png.name})"]
    lines += ["", "## Answer accuracy by tag", *by_tag_tables(results)]
    by_intent = results["ours"].get("intent_f1_by_intent") or {}
    if by_intent:
        lines += ["", f"## ours: F1 by intent ({cv_label(results)})", ""]
        lines += ["| intent | F1 |", "| --- | ---: |"]
        lines += [f"| {i} | {f:.3f} |" for i, f in sorted(by_intent.items(), key=lambda x: x[1])]
    if has_confusion:
        lines += ["", f"![intent confusion matrix of ours]({confusion_png.name})"]
    misses = extras.get("misses_ours") or {}
    if any(misses.values()):
        lines += ["", "## ours: the questions answered wrong", ""]
        for set_name, items in misses.items():
            lines += [f"- [{set_name}/{m['tag']}] {m['q']!r}: {m['why']}" for m in items]
    lines += ["", "## Settings", "", *(f"- {s}" for s in settings)]
    lines += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    lines += ["", "## Machine and versions", ""]
    lines += [f"- {key}: {value}" for key, value in machine.items()]
    lines += ["", "## When each figure was measured", "", *provenance_table(records), ""]
    path = out_dir / "REPORT.md"
    path.write_text("\n".join(lines))
    return path
