"""Benefits objects with defaults: a funded programme and employees on its roster."""

from __future__ import annotations

from datetime import date

from benefits import budgets, ledger
from benefits.models import AccountKind, BudgetPeriod, RosterEntry
from booking import services as booking_services
from core.accounts.models import Enterprise, Role, User
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.fakes.stripe_events import signed


def roster_employee(make, enterprise: Enterprise, *, department: str = "研发部",
                    grade: str = "P5", **user_overrides) -> User:
    user = make.user(Role.EMPLOYEE, enterprise=enterprise, **user_overrides)
    return put_on_roster(enterprise, user, department=department, grade=grade)


def put_on_roster(enterprise: Enterprise, user: User, *, department: str = "研发部",
                  grade: str = "P5") -> User:
    db.session.add(RosterEntry(enterprise=enterprise, user=user, employee_no=f"E{user.id:05d}",
                               name=user.display_name, email=user.email, mobile=user.mobile,
                               department=department, grade=grade, is_active=True,
                               created_at=utcnow()))
    db.session.commit()
    return user


def programme(make, enterprise: Enterprise, *, amount_minor: int = 100_000,
              funded_minor: int = 10_000_000, **overrides):
    admin = make.user(Role.PLATFORM_ADMIN)
    data = budgets.ProgrammeInput(**{
        "name": "健康福利", "period": BudgetPeriod.MONTHLY, "amount_minor": amount_minor,
        "starts_on": date(2026, 1, 1)} | overrides)
    created = budgets.create_programme(enterprise, data, actor=admin, now=utcnow())
    if funded_minor:
        budgets.record_bank_transfer(created, amount_minor=funded_minor,
                                     bank_reference=f"TEST-{created.id}", actor=admin,
                                     now=utcnow())
    db.session.commit()
    return created


WEBHOOK_SECRET = "whsec_test_secret"


def funded_employee(make, kit, *, budget_minor: int):
    """An employee of the kit's enterprise, on its roster, with this period's budget."""
    user = put_on_roster(kit.enterprise, kit.employee())
    plan = programme(make, kit.enterprise, amount_minor=budget_minor)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    return user, plan


def held_booking(kit, user, *, price_minor: int):
    service = kit.service(price_minor=price_minor, title_en="Acupuncture")
    booking = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                         starts_at=kit.slot(), actor=user, now=utcnow())
    db.session.commit()
    return booking


def deliver(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp=None):
    """POST a webhook event signed with Stripe's scheme."""
    body, signature = signed(event, secret, timestamp=timestamp)
    return client.post("/api/v1/payments/stripe/webhook", data=body,
                       headers={"Stripe-Signature": signature,
                                "Content-Type": "application/json"})


def bare_accounts():
    """Outside funding, a programme's pot and one employee budget, with no programme or
    person behind them: for the ledger's own tests."""
    now = utcnow()
    source = ledger.get_account(AccountKind.EXTERNAL_FUNDING, currency="CNY", now=now)
    pot = ledger.get_account(AccountKind.PROGRAMME_FUNDS, currency="CNY", now=now,
                             enterprise_id=None, programme_id=None, period_key="pot")
    budget = ledger.get_account(AccountKind.EMPLOYEE_BUDGET, currency="CNY", now=now,
                                user_id=None, period_key="2026-11")
    return source, pot, budget
