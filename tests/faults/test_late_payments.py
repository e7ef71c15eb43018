"""Found by the crash test: a card payment that Stripe reports as succeeded after the
booking's place was let go (the employee cancelled, or a failure event came first) must go
back to the card, and the ledger must not capture anything."""

from __future__ import annotations

from benefits import checkout, ledger, reconcile
from benefits.models import PaymentStatus
from booking import services as booking_services
from booking.models import BookingStatus
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.conftest import kit, stripe  # noqa: F401 - fixtures
from tests.benefits.factories import deliver, funded_employee, held_booking
from tests.fakes.stripe_events import intent_event


def _paying_by_card(make, kit, stripe):  # noqa: F811 - the fixtures' values
    user, _plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    result = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    return user, booking, result.payment, stripe.intents[result.payment.stripe_payment_intent_id]


def test_a_payment_succeeding_after_the_employee_cancelled_goes_back_to_the_card(
        app, make, kit, client, stripe):  # noqa: F811
    user, booking, payment, intent = _paying_by_card(make, kit, stripe)
    booking_services.cancel_booking(booking, actor=user, now=utcnow(), reason="changed mind")
    db.session.commit()

    answer = deliver(client, intent_event("evt_late_1", "payment_intent.succeeded", intent))

    assert answer.status_code == 200 and answer.get_json()["result"] == "late_refunded"
    refunds = stripe.writes("/v1/refunds")
    assert [r.params["amount"] for r in refunds] == ["20000"]
    db.session.expire_all()
    late = db.session.get(type(payment), payment.id)
    # recorded as refunded, everything back: the card share by the refund, the budget share
    # with the released hold; nothing was captured
    assert late.status is PaymentStatus.REFUNDED
    assert (late.refunded_budget_minor, late.refunded_card_minor) == (10_000, 20_000)
    assert ledger.find_by_reference(f"capture:pay{payment.id}") is None
    assert ledger.check_ledger() == []


def test_after_a_late_refund_reconcile_agrees_with_stripe(
        app, make, kit, client, stripe):  # noqa: F811
    user, booking, _payment, intent = _paying_by_card(make, kit, stripe)
    booking_services.cancel_booking(booking, actor=user, now=utcnow(), reason="changed mind")
    db.session.commit()
    intent["status"] = "succeeded"  # the card went through just as the place was let go

    deliver(client, intent_event("evt_late_r", "payment_intent.succeeded", intent))

    assert reconcile.reconcile() == []
    # a second delivery of the same news (another event id) refunds nothing more
    again = deliver(client, intent_event("evt_late_r2", "payment_intent.succeeded", intent))
    assert again.get_json()["result"] == "already_settled"
    assert len(stripe.writes("/v1/refunds")) == 1


def test_a_success_after_a_declined_card_books_rather_than_refunds(
        app, make, kit, client, stripe):  # noqa: F811
    _user, booking, _payment, intent = _paying_by_card(make, kit, stripe)
    failed = deliver(client, intent_event("evt_f", "payment_intent.payment_failed", intent))
    assert failed.get_json()["result"] == "failed_attempt"  # not final: she may retry

    succeeded = deliver(client, intent_event("evt_s", "payment_intent.succeeded", intent))

    assert succeeded.get_json()["result"] == "paid"
    db.session.expire_all()
    assert db.session.get(type(booking), booking.id).status is BookingStatus.CONFIRMED
    assert stripe.writes("/v1/refunds") == []
    assert ledger.check_ledger() == []
