"""Checkout and refunds: budget first, the rest by card through (a fake of) Stripe, with
the webhook settling it exactly once."""

from __future__ import annotations

import time

import pytest

from benefits import budgets, checkout, ledger
from benefits.errors import CardPaymentUnavailable, PaymentProviderFailed
from benefits.models import Payment, PaymentStatus
from booking import services as booking_services
from booking.models import Booking, BookingStatus
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import WEBHOOK_SECRET, deliver, funded_employee, held_booking
from tests.fakes.stripe_events import intent_event


def available(user, plan) -> int:
    return budgets.spendable(user.id, plan, category="tcm", today=park_today()).available_minor


def test_budget_that_covers_the_price_pays_and_confirms_at_once(app, make, kit):
    user, plan = funded_employee(make, kit, budget_minor=50_000)
    booking = held_booking(kit, user, price_minor=30_000)
    result = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    assert result.payment.status is PaymentStatus.PAID and result.client_secret is None
    assert booking.status is BookingStatus.CONFIRMED
    assert available(user, plan) == 20_000
    assert ledger.check_ledger() == []


def test_without_stripe_a_card_share_is_refused_clearly_and_nothing_is_held(app, make, kit):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    with pytest.raises(CardPaymentUnavailable):
        checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.rollback()
    assert available(user, plan) == 10_000


def test_split_payment_settles_once_however_often_stripe_calls(app, make, kit, client, stripe):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    result = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    assert (result.payment.budget_minor, result.payment.card_minor) == (10_000, 20_000)
    assert result.client_secret and available(user, plan) == 0
    created = stripe.writes("/v1/payment_intents")
    assert created[0].params["amount"] == "20000" and created[0].params["currency"] == "cny"
    assert created[0].idempotency_key == f"booking-{booking.id}-card-20000"

    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    event = intent_event("evt_paid_1", "payment_intent.succeeded", intent)
    answers = [deliver(client, event).get_json()["result"] for _ in range(10)]
    assert answers == ["paid"] + ["duplicate"] * 9
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    late_failure = intent_event("evt_failed_late", "payment_intent.payment_failed", intent)
    assert deliver(client, late_failure).get_json()["result"] == "already_settled"
    assert ledger.check_ledger() == []


def test_a_cancelled_card_payment_releases_the_budget_and_the_place(app, make, kit, client,
                                                                  stripe):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    result = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    assert deliver(client, intent_event("evt_f", "payment_intent.canceled",
                                        intent)).get_json()["result"] == "released"
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is not BookingStatus.HELD
    assert db.session.get(Payment, result.payment.id).status is PaymentStatus.RELEASED
    assert available(user, plan) == 10_000
    assert ledger.check_ledger() == []


def test_stripe_failing_mid_checkout_writes_nothing(app, make, kit, stripe):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    stripe.fail_next = 1
    with pytest.raises(PaymentProviderFailed):
        checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.rollback()
    assert available(user, plan) == 10_000
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0
    retry = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    assert retry.payment.status is PaymentStatus.PENDING


def test_stripe_timing_out_is_a_clear_error_and_a_safe_state(app, make, kit, stripe):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    app.config["STRIPE_TIMEOUT_SECONDS"] = 0.3
    stripe.delay_seconds = 1
    with pytest.raises(PaymentProviderFailed):
        checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.rollback()
    assert available(user, plan) == 10_000
    assert db.session.get(Booking, booking.id).status is BookingStatus.HELD


@pytest.mark.parametrize(("signature_secret", "age"), [("whsec_wrong", 0), (WEBHOOK_SECRET, 600)])
def test_webhooks_with_a_bad_signature_or_an_old_timestamp_are_refused(app, client, stripe,
                                                                        signature_secret, age):
    event = intent_event("evt_x", "payment_intent.succeeded",
                         {"id": "pi_x", "amount": 1, "currency": "cny"})
    response = deliver(client, event, secret=signature_secret,
                       timestamp=int(time.time()) - age)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "webhook_rejected"


def test_cancelling_within_policy_refunds_budget_and_card(app, make, kit, client, stripe):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    result = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    deliver(client, intent_event("evt_ok", "payment_intent.succeeded", intent))
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    booking_services.cancel_booking(booking, actor=user, now=utcnow())
    db.session.commit()
    payment = db.session.get(Payment, result.payment.id)
    assert payment.status is PaymentStatus.REFUNDED
    assert (payment.refunded_budget_minor, payment.refunded_card_minor) == (10_000, 20_000)
    assert available(user, plan) == 10_000
    refunds = stripe.writes("/v1/refunds")
    assert [(r.params["amount"], r.idempotency_key) for r in refunds] == [
        ("20000", f"refund-pay{payment.id}")]
    assert ledger.check_ledger() == []


def test_a_lapsed_hold_gives_the_budget_back(app, make, kit):
    user, plan = funded_employee(make, kit, budget_minor=50_000)
    service = kit.service(price_minor=80_000)
    booking = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                         starts_at=kit.slot(), actor=user, now=utcnow())
    db.session.commit()
    app.config["STRIPE_SECRET_KEY"] = None
    payment = Payment(booking_id=booking.id, user_id=user.id, provider_id=booking.provider_id,
                      programme_id=plan.id, category="tcm", currency="CNY", price_minor=80_000,
                      budget_minor=50_000, card_minor=30_000, status=PaymentStatus.PENDING,
                      created_at=utcnow(), updated_at=utcnow())
    db.session.add(payment)
    db.session.flush()
    checkout.hold_budget(payment, plan, now=utcnow(), today=park_today())
    db.session.commit()
    assert available(user, plan) == 0
    booking_services.expire_holds(now=booking.hold_expires_at)
    db.session.commit()
    assert available(user, plan) == 50_000
    assert db.session.get(Payment, payment.id).status is PaymentStatus.RELEASED
