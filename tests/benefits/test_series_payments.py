"""A course booked in one step is paid once: its sessions are held together, paid in one
checkout (budget and/or one card intent), confirmed together, released together with a mail
when unpaid, and refunded session by session when sessions are cancelled."""

from __future__ import annotations

from benefits import budgets, checkout, ledger, series_payments
from benefits.errors import BookingNotPayable
from benefits.models import Payment, PaymentStatus
from booking import series as series_services
from booking import services as booking_services
from booking.models import Booking, BookingSeries, BookingStatus
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import deliver, funded_employee
from tests.fakes.stripe_events import intent_event

PRICE = 10_000  # ¥100 a session, four sessions


def four_session_course(kit, user) -> BookingSeries:
    service = kit.service(price_minor=PRICE, title_en="Rehab course")
    starts = series_services.occurrences(kit.slot(days=3), count=4, every_days=7)
    series = series_services.book_series(service, practitioner_id=kit.practitioner.id,
                                         starts=starts, actor=user, now=utcnow())
    db.session.commit()
    return series


def statuses(series: BookingSeries) -> list[BookingStatus]:
    db.session.expire_all()
    return [b.status for b in series_services.bookings_of_series(series)]


def available(user, plan) -> int:
    return budgets.spendable(user.id, plan, category="tcm", today=park_today()).available_minor


def test_a_course_paid_from_the_budget_confirms_every_session_in_one_checkout(app, make, kit):
    user, plan = funded_employee(make, kit, budget_minor=50_000)
    series = four_session_course(kit, user)
    result = series_payments.pay_series(series, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    assert result.payment.status is PaymentStatus.PAID
    assert (result.payment.price_minor, result.payment.budget_minor) == (4 * PRICE, 4 * PRICE)
    assert statuses(series) == [BookingStatus.CONFIRMED] * 4
    assert available(user, plan) == 10_000
    # One session cannot be paid again on its own.
    first = series_services.bookings_of_series(series)[0]
    assert checkout.payment_for(first) is None
    assert ledger.check_ledger() == []


def test_a_course_with_a_card_share_is_one_intent_confirmed_by_one_webhook(
        app, make, kit, client, stripe):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    series = four_session_course(kit, user)
    result = series_payments.pay_series(series, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    created = stripe.writes("/v1/payment_intents")
    assert [(c.params["amount"], c.idempotency_key) for c in created] == [
        ("30000", f"booking_series-{series.id}-card-30000")]
    again = series_payments.pay_series(series, actor=user, now=utcnow(), today=park_today())
    assert again.payment.id == result.payment.id  # the same pending payment
    first = series_services.bookings_of_series(series)[0]
    try:
        checkout.start_checkout(first, actor=user, now=utcnow(), today=park_today())
    except BookingNotPayable:
        pass
    else:
        raise AssertionError("a session of a course being paid was paid on its own")
    intent = stripe.succeed(result.payment.stripe_payment_intent_id)
    answer = deliver(client, intent_event("evt_course", "payment_intent.succeeded", intent))
    assert answer.get_json()["result"] == "paid"
    assert statuses(series) == [BookingStatus.CONFIRMED] * 4
    assert available(user, plan) == 0
    assert ledger.check_ledger() == []


def test_an_unpaid_course_lapses_together_and_the_employee_is_told(
        app, make, kit, stripe, outbox):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    series = four_session_course(kit, user)
    result = series_payments.pay_series(series, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    assert available(user, plan) == 0
    lapse = series_services.bookings_of_series(series)[0].hold_expires_at

    assert booking_services.expire_holds(now=lapse) == 1  # the course, in one go
    db.session.commit()

    assert statuses(series) == [BookingStatus.EXPIRED] * 4
    assert db.session.get(Payment, result.payment.id).status is PaymentStatus.RELEASED
    assert available(user, plan) == 10_000
    assert stripe.intents[result.payment.stripe_payment_intent_id]["status"] == "canceled"
    [mail] = [m for m in outbox if m.to == user.email]
    # In her language (zh_CN): "not paid in time, all 4 released, nothing charged".
    assert "共 4 次" in mail.body and "未在保留时间内支付" in mail.body
    assert "未产生任何扣款" in mail.body
    assert ledger.check_ledger() == []


def test_cancelling_one_paid_session_refunds_its_part_only(app, make, kit, client, stripe):
    user, plan = funded_employee(make, kit, budget_minor=10_000)
    series = four_session_course(kit, user)
    result = series_payments.pay_series(series, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    intent = stripe.succeed(result.payment.stripe_payment_intent_id)
    deliver(client, intent_event("evt_course", "payment_intent.succeeded", intent))
    db.session.expire_all()
    second = series_services.bookings_of_series(series)[1]

    booking_services.cancel_booking(second, actor=user, now=utcnow())  # within the policy
    db.session.commit()

    payment = db.session.get(Payment, result.payment.id)
    # One session is a quarter: ¥25 of the budget's ¥100 and ¥75 of the card's ¥300.
    assert (payment.refunded_budget_minor, payment.refunded_card_minor) == (2_500, 7_500)
    assert payment.status is PaymentStatus.PAID  # three sessions are still paid for
    assert [(r.params["amount"], r.idempotency_key) for r in stripe.writes("/v1/refunds")] == [
        ("7500", f"refund-pay{payment.id}-b{second.id}")]
    assert available(user, plan) == 2_500
    assert statuses(series).count(BookingStatus.CONFIRMED) == 3
    # The rest of the course, cancelled: everything else comes back, nothing twice.
    series_services.cancel_rest_of_series(db.session.get(BookingSeries, series.id),
                                          actor=user, now=utcnow())
    db.session.commit()
    payment = db.session.get(Payment, result.payment.id)
    assert (payment.refunded_budget_minor, payment.refunded_card_minor) == (10_000, 30_000)
    assert payment.status is PaymentStatus.REFUNDED
    assert available(user, plan) == 10_000
    assert ledger.check_ledger() == []


def test_booking_a_priced_course_on_its_page_says_it_is_held_and_leads_to_one_payment(
        app, make, kit, client, auth):
    user, _plan = funded_employee(make, kit, budget_minor=50_000)
    service = kit.service(price_minor=PRICE, title_en="Rehab course")
    starts = series_services.occurrences(kit.slot(days=3), count=4, every_days=7)
    auth.login(user.email)
    page = client.post(f"/services/{service.id}/series", data={
        "practitioner_id": kit.practitioner.id,
        "starts": [s.isoformat() for s in starts]}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "您的疗程（共 4 次）将为您保留至" in text  # held, not "booked"
    assert "一次支付全部 4 次" in text
    series = db.session.scalars(db.select(BookingSeries)).one()
    pay_page = client.get(f"/series/{series.id}/pay")
    assert pay_page.status_code == 200
    paid = client.post(f"/series/{series.id}/pay", data={}, follow_redirects=True)
    assert "疗程的每次预约均已确认" in paid.get_data(as_text=True)
    assert statuses(series) == [BookingStatus.CONFIRMED] * 4
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 4


def test_back_from_paying_a_course_by_card_every_session_is_confirmed(app, make, kit, client,
                                                                     stripe):
    """No webhook: the course's pay page is Stripe's return address and asks Stripe itself."""
    user, _plan = funded_employee(make, kit, budget_minor=10_000)
    series = four_session_course(kit, user)
    result = series_payments.pay_series(series, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    app.config["STRIPE_PUBLISHABLE_KEY"] = "pk_test_fake"
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    url = f"/series/{series.id}/pay"
    pending = client.get(url).get_data(as_text=True)
    assert f'data-return-url="http://parkwell.test{url}"' in pending
    stripe.succeed(result.payment.stripe_payment_intent_id)
    assert client.get(f"{url}?redirect_status=succeeded").status_code == 200
    assert statuses(series) == [BookingStatus.CONFIRMED] * 4
    assert ledger.check_ledger() == []
