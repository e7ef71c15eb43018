"""Progress against the plan's goals as server-drawn SVG (health's ``line_chart``: title and
description for screen readers, no script); the readings table beside it is the text
alternative."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from care.models import CarePlan, HomeMeasurement, MeasurementKind
from care.plans import unit_label
from core.clock import to_zone, zone_of
from health.charts import Series, line_chart


@dataclass(frozen=True)
class ProgressChart:
    kind: MeasurementKind
    title: str
    description: str
    svg: Markup


def _fmt(value) -> str:
    """Measurements are stored exact; one decimal is as precise as a home device reads."""
    if isinstance(value, list):
        return "/".join(f"{round(v, 1):g}" for v in value)
    return f"{round(value, 1):g}"


def progress_charts(plan: CarePlan | None, rows: list[HomeMeasurement]) -> list[ProgressChart]:
    """One chart per kind measured, with the plan's goal as a dashed line."""
    zone = zone_of()
    goals = {g["kind"]: g for g in (plan.goals if plan else [])}
    out = []
    for kind in MeasurementKind:
        mine = [r for r in rows if r.kind is kind]
        if not mine:
            continue
        goal = goals.get(kind.value)
        target = goal.get("target") if goal else None
        if kind is MeasurementKind.BLOOD_PRESSURE:
            series = [Series(_("Systolic"), [(to_zone(r.measured_at, zone).date(),
                                              r.data["systolic"]) for r in mine]),
                      Series(_("Diastolic"), [(to_zone(r.measured_at, zone).date(),
                                               r.data["diastolic"]) for r in mine])]
            limit = target[0] if target else None
        else:
            series = [Series(kind.label, [(to_zone(r.measured_at, zone).date(),
                                           r.data["value"]) for r in mine])]
            limit = target
        latest = mine[0]
        latest_text = _fmt([latest.data["systolic"], latest.data["diastolic"]]) \
            if kind is MeasurementKind.BLOOD_PRESSURE else _fmt(latest.data["value"])
        description = _("%(count)s readings; the latest is %(value)s %(unit)s.",
                        count=len(mine), value=latest_text, unit=unit_label(kind))
        if target is not None:
            description += " " + _("Goal: %(goal)s %(unit)s (dashed line).",
                                   goal=_fmt(target), unit=unit_label(kind))
        svg = line_chart(chart_id=f"care-{kind.value}", title=kind.label,
                         description=description, series=series, limit=limit,
                         axis_label=unit_label(kind), limit_label=_("Goal"))
        if svg is not None:
            out.append(ProgressChart(kind, kind.label, description, svg))
    return out
