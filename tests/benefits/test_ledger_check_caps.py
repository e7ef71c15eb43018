"""``flask ledger check`` checks caps too: a category spent beyond its share of the
allocation makes the command fail and name it, however the spending got past the lock."""

from __future__ import annotations

from datetime import date

from benefits import budgets, ledger
from benefits.models import TransactionKind
from core.clock import utcnow
from core.db import db
from tests.benefits.factories import programme, roster_employee

NOV = date(2026, 11, 15)


def _capped(make):
    enterprise = make.enterprise()
    user = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=100_000, caps=[
        budgets.CapInput(category="travel_wellness", cap_basis_points=3000)])
    budgets.allocate_period(plan, on=NOV, actor=None, now=utcnow())
    account = budgets.spendable(user.id, plan, category=None, today=NOV).accounts[0]
    return plan, account


def _spend_on_travel(plan, account, amount_minor: int) -> None:
    ledger.transfer(TransactionKind.HOLD, source=account,
                    target=budgets.funds_account(plan, now=utcnow()), amount_minor=amount_minor,
                    now=utcnow(), category="travel_wellness")
    db.session.commit()


def test_flask_ledger_check_passes_when_spending_keeps_within_the_cap(app, make, runner):
    _spend_on_travel(*_capped(make), 30_000)

    result = runner.invoke(args=["ledger", "check"])

    assert result.exit_code == 0 and "ledger ok" in result.output


def test_flask_ledger_check_fails_on_a_category_spent_beyond_its_cap(app, make, runner):
    # Posted around the checkout (as parallel checkouts once managed): the balance allows it,
    # only the cap does not.
    _spend_on_travel(*_capped(make), 30_001)

    result = runner.invoke(args=["ledger", "check"])

    assert result.exit_code == 1
    assert "travel_wellness spent 30001 beyond its cap 30000" in result.output
