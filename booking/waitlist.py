"""Waitlists: a full slot can be joined in order; when a place frees (a cancellation, a
lapsed hold, a booking moved away), the first person waiting gets an offer: a held booking
kept for them for ``BOOKING_OFFER_MINUTES``, announced by e-mail and in-app. An offer left
unanswered lapses with its hold (the worker's sweep) and the next person gets one.

The freeing events reach this module as signals sent by ``booking.services`` inside the
same transaction and under the practitioner's lock, so that the freed place goes to the
waitlist before any other writer can take it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, select

from booking import capacity, notifications, services
from booking.eligibility import check_eligibility
from booking.errors import (
    AlreadyWaiting,
    OfferNotOpen,
    SlotFull,
    SlotNotFull,
    WaitlistEntryNotFound,
)
from booking.models import Booking, BookingStatus, WaitlistEntry, WaitlistStatus
from booking.signals import booking_cancelled, booking_rescheduled, hold_expired
from core.accounts.models import User
from core.db import db
from core.errors import DomainError
from core.policy import Action, can, require
from health.services import dependant_of
from providers.models import Practitioner, Service

DEFAULT_OFFER_MINUTES = 30


def offer_minutes() -> int:
    return int(current_app.config.get("BOOKING_OFFER_MINUTES", DEFAULT_OFFER_MINUTES))


def join_waitlist(service: Service, *, practitioner_id: int, starts_at: datetime,
                  actor: User, now: datetime, dependant_id: int | None = None) -> WaitlistEntry:
    """Wait for a place in a full slot. Raises NotFound, Forbidden, NotEligible,
    SlotNotBookable, SlotNotFull (book it instead), AlreadyWaiting."""
    require(actor, Action.BOOK_SERVICE, service.provider)
    practitioner = services.bookable_practitioner(service, practitioner_id)
    dependant = dependant_of(actor, dependant_id) if dependant_id is not None else None
    check_eligibility(service, client=actor, dependant=dependant, starts_at=starts_at,
                      timezone=service.provider.park.timezone)
    services.check_on_grid(service, practitioner, starts_at, now=now)
    capacity.lock_practitioners_and_client([practitioner.id], actor.id)
    if capacity.seats_taken(service_id=service.id, practitioner_id=practitioner.id,
                            starts_at=starts_at, now=now) < service.capacity:
        raise SlotNotFull()
    if db.session.scalar(select(WaitlistEntry.id).where(
            WaitlistEntry.service_id == service.id,
            WaitlistEntry.practitioner_id == practitioner.id,
            WaitlistEntry.starts_at == starts_at, WaitlistEntry.client_id == actor.id,
            WaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]),
            (WaitlistEntry.dependant_id.is_(None) if dependant_id is None
             else WaitlistEntry.dependant_id == dependant_id))) is not None:
        raise AlreadyWaiting()
    entry = WaitlistEntry(service=service, practitioner=practitioner, starts_at=starts_at,
                          client=actor, dependant_id=dependant_id,
                          status=WaitlistStatus.WAITING, created_at=now, updated_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def position(entry: WaitlistEntry) -> int | None:
    """1 for the next in line; None once the entry is no longer waiting."""
    if entry.status is not WaitlistStatus.WAITING:
        return None
    ahead = db.session.scalar(select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.service_id == entry.service_id,
        WaitlistEntry.practitioner_id == entry.practitioner_id,
        WaitlistEntry.starts_at == entry.starts_at,
        WaitlistEntry.status == WaitlistStatus.WAITING, WaitlistEntry.id < entry.id)) or 0
    return ahead + 1


def own_entry(user: User, entry_id: int) -> WaitlistEntry:
    """Raises WaitlistEntryNotFound (also for another person's entry)."""
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or not can(user, Action.OWN_RECORD, entry):
        raise WaitlistEntryNotFound()
    return entry


def entries_of(user: User) -> list[WaitlistEntry]:
    return list(db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.client_id == user.id).order_by(WaitlistEntry.starts_at,
                                                     WaitlistEntry.id).limit(200)))


def accept_offer(entry: WaitlistEntry, *, actor: User, now: datetime) -> Booking:
    """Take the offered place: a free service is confirmed at once; a priced one stays held
    until the checkout confirms it. Raises OfferNotOpen, HoldExpired."""
    booking = entry.offer_booking
    if entry.status is not WaitlistStatus.OFFERED or booking is None \
            or not can(actor, Action.OWN_RECORD, entry):
        raise OfferNotOpen()
    if booking.hold_lapsed(now=now):
        raise OfferNotOpen()
    entry.status, entry.updated_at = WaitlistStatus.ACCEPTED, now
    if not booking.is_priced:
        services.confirm_booking(booking, actor=actor, now=now)
    db.session.flush()
    return booking


def leave_waitlist(entry: WaitlistEntry, *, actor: User, now: datetime) -> None:
    """Stop waiting, or decline an offer (its place goes to the next person)."""
    if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise OfferNotOpen()
    offered = entry.offer_booking if entry.status is WaitlistStatus.OFFERED else None
    entry.status, entry.updated_at = WaitlistStatus.LEFT, now
    db.session.flush()
    if offered is not None and offered.status is BookingStatus.HELD:
        services.cancel_booking(offered, actor=actor, now=now, reason="offer declined")


def offer_next(service_id: int, practitioner_id: int, starts_at: datetime, *,
               now: datetime) -> WaitlistEntry | None:
    """Offer a freed place to the first person waiting who can still take it. The caller
    holds the practitioner's lock."""
    if starts_at <= now:
        return None
    service = db.session.get(Service, service_id)
    practitioner = db.session.get(Practitioner, practitioner_id)
    waiting = db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.service_id == service_id, WaitlistEntry.practitioner_id == practitioner_id,
        WaitlistEntry.starts_at == starts_at, WaitlistEntry.status == WaitlistStatus.WAITING)
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)).all()
    for entry in waiting:
        capacity.lock_practitioners_and_client([practitioner_id], entry.client_id)
        try:
            services.check_place(service, practitioner_id, starts_at, client_id=entry.client_id,
                                 dependant_id=entry.dependant_id, now=now)
        except SlotFull:
            return None  # no place after all (taken in this same transaction)
        except DomainError:
            entry.status, entry.updated_at = WaitlistStatus.LAPSED, now
            continue  # this person cannot take it any more (e.g. booked elsewhere then)
        expires_at = min(now + timedelta(minutes=offer_minutes()), starts_at)
        booking = services.new_hold(service, practitioner, starts_at, client=entry.client,
                                    dependant_id=entry.dependant_id, series=None, actor=None,
                                    now=now, expires_at=expires_at, reason="waitlist_offer")
        entry.status, entry.offer_booking, entry.offer_expires_at = (
            WaitlistStatus.OFFERED, booking, expires_at)
        entry.updated_at = now
        db.session.flush()
        notifications.waitlist_offer(booking, now=now, expires_at=expires_at)
        return entry
    return None


def _entry_of_offer(booking: Booking) -> WaitlistEntry | None:
    return db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.offer_booking_id == booking.id))


def _on_freed(booking: Booking, *, now: datetime, withdrawn: bool = False,
              **_kwargs) -> None:
    entry = _entry_of_offer(booking)
    if entry is not None and entry.status is WaitlistStatus.OFFERED:
        entry.status, entry.updated_at = WaitlistStatus.LAPSED, now
    if withdrawn:  # the practitioner or service is no longer bookable: offer nobody
        return
    offer_next(booking.service_id, booking.practitioner_id, booking.starts_at, now=now)


def _on_moved(booking: Booking, *, now: datetime, previous_starts_at: datetime,
              previous_practitioner_id: int, **_kwargs) -> None:
    offer_next(booking.service_id, previous_practitioner_id, previous_starts_at, now=now)


def init_app(app: Flask) -> None:
    app.config.setdefault("BOOKING_OFFER_MINUTES", DEFAULT_OFFER_MINUTES)
    booking_cancelled.connect(_on_freed, weak=False)
    hold_expired.connect(_on_freed, weak=False)
    booking_rescheduled.connect(_on_moved, weak=False)
