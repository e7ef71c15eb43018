"""A card payment for an event place that reaches us after the place was let go (the hold
lapsed) goes back to the card whole, and the payment records it, so that our books and
Stripe's agree when reconciled."""

from __future__ import annotations

import re

import pytest

from benefits import ledger, reconcile
from benefits.models import PaymentStatus
from core.db import db
from park import registration
from park.models import Registration, RegistrationStatus
from tests.benefits.factories import deliver
from tests.fakes.stripe_events import intent_event
from tests.park.factories import ParkKit
from tests.park.test_paid_events import PRICE, fund, pay


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def test_a_card_payment_after_the_hold_lapsed_is_recorded_as_refunded_and_reconciles(
        kit, make, client, stripe):
    fund(kit, make, budget_minor=1_000)  # ¥10 from the budget, ¥40 by card
    reg = kit.register(kit.session(price_minor=PRICE))
    result = pay(kit, reg)
    registration.expire_offers(now=reg.hold_expires_at)  # she was too slow: the place goes
    db.session.commit()
    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    intent["status"] = "succeeded"  # ...but her card payment went through at Stripe

    answer = deliver(client, intent_event("evt_late_park", "payment_intent.succeeded", intent))

    assert answer.get_json()["result"] == "late_refunded"
    db.session.expire_all()
    payment = db.session.get(type(result.payment), result.payment.id)
    assert payment.status is PaymentStatus.REFUNDED
    assert (payment.refunded_budget_minor, payment.refunded_card_minor) == (1_000, 4_000)
    assert [r.params["amount"] for r in stripe.writes("/v1/refunds")] == ["4000"]
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.EXPIRED
    assert reconcile.reconcile() == []  # before: "ours is released, Stripe's ... succeeded"
    assert ledger.check_ledger() == []


def test_her_pay_page_says_everything_went_back(kit, make, client, stripe, auth):
    fund(kit, make, budget_minor=1_000)
    reg = kit.register(kit.session(price_minor=PRICE))
    result = pay(kit, reg)
    registration.expire_offers(now=reg.hold_expires_at)
    db.session.commit()
    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    deliver(client, intent_event("evt_late_page", "payment_intent.succeeded", intent))

    auth.login(kit.employee.email)
    page = client.get(f"/tickets/{reg.id}/pay")

    assert page.status_code == 200
    assert re.search(r'data-testid="refund-card">[^<]*40\.00<', page.text)
    assert re.search(r'data-testid="refund-budget">[^<]*10\.00<', page.text)
