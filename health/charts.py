"""Trend charts as inline SVG, drawn on the server: no JavaScript, readable by screen
readers through the SVG's title and description (the check-up table holds the numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 160
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 36, 10, 10, 24
COLOURS = ("#0b6b4f", "#b3261e", "#8a5a00", "#1f5fa8")


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float]]


def _fmt(value: float) -> str:
    return f"{value:g}"


def line_chart(*, chart_id: str, title: str, description: str, series: Sequence[Series],
               limit: float | None = None) -> Markup | None:
    """A small line chart of ``series`` over time, with an optional dashed guideline limit.
    None when there is nothing to draw."""
    points = [p for s in series for p in s.points]
    if not points:
        return None
    days = [d.toordinal() for d, _ in points]
    values = [v for _, v in points] + ([limit] if limit is not None else [])
    x0, x1 = min(days), max(days)
    y0, y1 = min(values), max(values)
    spread = (y1 - y0) or max(abs(y1), 1.0)
    y0, y1 = y0 - spread * 0.1, y1 + spread * 0.1
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: date) -> float:
        return PAD_LEFT + (plot_w / 2 if x1 == x0 else (day.toordinal() - x0) / (x1 - x0)
                           * plot_w)

    def y(value: float) -> float:
        return PAD_TOP + (1 - (value - y0) / (y1 - y0)) * plot_h

    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{PAD_TOP + plot_h}" stroke="#8a9794"/>',
        f'<text x="{PAD_LEFT - 4}" y="{y(y1 - spread * 0.1) + 4:.1f}" text-anchor="end" '
        f'font-size="10">{_fmt(round(y1 - spread * 0.1, 1))}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{y(y0 + spread * 0.1) + 4:.1f}" text-anchor="end" '
        f'font-size="10">{_fmt(round(y0 + spread * 0.1, 1))}</text>',
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 6}" font-size="10">'
        f'{date.fromordinal(x0).isoformat()}</text>',
        f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">'
        f'{date.fromordinal(x1).isoformat()}</text>',
    ]
    if limit is not None:
        parts.append(f'<line x1="{PAD_LEFT}" y1="{y(limit):.1f}" x2="{WIDTH - PAD_RIGHT}" '
                     f'y2="{y(limit):.1f}" stroke="#8a5a00" stroke-dasharray="4 3"/>')
    for index, serie in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        ordered = sorted(serie.points)
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in ordered)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{coords}"/>')
        parts.extend(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>'
                     for d, v in ordered)
        if len(series) > 1:  # a legend, top right, in the series' colour
            parts.append(f'<text x="{WIDTH - PAD_RIGHT}" y="{PAD_TOP + 10 + index * 12}" '
                         f'font-size="10" text-anchor="end" fill="{colour}">'
                         f'{escape(serie.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or numeric
