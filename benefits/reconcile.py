"""Compare what Stripe says with what the ledger says; report every difference, and repair
(with ``apply``) those whose right outcome is certain: exactly what the missed webhook would
have done, through the same code.

Repaired with ``--apply``:
- a pending payment whose intent succeeded (a missed ``payment_intent.succeeded``): settled,
  or refunded whole when its hold has ended meanwhile;
- a pending payment whose intent was cancelled: released;
- a released payment whose intent succeeded: its card share refunded (the same idempotency
  key as every late refund, so never twice), or recorded as refunded when Stripe already did;
- a released payment whose intent is still open: cancelled on Stripe;
- a refund made on Stripe's side that the ledger lacks: posted (as ``charge.refunded``);
- a refund of ours that never reached Stripe (it was down after the commit): sent again.

Only reported: amounts or currencies that disagree (a person decides), a payment ours says
is paid that Stripe does not, and Stripe charges with no record here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from benefits import checkout, stripe_gateway, topups, webhooks
from benefits.errors import PaymentProviderFailed
from benefits.models import Payment, PaymentStatus, TopUp
from core.clock import utcnow
from core.db import db, on_commit
from core.errors import DomainError

#: What Stripe's intent status should be for each of our states.
EXPECTED = {
    PaymentStatus.PAID: {"succeeded"},
    PaymentStatus.REFUNDED: {"succeeded"},
    PaymentStatus.PENDING: {"requires_payment_method", "requires_confirmation",
                            "requires_action", "processing"},
    PaymentStatus.RELEASED: {"canceled", "requires_payment_method"},
}


@dataclass
class Finding:
    """One difference, and how to repair it (None: only a person can)."""

    label: str
    problem: str
    repair: str | None = None
    fix: Callable[[], object] | None = None
    #: Why applying the repair was refused (it then needs a person too).
    failed: str | None = None

    @property
    def needs_a_person(self) -> bool:
        return self.fix is None or self.failed is not None

    def line(self, *, applied: bool) -> str:
        if self.fix is None:
            return f"{self.label}: {self.problem}"
        if self.failed is not None:
            return f"{self.label}: {self.problem}; repair refused ({self.failed}): " \
                   f"{self.repair}"
        return f"{self.label}: {self.problem}; {'repaired' if applied else 'would'}: " \
               f"{self.repair}"


def findings(*, apply: bool = False, now: datetime | None = None) -> list[Finding]:
    """Every difference between Stripe and our payments and top-ups; with
    ``apply`` the repairable ones are repaired in this transaction (the caller commits; the
    Stripe calls run after the commit). Never raises for Stripe being down: says so."""
    now = now or utcnow()
    try:
        charges = stripe_gateway.charges()
    except PaymentProviderFailed:
        charges = None
    by_intent = {c.payment_intent: c for c in charges or [] if c.payment_intent}
    found: list[Finding] = []
    known: set[str] = set()
    for payment in db.session.scalars(select(Payment).where(
            Payment.stripe_payment_intent_id.is_not(None)).order_by(Payment.id)):
        intent_id = payment.stripe_payment_intent_id
        assert intent_id is not None  # selected so
        known.add(intent_id)
        found += _payment_findings(payment, by_intent.get(intent_id), now=now)
    for top_up in db.session.scalars(select(TopUp).order_by(TopUp.id)):
        known.add(top_up.stripe_payment_intent_id)
        found += _top_up_findings(top_up, now=now)
    if charges is None:
        found.append(Finding("Stripe", "did not answer for its charges: charges with no "
                                          "record here are not listed"))
    else:
        found += [Finding(f"Stripe charge {c.id}", f"{c.amount} {c.currency}, intent "
                                                      f"{c.payment_intent or '-'}, has no "
                                                      "record here")
                     for c in charges if c.payment_intent not in known]
    if apply:
        for finding in found:
            if finding.fix is None:
                continue
            try:
                with db.session.begin_nested():  # one refused repair leaves the others
                    finding.fix()
            except DomainError as exc:
                finding.failed = exc.code
    return found


def reconcile(*, apply: bool = False, now: datetime | None = None) -> list[str]:
    """``findings``, one line each (saying what was or would be repaired)."""
    return [f.line(applied=apply) for f in findings(apply=apply, now=now)]


def _as_event_object(intent: stripe_gateway.Intent) -> dict[str, Any]:
    return {"id": intent.id, "amount": intent.amount, "currency": intent.currency,
            "amount_received": intent.amount_received}


def _payment_findings(payment: Payment, charge: stripe_gateway.ChargeRecord | None, *,
                      now: datetime) -> list[Finding]:
    label, intent_id = f"payment {payment.id}", payment.stripe_payment_intent_id
    assert intent_id is not None  # only payments with an intent are reconciled
    try:
        intent = stripe_gateway.retrieve_payment_intent(intent_id)
    except PaymentProviderFailed:
        return [Finding(label, f"Stripe did not answer for {intent_id}")]
    found = []
    if intent.amount != payment.card_minor or intent.currency.upper() != payment.currency:
        # Never repaired: what was paid is not what was asked; a person decides.
        return [Finding(label, f"ours is {payment.card_minor} {payment.currency}, Stripe's "
                               f"{intent_id} is {intent.amount} {intent.currency.upper()}")]
    status, stripe_status = payment.status, intent.status
    if status is PaymentStatus.PENDING and stripe_status == "succeeded":
        found.append(Finding(label, f"ours is pending, Stripe's {intent_id} succeeded",
                             "settle it as the missed webhook would",
                             lambda: webhooks.apply_intent(
                                 webhooks.SUCCEEDED, _as_event_object(intent),
                                 now=now)))
    elif status is PaymentStatus.PENDING and stripe_status == "canceled":
        found.append(Finding(label, f"ours is pending, Stripe's {intent_id} is canceled",
                             "release it", lambda: webhooks.apply_intent(
                                 webhooks.CANCELED, _as_event_object(intent),
                                 now=now)))
    elif status is PaymentStatus.RELEASED and stripe_status == "succeeded":
        if charge is not None and charge.amount_refunded >= payment.card_minor:
            found.append(Finding(label, f"ours is released, Stripe's {intent_id} succeeded "
                                        "and was refunded", "record it as refunded",
                                 lambda: checkout.record_stripe_refund(
                                     payment, refunded_minor=charge.amount_refunded,
                                     charge_id=charge.id, now=now)))
        else:
            found.append(Finding(label, f"ours is released, Stripe's {intent_id} succeeded",
                                 "refund the card share", lambda: webhooks.apply_intent(
                                     webhooks.SUCCEEDED, _as_event_object(intent),
                                     now=now)))
    elif status is PaymentStatus.RELEASED and stripe_status not in ("canceled",):
        found.append(Finding(label, f"ours is released, Stripe's {intent_id} is "
                                    f"{stripe_status}", "cancel it on Stripe",
                             lambda: _after_commit_cancel(payment)))
    elif stripe_status not in EXPECTED[status]:
        found.append(Finding(label, f"ours is {status.value}, Stripe's {intent_id} is "
                                    f"{stripe_status}"))
    if charge is not None and status in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        if charge.amount_refunded > payment.refunded_card_minor:
            found.append(Finding(
                label, f"Stripe refunded {charge.amount_refunded}, ours says "
                       f"{payment.refunded_card_minor}", "post the refund made on Stripe",
                lambda: checkout.record_stripe_refund(
                    payment, refunded_minor=charge.amount_refunded, charge_id=charge.id,
                    now=now)))
        elif charge.amount_refunded < payment.refunded_card_minor:
            missing = payment.refunded_card_minor - charge.amount_refunded
            found.append(Finding(
                label, f"ours refunded {payment.refunded_card_minor}, Stripe "
                       f"{charge.amount_refunded}", f"send the missing {missing} to Stripe",
                lambda: on_commit(lambda: stripe_gateway.refund(
                    intent_id, amount_minor=missing,
                    idempotency_key=f"reconcile-refund-pay{payment.id}-"
                                    f"{payment.refunded_card_minor}"))))
    return found


def _after_commit_cancel(payment: Payment) -> None:
    intent_id, amount = payment.stripe_payment_intent_id, payment.card_minor
    assert intent_id is not None  # a card payment has its intent
    key = checkout.late_refund_key(payment)
    on_commit(lambda: stripe_gateway.cancel_or_refund(intent_id, amount_minor=amount,
                                                      idempotency_key=key))


def _top_up_findings(top_up: TopUp, *, now: datetime) -> list[Finding]:
    label, intent_id = f"top-up {top_up.id}", top_up.stripe_payment_intent_id
    try:
        intent = stripe_gateway.retrieve_payment_intent(intent_id)
    except PaymentProviderFailed:
        return [Finding(label, f"Stripe did not answer for {intent_id}")]
    if intent.amount != top_up.amount_minor:
        return [Finding(label, f"ours is {top_up.amount_minor}, Stripe's {intent_id} is "
                               f"{intent.amount}")]
    if top_up.status is PaymentStatus.PENDING and intent.status == "succeeded":
        return [Finding(label, f"ours is pending, Stripe's {intent_id} succeeded",
                        "fund the programme", lambda: topups.settle_top_up(
                            top_up, amount_received=intent.amount_received or intent.amount,
                            succeeded=True, now=now))]
    if intent.status not in EXPECTED[top_up.status]:
        return [Finding(label, f"ours is {top_up.status.value}, Stripe's {intent_id} is "
                               f"{intent.status}")]
    return []
