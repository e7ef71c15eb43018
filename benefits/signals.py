"""What benefits listens to from the packages it builds on: accounts (a new employee joins
their roster entry) and booking (holds lapse, bookings are cancelled)."""

from __future__ import annotations

from benefits import checkout, roster, series_payments
from booking.signals import booking_cancelled, hold_expired
from core.accounts.models import Role
from core.accounts.signals import invitation_accepted
from core.i18n import park_today


def _link_roster(user, invitation, **_extra) -> None:
    if invitation.role is Role.EMPLOYEE and invitation.enterprise_id is not None:
        roster.link_new_employee(user, invitation.enterprise_id)


def _release_lapsed_hold(booking, now, **_extra) -> None:
    payment = checkout.payment_for(booking)
    if payment is not None:
        checkout.release(payment, now=now)
    else:
        series_payments.release_lapsed(booking, now=now)


def _refund_cancelled(booking, now, outcome, **_extra) -> None:
    payment = checkout.payment_for(booking)
    if payment is not None:
        checkout.refund(payment, outcome, now=now, today=park_today())
    else:
        series_payments.refund_cancelled(booking, outcome, now=now, today=park_today())


def connect() -> None:
    invitation_accepted.connect(_link_roster)
    hold_expired.connect(_release_lapsed_hold)
    booking_cancelled.connect(_refund_cancelled)
