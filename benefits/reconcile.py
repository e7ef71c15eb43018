"""Compare what Stripe says with what the ledger says, and report every difference."""

from __future__ import annotations

from sqlalchemy import select

from benefits import stripe_gateway
from benefits.errors import PaymentProviderFailed
from benefits.models import Payment, PaymentStatus, TopUp
from core.db import db

#: What Stripe's intent status should be for each of our states.
EXPECTED = {
    PaymentStatus.PAID: {"succeeded"},
    PaymentStatus.REFUNDED: {"succeeded"},
    PaymentStatus.PENDING: {"requires_payment_method", "requires_confirmation",
                            "requires_action", "processing"},
    PaymentStatus.RELEASED: {"canceled", "requires_payment_method"},
}


def reconcile() -> list[str]:
    """Differences between Stripe's payment intents and our payments and top-ups."""
    problems = []
    records = [(f"payment {p.id}", p.stripe_payment_intent_id, p.status, p.card_minor)
               for p in db.session.scalars(select(Payment).where(
                   Payment.stripe_payment_intent_id.is_not(None)).order_by(Payment.id))]
    records += [(f"top-up {t.id}", t.stripe_payment_intent_id, t.status, t.amount_minor)
                for t in db.session.scalars(select(TopUp).order_by(TopUp.id))]
    for label, intent_id, status, amount in records:
        try:
            intent = stripe_gateway.retrieve_payment_intent(intent_id)
        except PaymentProviderFailed:
            problems.append(f"{label}: Stripe did not answer for {intent_id}")
            continue
        if intent.status not in EXPECTED[status]:
            problems.append(f"{label}: ours is {status.value}, Stripe's {intent_id} is "
                            f"{intent.status}")
        if intent.amount != amount:
            problems.append(f"{label}: ours is {amount}, Stripe's {intent_id} is "
                            f"{intent.amount}")
    return problems
