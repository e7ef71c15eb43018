"""On PostgreSQL with real commits from many connections: a joiner's budget is given once,
whatever runs at the same time: their own joining (a double-clicked acceptance), a roster
import that links them, and HR's allocation run, all at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from benefits import budgets, ledger
from benefits.models import BudgetPeriod, LedgerTransaction, TransactionKind
from benefits.periods import period_bounds, period_key
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import programme, put_on_roster, roster_employee
from tests.concurrency.crowd import all_at_once
from tests.factories import Factories

JOINS = 12


def test_a_joiner_is_given_their_budget_once_whatever_runs_alongside(make_pg_app):
    app = make_pg_app(pool_size=JOINS + 4)
    with app.app_context():
        make = Factories()
        enterprise = make.enterprise()
        roster_employee(make, enterprise)
        plan = programme(make, enterprise, amount_minor=80_000, caps=[
            budgets.CapInput("childcare", pot_amount_minor=30_000)])
        start, _end = period_bounds(BudgetPeriod.MONTHLY,
                                    period_key(BudgetPeriod.MONTHLY, park_today()))
        budgets.allocate_period(plan, on=start, actor=None,
                                now=datetime(start.year, start.month, start.day, 1, tzinfo=UTC))
        joiner = put_on_roster(enterprise, make.user(Role.EMPLOYEE, enterprise=enterprise))
        db.session.commit()
        enterprise_id, user_id, plan_id = enterprise.id, joiner.id, plan.id
        def join_or_allocate(index: int) -> str:
            if index == 0:  # HR's run, alongside the joins
                plan_now = db.session.get(type(plan), plan_id)
                budgets.allocate_period(plan_now, on=park_today(), actor=None, now=utcnow())
            else:
                budgets.allocate_joiner(enterprise_id, user_id, today=park_today(),
                                        now=utcnow())
            return "ok"

        results = all_at_once(app, range(JOINS + 1), join_or_allocate, refusals=())

        assert results == ["ok"] * (JOINS + 1)
        key = period_key(BudgetPeriod.MONTHLY, park_today())
        given = db.session.scalar(select(func.count()).select_from(LedgerTransaction).where(
            LedgerTransaction.kind == TransactionKind.ALLOCATION,
            LedgerTransaction.reference.like(f"allocation:p{plan_id}:u{user_id}:{key}:%")))
        assert given == 2  # the general budget and the childcare pot, once each
        assert ledger.check_ledger() == []
