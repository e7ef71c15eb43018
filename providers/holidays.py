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
