"""Series and care plans: N occurrences of one service (e.g. eight weekly sessions) booked
in one action. The employee first sees which occurrences are available, then books all of
them or the available subset; later they cancel one occurrence (an ordinary cancel) or the
rest of the series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from booking import capacity, services
from booking.eligibility import check_eligibility
from booking.errors import BookingNotFound, InvalidSeries
from booking.models import Booking, BookingSeries, BookingStatus
from booking.signals import CancellationOutcome
from core.accounts.models import User
from core.db import db
from core.errors import DomainError
from core.policy import Action, can, require
from health.services import dependant_of
from providers.models import Service

MAX_OCCURRENCES = 26


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    available: bool
    problem: str | None  #: the refusal's stable code when not available


def occurrences(first: datetime, *, count: int, every_days: int) -> list[datetime]:
    if not 1 <= count <= MAX_OCCURRENCES or not 1 <= every_days <= 31:
        raise InvalidSeries()
    return [first + timedelta(days=every_days * n) for n in range(count)]


def preview_series(service: Service, *, practitioner_id: int, starts: list[datetime],
                   actor: User, now: datetime,
                   dependant_id: int | None = None) -> list[Occurrence]:
    """Which occurrences could be booked now (nothing is held). Raises NotFound, Forbidden,
    NotEligible."""
    require(actor, Action.BOOK_SERVICE, service.provider)
    practitioner = services.bookable_practitioner(service, practitioner_id)
    dependant = dependant_of(actor, dependant_id) if dependant_id is not None else None
    result = []
    for starts_at in starts:
        try:
            check_eligibility(service, client=actor, dependant=dependant, starts_at=starts_at,
                              timezone=service.provider.park.timezone)
            services.check_on_grid(service, practitioner, starts_at, now=now)
            services.check_place(service, practitioner.id, starts_at, client_id=actor.id,
                                 dependant_id=dependant_id, now=now)
        except DomainError as exc:
            result.append(Occurrence(starts_at, False, exc.code))
        else:
            result.append(Occurrence(starts_at, True, None))
    return result


def book_series(service: Service, *, practitioner_id: int, starts: list[datetime],
                actor: User, now: datetime, dependant_id: int | None = None) -> BookingSeries:
    """Hold every chosen occurrence, all or nothing (any refusal raises and the request
    rolls back). Raises what ``hold_slot`` raises, and InvalidSeries for an empty or too
    long list."""
    if not 1 <= len(starts) <= MAX_OCCURRENCES or len(set(starts)) != len(starts):
        raise InvalidSeries()
    require(actor, Action.BOOK_SERVICE, service.provider)
    capacity.lock_practitioners_and_client([practitioner_id], actor.id)
    series = BookingSeries(client_id=actor.id, service_id=service.id, created_at=now)
    db.session.add(series)
    db.session.flush()
    for starts_at in sorted(starts):
        services.hold_slot(service, practitioner_id=practitioner_id, starts_at=starts_at,
                           actor=actor, now=now, dependant_id=dependant_id, series=series)
    return series


def bookings_of_series(series: BookingSeries) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(Booking.series_id == series.id)
                                   .order_by(Booking.starts_at)))


def own_series(user: User, series_id: int) -> BookingSeries:
    series = db.session.get(BookingSeries, series_id)
    if series is None or not can(user, Action.OWN_RECORD, series):
        raise BookingNotFound()
    return series


def cancel_rest_of_series(series: BookingSeries, *, actor: User, now: datetime,
                          reason: str = "") -> list[CancellationOutcome]:
    """Cancel every occurrence that has not started yet and is still held or confirmed.
    Raises NotFound, Forbidden."""
    bookings = bookings_of_series(series)
    # Occurrences may have moved to other practitioners: take all their locks first, in
    # the one global order, rather than one after another.
    capacity.lock_practitioners_and_client({b.practitioner_id for b in bookings},
                                           series.client_id)
    outcomes = []
    for booking in bookings:
        if booking.starts_at > now and booking.status in (BookingStatus.HELD,
                                                          BookingStatus.CONFIRMED):
            outcomes.append(services.cancel_booking(booking, actor=actor, now=now,
                                                    reason=reason))
    return outcomes
