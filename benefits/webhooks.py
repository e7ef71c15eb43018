"""Stripe's webhook: each event counts once (by its id, recorded in the same transaction as
its effect), whatever the order or the number of deliveries.

What each event does (docs/payments.md, "Stripe events"):

- ``payment_intent.succeeded``: the card share is paid; the payment settles (or, when its
  hold had ended, the card money goes back whole). An amount or currency that disagrees
  with the payment is recorded and alerted, never posted.
- ``payment_intent.payment_failed``: *not* final. The customer may try again with another
  card on the same intent until the hold ends; nothing is released or refunded.
- ``payment_intent.canceled``: final; the hold and the place are released.
- ``charge.refunded``: a refund made on Stripe's side posts a refund entry (ours are
  already posted and are recognised by the amount refunded so far).
- ``charge.dispute.created`` / ``charge.dispute.closed``: recorded and alerted.

A signed event that does not have the shape of its type answers 400
(``WebhookMalformed``): Stripe shows it as failed and retries it, and nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeGuard

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from benefits import checkout, incidents, subjects, topups
from benefits.errors import NotPayable, SubjectGone, WebhookMalformed
from benefits.models import IncidentKind, Payment, PaymentStatus, StripeEvent, TopUp
from booking.models import Booking
from core.db import db

log = logging.getLogger(__name__)

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"
CANCELED = "payment_intent.canceled"
REFUNDED = "charge.refunded"
DISPUTE_CREATED = "charge.dispute.created"
DISPUTE_CLOSED = "charge.dispute.closed"


# -- the event's shape --------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= 100


def _is_currency(value: object) -> bool:
    return isinstance(value, str) and len(value) == 3 and value.isalpha()


#: For each event type handled: the fields its object must have, and how each is checked.
SHAPES: dict[str, dict[str, Callable[[object], bool]]] = {
    SUCCEEDED: {"id": _is_id, "amount": _is_int, "currency": _is_currency},
    FAILED: {"id": _is_id},
    CANCELED: {"id": _is_id},
    REFUNDED: {"id": _is_id, "payment_intent": _is_id, "amount_refunded": _is_int,
               "currency": _is_currency},
    DISPUTE_CREATED: {"id": _is_id, "amount": _is_int, "currency": _is_currency},
    DISPUTE_CLOSED: {"id": _is_id, "amount": _is_int, "currency": _is_currency},
}


def parse_event(event: object) -> tuple[str, str, dict[str, Any]]:
    """The event's id, type and object, once they have the shape the type needs. Raises
    WebhookMalformed (a 400: signed, but not an event we can act on)."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    if not isinstance(raw, dict):
        raise WebhookMalformed()
    event_id, event_type, data = raw.get("id"), raw.get("type"), raw.get("data")
    if not _is_id(event_id) or not isinstance(event_type, str) or not event_type \
            or not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookMalformed()
    obj = data["object"]
    for name, ok in SHAPES.get(event_type, {}).items():
        if not ok(obj.get(name)):
            raise WebhookMalformed(fields={"data.object": name})
    received = obj.get("amount_received")
    if event_type == SUCCEEDED and received is not None and not _is_int(received):
        raise WebhookMalformed(fields={"data.object": "amount_received"})
    return event_id, event_type, obj


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


def _payment_of_intent(intent_id: object) -> Payment | None:
    """The payment of a Stripe intent id. Never a budget-only payment (which has none):
    an object without an id matches nothing."""
    if not _is_id(intent_id):
        return None
    return db.session.scalar(select(Payment).where(
        Payment.stripe_payment_intent_id == intent_id))


def handle_event(event_id: str, event_type: str, obj: dict[str, Any], *, now: datetime,
                 today: date) -> str:
    """Apply one verified, well-formed event (``parse_event``). Returns what happened (for
    the log and the response)."""
    if not _record_once(event_id, event_type, now=now):
        return "duplicate"
    if event_type in (SUCCEEDED, FAILED, CANCELED):
        return apply_intent(event_type, obj, now=now)
    if event_type == REFUNDED:
        return _charge_refunded(obj, now=now)
    if event_type in (DISPUTE_CREATED, DISPUTE_CLOSED):
        return _dispute(event_type, obj, now=now)
    return "ignored"


# -- payment intents ------------------------------------------------------------------------


def _received(intent: dict[str, Any]) -> int:
    received: int | None = intent.get("amount_received")
    amount: int = intent["amount"] if received is None else received
    return amount


def disagreement(payment: Payment, intent: dict[str, Any], *, now: datetime) -> str | None:
    """Record and alert when what Stripe says was paid is not the payment's card share in
    its currency; returns the result code then (nothing may be posted)."""
    currency, amount = str(intent["currency"]).upper(), _received(intent)
    if currency != payment.currency:
        kind = IncidentKind.CURRENCY_MISMATCH
    elif amount != payment.card_minor:
        kind = IncidentKind.AMOUNT_MISMATCH
    else:
        return None
    incidents.record(kind, payment=payment, stripe_object_id=intent["id"],
                     amount_minor=amount, currency=currency, now=now,
                     detail=f"card share is {payment.card_minor} {payment.currency}")
    return kind.value


def apply_intent(event_type: str, intent: dict[str, Any], *, now: datetime) -> str:
    """What Stripe says of an intent (an event's, or reconcile's reading of it), applied to
    its payment or top-up. ``intent`` has at least ``id``, ``amount`` and ``currency``."""
    payment = _payment_of_intent(intent.get("id"))
    if payment is None:
        top_up = db.session.scalar(select(TopUp).where(
            TopUp.stripe_payment_intent_id == intent["id"]))
        if top_up is not None and event_type == SUCCEEDED and top_up.status is \
                PaymentStatus.PENDING and (str(intent["currency"]).upper() != top_up.currency
                                           or _received(intent) != top_up.amount_minor):
            kind = (IncidentKind.CURRENCY_MISMATCH if str(intent["currency"]).upper()
                    != top_up.currency else IncidentKind.AMOUNT_MISMATCH)
            incidents.record(kind, payment=None, stripe_object_id=intent["id"],
                             amount_minor=_received(intent),
                             currency=str(intent["currency"]).upper(), now=now,
                             detail=f"top-up {top_up.id} of {top_up.amount_minor} "
                                    f"{top_up.currency}")
            return kind.value
        if top_up is not None and event_type in (SUCCEEDED, CANCELED):
            return topups.settle_top_up(top_up, amount_received=_received(intent)
                                        if event_type == SUCCEEDED else 0,
                                        succeeded=event_type == SUCCEEDED, now=now)
        return "unknown_payment" if top_up is None else "failed_attempt"
    if event_type == FAILED:
        # Not final: the customer may try another card on the same intent while the hold
        # lasts; the hold's end (or a cancellation) releases it.
        log.info("payment %s: a card attempt failed; the hold stays", payment.id)
        return "failed_attempt" if payment.status is PaymentStatus.PENDING \
            else "already_settled"
    if payment.subject_kind is not None:
        return _subject_intent(payment, event_type, intent, now=now)
    return _booking_intent(payment, event_type, intent, now=now)


def _booking_intent(payment: Payment, event_type: str, intent: dict[str, Any], *,
                    now: datetime) -> str:
    """The same for a booking (the subject ``booking``), through its handler; it locks the
    booking and reads the payment again *before* deciding, and releases the payment before
    giving the place up (the booking's cancellation then finds nothing left to release)."""
    handler = subjects.handler_of(payment)
    booking = db.session.get(Booking, payment.booking_id)
    if booking is not None:
        # The booking's locks before the ledger's, then the payment and booking read again
        # under them: a cancellation or the expiry sweep may have let them go meanwhile.
        checkout.lock_booking(booking)
        db.session.refresh(payment)
        db.session.refresh(booking)
    if event_type == SUCCEEDED:
        if (problem := disagreement(payment, intent, now=now)) is not None:
            return problem
        if payment.status is PaymentStatus.RELEASED and payment.card_minor:
            checkout.refund_card_in_full(payment, now=now)  # paid after the place was let go
            return "late_refunded"
        if payment.status is not PaymentStatus.PENDING:
            return "already_settled"
        try:
            with db.session.begin_nested():
                checkout.settle_subject(payment, actor=None, now=now)
        except (NotPayable, SubjectGone):
            # Paid too late: the place has gone. Give everything back.
            checkout.release(payment, now=now, cancel_intent=False)
            checkout.refund_card_in_full(payment, now=now)
            return "late_refunded"
        return "paid"
    if payment.status is not PaymentStatus.PENDING:
        return "already_settled"
    checkout.release(payment, now=now, cancel_intent=False)
    handler.payment_failed(payment, now=now)
    return "released"


def _subject_intent(payment: Payment, event_type: str, intent: dict[str, Any], *,
                    now: datetime) -> str:
    """The same, for a subject registered in ``benefits.subjects``. A card payment that
    succeeds after its hold was released (it lapsed, or was cancelled) goes back whole."""
    if event_type == SUCCEEDED:
        if (problem := disagreement(payment, intent, now=now)) is not None:
            return problem
        if payment.status is PaymentStatus.RELEASED and payment.card_minor:
            checkout.refund_card_in_full(payment, now=now)
            return "late_refunded"
        if payment.status is not PaymentStatus.PENDING:
            return "already_settled"
        try:
            with db.session.begin_nested():
                checkout.settle_subject(payment, actor=None, now=now)
        except (NotPayable, SubjectGone):
            # Paid too late: the place has gone. Give everything back.
            checkout.release(payment, now=now, cancel_intent=False)
            checkout.refund_card_in_full(payment, now=now)
            return "late_refunded"
        return "paid"
    if payment.status is not PaymentStatus.PENDING:
        return "already_settled"
    # the subject's locks first, then the ledger's (see benefits.subjects)
    subjects.handler_of(payment).payment_failed(payment, now=now)
    checkout.release(payment, now=now, cancel_intent=False)
    return "released"


# -- charges: refunds and disputes made on Stripe's side ------------------------------------


def _charge_refunded(charge: dict[str, Any], *, now: datetime) -> str:
    payment = _payment_of_intent(charge["payment_intent"])
    if payment is None:
        return "unknown_payment"
    currency = str(charge["currency"]).upper()
    refunded = charge["amount_refunded"]
    if currency != payment.currency or refunded > payment.card_minor:
        kind = (IncidentKind.CURRENCY_MISMATCH if currency != payment.currency
                else IncidentKind.AMOUNT_MISMATCH)
        incidents.record(kind, payment=payment, stripe_object_id=charge["id"],
                         amount_minor=refunded, currency=currency, now=now,
                         detail=f"refund of a card share of {payment.card_minor} "
                                f"{payment.currency}")
        return kind.value
    return checkout.record_stripe_refund(payment, refunded_minor=refunded,
                                         charge_id=charge["id"], now=now)


def _dispute(event_type: str, dispute: dict[str, Any], *, now: datetime) -> str:
    payment = _payment_of_intent(dispute.get("payment_intent"))
    opened = event_type == DISPUTE_CREATED
    kind = IncidentKind.DISPUTE_OPENED if opened else IncidentKind.DISPUTE_CLOSED
    incidents.record(kind, payment=payment, stripe_object_id=dispute["id"],
                     amount_minor=dispute["amount"], currency=str(dispute["currency"]).upper(),
                     now=now, detail=f"charge {dispute.get('charge')}, reason "
                                     f"{dispute.get('reason')}, status {dispute.get('status')}")
    return "dispute_recorded"
