"""Commands: ``flask ledger check`` and the periodic budget jobs."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from benefits import budgets, incidents, ledger, reconcile, stripe_gateway, usage
from benefits.models import BudgetProgramme
from core.cli import report_problems
from core.clock import today_in, utcnow
from core.db import db

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
    today, now = today_in(), utcnow()
    for programme in db.session.scalars(db.select(BudgetProgramme).where(
            BudgetProgramme.is_active.is_(True)).order_by(BudgetProgramme.id)):
        result = budgets.allocate_period(programme, on=today, actor=None, now=now)
        returned = budgets.expire_budgets(programme, today=today, now=now)
        db.session.commit()
        click.echo(f"programme {programme.id}: {result.period_key} allocated to "
                   f"{result.employees}, {returned} expired")


@payments_cli.command("reconcile")
@click.option("--apply", "apply_", is_flag=True,
              help="Repair what can be repaired (by default only report: a dry run).")
def reconcile_command(apply_: bool) -> None:
    """Compare Stripe's payment intents and charges with our payments; list the
    differences (and Stripe charges with no record here); with --apply repair what the
    missed webhooks would have done. Exit 1 on any difference."""
    if not stripe_gateway.card_payments_enabled():
        click.echo("Stripe is not configured (STRIPE_SECRET_KEY): nothing to reconcile.")
        return
    found = reconcile.findings(apply=apply_, now=utcnow())
    if apply_:
        db.session.commit()
        for finding in found:
            click.echo(finding.line(applied=True), err=finding.needs_a_person)
        if any(f.needs_a_person for f in found):
            raise SystemExit(1)  # what only a person can settle is left
        click.echo("payments match Stripe" if not found else "repaired")
        return
    if found:
        click.echo("dry run: nothing was changed; --apply repairs what says 'would'",
                   err=True)
    report_problems([f.line(applied=False) for f in found], all_well="payments match Stripe")


@payments_cli.command("incidents")
def incidents_command() -> None:
    """The most recent payment incidents (disagreeing amounts, refunds and disputes made on
    Stripe's side), newest first."""
    for incident in incidents.recent():
        click.echo(f"{incident.created_at:%Y-%m-%d %H:%M} {incident.kind.value} "
                   f"{incident.stripe_object_id} payment {incident.payment_id or '-'} "
                   f"{incident.amount_minor} {incident.currency or ''} {incident.detail}")


def init_app(app: Flask) -> None:
    app.cli.add_command(ledger_cli)
    app.cli.add_command(budgets_cli)
    app.cli.add_command(payments_cli)
