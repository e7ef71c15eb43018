"""An employee pays the card share of a co-paid booking and comes back from Stripe (a card,
Alipay's redirect): the return page reads the PaymentIntent and says paid, failed (and lets
them try again on the same intent), unfinished or ended; a held place can be released; and
before choosing a time they see what each side pays. Stripe here is the local test server
(benefits.stripe_local) the real SDK talks to, with no webhook sent: the page alone settles."""

from __future__ import annotations

from datetime import timedelta

import pytest
import stripe as stripe_sdk
from sqlalchemy import func, select

from benefits import budgets, checkout, ledger
from benefits.models import LedgerTransaction, Payment, PaymentStatus
from benefits.stripe_local.server import LocalStripeServer
from booking.models import Booking, BookingStatus
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import WEBHOOK_SECRET, deliver, funded_employee, held_booking
from tests.fakes.stripe_events import intent_event

BUDGET, PRICE = 10_000, 30_000


@pytest.fixture
def local_stripe(app):
    with LocalStripeServer(secret_key="sk_test_local_unit",
                           publishable_key="pk_test_local_unit") as server:
        app.config.update(STRIPE_SECRET_KEY="sk_test_local_unit",
                          STRIPE_PUBLISHABLE_KEY="pk_test_local_unit",
                          STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=server.url,
                          STRIPE_JS_URL=f"{server.url}/v3/")
        yield server


def sdk(server) -> stripe_sdk.StripeClient:
    return stripe_sdk.StripeClient("sk_test_local_unit", base_addresses={"api": server.url},
                                   max_network_retries=0)


def available(user, plan) -> int:
    return budgets.spendable(user.id, plan, category="tcm", today=park_today()).available_minor


def started(make, kit, auth, client):
    """A co-paid booking whose checkout has begun: ¥100 held from the budget, ¥200 by card."""
    user, plan = funded_employee(make, kit, budget_minor=BUDGET)
    booking = held_booking(kit, user, price_minor=PRICE)
    auth.login(user.email)
    assert client.post(f"/bookings/{booking.id}/checkout").status_code == 303
    payment = checkout.payment_for(booking)
    assert payment.card_minor == PRICE - BUDGET
    return user, plan, booking, payment


def back_from_stripe(client, booking, payment, status="succeeded"):
    return client.get(f"/bookings/{booking.id}/checkout/return?payment_intent="
                      f"{payment.stripe_payment_intent_id}&redirect_status={status}")


def test_coming_back_after_a_card_payment_confirms_the_booking_without_a_webhook(
        app, make, kit, auth, client, local_stripe):
    user, plan, booking, payment = started(make, kit, auth, client)
    sdk(local_stripe).v1.payment_intents.confirm(payment.stripe_payment_intent_id,
                                                 params={"payment_method": "pm_card_visa"})

    page = back_from_stripe(client, booking, payment)

    assert page.status_code == 200 and 'data-state="paid"' in page.text
    assert "付款成功" in page.text and "预算 ¥100.00 + 自付 ¥200.00" in page.text
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    assert db.session.get(Payment, payment.id).status is PaymentStatus.PAID
    assert available(user, plan) == 0
    # coming back again (a reload) settles nothing twice
    back_from_stripe(client, booking, payment)
    assert ledger.check_ledger() == []
    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.reference == f"card:pay{payment.id}")) == 1


def test_a_declined_card_keeps_the_place_and_offers_the_same_intent_again(
        app, make, kit, auth, client, local_stripe):
    user, plan, booking, payment = started(make, kit, auth, client)
    intent_id = payment.stripe_payment_intent_id
    with pytest.raises(stripe_sdk.CardError):
        sdk(local_stripe).v1.payment_intents.confirm(
            intent_id, params={"payment_method": "pm_card_chargeDeclined"})

    page = back_from_stripe(client, booking, payment, status="failed")

    assert 'data-state="failed"' in page.text and "银行卡被拒绝" in page.text
    secret = local_stripe.stripe.intents[intent_id]["client_secret"]
    assert f'data-client-secret="{secret}"' in page.text  # paying again, same intent
    assert 'data-testid="release-hold"' in page.text
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.HELD
    assert available(user, plan) == 0  # the budget share stays held for the retry

    sdk(local_stripe).v1.payment_intents.confirm(intent_id,
                                                 params={"payment_method": "pm_card_visa"})
    assert 'data-state="paid"' in back_from_stripe(client, booking, payment).text
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    assert ledger.check_ledger() == []


def test_an_abandoned_alipay_redirect_shows_the_payment_unfinished_with_a_retry(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, payment = started(make, kit, auth, client)
    sdk(local_stripe).v1.payment_intents.confirm(payment.stripe_payment_intent_id, params={
        "payment_method_data": {"type": "alipay"}, "return_url": "http://127.0.0.1/return"})

    page = back_from_stripe(client, booking, payment, status="failed")

    assert 'data-state="unfinished"' in page.text and "data-client-secret=" in page.text
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.HELD


def test_once_the_hold_has_lapsed_the_page_says_so_and_offers_no_payment(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, payment = started(make, kit, auth, client)
    booking.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = back_from_stripe(client, booking, payment, status="failed")

    assert 'data-state="ended"' in page.text
    assert "data-client-secret=" not in page.text and "release-hold" not in page.text


def test_releasing_a_held_place_frees_the_time_and_the_budget_and_charges_nothing(
        app, make, kit, auth, client, local_stripe):
    user, plan, booking, payment = started(make, kit, auth, client)
    page = client.get(f"/bookings/{booking.id}/checkout")
    assert 'data-testid="release-hold"' in page.text

    answer = client.post(f"/bookings/{booking.id}/checkout/release")

    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/bookings/{booking.id}")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED_BY_CLIENT
    assert db.session.get(Payment, payment.id).status is PaymentStatus.RELEASED
    assert available(user, plan) == BUDGET
    intent = local_stripe.stripe.intents[payment.stripe_payment_intent_id]
    assert intent["status"] == "canceled" and local_stripe.stripe.refunds == {}
    # the hold and its reversal, nothing else
    assert db.session.scalars(select(LedgerTransaction.reference).where(
        LedgerTransaction.reference.like(f"%pay{payment.id}%"))).all() == [f"hold:pay{payment.id}"]
    assert ledger.check_ledger() == []


def test_releasing_a_place_that_is_no_longer_held_is_refused_and_changes_nothing(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, _payment = started(make, kit, auth, client)
    client.post(f"/bookings/{booking.id}/checkout/release")
    before = db.session.scalar(select(func.count()).select_from(LedgerTransaction))

    again = client.post(f"/bookings/{booking.id}/checkout/release")

    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction)) == before


def test_releasing_after_the_card_went_through_keeps_the_place(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, payment = started(make, kit, auth, client)
    sdk(local_stripe).v1.payment_intents.confirm(payment.stripe_payment_intent_id,
                                                 params={"payment_method": "pm_card_visa"})

    answer = client.post(f"/bookings/{booking.id}/checkout/release")

    assert answer.status_code == 303 and "/checkout/return" in answer.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    assert local_stripe.stripe.refunds == {}


def test_another_persons_return_page_and_release_are_not_found(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, _payment = started(make, kit, auth, client)
    other, _ = funded_employee(make, kit, budget_minor=BUDGET)
    auth.logout()
    auth.login(other.email)

    assert client.get(f"/bookings/{booking.id}/checkout/return").status_code == 404
    assert client.post(f"/bookings/{booking.id}/checkout/release").status_code == 404
    assert db.session.get(Booking, booking.id).status is BookingStatus.HELD


def test_the_pay_page_loads_stripe_js_from_the_configured_address_which_the_policy_allows(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, _payment = started(make, kit, auth, client)
    page = client.get(f"/bookings/{booking.id}/checkout")
    assert f'src="{local_stripe.url}/v3/"' in page.text and "js.stripe.com" not in page.text
    assert f'/bookings/{booking.id}/checkout/return"' in page.text
    # (the policy is built when the app is made; the test app's default is Stripe's own)
    assert "https://js.stripe.com" in page.headers["Content-Security-Policy"]


def test_the_policy_allows_the_local_server_when_stripe_js_comes_from_it():
    from core.protections import CONTENT_SECURITY_POLICY, with_payment_origins

    policy = with_payment_origins(CONTENT_SECURITY_POLICY, "http://127.0.0.1:12111/v3/")
    assert "http://127.0.0.1:12111" in policy["script-src"]
    assert "http://127.0.0.1:12111" in policy["connect-src"]
    assert "http://127.0.0.1:12111" not in CONTENT_SECURITY_POLICY["script-src"]


def test_before_choosing_a_time_the_employee_sees_the_split_balance_and_cap(
        app, make, kit, auth, client, local_stripe):
    user, _plan = funded_employee(make, kit, budget_minor=BUDGET)
    service = kit.service(price_minor=PRICE, title_en="Acupuncture")
    db.session.commit()
    auth.login(user.email)

    page = client.get(f"/services/{service.id}/book")

    assert "预算 ¥100.00 + 自付 ¥200.00" in page.text
    assert "预算余额：¥100.00" in page.text
    assert "/book/confirm?" in page.text and "cannot-pay" not in page.text


def test_without_online_payment_a_time_that_needs_a_card_share_cannot_be_booked(
        app, make, kit, auth, client):
    user, _plan = funded_employee(make, kit, budget_minor=BUDGET)
    service = kit.service(price_minor=PRICE, title_en="Acupuncture")
    db.session.commit()
    auth.login(user.email)

    page = client.get(f"/services/{service.id}/book")

    assert 'data-testid="cannot-pay"' in page.text
    assert "预算 ¥100.00 + 自付 ¥200.00" in page.text
    assert "/book/confirm?" not in page.text  # no time to tap


def test_without_online_payment_a_time_the_budget_covers_can_still_be_booked(
        app, make, kit, auth, client):
    user, _plan = funded_employee(make, kit, budget_minor=PRICE)
    service = kit.service(price_minor=PRICE, title_en="Acupuncture")
    db.session.commit()
    auth.login(user.email)

    page = client.get(f"/services/{service.id}/book")

    assert "cannot-pay" not in page.text and "/book/confirm?" in page.text


def test_a_failed_attempt_reported_by_webhook_keeps_the_place_and_budget_for_a_retry(
        app, make, kit, auth, client, local_stripe):
    user, plan, booking, payment = started(make, kit, auth, client)
    intent = local_stripe.stripe.intents[payment.stripe_payment_intent_id]

    answer = deliver(client, intent_event("evt_attempt_failed", "payment_intent.payment_failed",
                                          intent))

    assert answer.status_code == 200
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.HELD
    assert db.session.get(Payment, payment.id).status is PaymentStatus.PENDING
    assert available(user, plan) == 0 and intent["status"] != "canceled"


def test_a_payment_still_processing_says_so_and_reads_itself_again(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, payment = started(make, kit, auth, client)
    local_stripe.stripe.intents[payment.stripe_payment_intent_id]["status"] = "processing"

    page = back_from_stripe(client, booking, payment, status="processing")

    assert 'data-state="processing"' in page.text and 'data-refresh="3"' in page.text
    assert "data-client-secret=" not in page.text  # nothing to pay twice meanwhile
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.HELD


def test_when_stripe_cannot_be_asked_the_page_says_so_and_changes_nothing(
        app, make, kit, auth, client, local_stripe):
    _user, _plan, booking, payment = started(make, kit, auth, client)
    before = db.session.scalar(select(func.count()).select_from(LedgerTransaction))
    local_stripe.stripe.fail_next = 1

    page = back_from_stripe(client, booking, payment)

    assert page.status_code == 200 and 'data-state="unreachable"' in page.text
    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction)) == before
    assert db.session.get(Booking, booking.id).status is BookingStatus.HELD
