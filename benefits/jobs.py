"""The benefits' periodic jobs, run by the worker (``core.jobs.periodic``): the budget
programmes' period runs (allocate the current period, expire past ones), the ledger check
and the Stripe reconciliation as a dry run. What they find wrong is alerted: logged at ERROR
(``payments alert`` / ``ledger alert``), which the log shipping turns into a page; nothing is
repaired without a person (``flask payments reconcile --apply``)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from benefits import budgets, ledger, reconcile, stripe_gateway
from benefits.models import BudgetProgramme
from core.clock import today_in
from core.db import db
from core.jobs import periodic

log = logging.getLogger(__name__)


def run_periods(now: datetime) -> int:
    """Allocate the current period of every active programme and expire past ones, one
    programme per transaction. Returns how many employees were allocated."""
    today = today_in(now=now)
    allocated = 0
    ids = list(db.session.scalars(select(BudgetProgramme.id).where(
        BudgetProgramme.is_active.is_(True)).order_by(BudgetProgramme.id)))
    for programme_id in ids:
        programme = db.session.get_one(BudgetProgramme, programme_id)
        result = budgets.allocate_period(programme, on=today, actor=None, now=now)
        budgets.expire_budgets(programme, today=today, now=now)
        db.session.commit()
        allocated += result.employees
    return allocated


def check_ledger(_now: datetime) -> int:
    problems = ledger.check_ledger()
    for problem in problems:
        log.error("ledger alert: %s", problem)
    return len(problems)


def reconcile_dry_run(now: datetime) -> int:
    if not stripe_gateway.card_payments_enabled():
        return 0
    found = reconcile.findings(apply=False, now=now)
    for finding in found:
        log.error("payments alert: reconcile found %s", finding.line(applied=False))
    return len(found)


def init_app(app: Flask) -> None:
    periodic.register(app, "budget_periods", run_periods,
                      setting="JOB_BUDGET_PERIODS_SECONDS", default_seconds=3600)
    periodic.register(app, "ledger_check", check_ledger,
                      setting="JOB_LEDGER_CHECK_SECONDS", default_seconds=3600)
    periodic.register(app, "payments_reconcile", reconcile_dry_run,
                      setting="JOB_RECONCILE_SECONDS", default_seconds=86400)
