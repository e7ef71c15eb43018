"""The availability engine: weekly rules (RFC 5545 RRULE), date exceptions and China's public
holidays turned into working intervals, and intervals turned into slots.

Pure functions over small frozen values: no database, no Flask. ``providers.queries`` loads
the rows and feeds them in; the booking package feeds its bookings and holds in as
``Occupancy`` through ``register_occupancy_source`` (see ``providers.slots``).

Slots are computed on demand, never stored: the cost follows the window asked for.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du

from providers.holidays import DayKind, day_kind

MAX_RRULE_LENGTH = 300
_FREQS = {"WEEKLY": du.WEEKLY, "DAILY": du.DAILY}
_WEEKDAYS = {"MO": du.MO, "TU": du.TU, "WE": du.WE, "TH": du.TH, "FR": du.FR, "SA": du.SA,
             "SU": du.SU}
_ALLOWED_PARTS = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}
#: On a make-up working day (调休), a practitioner who observes public holidays works the
#: hours their rules give on the following Monday (the day the swap usually mirrors).
MAKEUP_DAY_MIRRORS = 0


class RuleSyntaxError(ValueError):
    """An RRULE we do not accept; ``str(exc)`` is a key into the caller's messages."""


@dataclass(frozen=True, slots=True)
class ParsedRule:
    freq: int
    interval: int
    byweekday: tuple[int, ...] | None
    until: date | None
    count: int | None
    wkst: int


def parse_rrule(value: str) -> ParsedRule:
    """Parse the RRULE value (``FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231``).

    Only what weekly working hours need: FREQ (WEEKLY or DAILY), INTERVAL, BYDAY, UNTIL,
    COUNT, WKST. Times come from the rule's start and end, never from BYHOUR.
    Raises RuleSyntaxError with one of: too_long, malformed, unsupported_part, freq,
    interval, byday, until, count, until_and_count.
    """
    value = value.strip()
    if value.upper().startswith("RRULE:"):
        value = value[6:]
    if not value or len(value) > MAX_RRULE_LENGTH:
        raise RuleSyntaxError("too_long" if value else "malformed")
    parts: dict[str, str] = {}
    for chunk in value.split(";"):
        key, sep, raw = chunk.partition("=")
        key = key.strip().upper()
        if not sep or not key or not raw.strip() or key in parts:
            raise RuleSyntaxError("malformed")
        if key not in _ALLOWED_PARTS:
            raise RuleSyntaxError("unsupported_part")
        parts[key] = raw.strip().upper()
    if parts.get("FREQ") not in _FREQS:
        raise RuleSyntaxError("freq")
    interval = _positive_int(parts.get("INTERVAL", "1"), "interval", 52)
    byweekday = None
    if "BYDAY" in parts:
        days = parts["BYDAY"].split(",")
        if not all(d in _WEEKDAYS for d in days):
            raise RuleSyntaxError("byday")
        byweekday = tuple(sorted({_WEEKDAYS[d].weekday for d in days}))
    until = _until(parts["UNTIL"]) if "UNTIL" in parts else None
    count = _positive_int(parts["COUNT"], "count", 1000) if "COUNT" in parts else None
    if until is not None and count is not None:
        raise RuleSyntaxError("until_and_count")
    wkst = _WEEKDAYS[parts["WKST"]].weekday if parts.get("WKST") in _WEEKDAYS else 0
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        raise RuleSyntaxError("byday")
    return ParsedRule(_FREQS[parts["FREQ"]], interval, byweekday, until, count, wkst)


def _positive_int(raw: str, what: str, limit: int) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= limit:
        raise RuleSyntaxError(what)
    return int(raw)


def _until(raw: str) -> date:
    text = raw[:8]
    if not text.isdigit() or len(raw) not in (8, 15, 16):
        raise RuleSyntaxError("until")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise RuleSyntaxError("until") from exc


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``. Raises KeyError when unknown (or not a zone name at all)."""
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        raise KeyError(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise KeyError(name) from exc


# -- values the engine works on ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    rrule: str
    starts_on: date
    start_time: time
    end_time: time
    timezone: str

    def recurrence(self) -> du.rrule:
        parsed = parse_rrule(self.rrule)
        until = (datetime.combine(parsed.until, time(23, 59, 59))
                 if parsed.until is not None else None)
        return du.rrule(parsed.freq, dtstart=datetime.combine(self.starts_on, time()),
                        interval=parsed.interval, byweekday=parsed.byweekday, until=until,
                        count=parsed.count, wkst=parsed.wkst)

    def dates(self, first: date, last: date, recurrence: du.rrule | None = None) -> list[date]:
        """The local dates in [first, last] on which this rule gives hours."""
        recurrence = recurrence or self.recurrence()
        return [d.date() for d in recurrence.between(
            datetime.combine(first, time()), datetime.combine(last, time()), inc=True)]

    @property
    def minutes(self) -> int:
        return (_minutes(self.end_time) - _minutes(self.start_time))


@dataclass(frozen=True, slots=True)
class DateException:
    kind: str  #: "closed" or "extra"
    happens_on: date
    start_time: time | None
    end_time: time | None
    timezone: str


@dataclass(frozen=True, slots=True)
class Occupancy:
    """Time a practitioner is taken, as the booking package reports it.

    ``busy_from``/``busy_until`` include the booked service's buffers. ``service_id`` and
    ``starts_at`` let a group class share its capacity: bookings of the same service at
    the same start take ``seats`` each and leave the rest bookable.
    """

    practitioner_id: int
    busy_from: datetime
    busy_until: datetime
    service_id: int | None = None
    starts_at: datetime | None = None
    seats: int = 1
    #: A hold's end: the time is free again then, without a write (None: until changed).
    lapses_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServiceShape:
    id: int
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    capacity: int
    min_notice_minutes: int
    horizon_days: int

    @property
    def block(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes + self.duration_minutes
                         + self.buffer_after_minutes)


@dataclass(frozen=True, slots=True)
class Slot:
    practitioner_id: int
    starts_at: datetime
    ends_at: datetime
    remaining: int


Interval = tuple[datetime, datetime]


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    result = []
    for start, end in intervals:
        pieces = [(start, end)]
        for h_start, h_end in holes:
            next_pieces = []
            for p_start, p_end in pieces:
                if h_end <= p_start or h_start >= p_end:
                    next_pieces.append((p_start, p_end))
                    continue
                if h_start > p_start:
                    next_pieces.append((p_start, h_start))
                if h_end < p_end:
                    next_pieces.append((h_end, p_end))
            pieces = next_pieces
        result.extend(pieces)
    return result


@functools.lru_cache(maxsize=2048)
def rule_dates(rule: Rule, first: date, last: date) -> frozenset[date]:
    """``rule.dates(first, last)``, remembered: expanding an RRULE is the dearest step of
    availability, and the same few rules (practitioners share working weeks) are expanded
    over the same windows by every search and slot list of the day."""
    return frozenset(rule.dates(first, last))


def working_intervals(rules: Sequence[Rule], exceptions: Sequence[DateException], *,
                      start: datetime, end: datetime,
                      observes_public_holidays: bool = True) -> list[Interval]:
    """When a practitioner works within [start, end) (aware UTC), as merged UTC intervals.

    Per local day: the rules' hours, unless the day is a public holiday (for those who
    observe them) or a whole-day closure; on a make-up working day, the hours of the
    following Monday; then extra hours added and timed closures taken out.
    """
    intervals: list[Interval] = []
    by_zone: dict[str, list[Rule]] = {}
    for rule in rules:
        by_zone.setdefault(rule.timezone, []).append(rule)
    closed_days = {(e.timezone, e.happens_on) for e in exceptions
                   if e.kind == "closed" and e.start_time is None}
    for zone_name, zone_rules in by_zone.items():
        tz = zone(zone_name)
        first = start.astimezone(tz).date() - timedelta(days=1)
        last = end.astimezone(tz).date() + timedelta(days=1)
        for rule in zone_rules:
            dates = rule_dates(rule, first, last + timedelta(days=7))
            day = first
            while day <= last:
                kind = day_kind(day) if observes_public_holidays else None
                if kind is DayKind.HOLIDAY or (zone_name, day) in closed_days:
                    on = False
                elif kind is DayKind.MAKEUP_WORKDAY:
                    mirror = day + timedelta(days=(MAKEUP_DAY_MIRRORS - day.weekday()) % 7)
                    on = day in dates or mirror in dates
                else:
                    on = day in dates
                if on:
                    intervals.append((_local(day, rule.start_time, tz),
                                      _local(day, rule.end_time, tz)))
                day += timedelta(days=1)
    holes: list[Interval] = []
    for exc in exceptions:
        if exc.start_time is None or exc.end_time is None:
            continue
        tz = zone(exc.timezone)
        span = (_local(exc.happens_on, exc.start_time, tz),
                _local(exc.happens_on, exc.end_time, tz))
        (intervals if exc.kind == "extra" else holes).append(span)
    merged = _subtract(_merge(intervals), _merge(holes))
    clipped = [(max(s, start), min(e, end)) for s, e in merged]
    return [(s, e) for s, e in clipped if s < e]


def derive_slots(service: ServiceShape, practitioner_id: int, working: Sequence[Interval],
                 occupancy: Iterable[Occupancy], busy: Iterable[Interval], *,
                 now: datetime, start: datetime, end: datetime,
                 limit: int | None = None) -> list[Slot]:
    """Bookable slots of ``service`` for one practitioner starting within [start, end).

    Slots follow each other from the start of each working interval, one block (buffer
    before + duration + buffer after) apart, and the whole block must fit in the interval.
    A slot is left out when its block overlaps busy time or another booking, when it is
    sooner than the minimum notice or beyond the horizon, or when it is full. Earliest
    first; at most ``limit`` (the next start needs only the first).
    """
    block = service.block
    before = timedelta(minutes=service.buffer_before_minutes)
    duration = timedelta(minutes=service.duration_minutes)
    earliest = max(start, now + timedelta(minutes=service.min_notice_minutes))
    latest = min(end, now + timedelta(days=service.horizon_days))

    candidates: list[tuple[datetime, datetime]] = []  # (block start, slot start)
    for w_start, w_end in working:
        block_start = w_start
        while block_start + block <= w_end:
            slot_start = block_start + before
            if slot_start >= latest:
                break
            if slot_start >= earliest:
                candidates.append((block_start, slot_start))
            block_start += block
    grid = {slot_start for _, slot_start in candidates}

    taken: dict[datetime, int] = {}
    blocked: list[Interval] = list(busy)
    for occ in occupancy:
        if occ.practitioner_id != practitioner_id:
            continue
        if occ.service_id == service.id and occ.starts_at in grid and service.capacity > 1:
            taken[occ.starts_at] = taken.get(occ.starts_at, 0) + occ.seats
            # A seat booked when the service ran longer keeps its practitioner busy past
            # today's block: that overhang still blocks the neighbouring slots.
            own_start = occ.starts_at - before
            blocked.extend(span for span in ((occ.busy_from, own_start),
                                             (own_start + block, occ.busy_until))
                           if span[0] < span[1])
        else:
            blocked.append((occ.busy_from, occ.busy_until))
    blocked = _merge(blocked)
    blocked_starts = [b[0] for b in blocked]

    slots = []
    for block_start, slot_start in candidates:
        if _overlaps(blocked, blocked_starts, block_start, block_start + block):
            continue
        remaining = service.capacity - taken.get(slot_start, 0)
        if remaining > 0:
            slots.append(Slot(practitioner_id, slot_start, slot_start + duration, remaining))
            if limit is not None and len(slots) >= limit:
                break
    return slots


def _overlaps(blocked: list[Interval], starts: list[datetime], lo: datetime,
              hi: datetime) -> bool:
    """Whether [lo, hi) overlaps any of the merged, sorted ``blocked`` intervals."""
    index = bisect.bisect_left(starts, hi)
    return index > 0 and blocked[index - 1][1] > lo
