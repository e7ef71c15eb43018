"""On PostgreSQL with real commits: a booking is a payable subject, and its card payment's
success (Stripe's webhook, through the booking's handler) races the employee cancelling it.
Twenty co-paid bookings, each met by both at once: whoever wins, the money ends where it
should (everything back to the budget and the card, nothing left with the provider or the
platform) and ``flask ledger check`` finds nothing wrong."""

from __future__ import annotations

from benefits import budgets, checkout, ledger, postings, stripe_gateway, webhooks
from benefits.models import Payment, PaymentStatus
from booking import services as booking_services
from booking.models import Booking, BookingStatus
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import programme, put_on_roster
from tests.booking.factories import BookingKit
from tests.concurrency.crowd import all_at_once, errors
from tests.factories import Factories

BOOKINGS = 20
PRICE, BUDGET_SHARE = 3_000, 1_000
CARD_SHARE = PRICE - BUDGET_SHARE


def _held_and_pending(kit: BookingKit, user: User, plan) -> list[tuple[int, str]]:
    """Held bookings each with a pending payment: its budget share held, its card share
    waiting on an intent (as ``start_checkout`` leaves them, without asking Stripe)."""
    service = kit.service(price_minor=PRICE, title_en="Acupuncture")
    pairs = []
    for day in range(BOOKINGS):
        booking = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                             starts_at=kit.slot(days=3 + day), actor=user,
                                             now=utcnow())
        payment = Payment(booking_id=booking.id, user_id=user.id,
                          provider_id=booking.provider_id, programme_id=plan.id,
                          category=service.category.value, currency="CNY", price_minor=PRICE,
                          budget_minor=BUDGET_SHARE, card_minor=CARD_SHARE,
                          status=PaymentStatus.PENDING,
                          stripe_payment_intent_id=f"pi_race_{day}", created_at=utcnow(),
                          updated_at=utcnow())
        db.session.add(payment)
        db.session.flush()
        postings.hold_budget(payment, plan, now=utcnow(), today=park_today())
        pairs.append((booking.id, payment.stripe_payment_intent_id))
    db.session.commit()
    return pairs


def test_a_card_success_racing_a_cancellation_leaves_the_money_where_it_belongs(
        make_pg_app, monkeypatch):
    # Stripe is asked only after the commit; here it always says yes.
    monkeypatch.setattr(stripe_gateway, "refund", lambda *a, **k: "re_race")
    monkeypatch.setattr(stripe_gateway, "cancel_or_refund", lambda *a, **k: "canceled")
    # Forty transactions queue on one client's row lock; on a loaded machine the last
    # waits longer than the production guard (5 s), which is not what is tested here.
    app = make_pg_app(pool_size=2 * BOOKINGS, BOOKING_HOLD_MINUTES=60, DB_LOCK_TIMEOUT_MS=0)
    with app.app_context():
        make = Factories()
        kit = BookingKit(make)
        user = put_on_roster(kit.enterprise, kit.employee())
        plan = programme(make, kit.enterprise, amount_minor=BOOKINGS * BUDGET_SHARE)
        budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
        db.session.commit()
        pairs = _held_and_pending(kit, user, plan)
        user_id, plan_id = user.id, plan.id
        payable = postings.provider_payable(kit.provider.id, currency="CNY", now=utcnow())
        payable_id = payable.id
        db.session.commit()

        def succeed(intent_id: str) -> str:
            return webhooks.apply_intent(webhooks.SUCCEEDED, {
                "id": intent_id, "amount": CARD_SHARE, "currency": "cny"}, now=utcnow())

        def cancel(booking_id: int) -> str:
            booking_services.cancel_booking(db.session.get(Booking, booking_id),
                                            actor=db.session.get(User, user_id), now=utcnow())
            return "cancelled"

        jobs = [(succeed, intent) for _b, intent in pairs] + \
               [(cancel, booking) for booking, _i in pairs]
        results = all_at_once(app, jobs, lambda job: job[0](job[1]), barrier_seconds=30)

        assert errors(results) == []
        assert set(results[:BOOKINGS]) <= {"paid", "late_refunded"}
        assert set(results[BOOKINGS:]) == {"cancelled"}
        db.session.expire_all()
        for booking_id, _intent in pairs:
            booking = db.session.get(Booking, booking_id)
            payment = checkout.payment_for(booking)
            assert booking.status is BookingStatus.CANCELLED_BY_CLIENT
            assert payment.status is PaymentStatus.REFUNDED
            assert (payment.refunded_budget_minor, payment.refunded_card_minor) == (
                BUDGET_SHARE, CARD_SHARE)
        plan = db.session.get(type(plan), plan_id)
        assert budgets.spendable(user_id, plan, category=None,
                                 today=park_today()).available_minor == BOOKINGS * BUDGET_SHARE
        assert db.session.get(type(payable), payable_id).balance_minor == 0
        assert ledger.check_ledger() == []
