"""Property test: whatever an employee's budget goes through (allocation, holds, captures,
releases, refunds, expiry, leaving), every ledger invariant holds after every step."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benefits import budgets, checkout, ledger, roster
from benefits.models import Payment, PaymentStatus, RosterEntry
from booking import services as booking_services
from booking.models import Booking
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.errors import DomainError
from core.i18n import park_today
from tests.benefits.factories import programme, put_on_roster
from tests.booking.factories import BookingKit

OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["allocate", "hold", "capture", "release", "refund", "expire",
                               "deactivate"]),
              st.integers(min_value=100, max_value=60_000)),
    min_size=1, max_size=10)


def _hold(kit, service, user, plan, amount: int, index: int, fake_stripe) -> Payment | None:
    available = budgets.spendable(user.id, plan, category="tcm",
                                  today=park_today()).available_minor
    budget_share = min(available, amount)
    if not budget_share:
        return None
    booking = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                         starts_at=kit.slot(days=3 + index), actor=user,
                                         now=utcnow())
    payment = Payment(booking_id=booking.id, user_id=user.id, provider_id=booking.provider_id,
                      programme_id=plan.id, category="tcm", currency="CNY",
                      price_minor=amount + 1, budget_minor=budget_share,
                      card_minor=amount + 1 - budget_share, status=PaymentStatus.PENDING,
                      created_at=utcnow(), updated_at=utcnow())
    db.session.add(payment)
    db.session.flush()
    # The card share comes through an intent, as in the checkout: a refund then gives it
    # back through (fake) Stripe after the commit.
    intent_id = f"pi_invariants_{payment.id}"
    fake_stripe.intents[intent_id] = {"id": intent_id, "object": "payment_intent",
                                      "amount": payment.card_minor, "currency": "cny",
                                      "status": "succeeded", "metadata": {}}
    payment.stripe_payment_intent_id = intent_id
    checkout.hold_budget(payment, plan, now=utcnow(), today=park_today())
    return payment


def _with(status: PaymentStatus, user) -> Payment | None:
    return db.session.scalar(db.select(Payment).filter_by(user_id=user.id, status=status)
                             .order_by(Payment.id))


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=OPERATIONS)
# A paid booking with a card share cancelled: its card money goes back through Stripe.
@example(operations=[("allocate", 100), ("hold", 500), ("capture", 100), ("refund", 100)])
def test_random_budget_lives_keep_every_ledger_invariant(app, make, stripe, operations):
    kit = BookingKit(make)
    user = put_on_roster(kit.enterprise, kit.employee())
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    plan = programme(make, kit.enterprise, amount_minor=50_000, funded_minor=1_000_000)
    for index, (operation, amount) in enumerate(operations):
        service = kit.service(price_minor=amount + 1) if operation == "hold" else None
        try:
            with db.session.begin_nested():
                if operation == "allocate":
                    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
                elif operation == "hold":
                    _hold(kit, service, user, plan, amount, index, stripe)
                elif operation == "capture" and (payment := _with(PaymentStatus.PENDING, user)):
                    checkout.settle(payment, db.session.get(Booking, payment.booking_id),
                                     actor=None, now=utcnow())
                elif operation == "release" and (payment := _with(PaymentStatus.PENDING, user)):
                    checkout.release(payment, now=utcnow(), cancel_intent=False)
                elif operation == "refund" and (payment := _with(PaymentStatus.PAID, user)):
                    booking_services.cancel_booking(db.session.get(Booking, payment.booking_id),
                                                    actor=user, now=utcnow())
                elif operation == "expire":
                    budgets.expire_budgets(plan, today=park_today() + timedelta(days=400),
                                           now=utcnow())
                elif operation == "deactivate":
                    entry = db.session.scalar(db.select(RosterEntry).filter_by(user_id=user.id))
                    if entry.is_active:
                        roster.deactivate_leaver(entry, actor=admin, now=utcnow())
        except DomainError:
            pass  # a refusal (not enough budget, a closed booking) changes nothing
        db.session.commit()
        assert ledger.check_ledger() == [], f"after {operation} #{index}"
