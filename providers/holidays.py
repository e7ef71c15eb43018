"""Mainland China's public holidays and their make-up working days (调休): what kind of day a
date is, and which years the park's holiday calendar knows.

Three sources, the first that knows a year wins:
1. the operator's calendar (``HolidayYear``), entered from the State Council's notice for a
   year, which also corrects the library;
2. the kept ``chinese-calendar`` library (the notices up to its release);
3. for a year neither knows, the days the law fixes by date (元旦 1 January, 劳动节 1–2 May,
   国庆节 1–3 October: 全国年节及纪念日放假办法) are still holidays, but Spring Festival,
   Qingming, Dragon Boat, Mid-Autumn and every 调休 day are not known. Such a year is
   *unknown*: ``unknown_years`` names it so that the dashboards and the readiness check warn
   while a booking horizon reaches it. It is never taken for an ordinary year in silence.

The operator's years are read once per app and kept for ``CACHE_SECONDS`` (a tiny table);
a change made in this process is seen at once, other processes see it within that time.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import chinese_calendar
from flask import current_app, has_app_context
from sqlalchemy import func, select

from core.clock import today_in
from core.db import db
from providers.models import HolidayDay, HolidayKind, HolidayYear, Service

CACHE_SECONDS = 60
_CACHE_KEY = "parkwell_holiday_calendar"

#: Holidays the law fixes by date, whatever the year's notice arranges around them.
STATUTORY_FIXED_DAYS: dict[tuple[int, int], str] = {
    (1, 1): "New Year's Day",
    (5, 1): "Labour Day", (5, 2): "Labour Day",
    (10, 1): "National Day", (10, 2): "National Day", (10, 3): "National Day",
}


class DayKind(StrEnum):
    WORKDAY = "workday"  #: an ordinary Monday to Friday
    WEEKEND = "weekend"  #: an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  #: a statutory public holiday or a day off in lieu
    MAKEUP_WORKDAY = "makeup_workday"  #: a Saturday or Sunday worked instead (调休)


class CalendarSource(StrEnum):
    OPERATOR = "operator"  #: entered by the platform admin from the State Council's notice
    LIBRARY = "library"  #: the chinese-calendar library
    UNKNOWN = "unknown"  #: nobody knows it yet: only the fixed-date statutory days


def day_kind(day: date) -> DayKind:
    operator = _operator_years()
    if day.year in operator:
        entry = operator[day.year].get(day)
        if entry is not None:
            return DayKind(entry[0].value)
        return _ordinary(day)
    return _library_or_law_kind(day)


def holiday_name(day: date) -> str | None:
    """The holiday's name ('National Day', or as the operator entered it), or None."""
    operator = _operator_years()
    if day.year in operator:
        entry = operator[day.year].get(day)
        return entry[1] or None if entry and entry[0] is HolidayKind.HOLIDAY else None
    if _library_knows(day.year):
        return chinese_calendar.get_holiday_detail(day)[1]
    return STATUTORY_FIXED_DAYS.get((day.month, day.day))


def calendar_source(year: int) -> CalendarSource:
    if year in _operator_years():
        return CalendarSource.OPERATOR
    if _library_knows(year):
        return CalendarSource.LIBRARY
    return CalendarSource.UNKNOWN


def year_days(year: int) -> list[tuple[date, DayKind, str]]:
    """The year's holidays and make-up working days, whatever the source, in order."""
    days: list[tuple[date, DayKind, str]] = []
    day = date(year, 1, 1)
    while day.year == year:
        kind = day_kind(day)
        if kind in (DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY):
            name = holiday_name(day) if kind is DayKind.HOLIDAY else _makeup_name(day)
            days.append((day, kind, name or ""))
        day += timedelta(days=1)
    return days


def _makeup_name(day: date) -> str:
    entry = _operator_years().get(day.year, {}).get(day)
    return entry[1] if entry else ""


def unknown_years(first: date, last: date) -> list[int]:
    """The years from ``first`` to ``last`` that the calendar does not know."""
    return [year for year in range(first.year, last.year + 1)
            if calendar_source(year) is CalendarSource.UNKNOWN]


def unknown_years_ahead(today: date, horizon_days: int) -> list[int]:
    """The years a booking horizon of ``horizon_days`` from ``today`` reaches that the
    calendar does not know: what the dashboards and the readiness check warn about."""
    return unknown_years(today, today + timedelta(days=horizon_days))


def max_horizon_days() -> int:
    """How far ahead any listed service of the platform can be booked (30 days if none)."""
    return int(db.session.scalar(select(func.max(Service.horizon_days)).where(
        Service.is_active.is_(True))) or 30)


def forget_operator_years() -> None:
    """Read the operator's years again on next use (after a change in this process)."""
    if has_app_context():
        current_app.extensions.pop(_CACHE_KEY, None)


def _ordinary(day: date) -> DayKind:
    return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY


@lru_cache(maxsize=64)
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.get_holiday_detail(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=4096)
def _library_or_law_kind(day: date) -> DayKind:
    weekend = day.weekday() >= 5
    if not _library_knows(day.year):
        return DayKind.HOLIDAY if (day.month, day.day) in STATUTORY_FIXED_DAYS \
            else _ordinary(day)
    is_holiday, name = chinese_calendar.get_holiday_detail(day)
    if weekend and not is_holiday:
        return DayKind.MAKEUP_WORKDAY
    if is_holiday and name is not None:
        return DayKind.HOLIDAY
    return _ordinary(day)


def _operator_years() -> dict[int, dict[date, tuple[HolidayKind, str]]]:
    """Year → {day: (kind, name)} of the operator's calendar; empty outside an app (the
    pure schedule tests) or before the table exists."""
    if not has_app_context():
        return {}
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    years: dict[int, dict[date, tuple[HolidayKind, str]]] = {}
    for (year,) in db.session.execute(select(HolidayYear.year)):
        years[year] = {}
    for row in db.session.execute(select(HolidayDay.day, HolidayDay.year, HolidayDay.kind,
                                         HolidayDay.name)):
        years.setdefault(row.year, {})[row.day] = (row.kind, row.name)
    current_app.extensions[_CACHE_KEY] = (time.monotonic(), years)
    return years


def horizon_check(app) -> dict:
    """Readiness (``/readyz``, core.readiness): warn while the days ahead that can be booked
    (the longest service horizon, at least ``HOLIDAY_HORIZON_DAYS``) reach a year the
    calendar does not know: enter it under *Holiday calendar* from the State Council's
    notice (or upgrade ``chinese-calendar``)."""

    today = today_in()  # the app's context is open: max_horizon_days reads the database
    horizon = max(int(app.config.get("HOLIDAY_HORIZON_DAYS", 60)), max_horizon_days())
    unknown = unknown_years_ahead(today, horizon)
    return {"status": "warn" if unknown else "ok", "horizon_days": horizon,
            "unknown_years": unknown}
