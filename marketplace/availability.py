"""Real availability for many services at once, with a fixed number of queries: the
practitioners' schedules are read for the window, then each service's slots are derived in
memory. Most services have a free slot within days, so the first days are read first, and
only the services with none there look further (at most two rounds of queries).

A next start that begins now (the catalogue's cards, the recommendations) is remembered per
process (``memo("availability.starts")``), keyed on the service's shape, its listed
practitioners and their freshness counters (``marketplace.freshness``: bumped with every
booking, cancellation, rule, exception or busy time of theirs). It stays right as the clock
moves on: a start found at ``t`` is still the earliest at ``t'`` while it is at least the
minimum notice away, since nothing before it was free at ``t`` and nothing was written
since. Two things change without a write and bound an entry's life: a hold that lapses frees
its time at its ``hold_expires_at`` (the entry ends then), and a service with no start in
the window may get one at the window's far end as time passes. So the earliest start is
looked for a day past the window (``STARTS_REACH``): a start found there is the answer once
the window reaches it, and "none" found that far stays true for that day, or for as long as
the service's horizon leaves room (at least ``NONE_LIFE``). (With a look as long as the
window, every process looked again each minute for each service with no start.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from booking.models import Booking, BookingStatus
from core.db import db
from core.memo import memo
from marketplace import freshness
from providers import schedule
from providers.models import Service
from providers.slots import EDGE, schedules, service_shape

STARTS_SIZE = 16384
#: How far past the window a remembered next start is looked for.
STARTS_REACH = timedelta(days=1)
#: How long "no start" is believed when the service's horizon leaves no room (each minute
#: the horizon opens a minute more of its time).
NONE_LIFE = timedelta(minutes=1)


@dataclass(frozen=True)
class Staff:
    """A practitioner as their free time sees them."""

    id: int
    is_listed: bool
    observes_public_holidays: bool


@dataclass(frozen=True)
class Offer:
    """What a service's next start depends on, as plain values: a catalogue page remembers
    its offers, so that a remembered page needs no service loaded to find its starts."""

    id: int
    shape: schedule.ServiceShape
    is_open: bool  #: active, of a verified provider
    practitioners: tuple[Staff, ...]

    def __hash__(self) -> int:
        # Equal offers share their id, so the id alone is a valid hash; hashing every field
        # (the shape, each practitioner) for each card's memo lookup cost a tenth of a
        # remembered search's time. Offers of one id that differ still compare unequal.
        return hash(self.id)

    @classmethod
    def of(cls, service: Service) -> Offer:
        return cls(service.id, service_shape(service),
                   service.is_active and service.provider.is_verified,
                   tuple(Staff(p.id, p.is_listed, p.observes_public_holidays)
                         for p in service.practitioners))


def _offers(services: Sequence[Service | Offer]) -> list[Offer]:
    return [s if isinstance(s, Offer) else Offer.of(s) for s in services]


#: How far the first round looks: far enough that it usually finds a start.
FIRST_LOOK = timedelta(days=2)


def next_starts(services: Sequence[Service | Offer], *, start: datetime, end: datetime,
                now: datetime, timezone: str, hours: tuple[int, int] | None = None
                ) -> dict[int, datetime | None]:
    """The earliest bookable start of each service within [start, end), optionally only
    slots starting between ``hours`` (local, [from, to)). None where there is none."""
    services = _offers(services)
    if hours is not None or start != now or not services:
        return _computed(services, start=start, end=end, now=now, timezone=timezone,
                         hours=hours)
    staff = {p.id: freshness.practitioner_key(p.id) for s in services for p in s.practitioners}
    stamps = freshness.versions([freshness.AVAILABILITY, *staff.values()])
    staff_versions = {pid: stamps[key] for pid, key in staff.items()}
    keys = {service.id: _key(service, end - start, staff_versions,
                             stamps[freshness.AVAILABILITY]) for service in services}
    starts = memo("availability.starts", STARTS_SIZE, shared=True)
    writing = freshness.writing()  # this transaction's own writes are not for others
    result: dict[int, datetime | None] = {}
    missing = []
    for service in services:
        entry = None if writing else starts.get(keys[service.id])
        if entry is not None and _still_true(entry, service, now):
            result[service.id] = _before(entry[0], end)
        else:
            missing.append(service)
    if missing:
        reach = end + STARTS_REACH
        found = _computed(missing, start=start, end=reach, now=now, timezone=timezone,
                          hours=None)
        lapses = _hold_lapses([p.id for s in missing for p in s.practitioners],
                              start=start, end=reach, now=now)
        for service in missing:
            until = min((lapses[p.id] for p in service.practitioners if p.id in lapses),
                        default=None)
            if found[service.id] is None:
                life = _none_life(service, end - start)
                until = min(until or now + life, now + life)
            if not writing:
                starts.put(keys[service.id], (found[service.id], now, until))
            result[service.id] = _before(found[service.id], end)
    return result


def _before(first: datetime | None, end: datetime) -> datetime | None:
    """A remembered start as the window ending at ``end`` sees it."""
    return first if first is not None and first < end else None


def _none_life(service: Offer, length: timedelta) -> timedelta:
    """How long "no start within ``STARTS_REACH`` past the window" stays true: until the
    window has moved that far, or until the service's horizon, moving with the clock, opens
    time inside the window (a horizon shorter than the window: at once, so a minute)."""
    room = timedelta(days=service.shape.horizon_days) - length
    return max(NONE_LIFE, min(STARTS_REACH, room))


def _key(service: Offer, length: timedelta, staff_versions: dict[int, int],
         availability: int) -> tuple:
    return (service, tuple(staff_versions[p.id] for p in service.practitioners),
            availability, length)


def _still_true(entry: tuple, service: Offer, now: datetime) -> bool:
    first, computed_at, until = entry
    if now < computed_at or (until is not None and now >= until):
        return False
    return first is None or first >= now + timedelta(minutes=service.shape.min_notice_minutes)


def _hold_lapses(practitioner_ids: list[int], *, start: datetime, end: datetime,
                 now: datetime) -> dict[int, datetime]:
    """When each practitioner's first live hold within the window lapses (and frees its
    time without a write)."""
    if not practitioner_ids:
        return {}
    rows = db.session.execute(select(Booking.practitioner_id,
                                     func.min(Booking.hold_expires_at)).where(
        Booking.practitioner_id.in_(sorted(set(practitioner_ids))),
        Booking.status == BookingStatus.HELD, Booking.hold_expires_at > now,
        Booking.busy_from < end + EDGE, Booking.busy_until > start - EDGE)
        .group_by(Booking.practitioner_id)).all()
    return {practitioner: lapses for practitioner, lapses in rows if lapses is not None}


def _computed(services: Sequence[Offer], *, start: datetime, end: datetime, now: datetime,
              timezone: str, hours: tuple[int, int] | None) -> dict[int, datetime | None]:
    middle = min(end, start + FIRST_LOOK)
    result = _earliest(services, start=start, end=middle, now=now, timezone=timezone,
                       hours=hours)
    later = [service for service in services if result[service.id] is None]
    if later and middle < end:
        result |= _earliest(later, start=middle, end=end, now=now, timezone=timezone,
                            hours=hours)
    return result


def _earliest(services: Sequence[Offer], *, start: datetime, end: datetime, now: datetime,
              timezone: str, hours: tuple[int, int] | None) -> dict[int, datetime | None]:
    practitioners = {p.id: p for s in services if s.is_open
                     for p in s.practitioners if p.is_listed}
    # ``schedules`` reads a practitioner's id and public-holiday setting only.
    listed: list[Any] = list(practitioners.values())
    by_practitioner = {item.practitioner.id: item
                       for item in schedules(listed, start=start, end=end)}
    tz = ZoneInfo(timezone)
    result: dict[int, datetime | None] = {}
    for service in services:
        best = None
        for practitioner in service.practitioners:
            item = by_practitioner.get(practitioner.id)
            if item is None:
                continue
            slots = schedule.derive_slots(service.shape, practitioner.id, item.working,
                                          item.occupancy, item.busy, now=now, start=start,
                                          end=end, limit=1 if hours is None else None)
            starts = [slot.starts_at for slot in slots if hours is None
                      or hours[0] <= slot.starts_at.astimezone(tz).hour < hours[1]]
            if starts and (best is None or min(starts) < best):
                best = min(starts)
        result[service.id] = best
    return result
