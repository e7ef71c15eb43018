"""Small charts as inline SVG, drawn on the server: nothing to load, no script, readable
by screen readers (``role="img"`` named by the chart's ``<title>`` and ``<desc>``; each bar
carries its own ``<title>`` with the figure). Pages show the same figures as a table or a
list beside the chart, which is the text alternative.

Presentation attributes only (no ``style``), so that a strict Content-Security-Policy
applies cleanly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

INK, MUTED, GREEN, LIGHT = "#1d2725", "#55625f", "#0b6b4f", "#9fc3b3"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    #: What the bar's own tooltip and screen-reader text say, e.g. "¥1,200.00 (40 %)".
    text: str


def _open(chart_id: str, css: str, width: int, height: int, title: str,
          description: str) -> list[str]:
    return [f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'xmlns="http://www.w3.org/2000/svg" focusable="false">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>']


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, description: str,
              maximum: float | None = None) -> Markup | None:
    """Horizontal bars, one per label (events, categories); None when there are none."""
    if not bars:
        return None
    top = maximum if maximum is not None else max(b.value for b in bars)
    bar, gap, label_w, width = 20, 10, 170, 480
    plot_w = width - label_w - 110
    height = len(bars) * (bar + gap) + gap
    parts = _open(chart_id, "chart chart-bars", width, height, title, description)
    for n, item in enumerate(bars):
        y = gap + n * (bar + gap)
        length = 0.0 if top <= 0 else plot_w * max(0.0, min(item.value, top)) / top
        label = item.label if len(item.label) <= 22 else item.label[:21] + "…"
        parts.append(
            f'<g><title>{escape(item.label)}: {escape(item.text)}</title>'
            f'<text x="0" y="{y + bar * 0.75:.1f}" font-size="13" fill="{INK}">'
            f'{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar}" rx="3" '
            f'fill="{GREEN}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + bar * 0.75:.1f}" font-size="13" '
            f'fill="{INK}">{escape(item.text)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or numeric


def column_chart(columns: Sequence[Bar], *, chart_id: str, title: str, description: str,
                 background: Sequence[float] | None = None) -> Markup | None:
    """Vertical columns over time (weeks, periods), with an optional lighter column behind
    each (e.g. allocated behind spent); None when there is nothing to draw."""
    if not columns:
        return None
    values = [c.value for c in columns] + list(background or [])
    top = max(values) or 1.0
    step, pad, plot_h, base = 56, 30, 120, 140
    width = pad + step * len(columns) + 10
    parts = _open(chart_id, "chart chart-columns", width, base + 34, title, description)
    parts.append(f'<line x1="{pad - 4}" y1="{base}" x2="{width - 6}" y2="{base}" '
                 f'stroke="{MUTED}"/>')
    for n, column in enumerate(columns):
        x = pad + n * step
        if background is not None:
            h = plot_h * background[n] / top
            parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="40" height="{h:.1f}" '
                         f'fill="{LIGHT}"/>')
        h = plot_h * column.value / top
        parts.append(
            f'<g><title>{escape(column.label)}: {escape(column.text)}</title>'
            f'<rect x="{x + (8 if background is not None else 0)}" y="{base - h:.1f}" '
            f'width="{24 if background is not None else 40}" height="{h:.1f}" rx="2" '
            f'fill="{GREEN}"/>'
            f'<text x="{x + 20}" y="{base - h - 4:.1f}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{escape(column.text)}</text>'
            f'<text x="{x + 20}" y="{base + 16}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{escape(column.label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or numeric
