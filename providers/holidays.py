"""Mainland China's public holidays and their make-up working days (调休), from the kept
``chinese-calendar`` library (the State Council's yearly notice, updated with each release).

Years the library does not know yet are treated as ordinary years (weekdays work, weekends
rest) rather than failing, so that a schedule never breaks on the 1st of January.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache

import chinese_calendar


class DayKind(StrEnum):
    WORKDAY = "workday"  #: an ordinary Monday to Friday
    WEEKEND = "weekend"  #: an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  #: a statutory public holiday or a day off in lieu
    MAKEUP_WORKDAY = "makeup_workday"  #: a Saturday or Sunday worked instead (调休)


@lru_cache(maxsize=4096)
def day_kind(day: date) -> DayKind:
    weekend = day.weekday() >= 5
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return DayKind.WEEKEND if weekend else DayKind.WORKDAY
    if weekend and not is_holiday:
        return DayKind.MAKEUP_WORKDAY
    if is_holiday and name is not None:
        return DayKind.HOLIDAY
    return DayKind.WEEKEND if weekend else DayKind.WORKDAY


def holiday_name(day: date) -> str | None:
    """The holiday's English name in the library ('National Day'), or None."""
    try:
        return chinese_calendar.get_holiday_detail(day)[1]
    except NotImplementedError:
        return None


def known_until() -> date:
    """The last day the holiday data covers: the 31st of December of the latest year the
    installed ``chinese-calendar`` has the State Council's notice for."""
    from chinese_calendar import constants

    return date(max(day.year for day in constants.holidays), 12, 31)


def horizon_check(app) -> dict:
    """Readiness (``/readyz``): warn when the holiday data ends within
    ``HOLIDAY_HORIZON_DAYS``: after it, holidays are not known and days count as ordinary
    weekdays (upgrade ``chinese-calendar`` when the next year's notice is out)."""
    from core.clock import utcnow

    until = known_until()
    days_left = (until - utcnow().date()).days
    horizon = int(app.config.get("HOLIDAY_HORIZON_DAYS", 60))
    return {"status": "ok" if days_left >= horizon else "warn",
            "known_until": until.isoformat(), "days_left": days_left}
