"""``flask audit prune``: the audit log's retention, run from cron (e.g. monthly)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from core.audit.services import DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, prune
from core.clock import utcnow
from core.db import db

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("prune")
@click.option("--older-than-days", type=click.IntRange(min=MIN_RETENTION_DAYS), default=None,
              help="Delete entries older than this many days (at least "
                   f"{MIN_RETENTION_DAYS}); default: AUDIT_RETENTION_DAYS.")
def prune_command(older_than_days: int | None) -> None:
    """Delete old audit entries, and record that it was done and how many went."""
    days = older_than_days if older_than_days is not None else int(
        current_app.config.get("AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise click.UsageError(f"AUDIT_RETENTION_DAYS is {days}: audit entries must be kept "
                               f"at least {MIN_RETENTION_DAYS} days.")
    count = prune(older_than_days=days, now=utcnow())
    db.session.commit()
    click.echo(f"pruned {count} audit entries older than {days} days")


def init_app(app: Flask) -> None:
    app.config.setdefault("AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    app.cli.add_command(audit_cli)
