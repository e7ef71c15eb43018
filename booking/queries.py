"""Reads: a person's bookings, a provider's bookings of a day, no-show counts, and the
occupancy the slot engine learns from (``providers.slots.register_occupancy_source``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from booking import capacity
from booking.errors import BookingNotFound
from booking.models import Booking, BookingStatus, BookingTransition, Notification
from core.accounts.models import ProviderOrganisation, User
from core.clock import utcnow
from core.db import db
from core.policy import Action, can, require
from providers import schedule
from providers import slots as slot_engine
from providers.models import Practitioner, Service
from providers.schedule import Occupancy


def occupancy_source(practitioner_ids: Sequence[int], start: datetime,
                     end: datetime) -> list[Occupancy]:
    """Live bookings of these practitioners overlapping [start, end), as the slot engine
    wants them. Lapsed holds are left out at once: the reader's clock decides."""
    if not practitioner_ids:
        return []
    held = case((Booking.status == BookingStatus.HELD, Booking.hold_expires_at))
    rows = db.session.execute(select(
        Booking.practitioner_id, Booking.busy_from, Booking.busy_until, Booking.service_id,
        Booking.starts_at, Booking.seats, held).where(
        Booking.practitioner_id.in_(practitioner_ids), Booking.busy_from < end,
        Booking.busy_until > start, capacity.live(utcnow())))
    return [Occupancy(*row) for row in rows]


def full_slots(service: Service, practitioners: Sequence[Practitioner], *, start: datetime,
               end: datetime, now: datetime) -> list[tuple[datetime, Practitioner]]:
    """Times of the service's grid within the window whose places are all taken by this
    service's own bookings (the ones a waitlist can be joined for), earliest first."""
    shape = slot_engine.service_shape(service)
    taken = {(pid, starts_at): seats for pid, starts_at, seats in db.session.execute(
        select(Booking.practitioner_id, Booking.starts_at, func.sum(Booking.seats)).where(
            Booking.service_id == service.id, Booking.starts_at >= start,
            Booking.starts_at < end, capacity.live(now))
        .group_by(Booking.practitioner_id, Booking.starts_at))}
    result = []
    for item in slot_engine.schedules(practitioners, start=start, end=end):
        for slot in schedule.derive_slots(shape, item.practitioner.id, item.working, (),
                                          item.busy, now=now, start=start, end=end):
            if taken.get((item.practitioner.id, slot.starts_at), 0) >= service.capacity:
                result.append((slot.starts_at, item.practitioner))
    return sorted(result, key=lambda pair: (pair[0], pair[1].id))


def get_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise BookingNotFound()
    return booking


def own_booking(user: User, booking_id: int) -> Booking:
    """The person's own booking: the one place that finds it for pages, the API and
    payments. Raises BookingNotFound (also for anyone else's, and for an id out of range)."""
    booking = db.session.get(Booking, booking_id) if 0 < booking_id < 2**31 else None
    if booking is None or not can(user, Action.OWN_RECORD, booking):
        raise BookingNotFound()
    return booking


def visible_booking(user: User, booking_id: int) -> Booking:
    """A booking its client or its provider's staff may see. Raises NotFound, Forbidden."""
    booking = get_booking(booking_id)
    if not can(user, Action.OWN_RECORD, booking):
        require(user, Action.MANAGE_BOOKINGS, booking)
    return booking


#: What a list of bookings shows of each one, loaded with one query per relation for the
#: whole page rather than one per booking (tests/scale/test_query_counts.py).
LIST_LOADS = (selectinload(Booking.service), selectinload(Booking.practitioner),
              selectinload(Booking.provider), selectinload(Booking.transitions),
              selectinload(Booking.dependant), selectinload(Booking.pickups))


def bookings_of(user: User, *, upcoming: bool | None = None,
                now: datetime | None = None) -> Select:
    statement = select(Booking).where(Booking.client_id == user.id).options(*LIST_LOADS)
    if upcoming is True:
        statement = statement.where(Booking.ends_at > now).order_by(Booking.starts_at,
                                                                    Booking.id)
    elif upcoming is False:
        statement = statement.where(Booking.ends_at <= now).order_by(
            Booking.starts_at.desc(), Booking.id.desc())
    else:
        statement = statement.order_by(Booking.starts_at.desc(), Booking.id.desc())
    return statement


def provider_bookings(provider: ProviderOrganisation, *, start: datetime,
                      end: datetime, name: str = "") -> Select:
    """The provider's held and confirmed (and marked) bookings starting in the window;
    with ``name``, only those of clients whose name contains it (any case)."""
    statement = select(Booking).where(
        Booking.provider_id == provider.id, Booking.starts_at >= start,
        Booking.starts_at < end,
        Booking.status.in_([BookingStatus.HELD, BookingStatus.CONFIRMED,
                            BookingStatus.ATTENDED, BookingStatus.NO_SHOW])
    ).options(*LIST_LOADS, selectinload(Booking.client)).order_by(
        Booking.starts_at, Booking.practitioner_id, Booking.id)
    if name:
        pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.join(User, User.id == Booking.client_id).where(
            func.lower(User.display_name).like(pattern.lower(), escape="\\"))
    return statement


def no_show_count(user: User) -> int:
    """How many of the person's bookings were marked no-show (shown on their account)."""
    return db.session.scalar(select(func.count(Booking.id)).where(
        Booking.client_id == user.id, Booking.status == BookingStatus.NO_SHOW)) or 0


def transitions_of(booking: Booking) -> list[BookingTransition]:
    return list(booking.transitions)


def unread_notifications(user: User, *, limit: int = 20) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).order_by(
        Notification.id.desc()).limit(limit)))
