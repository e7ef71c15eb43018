"""Commands: ``flask ledger check`` and the periodic budget jobs."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from benefits import budgets, ledger, reconcile, stripe_gateway, usage
from benefits.models import BudgetProgramme
from core.cli import report_problems
from core.clock import utcnow
from core.db import db
from core.i18n import park_today

ledger_cli = AppGroup("ledger", help="The double-entry ledger.")
budgets_cli = AppGroup("budgets", help="Budget programmes.")
payments_cli = AppGroup("payments", help="Card payments through Stripe.")


@ledger_cli.command("check")
def check_command() -> None:
    """Verify every invariant of the ledger; exit 1 when anything is wrong."""
    report_problems(ledger.check_ledger(), all_well="ledger ok")


@ledger_cli.command("rebuild-usage")
def rebuild_usage_command() -> None:
    """Recompute the budget usage summary from the ledger entries (after a bulk load or
    a restore that bypassed the application)."""
    rows = usage.rebuild()
    db.session.commit()
    click.echo(f"budget usage rebuilt: {rows} rows")


@budgets_cli.command("run-periods")
def run_periods_command() -> None:
    """Allocate the current period of every active programme and expire past ones."""
    today, now = park_today(), utcnow()
    for programme in db.session.scalars(db.select(BudgetProgramme).where(
            BudgetProgramme.is_active.is_(True)).order_by(BudgetProgramme.id)):
        result = budgets.allocate_period(programme, on=today, actor=None, now=now)
        returned = budgets.expire_budgets(programme, today=today, now=now)
        db.session.commit()
        click.echo(f"programme {programme.id}: {result.period_key} allocated to "
                   f"{result.employees}, {returned} expired")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Compare Stripe's payment intents with our payments; exit 1 on any difference."""
    if not stripe_gateway.card_payments_enabled():
        click.echo("Stripe is not configured (STRIPE_SECRET_KEY): nothing to reconcile.")
        return
    report_problems(reconcile.reconcile(), all_well="payments match Stripe")


def init_app(app: Flask) -> None:
    app.cli.add_command(ledger_cli)
    app.cli.add_command(budgets_cli)
    app.cli.add_command(payments_cli)
