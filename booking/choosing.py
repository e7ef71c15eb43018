"""Choosing a time on a phone: a strip of the next days (which have times, which are
holidays) and the times of the chosen day, each once with its places left. Reads only:
booking checks the place again under the lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.clock import to_zone
from providers import holidays
from providers import queries as provider_queries
from providers.models import Practitioner, Service
from providers.schedule import Slot, zone

#: How many days the strip shows (DESIGN.md: the next 14 days).
STRIP_DAYS = 14


@dataclass(frozen=True)
class StripDay:
    day: date
    times: int  #: how many bookable times it has
    holiday: str | None  #: the public holiday's name, when it is one
    chosen: bool

    @property
    def available(self) -> bool:
        return self.times > 0


@dataclass(frozen=True)
class Chooser:
    strip: list[StripDay]
    day: date
    times: list[tuple[Slot, Practitioner]]  #: the chosen day's, earliest first
    earlier: date | None  #: the first day of the previous strip, if any
    later: date  #: the first day of the next strip


def parse_day(raw: str | None) -> date | None:
    """A ``?day=`` or ``?first=`` value; None when missing or not a date."""
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def choose(service: Service, *, today: date, first: date | None, day: date | None,
           timezone: str, now: datetime, days: int = STRIP_DAYS) -> Chooser:
    """The strip from ``first`` (default today) and the times of ``day`` (default the
    strip's first day with times). Days before today or beyond a year are not shown."""
    first = first if first and today <= first <= today + timedelta(days=366) else today
    if day is not None and not first <= day < first + timedelta(days=days):
        first = day if today <= day <= today + timedelta(days=366) else today
    tz = zone(timezone)
    start = datetime.combine(first, time(), tzinfo=tz)
    slots = provider_queries.slots_for(service, start=start,
                                       end=start + timedelta(days=days), now=now)
    by_day: dict[date, list[tuple[Slot, Practitioner]]] = {}
    for slot, practitioner in slots:
        by_day.setdefault(to_zone(slot.starts_at, timezone).date(), []).append(
            (slot, practitioner))
    shown = [first + timedelta(days=n) for n in range(days)]
    if day is None or day not in shown:
        day = next((d for d in shown if by_day.get(d)), first)
    strip = [StripDay(day=d, times=len(by_day.get(d, ())),
                      holiday=holidays.holiday_name(d)
                      if holidays.day_kind(d) is holidays.DayKind.HOLIDAY else None,
                      chosen=d == day) for d in shown]
    earlier = max(today, first - timedelta(days=days)) if first > today else None
    return Chooser(strip=strip, day=day,
                   times=sorted(by_day.get(day, []), key=lambda p: (p[0].starts_at, p[1].id)),
                   earlier=earlier, later=first + timedelta(days=days))


def time_chips(times: list[tuple[Slot, Practitioner]]) -> list[tuple[datetime, list[
        tuple[Slot, Practitioner]]]]:
    """The day's times, each once, with the practitioners free then (one chip per time,
    its practitioners to pick from when more than one is free)."""
    chips: dict[datetime, list[tuple[Slot, Practitioner]]] = {}
    for slot, practitioner in times:
        chips.setdefault(slot.starts_at, []).append((slot, practitioner))
    return sorted(chips.items())
