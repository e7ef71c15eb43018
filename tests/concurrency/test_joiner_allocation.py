"""On PostgreSQL with real commits from many connections: a joiner's budget is given once,
whatever runs at the same time: their own joining (a double-clicked acceptance), a roster
import that links them, and HR's allocation run, all at once."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import func, select

from benefits import budgets, ledger
from benefits.models import BudgetPeriod, LedgerTransaction, TransactionKind
from benefits.periods import period_bounds, period_key
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from marketplace import create_app
from tests.benefits.factories import programme, put_on_roster, roster_employee
from tests.conftest import base_config
from tests.factories import Factories

JOINS = 12


def test_a_joiner_is_given_their_budget_once_whatever_runs_alongside(pg_url):
    app = create_app(base_config(pg_url) | {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": JOINS + 4, "max_overflow": 0,
                                      "pool_timeout": 60}})
    with app.app_context():
        db.create_all()
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
        barrier = threading.Barrier(JOINS + 1)

        def run(index: int) -> str:
            with app.app_context():
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=20)
                try:
                    if index == 0:  # HR's run, alongside the joins
                        plan_now = db.session.get(type(plan), plan_id)
                        budgets.allocate_period(plan_now, on=park_today(), actor=None,
                                                now=utcnow())
                    else:
                        budgets.allocate_joiner(enterprise_id, user_id, today=park_today(),
                                                now=utcnow())
                    db.session.commit()
                    return "ok"
                except Exception as exc:  # reported, so that the test shows what went wrong
                    db.session.rollback()
                    return f"error: {exc!r}"
                finally:
                    db.session.remove()

        with ThreadPoolExecutor(max_workers=JOINS + 1) as pool:
            results = list(pool.map(run, range(JOINS + 1)))

        assert results == ["ok"] * (JOINS + 1)
        key = period_key(BudgetPeriod.MONTHLY, park_today())
        given = db.session.scalar(select(func.count()).select_from(LedgerTransaction).where(
            LedgerTransaction.kind == TransactionKind.ALLOCATION,
            LedgerTransaction.reference.like(f"allocation:p{plan_id}:u{user_id}:{key}:%")))
        assert given == 2  # the general budget and the childcare pot, once each
        assert ledger.check_ledger() == []
        db.session.remove()
        db.engine.dispose()
        for engine in app.extensions.get("ledger_account_engine", {}).values():
            engine.dispose()
