"""Enterprises funding a programme by card. The PaymentIntent is created before anything is
written (no lock is held); the money reaches the programme's pot only when Stripe's webhook
says the payment succeeded."""

from __future__ import annotations

from datetime import datetime

from benefits import budgets, postings, stripe_gateway
from benefits.errors import CardPaymentUnavailable
from benefits.models import BudgetProgramme, PaymentStatus, TopUp
from core.accounts.models import User
from core.db import db
from core.policy import Action, require


def start_top_up(programme: BudgetProgramme, *, amount_minor: int, actor: User,
                 now: datetime, request_key: str) -> tuple[TopUp, str | None]:
    """Returns the top-up and the client secret for Stripe.js. ``request_key`` (e.g. the
    form's token) makes a double submission create one intent. Raises Forbidden/NotFound,
    InvalidAmount, CardPaymentUnavailable, PaymentProviderFailed."""
    require(actor, Action.MANAGE_BENEFITS, programme.enterprise)
    budgets.check_amount(amount_minor, "amount_minor", allow_zero=False)
    if not stripe_gateway.card_payments_enabled():
        raise CardPaymentUnavailable()
    intent = stripe_gateway.create_payment_intent(
        amount_minor=amount_minor, currency=programme.currency,
        idempotency_key=f"topup-p{programme.id}-{request_key}",
        metadata={"programme_id": str(programme.id)})
    top_up = db.session.scalar(db.select(TopUp).where(
        TopUp.stripe_payment_intent_id == intent.id))
    if top_up is None:
        top_up = TopUp(programme_id=programme.id, amount_minor=amount_minor,
                       currency=programme.currency, stripe_payment_intent_id=intent.id,
                       status=PaymentStatus.PENDING, created_by_id=actor.id, created_at=now,
                       updated_at=now)
        db.session.add(top_up)
        db.session.flush()
    return top_up, intent.client_secret


def settle_top_up(top_up: TopUp, *, amount_received: int, succeeded: bool,
                  now: datetime) -> str:
    if top_up.status is not PaymentStatus.PENDING:
        return "already_settled"
    top_up.updated_at = now
    if not succeeded:
        top_up.status = PaymentStatus.RELEASED
        return "released"
    if amount_received != top_up.amount_minor:
        return "amount_mismatch"
    programme = db.session.get_one(BudgetProgramme, top_up.programme_id)
    postings.top_up(top_up, programme, now=now)
    top_up.status = PaymentStatus.PAID
    return "funded"
