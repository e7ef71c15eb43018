"""Stripe's side of a payment reaching the ledger: failed attempts that are retried, refunds
and disputes made on Stripe's side, malformed or disagreeing events, lapsed holds whose
card payment went through, and reconcile repairing what a missed webhook left behind.

All through the real ``stripe`` SDK against the local fake of Stripe's API, with webhooks
signed by Stripe's scheme."""

from __future__ import annotations

import logging

import pytest

from benefits import budgets, checkout, ledger, reconcile, topups
from benefits.models import IncidentKind, Payment, PaymentIncident, PaymentStatus
from booking import services as booking_services
from booking.models import Booking, BookingStatus
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import deliver, funded_employee, held_booking, programme
from tests.fakes.stripe_events import dispute_event, intent_event, object_event


def paying_by_card(make, kit):
    """¥100 of budget, a ¥300 booking: ¥200 left for the card, the intent created."""
    user, _plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    result = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    return user, booking, result.payment


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def incidents_of(kind: IncidentKind) -> list[PaymentIncident]:
    return list(db.session.scalars(db.select(PaymentIncident).where(
        PaymentIncident.kind == kind)))


# -- failed attempts are not final --------------------------------------------------------


def test_a_declined_card_is_not_final_and_another_card_on_the_same_intent_books(
        app, make, kit, client, stripe):
    _user, booking, payment = paying_by_card(make, kit)
    intent = stripe.intents[payment.stripe_payment_intent_id]

    declined = deliver(client, intent_event("evt_declined", "payment_intent.payment_failed",
                                            intent))

    assert declined.get_json()["result"] == "failed_attempt"
    assert fresh(Booking, booking.id).status is BookingStatus.HELD
    assert fresh(Payment, payment.id).status is PaymentStatus.PENDING
    assert stripe.writes("/v1/refunds") == [] and not stripe.writes(
        f"/v1/payment_intents/{intent['id']}/cancel")
    stripe.succeed(intent["id"])  # she tries her other card: it goes through
    paid = deliver(client, intent_event("evt_retried", "payment_intent.succeeded", intent))
    assert paid.get_json()["result"] == "paid"
    assert fresh(Booking, booking.id).status is BookingStatus.CONFIRMED
    assert ledger.check_ledger() == []


def test_a_canceled_intent_releases_the_budget_and_the_place(app, make, kit, client, stripe):
    _user, booking, payment = paying_by_card(make, kit)
    intent = stripe.intents[payment.stripe_payment_intent_id]
    answer = deliver(client, intent_event("evt_c", "payment_intent.canceled", intent))
    assert answer.get_json()["result"] == "released"
    assert fresh(Booking, booking.id).status is not BookingStatus.HELD
    assert fresh(Payment, payment.id).status is PaymentStatus.RELEASED
    assert ledger.check_ledger() == []


# -- refunds and disputes made on Stripe's side ------------------------------------------


def test_a_refund_made_in_stripes_dashboard_reaches_the_ledger_once(
        app, make, kit, client, stripe, caplog):
    user, booking, payment = paying_by_card(make, kit)
    intent = stripe.succeed(payment.stripe_payment_intent_id)
    deliver(client, intent_event("evt_paid", "payment_intent.succeeded", intent))
    payable_before = checkout._payable(fresh(Payment, payment.id), now=utcnow()).balance_minor

    charge = stripe.refund_on_dashboard(intent["id"], 5_000)
    with caplog.at_level(logging.ERROR):
        answers = [deliver(client, object_event(f"evt_rf{n}" if n else "evt_rf",
                                                "charge.refunded", charge)).get_json()["result"]
                   for n in range(2)]

    assert answers == ["refund_posted", "already_recorded"]
    refunded = fresh(Payment, payment.id)
    assert refunded.refunded_card_minor == 5_000 and refunded.status is PaymentStatus.PAID
    assert checkout._payable(refunded, now=utcnow()).balance_minor == payable_before - 5_000
    assert [i.amount_minor for i in incidents_of(IncidentKind.REFUNDED_ON_STRIPE)] == [5_000]
    assert "payments alert: refunded_on_stripe" in caplog.text
    assert ledger.check_ledger() == []
    # She then cancels within the policy: only what Stripe has not given back yet goes.
    booking_services.cancel_booking(fresh(Booking, booking.id), actor=user, now=utcnow())
    db.session.commit()
    assert [r.params["amount"] for r in stripe.writes("/v1/refunds")] == ["15000"]
    assert fresh(Payment, payment.id).refunded_card_minor == 20_000
    assert ledger.check_ledger() == []


def test_our_own_refund_coming_back_as_charge_refunded_posts_nothing_more(
        app, make, kit, client, stripe):
    user, booking, payment = paying_by_card(make, kit)
    intent = stripe.succeed(payment.stripe_payment_intent_id)
    deliver(client, intent_event("evt_paid", "payment_intent.succeeded", intent))
    booking_services.cancel_booking(fresh(Booking, booking.id), actor=user, now=utcnow())
    db.session.commit()
    charge = stripe.charges[intent["latest_charge"]]
    assert charge["amount_refunded"] == 20_000
    answer = deliver(client, object_event("evt_ours", "charge.refunded", charge))
    assert answer.get_json()["result"] == "already_recorded"
    assert incidents_of(IncidentKind.REFUNDED_ON_STRIPE) == []
    assert ledger.check_ledger() == []


def test_a_dispute_is_recorded_and_alerted_when_opened_and_closed(
        app, make, kit, client, stripe, caplog, runner):
    _user, _booking, payment = paying_by_card(make, kit)
    intent = stripe.succeed(payment.stripe_payment_intent_id)
    deliver(client, intent_event("evt_paid", "payment_intent.succeeded", intent))
    charge = stripe.charges[intent["latest_charge"]]
    with caplog.at_level(logging.ERROR):
        opened = deliver(client, dispute_event("evt_dp1", "charge.dispute.created", charge,
                                               status="needs_response"))
        closed = deliver(client, dispute_event("evt_dp2", "charge.dispute.closed", charge,
                                               status="lost"))
    assert opened.get_json()["result"] == closed.get_json()["result"] == "dispute_recorded"
    [dispute] = incidents_of(IncidentKind.DISPUTE_OPENED)
    assert (dispute.payment_id, dispute.amount_minor, dispute.currency) == (
        payment.id, 20_000, "CNY")
    assert "status lost" in incidents_of(IncidentKind.DISPUTE_CLOSED)[0].detail
    assert caplog.text.count("payments alert: dispute_") == 2
    listed = runner.invoke(args=["payments", "incidents"]).output
    assert f"dispute_opened dp_{charge['id']} payment {payment.id} 20000 CNY" in listed


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("event", [
    {"id": "evt_m1", "type": "payment_intent.succeeded"},
    {"id": "evt_m2", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}},
    {"id": "evt_m3", "type": "payment_intent.succeeded",
     "data": {"object": {"id": "pi_1", "amount": "20000", "currency": "cny"}}},
    {"id": "evt_m4", "type": "payment_intent.canceled", "data": {"object": {}}},
    {"id": "evt_m5", "type": "charge.refunded",
     "data": {"object": {"id": "ch_1", "amount_refunded": -5, "currency": "cny",
                         "payment_intent": "pi_1"}}},
    {"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}},
], ids=["no data", "object not a dict", "amount a string", "no object id", "negative",
        "no event id"])
def test_a_signed_but_malformed_event_answers_400_and_writes_nothing(app, client, stripe,
                                                                     event):
    answer = deliver(client, event)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "webhook_malformed"
    assert db.session.scalar(db.select(db.func.count()).select_from(
        db.metadata.tables["stripe_events"])) == 0


def test_an_object_without_an_id_never_matches_a_payment_the_budget_paid_alone(
        app, make, kit, client, stripe):
    user, _plan = funded_employee(make, kit, budget_minor=50_000)
    booking = held_booking(kit, user, price_minor=30_000)
    budget_only = checkout.start_checkout(booking, actor=user, now=utcnow(),
                                          today=park_today()).payment
    db.session.commit()
    assert budget_only.stripe_payment_intent_id is None
    answer = deliver(client, object_event("evt_noid", "charge.dispute.created",
                                          {"amount": 30_000, "currency": "cny"}))
    assert answer.status_code == 400
    answer = deliver(client, object_event("evt_other", "payment_intent.created", {}))
    assert answer.get_json()["result"] == "ignored"
    assert fresh(Payment, budget_only.id).status is PaymentStatus.PAID
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentIncident)) == 0


@pytest.mark.parametrize(("amount", "currency", "result"), [
    (19_999, "cny", "amount_mismatch"), (20_000, "usd", "currency_mismatch")])
def test_a_success_that_disagrees_with_the_payment_is_recorded_and_never_posted(
        app, make, kit, client, stripe, caplog, amount, currency, result):
    _user, booking, payment = paying_by_card(make, kit)
    intent = {**stripe.intents[payment.stripe_payment_intent_id], "currency": currency}
    event = intent_event("evt_odd", "payment_intent.succeeded", intent)
    event["data"]["object"]["amount_received"] = amount
    with caplog.at_level(logging.ERROR):
        answer = deliver(client, event)
    assert answer.status_code == 200 and answer.get_json()["result"] == result
    assert fresh(Payment, payment.id).status is PaymentStatus.PENDING
    assert fresh(Booking, booking.id).status is BookingStatus.HELD
    assert ledger.find_by_reference(f"card:pay{payment.id}") is None
    [incident] = incidents_of(IncidentKind(result))
    assert (incident.amount_minor, incident.currency) == (amount, currency.upper())
    assert f"payments alert: {result}" in caplog.text
    assert ledger.check_ledger() == []


def test_stripe_down_at_checkout_shows_a_translated_message_and_keeps_the_hold(
        app, make, kit, client, stripe, auth):
    user, _plan = funded_employee(make, kit, budget_minor=10_000)
    user.locale = "zh_CN"
    booking = held_booking(kit, user, price_minor=30_000)
    auth.login(user.email)
    stripe.fail_next = 5
    page = client.post(f"/bookings/{booking.id}/checkout", data={})
    assert page.status_code == 502
    assert "支付服务没有响应，未产生任何扣款" in page.get_data(as_text=True)
    assert fresh(Booking, booking.id).status is BookingStatus.HELD
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0
    assert not [r for r in stripe.requests if "confirm" in r.path or "refunds" in r.path]


# -- lapsed holds --------------------------------------------------------------------------


def test_a_lapsed_hold_whose_card_payment_went_through_is_refunded_not_cancelled(
        app, make, kit, client, stripe):
    _user, booking, payment = paying_by_card(make, kit)
    intent = stripe.succeed(payment.stripe_payment_intent_id)  # its webhook is late
    booking_services.expire_holds(now=booking.hold_expires_at)
    db.session.commit()

    assert not stripe.writes(f"/v1/payment_intents/{intent['id']}/cancel")
    assert [(r.params["amount"], r.idempotency_key) for r in stripe.writes("/v1/refunds")] == [
        ("20000", f"late-refund-pay{payment.id}")]
    late = deliver(client, intent_event("evt_late", "payment_intent.succeeded", intent))
    assert late.get_json()["result"] == "late_refunded"
    assert len(stripe.refunds) == 1  # the webhook's refund met the same one
    released = fresh(Payment, payment.id)
    assert released.status is PaymentStatus.REFUNDED
    assert ledger.find_by_reference(f"capture:pay{payment.id}") is None
    assert reconcile.reconcile() == []
    assert ledger.check_ledger() == []


def test_a_lapsed_hold_with_nothing_paid_cancels_the_intent(app, make, kit, stripe):
    _user, booking, payment = paying_by_card(make, kit)
    booking_services.expire_holds(now=booking.hold_expires_at)
    db.session.commit()
    assert stripe.intents[payment.stripe_payment_intent_id]["status"] == "canceled"
    assert stripe.writes("/v1/refunds") == []


# -- reconcile ------------------------------------------------------------------------------


def test_reconcile_repairs_a_missed_success(app, make, kit, stripe, runner):
    _user, booking, payment = paying_by_card(make, kit)
    stripe.succeed(payment.stripe_payment_intent_id)  # paid; the webhook never came

    dry = runner.invoke(args=["payments", "reconcile"])
    assert dry.exit_code == 1
    assert f"payment {payment.id}: ours is pending, Stripe's " in dry.output
    assert "would: settle it" in dry.output
    assert fresh(Payment, payment.id).status is PaymentStatus.PENDING  # a dry run

    applied = runner.invoke(args=["payments", "reconcile", "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "repaired: settle it" in applied.output
    assert fresh(Payment, payment.id).status is PaymentStatus.PAID
    assert fresh(Booking, booking.id).status is BookingStatus.CONFIRMED
    assert runner.invoke(args=["payments", "reconcile"]).output.strip() == \
        "payments match Stripe"
    assert ledger.check_ledger() == []


def test_reconcile_posts_a_dashboard_refund_whose_event_was_missed(
        app, make, kit, client, stripe):
    _user, _booking, payment = paying_by_card(make, kit)
    intent = stripe.succeed(payment.stripe_payment_intent_id)
    deliver(client, intent_event("evt_paid", "payment_intent.succeeded", intent))
    stripe.refund_on_dashboard(intent["id"], 20_000)
    assert reconcile.reconcile() == [
        f"payment {payment.id}: Stripe refunded 20000, ours says 0; would: post the refund "
        "made on Stripe"]
    reconcile.reconcile(apply=True)
    db.session.commit()
    assert fresh(Payment, payment.id).refunded_card_minor == 20_000
    assert reconcile.reconcile() == []
    assert ledger.check_ledger() == []


def test_reconcile_lists_stripe_charges_with_no_record_and_never_repairs_them(
        app, stripe, runner):
    stray = stripe.charge_without_record(amount=8_800)
    result = runner.invoke(args=["payments", "reconcile", "--apply"])
    assert result.exit_code == 1
    assert f"Stripe charge {stray['id']}: 8800 CNY" in result.output
    assert "has no record here" in result.output


def test_a_top_up_paid_with_another_amount_is_recorded_and_funds_nothing(
        app, make, client, stripe):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    plan = programme(make, enterprise, funded_minor=0)
    record, _secret = topups.start_top_up(plan, amount_minor=500_000, actor=admin,
                                          now=utcnow(), request_key="k1")
    db.session.commit()
    event = intent_event("evt_topup_odd", "payment_intent.succeeded",
                         stripe.intents[record.stripe_payment_intent_id])
    event["data"]["object"]["amount_received"] = 50_000
    assert deliver(client, event).get_json()["result"] == "amount_mismatch"
    assert budgets.funds_account(plan, now=utcnow()).balance_minor == 0
    [incident] = incidents_of(IncidentKind.AMOUNT_MISMATCH)
    assert incident.amount_minor == 50_000 and f"top-up {record.id}" in incident.detail


def test_a_refund_lost_while_stripe_was_down_is_sent_again_by_reconcile(
        app, make, kit, client, stripe):
    user, booking, payment = paying_by_card(make, kit)
    intent = stripe.succeed(payment.stripe_payment_intent_id)
    deliver(client, intent_event("evt_paid", "payment_intent.succeeded", intent))
    stripe.fail_next = 1  # Stripe fails just as the cancellation's refund goes out
    booking_services.cancel_booking(fresh(Booking, booking.id), actor=user, now=utcnow())
    db.session.commit()
    charge = stripe.charges[intent["latest_charge"]]
    assert charge["amount_refunded"] == 0

    assert reconcile.reconcile() == [
        f"payment {payment.id}: ours refunded 20000, Stripe 0; would: send the missing 20000 "
        "to Stripe"]
    reconcile.reconcile(apply=True)
    db.session.commit()

    assert charge["amount_refunded"] == 20_000
    assert reconcile.reconcile() == []
    assert ledger.check_ledger() == []
