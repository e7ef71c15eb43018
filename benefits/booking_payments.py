"""A booking as a payable subject (``benefits.subjects``, kind ``booking``): the handler the
checkout, the webhook and reconcile call back for a single booking, as they do for a
course, an event place or a care agreement.

Lock order, the same on every path: the booking's practitioner, then its client
(``booking.capacity``), then the ledger's accounts. A booking's payment keeps its own
columns (``Payment.booking_id``, ``provider_id``: the money goes to the provider's payable,
less the platform's fee).
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from benefits import subjects
from benefits.errors import BookingNotPayable, SubjectGone
from benefits.models import Payment
from booking import capacity, services
from booking.errors import HoldExpired, TransitionRefused
from booking.models import Booking, BookingStatus
from core.accounts.models import User
from core.db import db


def lock_booking(booking: Booking) -> None:
    """The booking's row locks (practitioner, then client), to take before any ledger
    account's."""
    capacity.lock_practitioners_and_client([booking.practitioner_id], booking.client_id)


class BookingPayments:
    """The handler benefits calls back for ``booking`` payments."""

    platform_fee = True  #: a provider's service

    def lock_payable(self, subject_id: int, *, now: datetime) -> None:
        """Raises BookingNotPayable (a NotPayable) when it is no longer held."""
        booking = db.session.get(Booking, subject_id)
        if booking is None:
            raise BookingNotPayable()
        lock_booking(booking)
        db.session.refresh(booking)  # read again under the locks: it may have gone meanwhile
        if booking.status is not BookingStatus.HELD or booking.hold_lapsed(now=now):
            raise BookingNotPayable()

    def settled(self, payment: Payment, *, actor: User | None, now: datetime) -> None:
        booking = db.session.get_one(Booking, payment.booking_id)
        try:
            services.confirm_booking(booking, actor=actor, now=now,
                                     payment_reference=f"pay{payment.id}")
        except (HoldExpired, TransitionRefused) as exc:
            raise SubjectGone() from exc

    def payment_failed(self, payment: Payment, *, now: datetime) -> None:
        """The intent was cancelled: a place still held (and not yet begun) is given up."""
        booking = db.session.get(Booking, payment.booking_id)
        if booking is None:
            return
        lock_booking(booking)
        if booking.status is BookingStatus.HELD and now < booking.starts_at:
            services.cancel_booking(booking, actor=booking.client, now=now,
                                    reason="payment canceled")


def init_app(app: Flask) -> None:
    subjects.register(app, subjects.BOOKING, BookingPayments())
