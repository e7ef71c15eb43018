"""Use-cases of the booking engine: hold a place, confirm it (payment hand-off), cancel,
mark attendance, reschedule, and expire lapsed holds.

Plain functions with keyword-only arguments; they take the actor and ``now``, check the
policy and the rules, lock what they must (``booking.capacity``), and never touch the
request. The caller owns the transaction; mail and other I/O wait for its commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from booking import capacity, notifications, pickups, states
from booking.eligibility import check_eligibility
from booking.errors import (
    AttendanceTooEarly,
    CancellationClosed,
    HoldExpired,
    OverlappingBooking,
    RescheduleRefused,
    SlotFull,
    SlotNotBookable,
    SlotUnavailable,
    TransitionRefused,
)
from booking.models import Booking, BookingSeries, BookingStatus
from booking.signals import (
    CancellationOutcome,
    attendance_marked,
    booking_cancelled,
    booking_confirmed,
    booking_held,
    booking_rescheduled,
    hold_expired,
    hold_requested,
)
from core.accounts.models import User
from core.db import db
from core.money import FULL, share
from core.policy import Action, can, require
from health.services import dependant_of
from providers import schedule
from providers import slots as slot_engine
from providers.errors import PractitionerNotFound, ServiceNotFound
from providers.models import Practitioner, Service

DEFAULT_HOLD_MINUTES = 10


def hold_minutes() -> int:
    return int(current_app.config.get("BOOKING_HOLD_MINUTES", DEFAULT_HOLD_MINUTES))


# -- finding the slot --------------------------------------------------------------------


def bookable_practitioner(service: Service, practitioner_id: int) -> Practitioner:
    if not service.is_active or not service.provider.is_verified:
        raise ServiceNotFound()
    practitioner = next((p for p in service.practitioners if p.id == practitioner_id), None)
    if practitioner is None or not practitioner.is_listed:
        raise PractitionerNotFound()
    return practitioner


def check_on_grid(service: Service, practitioner: Practitioner, starts_at: datetime, *,
                  now: datetime) -> None:
    """The time is one of the service's slots for the practitioner (working hours, notice,
    horizon, imported busy time), bookings left aside: those are counted under the lock.
    Raises SlotNotBookable."""
    shape = schedule.ServiceShape(
        service.id, service.duration_minutes, service.buffer_before_minutes,
        service.buffer_after_minutes, service.capacity, service.min_notice_minutes,
        service.horizon_days)
    window_end = starts_at + timedelta(seconds=1)
    for item in slot_engine.schedules([practitioner], start=starts_at, end=window_end,
                                      with_occupancy=False):
        if any(slot.starts_at == starts_at for slot in schedule.derive_slots(
                shape, practitioner.id, item.working, (), item.busy, now=now,
                start=starts_at, end=window_end)):
            return
    raise SlotNotBookable()


def _block(service: Service, starts_at: datetime) -> tuple[datetime, datetime, datetime]:
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    return (ends_at, starts_at - timedelta(minutes=service.buffer_before_minutes),
            ends_at + timedelta(minutes=service.buffer_after_minutes))


def check_place(service: Service, practitioner_id: int, starts_at: datetime, *,
                client_id: int, dependant_id: int | None, now: datetime,
                excluding: int | None = None) -> None:
    """A seat is left and nothing overlaps (decided under the locks; asked once before
    them too, to refuse a taken place without queueing). Raises SlotFull, SlotUnavailable,
    OverlappingBooking."""
    ends_at, busy_from, busy_until = _block(service, starts_at)
    place = capacity.place_taken(service_id=service.id, practitioner_id=practitioner_id,
                                 client_id=client_id, dependant_id=dependant_id,
                                 starts_at=starts_at, ends_at=ends_at, busy_from=busy_from,
                                 busy_until=busy_until, now=now, excluding=excluding)
    if place.seats_taken >= service.capacity:
        raise SlotFull()
    if place.practitioner_blocked:
        raise SlotUnavailable()
    if place.person_overlaps:
        raise OverlappingBooking()


# -- holding and confirming --------------------------------------------------------------


class Sponsor(Protocol):
    """Someone other than the client pays a booking in full (a check-up campaign: the
    enterprise pays the package). ``hold_slot`` asks it, in this order, so that the
    sponsor's rules live with the sponsor and every rule of the booking engine still
    applies to the booking:

    - ``lock()``: take the sponsor's own locks, before the booking engine's (one global
      lock order: the sponsor's rows, then practitioners by id, then the client);
    - ``check()``: the sponsor's rules that need those locks (a daily capacity, one
      booking per person), raising its own refusals;
    - ``pay(booking)``: once the place is written at ``price_minor`` 0 for the client, pay
      and return the payment reference; the booking is then confirmed at once.
    """

    def lock(self) -> None: ...

    def check(self) -> None: ...

    def pay(self, booking: Booking, *, now: datetime) -> str: ...


def hold_slot(service: Service, *, practitioner_id: int, starts_at: datetime, actor: User,
              now: datetime, dependant_id: int | None = None,
              series: BookingSeries | None = None,
              pickup_persons: list[dict] | None = None,
              asked_by_client: bool = False, sponsor: Sponsor | None = None) -> Booking:
    """Hold a place for ``actor`` (or their dependant) in the slot. A free service is
    confirmed at once; a priced one stays held for ``BOOKING_HOLD_MINUTES`` until
    ``confirm_booking``. ``pickup_persons`` (name, relation, phone) are who may collect the
    person served, for childcare and elder care (``booking.pickups``). ``asked_by_client``
    (the API, the booking page): a priced place is first offered to ``hold_requested``,
    whose receivers may refuse it before anything is written (benefits: a share that could
    not be paid). ``sponsor``: someone else pays it in full, with rules of its own
    (``Sponsor``); the client pays nothing and it is confirmed once the sponsor paid.

    Raises NotFound (service, practitioner, dependant), Forbidden, NotEligible (for the
    person the booking is for), PickupRequired, InvalidPickup, SlotNotBookable,
    SlotUnavailable, SlotFull, OverlappingBooking, what a ``hold_requested`` receiver
    raises (benefits: CardPaymentUnavailable), and what the sponsor raises.
    """
    require(actor, Action.BOOK_SERVICE, service.provider)
    practitioner = bookable_practitioner(service, practitioner_id)
    dependant = dependant_of(actor, dependant_id) if dependant_id is not None else None
    # A place already taken is refused from what is committed, first: before the person's
    # data, the working hours and the queue for the locks (in a rush most attempts are
    # refused, and each would wait for every other); a place freed since is as if the
    # request came a moment earlier. Under the locks the same check decides the rest.
    check_place(service, practitioner.id, starts_at, client_id=actor.id,
                dependant_id=dependant_id, now=now)
    check_eligibility(service, client=actor, dependant=dependant, starts_at=starts_at,
                      timezone=service.provider.park.timezone)
    people = pickups.check_pickups(service, pickup_persons or [])
    check_on_grid(service, practitioner, starts_at, now=now)
    if asked_by_client and service.price_minor and sponsor is None:
        hold_requested.send(service, client=actor, dependant_id=dependant_id, now=now)

    if sponsor is not None:
        sponsor.lock()
    capacity.lock_practitioners_and_client([practitioner.id], actor.id)
    if sponsor is not None:
        sponsor.check()
    check_place(service, practitioner.id, starts_at, client_id=actor.id,
                dependant_id=dependant_id, now=now)
    booking = new_hold(service, practitioner, starts_at, client=actor,
                       dependant_id=dependant_id, series=series, actor=actor, now=now,
                       expires_at=now + timedelta(minutes=hold_minutes()), reason="booked",
                       price_minor=0 if sponsor is not None else None)
    pickups.attach_pickups(booking, people, now=now)
    if sponsor is not None:
        _confirm(booking, actor=actor, now=now, payment_reference=sponsor.pay(booking, now=now),
                 reason="paid")
    elif not booking.is_priced:
        _confirm(booking, actor=actor, now=now, payment_reference=None, reason="free")
    return booking


def new_hold(service: Service, practitioner: Practitioner, starts_at: datetime, *,
             client: User, dependant_id: int | None, series: BookingSeries | None,
             actor: User | None, now: datetime, expires_at: datetime,
             reason: str, price_minor: int | None = None) -> Booking:
    """Write a held booking. The caller holds the locks and has checked the place.
    ``price_minor``: what the client pays, when not the service's price (0: a sponsor pays
    it)."""
    ends_at, busy_from, busy_until = _block(service, starts_at)
    booking = Booking(
        service=service, practitioner=practitioner, provider_id=service.provider_id,
        client=client, dependant_id=dependant_id, series_id=series.id if series else None,
        status=BookingStatus.HELD, starts_at=starts_at, ends_at=ends_at, busy_from=busy_from,
        busy_until=busy_until, seats=1, hold_expires_at=expires_at,
        price_minor=service.price_minor if price_minor is None else price_minor,
        currency=service.currency, free_cancel_hours=service.free_cancel_hours,
        late_cancel_fee_percent=service.late_cancel_fee_percent, reschedule_count=0,
        created_at=now, updated_at=now, pickups=[])  # known empty: never read back
    db.session.add(booking)
    states.record(booking, from_status=None, to=BookingStatus.HELD, actor=actor, now=now,
                  reason=reason)
    db.session.flush()
    booking_held.send(booking, actor=actor, now=now)
    return booking


def confirm_booking(booking: Booking, *, actor: User | None, now: datetime,
                    payment_reference: str | None = None) -> Booking:
    """Confirm a held booking once it is paid (the payments package calls this when its
    checkout settles). Raises HoldExpired when the hold lapsed and its place may have gone,
    TransitionRefused when it is not held."""
    if booking.status is not BookingStatus.HELD:
        raise TransitionRefused()
    capacity.lock_practitioners_and_client([booking.practitioner_id], booking.client_id)
    db.session.refresh(booking)
    if booking.status is not BookingStatus.HELD:
        raise TransitionRefused()
    # Counted again under the lock: a hold that lapsed and was taken by someone else
    # meanwhile must not be confirmed on top of it.
    others = capacity.seats_taken(service_id=booking.service_id,
                                  practitioner_id=booking.practitioner_id,
                                  starts_at=booking.starts_at, now=now, excluding=booking.id)
    if booking.hold_lapsed(now=now) or others + booking.seats > booking.service.capacity:
        raise HoldExpired()
    _confirm(booking, actor=actor, now=now, payment_reference=payment_reference, reason="paid")
    return booking


def _confirm(booking: Booking, *, actor: User | None, now: datetime,
             payment_reference: str | None, reason: str) -> None:
    states.move(booking, BookingStatus.CONFIRMED, actor=actor, now=now, reason=reason)
    booking.payment_reference = payment_reference
    db.session.flush()
    booking_confirmed.send(booking, actor=actor, now=now, payment_reference=payment_reference)
    notifications.booking_confirmed(booking, now=now)


# -- cancelling ---------------------------------------------------------------------------


def cancellation_outcome(booking: Booking, *, by: str, now: datetime) -> CancellationOutcome:
    """What the service's policy (as agreed when booked) decides: the provider always
    refunds in full; the client does before the cut-off, and pays the late fee after it."""
    if by == "provider" or booking.status is BookingStatus.HELD:
        return CancellationOutcome(by=by, refund_basis_points=FULL, late_fee_basis_points=0)
    if now <= booking.free_cancel_until():
        return CancellationOutcome(by=by, refund_basis_points=FULL, late_fee_basis_points=0)
    fee = booking.late_cancel_fee_percent * 100
    return CancellationOutcome(by=by, refund_basis_points=FULL - fee,
                               late_fee_basis_points=fee)


@dataclass(frozen=True)
class CancellationPreview:
    """What cancelling now would mean, said before the person confirms it. Amounts in fen
    of the booking's price; ``paid`` False (an unpaid hold, a free service) means nothing
    was paid and nothing is refunded or charged."""

    can_cancel: bool  #: not started, and still held or confirmed
    paid: bool
    price_minor: int
    currency: str
    free_until: datetime
    late_fee_basis_points: int
    fee_minor: int
    refund_minor: int
    by: str


def check_cancellable(booking: Booking, *, now: datetime) -> None:
    """Raises TransitionRefused (not held or confirmed), CancellationClosed (started)."""
    if booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        raise TransitionRefused()
    if now >= booking.starts_at:
        raise CancellationClosed()


def cancellation_preview(booking: Booking, *, actor: User, now: datetime) -> CancellationPreview:
    """The policy's outcome for ``actor`` cancelling now, nothing written."""
    by = "client" if can(actor, Action.OWN_RECORD, booking) else "provider"
    can_cancel = (booking.status in (BookingStatus.HELD, BookingStatus.CONFIRMED)
                  and now < booking.starts_at)
    paid = booking.is_priced and booking.status is BookingStatus.CONFIRMED
    outcome = cancellation_outcome(booking, by=by, now=now)
    fee = outcome.late_fee_basis_points if paid else 0
    fee_minor = share(booking.price_minor, fee) if paid else 0
    return CancellationPreview(
        can_cancel=can_cancel, paid=paid, price_minor=booking.price_minor,
        currency=booking.currency, free_until=booking.free_cancel_until(),
        late_fee_basis_points=fee, fee_minor=fee_minor,
        refund_minor=booking.price_minor - fee_minor if paid else 0, by=by)


def cancel_booking(booking: Booking, *, actor: User, now: datetime,
                   reason: str = "") -> CancellationOutcome:
    """Cancel as the client (their own booking) or as the provider's staff. Raises
    NotFound, Forbidden, CancellationClosed (it has started), TransitionRefused."""
    by = "client" if can(actor, Action.OWN_RECORD, booking) else "provider"
    if by == "provider":
        require(actor, Action.MANAGE_BOOKINGS, booking)
    return _cancel(booking, by=by, actor=actor, now=now, reason=reason)


def cancel_withdrawn(booking: Booking, *, now: datetime, reason: str) -> CancellationOutcome:
    """The park cancels a booking whose practitioner, service or provider was delisted
    (``booking.delisting``): as the provider would, so in full refund and the client told
    by mail. No actor. Raises CancellationClosed, TransitionRefused."""
    return _cancel(booking, by="provider", actor=None, now=now, reason=reason, withdrawn=True)


def _cancel(booking: Booking, *, by: str, actor: User | None, now: datetime,
            reason: str, withdrawn: bool = False) -> CancellationOutcome:
    # The practitioner's lock first (as every writer takes it), so that the place this
    # frees is offered to the waitlist before anyone else can take it.
    capacity.lock_practitioners_and_client([booking.practitioner_id], booking.client_id)
    db.session.refresh(booking)
    check_cancellable(booking, now=now)
    outcome = cancellation_outcome(booking, by=by, now=now)
    to = (BookingStatus.CANCELLED_BY_CLIENT if by == "client"
          else BookingStatus.CANCELLED_BY_PROVIDER)
    states.move(booking, to, actor=actor, now=now, reason=f"cancelled_by_{by}", note=reason)
    booking.refund_basis_points = outcome.refund_basis_points
    booking.late_fee_basis_points = outcome.late_fee_basis_points
    db.session.flush()
    booking_cancelled.send(booking, actor=actor, now=now, by=by, outcome=outcome,
                           withdrawn=withdrawn)
    notifications.booking_cancelled(booking, by=by, now=now)
    return outcome


# -- attendance ---------------------------------------------------------------------------


def mark_attendance(booking: Booking, *, actor: User, attended: bool, now: datetime) -> None:
    """The provider's staff mark a confirmed booking attended or no-show, once it has
    started. Raises NotFound, Forbidden, AttendanceTooEarly, TransitionRefused."""
    require(actor, Action.MANAGE_BOOKINGS, booking)
    if booking.status is not BookingStatus.CONFIRMED:
        raise TransitionRefused()
    if now < booking.starts_at:
        raise AttendanceTooEarly()
    states.move(booking, BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW,
                actor=actor, now=now, reason="attended" if attended else "no_show")
    db.session.flush()
    attendance_marked.send(booking, actor=actor, now=now)


# -- rescheduling -------------------------------------------------------------------------


def reschedule_booking(booking: Booking, *, actor: User, starts_at: datetime, now: datetime,
                       practitioner_id: int | None = None) -> Booking:
    """Move the client's confirmed booking to another slot of the same service, keeping its
    payment (same price, same booking). Raises Forbidden, TransitionRefused,
    CancellationClosed, RescheduleRefused, SlotNotBookable, SlotUnavailable, SlotFull,
    OverlappingBooking."""
    require(actor, Action.BOOK_SERVICE, booking.provider)
    if booking.status is not BookingStatus.CONFIRMED:
        raise TransitionRefused()
    if now >= booking.starts_at:
        raise CancellationClosed()
    service = booking.service
    target_id = practitioner_id or booking.practitioner_id
    if starts_at == booking.starts_at and target_id == booking.practitioner_id:
        raise RescheduleRefused()
    try:
        practitioner = bookable_practitioner(service, target_id)
    except (ServiceNotFound, PractitionerNotFound) as exc:
        raise RescheduleRefused() from exc
    check_on_grid(service, practitioner, starts_at, now=now)
    capacity.lock_practitioners_and_client({booking.practitioner_id, practitioner.id},
                                           booking.client_id)
    check_place(service, practitioner.id, starts_at, client_id=booking.client_id,
                dependant_id=booking.dependant_id, now=now, excluding=booking.id)
    previous, previous_practitioner_id = booking.starts_at, booking.practitioner_id
    ends_at, busy_from, busy_until = _block(service, starts_at)
    booking.practitioner = practitioner
    booking.starts_at, booking.ends_at = starts_at, ends_at
    booking.busy_from, booking.busy_until = busy_from, busy_until
    booking.reschedule_count += 1
    booking.reminder_24h_sent_at = booking.reminder_2h_sent_at = None
    states.move(booking, BookingStatus.CONFIRMED, actor=actor, now=now, reason="rescheduled",
                note=f"{previous.isoformat()} -> {starts_at.isoformat()}")
    db.session.flush()
    booking_rescheduled.send(booking, actor=actor, now=now, previous_starts_at=previous,
                             previous_practitioner_id=previous_practitioner_id)
    notifications.booking_changed(booking, now=now)
    return booking


# -- the sweep ----------------------------------------------------------------------------


def lapsed_holds(*, now: datetime, limit: int = 500) -> list[int]:
    """Ids of held bookings whose hold has lapsed, oldest first."""
    return list(db.session.scalars(select(Booking.id).where(
        Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now)
        .order_by(Booking.id).limit(limit)))


def expire_hold(booking_id: int, *, now: datetime) -> bool:
    """Mark one lapsed hold expired (its place was already free to readers), under its
    practitioner's lock like every other writer and re-read after it, so that several
    workers may try at once and it is expired once. A course's sessions are held together:
    its other lapsed sessions expire with it, in the same transaction, and the employee is
    told by mail. Returns whether this call did it."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        return False
    together = [booking]
    if booking.series_id is not None:
        together += list(db.session.scalars(select(Booking).where(
            Booking.series_id == booking.series_id, Booking.id != booking.id,
            Booking.status == BookingStatus.HELD).order_by(Booking.starts_at)))
    # Every session's practitioner at once, in the one global order.
    capacity.lock_practitioners_and_client({b.practitioner_id for b in together},
                                           booking.client_id)
    for held in together:
        db.session.refresh(held)
    if not booking.hold_lapsed(now=now):
        return False
    lapsed = [b for b in together if b.hold_lapsed(now=now)]
    for held in lapsed:
        states.move(held, BookingStatus.EXPIRED, actor=None, now=now, reason="hold_lapsed")
    db.session.flush()
    for held in lapsed:
        hold_expired.send(held, now=now)
    if booking.series_id is not None:
        notifications.series_hold_lapsed(sorted(lapsed, key=lambda b: b.starts_at), now=now)
    return True


def expire_holds(*, now: datetime, limit: int = 500) -> int:
    """Expire every lapsed hold in this transaction (the worker commits after each one
    instead, so that it never holds one practitioner's lock while waiting for another's).
    Returns how many this call expired."""
    return sum(expire_hold(booking_id, now=now)
               for booking_id in lapsed_holds(now=now, limit=limit))
