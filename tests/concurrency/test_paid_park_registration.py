"""A paid event's last places under contention, on PostgreSQL with real commits from
separate connections: thirty employees register and pay from their budgets at once for the
last two places; exactly two are confirmed and paid, nobody else's budget moves, and the
ledger stays clean. Then the event is cancelled and everyone is refunded."""

from __future__ import annotations

from sqlalchemy import func, select

from benefits import budgets, ledger
from benefits.models import AccountKind, LedgerAccount, Payment, PaymentStatus, RosterEntry
from core.accounts.models import Role, User
from core.accounts.services import add_membership
from core.clock import to_zone, utcnow
from core.db import db
from park import paying, registration, services
from park.errors import SessionFull
from park.models import EventSession, Registration, RegistrationStatus
from tests.benefits.factories import programme
from tests.concurrency.crowd import all_at_once, errors
from tests.factories import Factories
from tests.park.factories import ParkKit

THREADS = 30
PRICE = 5_000


def _funded_employees(kit: ParkKit, make: Factories, count: int) -> list[int]:
    now = utcnow()
    users = [User(email=f"paid-{n}-{kit.enterprise.id}@example.com", display_name=f"p{n}",
                  password_hash="x", is_active=True, session_version=1, created_at=now)
             for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        add_membership(user, role=Role.EMPLOYEE, enterprise=kit.enterprise, now=now)
        db.session.add(RosterEntry(enterprise=kit.enterprise, user=user,
                                   employee_no=f"P{user.id:05d}", name=user.display_name,
                                   email=user.email, department="研发部", grade="P5",
                                   is_active=True, created_at=now))
    db.session.commit()
    plan = programme(make, kit.enterprise, amount_minor=PRICE)
    budgets.allocate_period(plan, on=to_zone(now, kit.park.timezone).date(), actor=None,
                            now=now)
    db.session.commit()
    return [u.id for u in users]


def test_thirty_people_paying_for_the_last_two_places_never_overfill(pg_app):
    make = Factories()
    kit = ParkKit(make)
    session_id = kit.session(capacity=4, price_minor=PRICE).id
    crowd = _funded_employees(kit, make, THREADS + 2)
    early, crowd = crowd[:2], crowd[2:]
    for user_id in early:  # two places are already held by people who have not paid
        registration.register(db.session.get(EventSession, session_id),
                              actor=db.session.get(User, user_id), now=utcnow())
    db.session.commit()

    def attempt(user_id: int) -> str:
        user, now = db.session.get(User, user_id), utcnow()
        reg = registration.register(db.session.get(EventSession, session_id), actor=user,
                                    now=now)
        db.session.commit()  # the place is held; paying is the next request
        result = paying.pay(reg, actor=user, now=utcnow(),
                            today=to_zone(now, kit.park.timezone).date())
        return f"{reg.status.value}/{result.payment.status.value}"

    results = all_at_once(pg_app, crowd, attempt, refusals=(SessionFull,), barrier_seconds=10)

    assert errors(results) == []
    assert results.count("confirmed/paid") == 2
    assert results.count("session_full") == THREADS - 2
    db.session.expire_all()
    session = db.session.get(EventSession, session_id)
    assert session.places_taken == 4
    paid = db.session.scalar(select(func.count(Payment.id)).where(
        Payment.status == PaymentStatus.PAID))
    assert paid == 2
    income = ledger.get_account(AccountKind.EVENT_INCOME, currency="CNY", now=utcnow(),
                                park_id=kit.park.id)
    assert income.balance_minor == 2 * PRICE
    assert ledger.check_ledger() == []

    services.cancel_event(session.event, actor=db.session.get(User, kit.committee.id),
                          reason="", now=utcnow())
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(LedgerAccount, income.id).balance_minor == 0
    assert db.session.scalar(select(func.count(Payment.id)).where(
        Payment.status == PaymentStatus.REFUNDED)) == 2
    assert db.session.scalar(select(func.count(Registration.id)).where(
        Registration.status == RegistrationStatus.CANCELLED)) == 4
    assert ledger.check_ledger() == []
