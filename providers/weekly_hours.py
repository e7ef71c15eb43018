"""Weekly hours as people think of them: per weekday, zero or more time ranges, in one IANA
zone. The stored and API form stays RFC 5545: ``to_rules`` turns the ranges into one RRULE
per distinct range (``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR`` 09:00–12:00) and ``read_rules``
reads stored rules back, keeping aside (read-only, with the reason) those a weekly grid
cannot show: every other week, an end date or a count, a later start, another zone.

Pure: no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Protocol

from dateutil import rrule as du
from icalendar import vRecur

from providers import schedule

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_RANGES_PER_DAY = 6


@dataclass(frozen=True, slots=True, order=True)
class Range:
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class KeptRule:
    """A stored rule the editor leaves as it is, and why (``interval``, ``ends``,
    ``later_start``, ``other_zone``, ``unreadable``)."""

    id: int
    rrule: str
    starts_on: date
    start_time: time
    end_time: time
    timezone: str
    reason: str


@dataclass(slots=True)
class WeeklyHours:
    timezone: str
    #: Seven lists (Monday first) of sorted ranges.
    days: list[list[Range]] = field(default_factory=lambda: [[] for _ in range(7)])
    #: The earliest start of the rules read (new rules keep it so past weeks stay as shown).
    starts_on: date | None = None
    kept: list[KeptRule] = field(default_factory=list)
    #: Ids of the stored rules the editor's ranges replace.
    replaces: list[int] = field(default_factory=list)


class _RuleRow(Protocol):  # what read_rules reads (an AvailabilityRule has it)
    id: int
    rrule: str
    starts_on: date
    start_time: time
    end_time: time
    timezone: str


def read_rules(rules: Sequence[_RuleRow], *, default_zone: str, today: date) -> WeeklyHours:
    """The editor's view of stored rules. The zone is that of the first plain weekly rule
    (else ``default_zone``); rules the grid cannot show are kept aside with the reason."""
    plain: list[tuple[_RuleRow, tuple[int, ...]]] = []
    kept: list[KeptRule] = []
    zone_name: str | None = None
    for row in sorted(rules, key=lambda r: (r.starts_on, r.start_time, r.id)):
        reason, weekdays = _representable(row, today)
        if reason is None and zone_name not in (None, row.timezone):
            reason = "other_zone"
        if reason is not None:
            kept.append(KeptRule(row.id, row.rrule, row.starts_on, row.start_time,
                                 row.end_time, row.timezone, reason))
            continue
        zone_name = row.timezone
        plain.append((row, weekdays))
    hours = WeeklyHours(timezone=zone_name or default_zone, kept=kept)
    for row, weekdays in plain:
        for weekday in weekdays:
            hours.days[weekday].append(Range(row.start_time, row.end_time))
        hours.replaces.append(row.id)
        hours.starts_on = min(filter(None, (hours.starts_on, row.starts_on)))
    hours.days = [sorted(set(day)) for day in hours.days]
    return hours


def _representable(row: _RuleRow, today: date) -> tuple[str | None, tuple[int, ...]]:
    try:
        parsed = schedule.parse_rrule(row.rrule)
    except schedule.RuleSyntaxError:
        return "unreadable", ()
    if parsed.interval != 1:
        return "interval", ()
    if parsed.until is not None or parsed.count is not None:
        return "ends", ()
    if row.starts_on > today:
        return "later_start", ()
    if parsed.freq == du.DAILY:
        return (None, tuple(range(7))) if parsed.byweekday is None else ("unreadable", ())
    if parsed.byweekday is None:  # weekly on the weekday it starts
        return None, (row.starts_on.weekday(),)
    return None, parsed.byweekday


def to_rules(days: Sequence[Sequence[Range]]) -> list[tuple[str, time, time]]:
    """One ``(rrule, start, end)`` per distinct range, its weekdays in BYDAY; ordered by
    time, then by first weekday."""
    by_range: dict[Range, list[int]] = {}
    for weekday, ranges in enumerate(days):
        for item in ranges:
            by_range.setdefault(item, []).append(weekday)
    result = []
    for item, weekdays in sorted(by_range.items(), key=lambda pair: (pair[0], pair[1])):
        recur = vRecur(freq="WEEKLY", byday=[WEEKDAY_CODES[d] for d in sorted(weekdays)])
        result.append((recur.to_ical().decode(), item.start, item.end))
    return result


def problems(days: Sequence[Sequence[Range]]) -> list[tuple[int, int, str]]:
    """Shape problems of the ranges as ``(weekday, index, key)``: ``order`` (ends before it
    starts), ``minutes`` (seconds given), ``overlap`` (overlaps an earlier range of the day),
    ``too_many``. The caller words them."""
    found = []
    for weekday, ranges in enumerate(days):
        if len(ranges) > MAX_RANGES_PER_DAY:
            found.append((weekday, MAX_RANGES_PER_DAY, "too_many"))
        for index, item in enumerate(ranges):
            if item.start.second or item.end.second or item.start.microsecond \
                    or item.end.microsecond:
                found.append((weekday, index, "minutes"))
            elif item.end <= item.start:
                found.append((weekday, index, "order"))
            elif any(other.start < item.end and item.start < other.end
                     for other in ranges[:index] if other.start < other.end):
                found.append((weekday, index, "overlap"))
    return found
