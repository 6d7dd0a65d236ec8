"""Prints the chat widget's size: bytes of web/static/widget.js + widget.css (aim: under 30 KB).

python -m tools.widget_size
"""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
ASSETS = ("widget.js", "widget.css")
BUDGET_BYTES = 30 * 1024


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
