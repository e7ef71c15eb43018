"""Jobs for the worker or cron: ``flask providers-daily`` (licence reminders and expiry)
and ``flask providers-sync-calendars`` (subscribed calendars). Jobs commit for themselves."""

from __future__ import annotations

import sys

import click
from flask import Flask

from core.clock import utcnow
from core.db import db
from providers import feeds, verification


@click.command("providers-daily")
def daily_command() -> None:
    """Remind owners of licences that expire within 30 days; delist what expired ones
    covered. Safe to run more than once a day."""
    counts = verification.expire_credentials(now=utcnow())
    db.session.commit()
    click.echo(f"licence reminders: {counts['reminded']}, expired: {counts['expired']}")


@click.command("providers-sync-calendars")
def sync_calendars_command() -> None:
    """Re-import the busy time of every subscribed practitioner calendar (run it from the
    worker, e.g. every 15 minutes)."""
    with click.progressbar(length=0, label="Reading subscribed calendars",
                           file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        counts = feeds.sync_busy_calendars(now=utcnow(), progress=progress)
    db.session.commit()
    click.echo(f"calendars synced: {counts['synced']}, failed: {counts['failed']}")


def init_app(app: Flask) -> None:
    app.cli.add_command(daily_command)
    app.cli.add_command(sync_calendars_command)
