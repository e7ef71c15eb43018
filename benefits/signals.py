"""What benefits listens to from the packages it builds on: accounts (a new employee joins
their roster entry) and booking (holds lapse, bookings are cancelled)."""

from __future__ import annotations

from datetime import datetime

from benefits import checkout, roster, series_payments, stripe_gateway
from benefits.errors import CardPaymentUnavailable
from booking.models import Booking
from booking.signals import (
    CancellationOutcome,
    booking_cancelled,
    hold_expired,
    hold_requested,
)
from core.accounts.models import Invitation, Role, User
from core.accounts.signals import invitation_accepted, signed_up_with_invite_code
from core.clock import today_in, utcnow
from providers.models import Service


def _link_roster(user: User, invitation: Invitation, **_extra: object) -> None:
    """An invited employee joins: their roster entry gets their account, and they get the
    current period's budget at once."""
    if invitation.role is Role.EMPLOYEE and invitation.enterprise_id is not None:
        roster.link_new_employee(user, invitation.enterprise_id)
        roster.welcome_joiner(invitation.enterprise_id, user.id, today=today_in(),
                              now=invitation.accepted_at or utcnow())


def _welcome_sign_up(user: User, enterprise_id: int, now: datetime, **_extra: object) -> None:
    roster.welcome_joiner(enterprise_id, user.id, today=today_in(), now=now)


def _release_lapsed_hold(booking: Booking, now: datetime, **_extra: object) -> None:
    payment = checkout.payment_for(booking)
    if payment is not None:
        checkout.release(payment, now=now)
    else:
        series_payments.release_lapsed(booking, now=now)


def _refund_cancelled(booking: Booking, now: datetime, outcome: CancellationOutcome,
                      **_extra: object) -> None:
    payment = checkout.payment_for(booking)
    if payment is not None:
        checkout.refund(payment, outcome, now=now, today=today_in())
    else:
        series_payments.refund_cancelled(booking, outcome, now=now, today=today_in())


def _refuse_unpayable_hold(service: Service, client: User, dependant_id: int | None,
                           now: datetime, **_extra: object) -> None:
    """A client's own hold of a priced place is refused when what their budget does not
    cover could only be paid by card and card payment is off: the place would be held for
    nothing (the booking page says so before; the API answers ``card_payment_unavailable``).
    Nothing is written: it is asked before the hold."""
    if stripe_gateway.card_payments_enabled():
        return
    split = checkout.quote_for(client, price_minor=service.price_minor,
                               currency=service.currency, category=service.category.value,
                               for_dependant=dependant_id is not None, today=today_in())
    if split.card_minor:
        raise CardPaymentUnavailable()


def connect() -> None:
    invitation_accepted.connect(_link_roster)
    signed_up_with_invite_code.connect(_welcome_sign_up)
    hold_expired.connect(_release_lapsed_hold)
    hold_requested.connect(_refuse_unpayable_hold)
    booking_cancelled.connect(_refund_cancelled)
