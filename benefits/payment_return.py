"""Finishing a booking's checkout in the browser: what the page Stripe returns to shows
(paid, processing, failed, unfinished, ended), read from the PaymentIntent itself through the
SDK rather than from the redirect's query string, and letting go of a held place.

A success the return page reads is applied as Stripe's webhook would apply it (once, under
the same locks, by an event id of its own), so that a booking is confirmed when the person
comes back even if the webhook is late or lost; the webhook arriving afterwards finds it
settled. A failed attempt leaves the hold and the intent as they are: the same intent can be
confirmed again until the hold lapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from benefits import checkout, stripe_gateway, webhooks
from benefits.errors import PaymentProviderFailed
from benefits.models import BudgetProgramme, Payment, PaymentStatus, TopUp
from booking import services as booking_services
from booking.errors import TransitionRefused
from booking.models import Booking, BookingStatus
from core.accounts.models import User
from core.db import db
from core.policy import Action, require

#: Intent statuses in which the person can still pay (again) on the same intent.
RETRYABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


class PayState(StrEnum):
    PAID = "paid"  #: settled: the booking is confirmed
    PROCESSING = "processing"  #: Stripe has it; the result follows shortly
    FAILED = "failed"  #: the last attempt was refused; retry while the hold lasts
    UNFINISHED = "unfinished"  #: nothing tried yet, or the redirect was abandoned
    ENDED = "ended"  #: the hold is over (lapsed, released, cancelled): nothing was charged
    REFUNDED = "refunded"  #: paid, then given back
    UNREACHABLE = "unreachable"  #: Stripe cannot be asked right now; nothing changed


@dataclass(frozen=True)
class PaymentCheck:
    state: PayState
    payment: Payment | None
    #: For paying (again) on the same intent; only while the hold lasts.
    client_secret: str | None = None
    #: Stripe's code for the last failed attempt (``card_declined``, ...).
    error_code: str | None = None


def _own(booking: Booking, actor: User) -> None:
    require(actor, Action.OWN_RECORD, booking)


def _apply_success(payment: Payment, intent: stripe_gateway.Intent, *, now: datetime,
                   today: date) -> str:
    """The intent succeeded: do what its webhook does, once (the webhook's own event, when
    it comes, then finds the payment settled)."""
    return webhooks.handle_event(
        f"return_{intent.id}_succeeded", webhooks.SUCCEEDED,
        {"id": intent.id, "object": "payment_intent", "amount": intent.amount,
         "amount_received": intent.amount, "currency": intent.currency,
         "status": intent.status}, now=now, today=today)


def check_booking_payment(booking: Booking, *, actor: User, now: datetime,
                          today: date) -> PaymentCheck:
    """Where the booking's payment stands, asking Stripe for a pending card share and
    settling it when Stripe says it succeeded. Raises NotFound (not the actor's)."""
    _own(booking, actor)
    payment = checkout.payment_for(booking)
    holding = booking.status is BookingStatus.HELD and not booking.hold_lapsed(now=now)
    if payment is None:
        return PaymentCheck(PayState.UNFINISHED if holding else PayState.ENDED, None)
    if payment.status is PaymentStatus.PAID:
        return PaymentCheck(PayState.PAID, payment)
    if payment.status is PaymentStatus.REFUNDED:
        return PaymentCheck(PayState.REFUNDED, payment)
    if payment.status is PaymentStatus.RELEASED or not payment.stripe_payment_intent_id:
        return PaymentCheck(PayState.ENDED if payment.status is PaymentStatus.RELEASED
                            else PayState.PROCESSING, payment)
    try:
        intent = stripe_gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    except PaymentProviderFailed:
        return PaymentCheck(PayState.UNREACHABLE, payment)
    if intent.status == "succeeded":
        _apply_success(payment, intent, now=now, today=today)
        state = {PaymentStatus.PAID: PayState.PAID,
                 PaymentStatus.REFUNDED: PayState.REFUNDED}.get(payment.status, PayState.ENDED)
        return PaymentCheck(state, payment)
    if intent.status == "processing":
        return PaymentCheck(PayState.PROCESSING, payment)
    if intent.status in RETRYABLE and holding:
        return PaymentCheck(PayState.FAILED if intent.last_error_code else PayState.UNFINISHED,
                            payment, client_secret=intent.client_secret,
                            error_code=intent.last_error_code)
    return PaymentCheck(PayState.ENDED, payment)


def settle_if_paid(payment: Payment | None, *, now: datetime, today: date) -> None:
    """Any pay page the person comes back to (an event place, an agreement, a course): a
    pending card share that Stripe already took is settled as its webhook would settle it,
    once, so that the page shows it paid even if the webhook is late or lost. Nothing
    happens when there is nothing pending or Stripe cannot be asked."""
    if payment is None or payment.status is not PaymentStatus.PENDING \
            or not payment.stripe_payment_intent_id:
        return
    try:
        intent = stripe_gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    except PaymentProviderFailed:
        return
    if intent.status == "succeeded":
        _apply_success(payment, intent, now=now, today=today)


def pending_client_secret(payment: Payment | None) -> str | None:
    """The client secret of a pending card share's intent, to pay it (again) on a page;
    None when there is nothing to pay or Stripe cannot be reached."""
    if payment is None or payment.status is not PaymentStatus.PENDING \
            or not payment.stripe_payment_intent_id:
        return None
    try:
        intent = stripe_gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    except PaymentProviderFailed:
        return None
    return intent.client_secret if intent.status in RETRYABLE else None


def release_hold(booking: Booking, *, actor: User, now: datetime, today: date) -> PayState:
    """Let go of a held place: the place is freed, the held budget goes back and the card
    intent is cancelled (after the commit); nothing is charged. When Stripe says the card
    share has in fact just been paid, the booking is confirmed instead (``PAID``). Raises
    NotFound (not the actor's), TransitionRefused (not held any more),
    PaymentProviderFailed (Stripe cannot be asked: nothing changed)."""
    _own(booking, actor)
    if booking.status is not BookingStatus.HELD:
        raise TransitionRefused()
    payment = checkout.payment_for(booking)
    if payment is not None and payment.status is PaymentStatus.PENDING \
            and payment.stripe_payment_intent_id:
        # Asked before anything is written (and before any lock): a card share paid in
        # another tab must be booked, not released and refunded.
        intent = stripe_gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
        if intent.status in ("succeeded", "processing"):
            if intent.status == "succeeded":
                _apply_success(payment, intent, now=now, today=today)
            # _apply_success moved the status on; mypy keeps the narrowed PENDING
            paid = payment.status is PaymentStatus.PAID  # type: ignore[comparison-overlap]
            if paid or intent.status == "processing":
                return PayState.PAID if paid else PayState.PROCESSING
    booking_services.cancel_booking(booking, actor=actor, now=now, reason="released")
    return PayState.ENDED


# -- an enterprise's card top-up -------------------------------------------------------------


@dataclass(frozen=True)
class TopUpCheck:
    state: PayState  #: PAID (in the pot), PROCESSING, FAILED, UNFINISHED, ENDED, UNREACHABLE
    top_up: TopUp
    #: For paying (again) on the same intent while Stripe still takes it.
    client_secret: str | None = None
    error_code: str | None = None


def check_top_up(top_up: TopUp, *, actor: User, now: datetime, today: date) -> TopUpCheck:
    """Where an HR card top-up stands, read from its PaymentIntent; a success is applied as
    its webhook would apply it (once: the money reaches the programme's pot), so that the
    page Stripe returns to shows it funded even if the webhook is late or lost. Raises
    Forbidden/NotFound (not one of the enterprise's admins)."""
    programme = db.session.get_one(BudgetProgramme, top_up.programme_id)
    require(actor, Action.MANAGE_BENEFITS, programme.enterprise)
    if top_up.status is PaymentStatus.PAID:
        return TopUpCheck(PayState.PAID, top_up)
    if top_up.status is not PaymentStatus.PENDING:
        return TopUpCheck(PayState.ENDED, top_up)
    if not stripe_gateway.card_payments_enabled():
        return TopUpCheck(PayState.UNREACHABLE, top_up)
    try:
        intent = stripe_gateway.retrieve_payment_intent(top_up.stripe_payment_intent_id)
    except PaymentProviderFailed:
        return TopUpCheck(PayState.UNREACHABLE, top_up)
    if intent.status == "succeeded":
        webhooks.handle_event(
            f"return_{intent.id}_succeeded", webhooks.SUCCEEDED,
            {"id": intent.id, "object": "payment_intent", "amount": intent.amount,
             "amount_received": intent.amount_received or intent.amount,
             "currency": intent.currency, "status": intent.status}, now=now, today=today)
        # handle_event moved the status on; mypy keeps the narrowed PENDING
        paid = top_up.status is PaymentStatus.PAID  # type: ignore[comparison-overlap]
        return TopUpCheck(PayState.PAID if paid else PayState.PROCESSING, top_up)
    if intent.status == "processing":
        return TopUpCheck(PayState.PROCESSING, top_up)
    if intent.status in RETRYABLE:
        return TopUpCheck(PayState.FAILED if intent.last_error_code else PayState.UNFINISHED,
                          top_up, client_secret=intent.client_secret,
                          error_code=intent.last_error_code)
    return TopUpCheck(PayState.ENDED, top_up)
