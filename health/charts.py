"""Trend charts as inline SVG, drawn on the server (the check-up table holds the numbers).
The drawing lives in :mod:`core.charts` so that every chart in ParkWell reads the same way."""

from __future__ import annotations

from core.charts import Series, line_chart

__all__ = ["Series", "line_chart"]
