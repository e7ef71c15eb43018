"""Slots for a service over a window, computed on demand from the database's rules,
exceptions and imported busy time, and from what other packages report as taken.

The booking package (which this package must not import) tells us about bookings and
holds by registering an occupancy source in its ``init_app``::

    register_occupancy_source(app, lambda practitioner_ids, start, end: [Occupancy(...)])

Each source returns the ``Occupancy`` of those practitioners that overlaps [start, end).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from flask import Flask, current_app
from sqlalchemy import select

from core import freshness
from core.db import db
from core.memo import memo
from providers import schedule
from providers.models import (
    AvailabilityRule,
    BusyTime,
    Practitioner,
    ScheduleException,
    Service,
)
from providers.schedule import Occupancy

T = TypeVar("T")
OccupancySource = Callable[[Sequence[int], datetime, datetime], Iterable[Occupancy]]
_SOURCES_KEY = "providers.occupancy_sources"
#: The longest buffer a service may have: occupancy this far outside the window still
#: matters to the slots at its edges.
EDGE = timedelta(days=1)


def register_occupancy_source(app: Flask, source: OccupancySource) -> None:
    app.extensions.setdefault(_SOURCES_KEY, []).append(source)


def occupancy(practitioner_ids: Sequence[int], start: datetime,
              end: datetime) -> list[Occupancy]:
    found: list[Occupancy] = []
    for source in current_app.extensions.get(_SOURCES_KEY, []):
        found.extend(source(practitioner_ids, start, end))
    return found


@dataclass(frozen=True)
class PractitionerSchedule:
    """What the engine needs of one practitioner within a window."""

    practitioner: Practitioner
    working: list[schedule.Interval]
    busy: list[schedule.Interval]
    occupancy: list[Occupancy]


def _rules(practitioner_ids: Sequence[int]) -> dict[int, list[schedule.Rule]]:
    rules: dict[int, list[schedule.Rule]] = {pid: [] for pid in practitioner_ids}
    for row in db.session.scalars(select(AvailabilityRule).where(
            AvailabilityRule.practitioner_id.in_(practitioner_ids))):
        rules[row.practitioner_id].append(schedule.Rule(
            row.rrule, row.starts_on, row.start_time, row.end_time, row.timezone))
    return rules


def _exceptions(practitioner_ids: Sequence[int], start: datetime,
                end: datetime) -> dict[int, list[schedule.DateException]]:
    found: dict[int, list[schedule.DateException]] = {pid: [] for pid in practitioner_ids}
    for row in db.session.scalars(select(ScheduleException).where(
            ScheduleException.practitioner_id.in_(practitioner_ids),
            ScheduleException.cancelled_at.is_(None),
            ScheduleException.happens_on >= (start - EDGE).date(),
            ScheduleException.happens_on <= (end + EDGE).date())):
        found[row.practitioner_id].append(schedule.DateException(
            row.kind.value, row.happens_on, row.start_time, row.end_time, row.timezone))
    return found


def _busy(practitioner_ids: Sequence[int], start: datetime,
          end: datetime) -> dict[int, list[schedule.Interval]]:
    found: dict[int, list[schedule.Interval]] = {pid: [] for pid in practitioner_ids}
    for pid, s, e in db.session.execute(select(
            BusyTime.practitioner_id, BusyTime.starts_at, BusyTime.ends_at).where(
            BusyTime.practitioner_id.in_(practitioner_ids),
            BusyTime.starts_at < end + EDGE, BusyTime.ends_at > start - EDGE)):
        found[pid].append((s, e))
    return found


def schedules(practitioners: Sequence[Practitioner], *, start: datetime,
              end: datetime, with_occupancy: bool = True) -> list[PractitionerSchedule]:
    """Working intervals, busy time and occupancy of each practitioner within the window:
    a fixed number of queries, whatever the number of practitioners. With
    ``with_occupancy=False`` what other packages report as taken is not asked for (and left
    empty): for callers that count it themselves, under their locks."""
    if not practitioners:
        return []
    ids = [p.id for p in practitioners]
    rules = _rules(ids)
    exceptions = _exceptions(ids, start, end)
    busy = _busy(ids, start, end)
    taken: dict[int, list[Occupancy]] = {pid: [] for pid in ids}
    for occ in (occupancy(ids, start - EDGE, end + EDGE) if with_occupancy else ()):
        if occ.practitioner_id in taken:
            taken[occ.practitioner_id].append(occ)
    return [PractitionerSchedule(
        # Computed a day wider than asked, so that the slot grid of an interval does not
        # shift with where the window happens to cut it.
        p, schedule.working_intervals(rules[p.id], exceptions[p.id], start=start - EDGE,
                                      end=end + EDGE,
                                      observes_public_holidays=p.observes_public_holidays),
        busy[p.id], taken[p.id]) for p in practitioners]


def service_slots(service: Service, practitioners: Sequence[Practitioner], *,
                  start: datetime, end: datetime,
                  now: datetime) -> list[tuple[schedule.Slot, Practitioner]]:
    """The bookable slots of ``service`` starting within [start, end), earliest first."""
    return _worked_out(service_shape(service), practitioners, start=start, end=end, now=now)[0]


def service_shape(service: Service) -> schedule.ServiceShape:
    """What the slot engine needs of a service."""
    return schedule.ServiceShape(
        service.id, service.duration_minutes, service.buffer_before_minutes,
        service.buffer_after_minutes, service.capacity, service.min_notice_minutes,
        service.horizon_days)


def _worked_out(shape: schedule.ServiceShape, practitioners: Sequence[Practitioner], *,
                start: datetime, end: datetime, now: datetime
                ) -> tuple[list[tuple[schedule.Slot, Practitioner]], datetime | None]:
    """The slots, and when the first hold among what they were derived from lapses."""
    result = []
    lapses = None
    for item in schedules(practitioners, start=start, end=end):
        for taken in item.occupancy:
            if taken.lapses_at is not None and (lapses is None or taken.lapses_at < lapses):
                lapses = taken.lapses_at
        for slot in schedule.derive_slots(shape, item.practitioner.id, item.working,
                                          item.occupancy, item.busy, now=now, start=start,
                                          end=end):
            result.append((slot, item.practitioner))
    result.sort(key=lambda pair: (pair[0].starts_at, pair[0].practitioner_id))
    return result, lapses


#: Windows of slots remembered per process (``core.memo``).
SLOTS_SIZE = 256  #: a window holds hundreds of slots; Redis keeps the rest (core.memo)
#: How long slots are believed when the window reaches past the service's horizon (which
#: moves on with the clock, and lets later slots in without a write).
HORIZON_LIFE = timedelta(minutes=1)


def remembered_slots(service: Service, practitioners: Sequence[Practitioner], *,
                     start: datetime, end: datetime,
                     now: datetime) -> list[tuple[schedule.Slot, Practitioner]]:
    """``service_slots``, remembered per process and keyed on the practitioners' freshness
    counters (``core.freshness``: every booking, cancellation, rule, exception or busy time
    of theirs moves them), the service's shape and the window.

    Slots found at ``t`` are still right at a later ``t'``, less those that began to be
    too soon to book (dropped on the way out): nothing else frees or takes time without a
    write, but for a hold lapsing (the entry ends then) and the horizon moving on when the
    window reaches past it (the entry lives ``HORIZON_LIFE``)."""
    return _with_practitioners(_window(service, practitioners, start=start, end=end,
                                       now=now), practitioners)


#: Slot lists rendered for an answer (``rendered_slots``), remembered per process.
RENDERED_SIZE = 256


def rendered_slots(service: Service, practitioners: Sequence[Practitioner], *,
                   start: datetime, end: datetime, now: datetime, variant: Hashable,
                   render: Callable[[list[tuple[schedule.Slot, Practitioner]]], T]) -> T:
    """``render`` of ``remembered_slots``, itself remembered while the window is (the
    same remembered slots, the same number of them already too soon, the same
    ``variant``: everything else ``render`` reads, such as the language and names): a
    window of hundreds of slots costs more to write out than to find."""
    window = _window(service, practitioners, start=start, end=end, now=now)
    if window.remembered is None:
        return render(_with_practitioners(window, practitioners))
    renderings = memo("providers.rendered_slots", RENDERED_SIZE)
    # The slots by identity: the remembered tuple is kept beside its rendering, so that
    # its id cannot be another's while the rendering is remembered.
    key = (id(window.remembered), window.too_soon, variant)
    known = renderings.get(key)
    if known is not None and known[0] is window.remembered:
        rendered: T = known[1]
        return rendered
    rendered = render(_with_practitioners(window, practitioners))
    renderings.put(key, (window.remembered, rendered))
    return rendered


@dataclass(frozen=True)
class _Window:
    """A window's slots: ``remembered`` all of them as remembered (None when they were
    worked out for this request only), ``bookable`` those not yet too soon, the first
    ``too_soon`` of them dropped."""

    remembered: tuple[schedule.Slot, ...] | None
    bookable: Sequence[schedule.Slot]
    too_soon: int


def _with_practitioners(window: _Window, practitioners: Sequence[Practitioner]
                        ) -> list[tuple[schedule.Slot, Practitioner]]:
    by_id = {p.id: p for p in practitioners}
    return [(slot, by_id[slot.practitioner_id]) for slot in window.bookable]


def _window(service: Service, practitioners: Sequence[Practitioner], *,
            start: datetime, end: datetime, now: datetime) -> _Window:
    if not practitioners:
        return _Window(None, (), 0)
    shape = service_shape(service)
    stamps = freshness.versions([freshness.AVAILABILITY] + [
        freshness.practitioner_key(p.id) for p in practitioners])
    key = (shape, tuple((p.id, p.observes_public_holidays) for p in practitioners),
           tuple(sorted(stamps.items())), start, end)
    remembered = memo("providers.slots", SLOTS_SIZE, shared=True)
    writing = freshness.writing()  # this transaction's own writes are not for others
    entry = None if writing else remembered.get(key)
    if entry is None or not entry[1] <= now < (entry[2] or datetime.max.replace(tzinfo=UTC)):
        found, lapses = _worked_out(shape, practitioners, start=start, end=end, now=now)
        if end > now + timedelta(days=shape.horizon_days):
            lapses = min(lapses or now + HORIZON_LIFE, now + HORIZON_LIFE)
        slots = tuple(slot for slot, _ in found)
        if writing:
            return _Window(None, slots, 0)
        # The slots only: no session's objects outlive their request.
        entry = (slots, now, lapses)
        remembered.put(key, entry)
    # Earliest first: those now too soon to book are the first ones.
    earliest = now + timedelta(minutes=shape.min_notice_minutes)
    too_soon = bisect.bisect_left(entry[0], earliest, key=lambda slot: slot.starts_at)
    return _Window(entry[0], entry[0][too_soon:], too_soon)
