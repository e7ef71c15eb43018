"""Real availability for many services at once, with a fixed number of queries: the
practitioners' schedules are read for the window, then each service's slots are derived in
memory. Most services have a free slot within days, so the first days are read first, and
only the services with none there look further (at most two rounds of queries)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from providers import schedule
from providers.models import Service
from providers.slots import schedules


def _shape(service: Service) -> schedule.ServiceShape:
    return schedule.ServiceShape(service.id, service.duration_minutes,
                                 service.buffer_before_minutes, service.buffer_after_minutes,
                                 service.capacity, service.min_notice_minutes,
                                 service.horizon_days)


#: How far the first round looks: far enough that it usually finds a start.
FIRST_LOOK = timedelta(days=2)


def next_starts(services: Sequence[Service], *, start: datetime, end: datetime, now: datetime,
                timezone: str, hours: tuple[int, int] | None = None
                ) -> dict[int, datetime | None]:
    """The earliest bookable start of each service within [start, end), optionally only
    slots starting between ``hours`` (local, [from, to)). None where there is none."""
    middle = min(end, start + FIRST_LOOK)
    result = _earliest(services, start=start, end=middle, now=now, timezone=timezone,
                       hours=hours)
    later = [service for service in services if result[service.id] is None]
    if later and middle < end:
        result |= _earliest(later, start=middle, end=end, now=now, timezone=timezone,
                            hours=hours)
    return result


def _earliest(services: Sequence[Service], *, start: datetime, end: datetime, now: datetime,
              timezone: str, hours: tuple[int, int] | None) -> dict[int, datetime | None]:
    practitioners = {p.id: p for s in services if s.is_active and s.provider.is_verified
                     for p in s.practitioners if p.is_listed}
    by_practitioner = {item.practitioner.id: item
                       for item in schedules(list(practitioners.values()), start=start, end=end)}
    tz = ZoneInfo(timezone)
    result: dict[int, datetime | None] = {}
    for service in services:
        best = None
        for practitioner in service.practitioners:
            item = by_practitioner.get(practitioner.id)
            if item is None:
                continue
            slots = schedule.derive_slots(_shape(service), practitioner.id, item.working,
                                          item.occupancy, item.busy, now=now, start=start,
                                          end=end, limit=1 if hours is None else None)
            starts = [slot.starts_at for slot in slots if hours is None
                      or hours[0] <= slot.starts_at.astimezone(tz).hour < hours[1]]
            if starts and (best is None or min(starts) < best):
                best = min(starts)
        result[service.id] = best
    return result
