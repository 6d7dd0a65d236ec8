"""Charts drawn on the server as inline SVG: no JavaScript, no external library.

Colours come from presentation attributes and classes styled in staff.css (no inline style,
which the pages' Content-Security-Policy would block). Every chart has a <title> and an
aria-label; the pages also show the figures as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup


def _nice_max(value: float) -> int:
    """An even axis maximum, so the middle grid line is a whole number."""
    for step in (2, 4, 6, 8, 10, 20, 40, 50, 100, 200, 400, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return int(value) + int(value) % 2


def bar_chart(
    points: Sequence[tuple[date, int]], title: str, width: int = 720, height: int = 220
) -> Markup:
    """Vertical bars, one per day, with the y axis and a few date labels."""
    left, right, top, bottom = 36, 8, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _, v in points), default=0))
    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.75)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h - fraction * plot_h
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" '
            f'y2="{y:.1f}" stroke="#d0d7de" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#57606a">{int(top_value * fraction)}</text>'
        )
    label_every = max(1, n // 8)
    for i, (day, value) in enumerate(points):
        x = left + i * slot + (slot - bar_w) / 2
        h = (value / top_value) * plot_h if top_value else 0
        y = top + plot_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="#2f6f9f"><title>{escape(day.isoformat())}: {value}</title></rect>'
        )
        if i % label_every == 0:
            parts.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" font-size="11" fill="#57606a">'
                f"{escape(day.strftime('%d %b'))}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(items: Sequence[tuple[str, int]], title: str, width: int = 480) -> Markup:
    """Horizontal bars with a label and the value, e.g. the top intents."""
    row_h, label_w, value_w = 24, 210, 40  # labels are readable names: room for 32 characters
    height = max(row_h * len(items), row_h) + 8
    top_value = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - value_w
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if not items:
        parts.append('<text x="0" y="18" font-size="13" fill="#57606a">No data yet</text>')
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        w = value / top_value * plot_w
        shown = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12" '
            f'fill="#24292f">{escape(shown)}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" '
            f'height="{row_h - 8}" fill="#2f6f9f"><title>{escape(label)}: {value}'
            f"</title></rect>"
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="12" '
            f'fill="#24292f">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def share_bar(fraction: float, title: str, width: int = 320, height: int = 22) -> Markup:
    """A single bar filled to a fraction (0..1), for rates."""
    fraction = min(max(fraction, 0.0), 1.0)
    return Markup(
        f'<svg class="chart share" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}: {fraction:.0%}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}: {fraction:.0%}</title>'
        f'<rect x="0" y="0" width="{width}" height="{height}" rx="4" fill="#e6edf3"/>'
        f'<rect x="0" y="0" width="{width * fraction:.1f}" height="{height}" rx="4" '
        f'fill="#2f6f9f"/></svg>'
    )
