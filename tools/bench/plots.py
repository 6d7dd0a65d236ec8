"""The report's PNG plots (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen before pyplot loads)

COLOURS = {"ours": "#1f77b4", "stock": "#ff7f0e"}


def latency_plot(results: dict[str, Any], path: Path) -> bool:
    """Reply time percentiles and throughput by concurrency, ours beside stock."""
    measured = {n: results[n] for n in COLOURS if results.get(n, {}).get("latency_ms")}
    if not measured:
        return False
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, variant in measured.items():
        levels = sorted(variant["latency_ms"], key=int)
        x = [int(level) for level in levels]
        for percentile, style in (("p50", "-o"), ("p95", "--s"), ("p99", ":^")):
            y = [variant["latency_ms"][level][percentile] for level in levels]
            left.plot(x, y, style, color=COLOURS[name], label=f"{name} {percentile}")
        throughput = [variant["throughput_msg_s"][level] for level in levels]
        right.plot(x, throughput, "-o", color=COLOURS[name], label=name)
    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_xticks([int(level) for level in next(iter(measured.values()))["latency_ms"]])
        axis.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.set_xlabel("concurrent conversations")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    left.set_yscale("log")
    left.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    left.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    left.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    right.set_ylim(bottom=0)
    left.set_ylabel("reply time through /api/chat (ms, log scale)")
    left.set_title("Latency by concurrency")
    right.set_ylabel("answered messages per second")
    right.set_title("Throughput by concurrency")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def confusion_plot(confusion: dict[str, Any] | None, path: Path, title: str) -> bool:
    """Rows: the true intent; columns: the predicted one; the diagonal is right."""
    if not confusion or not confusion.get("labels"):
        return False
    labels, matrix = confusion["labels"], confusion["matrix"]
    size = max(6.0, 0.28 * len(labels) + 2)
    figure, axis = plt.subplots(figsize=(size + 1, size))
    shown = [[value if value else float("nan") for value in row] for row in matrix]
    image = axis.imshow(shown, cmap="Blues", norm=matplotlib.colors.LogNorm())
    axis.set_xticks(range(len(labels)))
    axis.set_yticks(range(len(labels)))
    axis.set_xticklabels(labels, rotation=90, fontsize=7)
    axis.set_yticklabels(labels, fontsize=7)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value and i != j:
                axis.text(j, i, str(value), ha="center", va="center", fontsize=6, color="red")
    axis.set_xlabel("predicted intent")
    axis.set_ylabel("true intent")
    axis.set_title(title)
    figure.colorbar(image, ax=axis, fraction=0.03, label="examples (log scale)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
