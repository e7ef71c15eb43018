"""On PostgreSQL with real commits from fifty connections: one employee checks out fifty held
bookings of a capped category at once. The cap is a share of the period's allocation
(12 % of ¥2,000 = ¥240); whatever the interleaving, at most the cap is spent, every refusal is
a clear domain error, and ``flask ledger check`` (caps included) finds nothing wrong."""

from __future__ import annotations

from sqlalchemy import func, select

from benefits import budgets, checkout, ledger
from benefits.models import Payment, PaymentStatus
from booking import services as booking_services
from booking.models import Booking
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import programme, put_on_roster
from tests.booking.factories import BookingKit
from tests.concurrency.crowd import all_at_once, errors
from tests.factories import Factories

CHECKOUTS = 50
PRICE = 2_400
ALLOCATION = 200_000
CAP_BASIS_POINTS = 1_200  # 12 %: 24,000 fen, ten bookings' worth
CAP = ALLOCATION * CAP_BASIS_POINTS // 10_000


def _fifty_held_bookings(kit: BookingKit, user: User) -> list[int]:
    service = kit.service(price_minor=PRICE, title_en="Acupuncture")
    starts = [kit.slot(days=day, hour=hour) for day in range(3, 8) for hour in range(8, 18)]
    ids = []
    for starts_at in starts[:CHECKOUTS]:
        booking = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                             starts_at=starts_at, actor=user, now=utcnow())
        db.session.flush()
        ids.append(booking.id)
    db.session.commit()
    return ids


def test_fifty_parallel_checkouts_against_a_capped_category_spend_at_most_the_cap(
        make_pg_app):
    # Fifty transactions queue on one person's budget lock; on a loaded machine the last
    # waits longer than the production guard (5 s), which is not what is tested here.
    app = make_pg_app(pool_size=CHECKOUTS, BOOKING_HOLD_MINUTES=60, DB_LOCK_TIMEOUT_MS=0)
    with app.app_context():
        make = Factories()
        kit = BookingKit(make)
        user = put_on_roster(kit.enterprise, kit.employee())
        plan = programme(make, kit.enterprise, amount_minor=ALLOCATION,
                         caps=[budgets.CapInput("tcm", cap_basis_points=CAP_BASIS_POINTS)])
        budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
        db.session.commit()
        booking_ids = _fifty_held_bookings(kit, user)
        user_id, plan_id = user.id, plan.id

        def pay(booking_id: int) -> str:
            booking = db.session.get(Booking, booking_id)
            result = checkout.start_checkout(booking, actor=db.session.get(User, user_id),
                                             now=utcnow(), today=park_today())
            return result.payment.status.value

        results = all_at_once(app, booking_ids, pay)

        assert errors(results) == []
        assert results.count("paid") == CAP // PRICE
        # Quoted before the cap ran out: refused under the lock; after: no card to pay with.
        assert set(results) <= {"paid", "insufficient_funds", "card_payment_unavailable"}
        db.session.expire_all()
        spent = db.session.scalar(select(func.sum(Payment.budget_minor)).where(
            Payment.status == PaymentStatus.PAID))
        assert spent == CAP
        plan = db.session.get(type(plan), plan_id)
        assert budgets.spendable(user_id, plan, category="tcm",
                                 today=park_today()).available_minor == 0
        assert ledger.check_ledger() == []

