"""Stripe's webhook: each event counts once (by its id, recorded in the same transaction as
its effect), whatever the order or the number of deliveries."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from benefits import checkout, subjects, topups
from benefits.errors import NotPayable, SubjectGone
from benefits.models import Payment, PaymentStatus, StripeEvent, TopUp
from booking import services as booking_services
from booking.errors import HoldExpired, TransitionRefused
from booking.models import Booking, BookingStatus
from core.db import db

log = logging.getLogger(__name__)

SUCCEEDED = "payment_intent.succeeded"
#: A failed attempt (``payment_intent.payment_failed``) is not among them: the person may
#: pay the same intent again (another card, Alipay) until the hold lapses or is released.
ENDED_UNPAID = {"payment_intent.canceled"}


def _record_once(event_id: str, event_type: str, *, now: datetime) -> bool:
    """True the first time this event is seen."""
    if db.session.get(StripeEvent, event_id) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(StripeEvent(id=event_id, type=event_type, received_at=now))
    except IntegrityError:  # a parallel delivery of the same event got there first
        return False
    return True


def handle_event(event_id: str, event_type: str, intent: dict, *, now: datetime,
                 today: date) -> str:
    """Apply one verified event. Returns what happened (for the log and the response)."""
    if not _record_once(event_id, event_type, now=now):
        return "duplicate"
    payment = db.session.scalar(select(Payment).where(
        Payment.stripe_payment_intent_id == intent.get("id")))
    if payment is None:
        top_up = db.session.scalar(select(TopUp).where(
            TopUp.stripe_payment_intent_id == intent.get("id")))
        if top_up is not None and (event_type == SUCCEEDED or event_type in ENDED_UNPAID):
            return topups.settle_top_up(
                top_up, amount_received=intent.get("amount_received", intent.get("amount")),
                succeeded=event_type == SUCCEEDED, now=now)
        return "unknown_payment"
    if payment.subject_kind is not None:
        return _handle_subject(payment, event_type, intent, now=now)
    booking = db.session.get(Booking, payment.booking_id)
    if booking is not None:
        # The booking's locks before the ledger's, then the payment and booking read again
        # under them: a cancellation or the expiry sweep may have let them go meanwhile.
        checkout.lock_booking(booking)
        db.session.refresh(payment)
        db.session.refresh(booking)
    if payment.status is PaymentStatus.RELEASED and event_type == SUCCEEDED \
            and payment.card_minor \
            and intent.get("amount_received", intent.get("amount")) == payment.card_minor:
        checkout.refund_card_in_full(payment, now=now)  # paid after the place was let go
        return "late_refunded"
    if payment.status is not PaymentStatus.PENDING:
        return "already_settled"  # e.g. a failure arriving after success: nothing to undo
    if event_type == SUCCEEDED:
        if intent.get("amount_received", intent.get("amount")) != payment.card_minor:
            log.error("payment %s: Stripe amount differs from the card share", payment.id)
            return "amount_mismatch"
        try:
            with db.session.begin_nested():
                checkout.settle(payment, booking, actor=None, now=now)
        except (HoldExpired, TransitionRefused):
            # Paid too late: the place has gone. Give everything back.
            checkout.release(payment, now=now, cancel_intent=False)
            checkout.refund_card_in_full(payment, now=now)
            return "late_refunded"
        return "paid"
    if event_type in ENDED_UNPAID:
        checkout.release(payment, now=now, cancel_intent=False)
        if booking is not None and booking.status is BookingStatus.HELD \
                and now < booking.starts_at:
            booking_services.cancel_booking(booking, actor=booking.client, now=now,
                                            reason="payment failed")
        return "released"
    return "ignored"


def _handle_subject(payment: Payment, event_type: str, intent: dict, *, now: datetime) -> str:
    """The same, for a subject registered in ``benefits.subjects``. A card payment that
    succeeds after its hold was released (it lapsed, or was cancelled) goes back whole."""
    amount = intent.get("amount_received", intent.get("amount"))
    if payment.status is PaymentStatus.RELEASED and event_type == SUCCEEDED \
            and amount == payment.card_minor:
        checkout.refund_card_in_full(payment, now=now)
        return "late_refunded"
    if payment.status is not PaymentStatus.PENDING:
        return "already_settled"
    if event_type == SUCCEEDED:
        if amount != payment.card_minor:
            log.error("payment %s: Stripe amount differs from the card share", payment.id)
            return "amount_mismatch"
        try:
            with db.session.begin_nested():
                checkout.settle_subject(payment, actor=None, now=now)
        except (NotPayable, SubjectGone):
            # Paid too late: the place has gone. Give everything back.
            checkout.release(payment, now=now, cancel_intent=False)
            checkout.refund_card_in_full(payment, now=now)
            return "late_refunded"
        return "paid"
    if event_type in ENDED_UNPAID:
        # the subject's locks first, then the ledger's (see benefits.subjects)
        subjects.handler(payment.subject_kind).payment_failed(payment, now=now)
        checkout.release(payment, now=now, cancel_intent=False)
        return "released"
    return "ignored"
