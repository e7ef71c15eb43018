"""Small charts as inline SVG, drawn on the server: nothing to load, no script, readable
by screen readers (``role="img"`` named by the chart's ``<title>`` and ``<desc>``; each bar
carries its own ``<title>`` with the figure). Pages show the same figures as a table or a
list beside the chart, which is the text alternative.

Every chart reads on its own: a visible title, axis labels that say the unit ("mmHg",
"¥", "%", "次"), round tick values formatted by Babel in the reader's locale, dates
formatted by Babel (never ISO), and a legend *below* the plot so it never covers a line.

Presentation attributes only (no ``style``), so that a strict Content-Security-Policy
applies cleanly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask_babel import get_locale
from markupsafe import Markup, escape

INK, MUTED, GREEN, LIGHT, GRID = "#1d2725", "#55625f", "#0b6b4f", "#9fc3b3", "#dfe6e3"
COLOURS = ("#0b6b4f", "#b3261e", "#8a5a00", "#1f5fa8")
TITLE_H = 24  # the visible title's band at the top of every chart


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    #: What the bar's own tooltip and screen-reader text say, e.g. "¥1,200.00 (40 %)".
    text: str


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float]]


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def number(value: float) -> str:
    """A tick value in the reader's locale (1,200 / 1,200; 0.5 / 0.5)."""
    return format_decimal(value, locale=_locale())


def day(value: date, *, with_year: bool = False) -> str:
    """A short axis date in the reader's locale: 12月8日 / Dec 8 (2025年12月2日 / Dec 2,
    2025 ``with_year``, when an axis spans more than one year)."""
    return format_skeleton("yMMMd" if with_year else "MMMd", value, locale=_locale())


def _width(text: str, size: float) -> float:
    """Roughly how wide ``text`` is drawn: CJK characters are square, Latin about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def fit_text(text: str, room: float, size: float) -> str:
    if _width(text, size) <= room:
        return text
    while text and _width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``low``–``high``."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _open(chart_id: str, css: str, width: int, height: int, title: str,
          description: str) -> list[str]:
    return [f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'xmlns="http://www.w3.org/2000/svg" focusable="false">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
            # The same title, visible: the figure reads on its own (aria-hidden, since the
            # <title> above already names the image).
            f'<text class="chart-title" x="0" y="16" font-size="14" font-weight="bold" '
            f'fill="{INK}" aria-hidden="true">{escape(title)}</text>']


def legend_row(entries: Sequence[tuple[str, str]], top: float, width: int) -> tuple[str, float]:
    """A legend row (wrapping) below the plot; returns the markup and the height used."""
    if not entries:
        return "", 0.0
    parts, x, y = ['<g class="chart-legend">'], 0.0, top + 12
    for label, colour in entries:
        w = 16 + _width(label, 11)
        if x > 0 and x + w > width:
            x, y = 0.0, y + 16
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="10" rx="2" '
                     f'fill="{colour}"/><text x="{x + 16:.1f}" y="{y:.1f}" font-size="11" '
                     f'fill="{INK}">{escape(label)}</text>')
        x += w + 12
    parts.append("</g>")
    return "".join(parts), y - top + 6


def _front_and_back(legend: Sequence[str]) -> list[tuple[str, str]]:
    """Legend entries for a front bar and, if named, the lighter one behind it."""
    return list(zip(legend, (GREEN, LIGHT), strict=False))


def _unit_above_y_axis(axis_label: str) -> str:
    if not axis_label:
        return ""
    return (f'<text class="chart-axis-label" x="0" y="{TITLE_H + 12}" font-size="12" '
            f'fill="{INK}">{escape(axis_label)}</text>')


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, description: str,
              maximum: float | None = None, axis_label: str = "",
              tick: Callable[[float], str] = number,
              background: Sequence[float] | None = None,
              legend: Sequence[str] = ()) -> Markup | None:
    """Horizontal bars, one per label (events, categories), with a value axis below them
    (round ticks, ``axis_label`` naming the unit), an optional lighter bar behind each
    (e.g. allocated behind spent) and ``legend`` (front, then background) below the axis;
    None when there are none."""
    if not bars:
        return None
    top = maximum if maximum is not None else max([b.value for b in bars]
                                                  + list(background or []))
    ticks = nice_ticks(0, top or 1.0)
    scale = ticks[-1] if maximum is None else (maximum or 1.0)
    ticks = [t for t in ticks if t <= scale + 1e-9]
    bar, gap, label_w, width = 20, 10, 104, 340
    plot_w = width - label_w - 76
    plot_top = TITLE_H + 4
    plot_h = len(bars) * (bar + gap) + gap
    entries = _front_and_back(legend)
    legend_svg, legend_h = legend_row(entries, plot_top + plot_h + 40, width)
    height = int(plot_top + plot_h + 40 + legend_h)
    parts = _open(chart_id, "chart chart-bars", width, height, title, description)
    for t in ticks:
        x = label_w + plot_w * t / scale
        parts.append(f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" '
                     f'y2="{plot_top + plot_h}" stroke="{GRID}"/>'
                     f'<text class="chart-tick" x="{x:.1f}" y="{plot_top + plot_h + 14}" '
                     f'font-size="11" text-anchor="middle" fill="{MUTED}">'
                     f'{escape(tick(t))}</text>')
    parts.append(f'<line x1="{label_w}" y1="{plot_top + plot_h}" x2="{label_w + plot_w}" '
                 f'y2="{plot_top + plot_h}" stroke="{MUTED}"/>')
    if axis_label:
        parts.append(f'<text class="chart-axis-label" x="{label_w + plot_w / 2:.1f}" '
                     f'y="{plot_top + plot_h + 32}" font-size="12" text-anchor="middle" '
                     f'fill="{INK}">{escape(axis_label)}</text>')
    for n, item in enumerate(bars):
        y = plot_top + gap + n * (bar + gap)
        length = 0.0 if scale <= 0 else plot_w * max(0.0, min(item.value, scale)) / scale
        label = fit_text(item.label, label_w - 6, 13)
        behind = 0.0
        if background is not None:
            behind = plot_w * max(0.0, min(background[n], scale)) / scale if scale > 0 else 0
            parts.append(f'<rect x="{label_w}" y="{y}" width="{behind:.1f}" height="{bar}" '
                         f'rx="3" fill="{LIGHT}"/>')
        parts.append(
            f'<g><title>{escape(item.label)}: {escape(item.text)}</title>'
            f'<text x="0" y="{y + bar * 0.75:.1f}" font-size="13" fill="{INK}">'
            f'{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar}" rx="3" '
            f'fill="{GREEN}"/>'
            f'<text x="{label_w + max(length, behind) + 6:.1f}" y="{y + bar * 0.75:.1f}" '
            f'font-size="13" '
            f'fill="{INK}">{escape(item.text)}</text></g>')
    parts.append(legend_svg)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or numeric


def column_chart(columns: Sequence[Bar], *, chart_id: str, title: str, description: str,
                 background: Sequence[float] | None = None, axis_label: str = "",
                 legend: Sequence[str] = (), tick: Callable[[float], str] = number
                 ) -> Markup | None:
    """Vertical columns over time (weeks, periods), with an optional lighter column behind
    each (e.g. allocated behind spent), a y axis of round ticks named by ``axis_label``,
    and ``legend`` (front, then background) below the plot; None when nothing to draw."""
    if not columns:
        return None
    values = [c.value for c in columns] + list(background or [])
    ticks = nice_ticks(0, max(values) or 1.0)
    top = ticks[-1]
    pad, plot_h = 44, 120
    # As many columns as fit a phone's width (340): narrower columns, not a wider chart.
    step = min(56.0, (340 - pad - 10) / len(columns))
    col = step * 5 / 7
    base = TITLE_H + 22 + plot_h
    width = max(int(pad + step * len(columns) + 10), 300)
    entries = _front_and_back(legend)
    legend_svg, legend_h = legend_row(entries, base + 22, width)
    parts = _open(chart_id, "chart chart-columns", width, int(base + 26 + legend_h), title,
                  description)
    parts.append(_unit_above_y_axis(axis_label))
    for t in ticks:
        y = base - plot_h * t / top
        parts.append(f'<line x1="{pad - 4}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/><text class="chart-tick" x="{pad - 8}" '
                     f'y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">'
                     f'{escape(tick(t))}</text>')
    parts.append(f'<line x1="{pad - 4}" y1="{base}" x2="{width - 6}" y2="{base}" '
                 f'stroke="{MUTED}"/>')
    for n, column in enumerate(columns):
        x = pad + n * step
        if background is not None:
            h = plot_h * background[n] / top
            parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{col:.1f}" '
                         f'height="{h:.1f}" fill="{LIGHT}"/>')
        h = plot_h * column.value / top
        front = col * 0.6 if background is not None else col
        middle = x + col / 2
        size = 11 if step >= 44 else 10
        parts.append(
            f'<g><title>{escape(column.label)}: {escape(column.text)}</title>'
            f'<rect x="{middle - front / 2:.1f}" y="{base - h:.1f}" width="{front:.1f}" '
            f'height="{h:.1f}" rx="2" fill="{GREEN}"/>'
            f'<text x="{middle:.1f}" y="{base - h - 4:.1f}" font-size="{size}" '
            f'text-anchor="middle" fill="{INK}">{escape(column.text)}</text>'
            f'<text x="{middle:.1f}" y="{base + 16}" font-size="{size}" text-anchor="middle" '
            f'fill="{INK}">{escape(column.label)}</text></g>')
    parts.append(legend_svg)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or numeric


def line_chart(*, chart_id: str, title: str, description: str, series: Sequence[Series],
               limit: float | None = None, axis_label: str = "", limit_label: str = ""
               ) -> Markup | None:
    """A line chart of ``series`` over time: round y ticks, Babel dates on the x axis,
    ``axis_label`` (the unit) above the y axis, an optional dashed guideline ``limit``,
    and a legend below the plot. None when there is nothing to draw."""
    points = [p for s in series for p in s.points]
    if not points:
        return None
    width, pad_left, pad_right, plot_h = 340, 44, 14, 130
    plot_top = TITLE_H + 22
    days = [d.toordinal() for d, _ in points]
    values = [v for _, v in points] + ([limit] if limit is not None else [])
    x0, x1 = min(days), max(days)
    spread = (max(values) - min(values)) or max(abs(max(values)) * 0.1, 1.0)
    ticks = nice_ticks(min(values) - spread * 0.05, max(values) + spread * 0.05)
    y0, y1 = ticks[0], ticks[-1]
    plot_w = width - pad_left - pad_right
    base = plot_top + plot_h

    def x(on: date) -> float:
        return pad_left + (plot_w / 2 if x1 == x0 else (on.toordinal() - x0) / (x1 - x0)
                           * plot_w)

    def y(value: float) -> float:
        return plot_top + (1 - (value - y0) / (y1 - y0)) * plot_h

    entries = [(s.label, COLOURS[i % len(COLOURS)]) for i, s in enumerate(series)]
    if limit is not None and limit_label:
        entries.append((limit_label, "#8a5a00"))
    legend_svg, legend_h = legend_row(entries, base + 24, width)
    parts = _open(chart_id, "chart trend", width, int(base + 28 + legend_h), title,
                  description)
    parts.append(_unit_above_y_axis(axis_label))
    for t in ticks:
        parts.append(f'<line x1="{pad_left}" y1="{y(t):.1f}" x2="{width - pad_right}" '
                     f'y2="{y(t):.1f}" stroke="{GRID}"/><text class="chart-tick" '
                     f'x="{pad_left - 6}" y="{y(t) + 4:.1f}" font-size="11" '
                     f'text-anchor="end" fill="{MUTED}">{escape(number(t))}</text>')
    parts.append(f'<line x1="{pad_left}" y1="{base}" x2="{width - pad_right}" y2="{base}" '
                 f'stroke="{MUTED}"/>')
    first, last = date.fromordinal(x0), date.fromordinal(x1)
    years = first.year != last.year
    parts.append(f'<text class="chart-date" x="{pad_left}" y="{base + 16}" font-size="11" '
                 f'fill="{MUTED}">{escape(day(first, with_year=years))}</text>')
    if x1 != x0:
        parts.append(f'<text class="chart-date" x="{width - pad_right}" y="{base + 16}" '
                     f'font-size="11" text-anchor="end" fill="{MUTED}">'
                     f'{escape(day(last, with_year=years))}</text>')
    if limit is not None:
        parts.append(f'<line x1="{pad_left}" y1="{y(limit):.1f}" x2="{width - pad_right}" '
                     f'y2="{y(limit):.1f}" stroke="#8a5a00" stroke-dasharray="4 3"/>')
    for index, serie in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        ordered = sorted(serie.points)
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in ordered)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{coords}"/>')
        parts.extend(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>'
                     for d, v in ordered)
    parts.append(legend_svg)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or numeric
