"""Prints the chat widget's size: bytes of web/static/widget.js + widget.css (aim: under 36 KB).

python -m tools.widget_size
"""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
ASSETS = ("widget.js", "widget.css")
# Raised from 30 KB when the widget learnt to keep one outbox with a single Retry and a rate
# limit countdown, show a new answer from its start and return to the reading place, fold the
# disclaimer, confirm Clear chat and show alerts with tap-to-call: about 9 KB more, ~12 KB
# gzipped. There is no build step, so the comments that say why ship too.
BUDGET_BYTES = 36 * 1024


def widget_size() -> dict[str, int]:
    """Uncompressed bytes of each asset, their total, and the total gzipped."""
    sizes = {name: (STATIC / name).stat().st_size for name in ASSETS}
    sizes["total"] = sum(sizes[name] for name in ASSETS)
    sizes["total_gzip"] = sum(len(gzip.compress((STATIC / n).read_bytes(), 9)) for n in ASSETS)
    return sizes


def describe(sizes: dict[str, int]) -> str:
    return (
        f"chat widget: widget.js {sizes['widget.js']} B + widget.css {sizes['widget.css']} B"
        f" = {sizes['total']} B uncompressed ({sizes['total_gzip']} B gzipped;"
        f" budget {BUDGET_BYTES} B)"
    )


if __name__ == "__main__":
    print(describe(widget_size()))
