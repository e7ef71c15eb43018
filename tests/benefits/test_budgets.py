"""Budget programmes: funding, allocation by grade, caps and pots, rollover and expiry."""

from __future__ import annotations

from datetime import date

import pytest

from benefits import budgets, ledger
from benefits.errors import InsufficientFunds, InvalidAmount
from benefits.models import BudgetPeriod, RosterEntry, TransactionKind
from benefits.periods import period_bounds, period_key, previous_key
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.errors import Forbidden, InvalidInput, NotFound
from tests.benefits.factories import programme, roster_employee

NOV = date(2026, 11, 15)


@pytest.mark.parametrize(("period", "on", "key", "first", "last"), [
    (BudgetPeriod.MONTHLY, date(2026, 12, 31), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    (BudgetPeriod.QUARTERLY, date(2026, 11, 2), "2026-Q4", date(2026, 10, 1),
     date(2026, 12, 31)),
    (BudgetPeriod.YEARLY, date(2026, 2, 28), "2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_periods_have_keys_and_bounds(period, on, key, first, last):
    assert period_key(period, on) == key
    assert period_bounds(period, key) == (first, last)


def test_previous_period_crosses_the_year():
    assert previous_key(BudgetPeriod.MONTHLY, "2027-01") == "2026-12"
    assert previous_key(BudgetPeriod.QUARTERLY, "2027-Q1") == "2026-Q4"


def test_each_employee_gets_the_amount_for_their_grade_once(app, make):
    enterprise = make.enterprise()
    junior = roster_employee(make, enterprise, grade="P5")
    senior = roster_employee(make, enterprise, grade="P8", department="销售部")
    plan = programme(make, enterprise, amount_minor=50_000, amount_rules=[
        budgets.AmountRuleInput(amount_minor=80_000, grade="P8")])
    result = budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())
    budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())  # again: nothing changes
    assert result.employees == 2 and result.total_minor == 130_000
    assert budgets.spendable(junior.id, plan, category="tcm", today=NOV).available_minor == 50_000
    assert budgets.spendable(senior.id, plan, category="tcm", today=NOV).available_minor == 80_000
    assert budgets.funds_account(plan, now=utcnow()).balance_minor == 10_000_000 - 130_000
    assert ledger.check_ledger() == []


def test_allocation_needs_enough_money_in_the_programme(app, make):
    enterprise = make.enterprise()
    roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=50_000, funded_minor=10_000)
    with pytest.raises(InsufficientFunds):
        budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())


def test_a_category_cap_limits_what_the_budget_pays_for_it(app, make):
    enterprise = make.enterprise()
    user = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=100_000, caps=[
        budgets.CapInput(category="travel_wellness", cap_basis_points=3000)])
    budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())
    travel = budgets.spendable(user.id, plan, category="travel_wellness", today=NOV)
    assert travel.available_minor == 30_000
    assert budgets.spendable(user.id, plan, category="tcm", today=NOV).available_minor == 100_000


def test_childcare_has_a_pot_of_its_own(app, make):
    enterprise = make.enterprise()
    user = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=100_000, caps=[
        budgets.CapInput(category="childcare", pot_amount_minor=200_000)])
    budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())
    assert budgets.spendable(user.id, plan, category="childcare",
                             today=NOV).available_minor == 200_000
    assert budgets.spendable(user.id, plan, category="tcm", today=NOV).available_minor == 100_000


def test_unspent_budget_rolls_over_up_to_the_limit_and_the_rest_expires(app, make):
    enterprise = make.enterprise()
    user = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=100_000, rollover_limit_minor=30_000,
                     expiry_days=0)
    budgets.allocate_period(plan, on=date(2026, 10, 10), actor=None, now=utcnow())
    budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())
    november = budgets.spendable(user.id, plan, category=None, today=NOV)
    assert november.available_minor == 130_000  # 100k fresh + 30k carried over
    returned = budgets.expire_budgets(plan, today=NOV, now=utcnow())
    assert returned == 70_000  # what October kept beyond the rollover
    assert budgets.expire_budgets(plan, today=NOV, now=utcnow()) == 0
    assert ledger.check_ledger() == []


def test_a_period_can_still_be_spent_during_its_grace_days(app, make):
    enterprise = make.enterprise()
    user = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=100_000, expiry_days=10)
    budgets.allocate_period(plan, on=date(2026, 10, 10), actor=None, now=utcnow())
    early_november = date(2026, 11, 5)
    assert budgets.spendable(user.id, plan, category=None,
                             today=early_november).available_minor == 100_000
    assert budgets.expire_budgets(plan, today=early_november, now=utcnow()) == 0
    assert budgets.expire_budgets(plan, today=date(2026, 11, 11), now=utcnow()) == 100_000


@pytest.mark.parametrize(("overrides", "error"), [
    ({"amount_minor": -1}, InvalidAmount),
    ({"amount_minor": 10**12}, InvalidAmount),
    ({"caps": [budgets.CapInput(category="tcm", cap_basis_points=12000)]}, InvalidInput),
    ({"caps": [budgets.CapInput(category="tcm")]}, InvalidInput),
    ({"amount_rules": [budgets.AmountRuleInput(amount_minor=1)]}, InvalidInput),
])
def test_nonsense_programmes_are_refused(app, make, overrides, error):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    data = budgets.ProgrammeInput(**{"name": "x", "period": BudgetPeriod.MONTHLY,
                                     "amount_minor": 100, "starts_on": NOV} | overrides)
    with pytest.raises(error):
        budgets.create_programme(enterprise, data, actor=admin, now=utcnow())


def test_only_the_enterprises_own_admin_creates_programmes(app, make):
    enterprise, other = make.enterprise(), make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=other)
    employee = make.user(Role.EMPLOYEE, enterprise=enterprise)
    data = budgets.ProgrammeInput(name="x", period=BudgetPeriod.MONTHLY, amount_minor=1,
                                  starts_on=NOV)
    with pytest.raises(NotFound):
        budgets.create_programme(enterprise, data, actor=admin, now=utcnow())
    with pytest.raises(Forbidden):
        budgets.create_programme(enterprise, data, actor=employee, now=utcnow())


def test_only_platform_admins_record_bank_transfers(app, make):
    enterprise = make.enterprise()
    plan = programme(make, enterprise, funded_minor=0)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    with pytest.raises(Forbidden):
        budgets.record_bank_transfer(plan, amount_minor=100, bank_reference="x", actor=admin,
                                     now=utcnow())


def test_roster_entries_without_an_account_get_no_budget_yet(app, make):
    enterprise = make.enterprise()
    db.session.add(RosterEntry(enterprise=enterprise, employee_no="X1", name="新人",
                               email="new@example.com", department="d", grade="g",
                               created_at=utcnow()))
    db.session.commit()
    plan = programme(make, enterprise)
    assert budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow()).employees == 0


def _hold(user, plan, *, amount: int, category: str, today, key: str):
    """Spend ``amount`` of ``category`` as a checkout's hold does, from the oldest period."""
    spend = budgets.spendable(user.id, plan, category=category, today=today)
    legs, remaining = [], amount
    for account, room in zip(spend.accounts, spend.room, strict=True):
        take = min(room, remaining)
        if take:
            legs.append(ledger.Leg(account, -take))
            remaining -= take
    assert remaining == 0, "more than the cap allows"
    target = budgets.funds_account(plan, now=utcnow())
    legs.append(ledger.Leg(target, amount))
    ledger.post(TransactionKind.HOLD, legs, now=utcnow(), reference=key, category=category)


def test_a_periods_leftover_cannot_be_spent_on_a_capped_category_beyond_that_periods_cap(
        app, make):
    enterprise = make.enterprise()
    user = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=100_000, expiry_days=31, caps=[
        budgets.CapInput(category="travel_wellness", cap_basis_points=3000)])
    budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())
    _hold(user, plan, amount=30_000, category="travel_wellness", today=NOV, key="t1")
    december = date(2026, 12, 3)
    budgets.allocate_period(plan, on=december, actor=None, now=utcnow())
    # November's 70,000 is still spendable, but not on travel: its 30 % went already.
    travel = budgets.spendable(user.id, plan, category="travel_wellness", today=december)
    assert travel.available_minor == 30_000
    assert budgets.spendable(user.id, plan, category="tcm", today=december).available_minor \
        == 170_000
    _hold(user, plan, amount=30_000, category="travel_wellness", today=december, key="t2")
    assert budgets.spendable(user.id, plan, category="travel_wellness",
                             today=december).available_minor == 0
    db.session.commit()
    assert ledger.check_ledger() == []


def test_ledger_check_reports_a_category_spent_beyond_its_cap(app, make):
    enterprise = make.enterprise()
    user = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=100_000, caps=[
        budgets.CapInput(category="travel_wellness", cap_basis_points=3000)])
    budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())
    account = budgets.spendable(user.id, plan, category=None, today=NOV).accounts[0]
    # Posted around the checkout, as the parallel checkouts used to manage.
    ledger.transfer(TransactionKind.HOLD, source=account,
                    target=budgets.funds_account(plan, now=utcnow()), amount_minor=30_001,
                    now=utcnow(), category="travel_wellness")
    db.session.commit()
    assert ledger.check_ledger() == [
        f"account {account.id}: travel_wellness spent 30001 beyond its cap 30000 "
        "(3000 basis points of the allocation)"]
