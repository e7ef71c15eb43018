"""``flask care expire-unpaid``: the sweep that ends pending family-physician agreements
whose time to pay has passed, releasing their budget holds and card intents. ``flask worker``
runs it in every round; the command is for running it by hand."""

from __future__ import annotations

import click
from flask import Flask

from care import payments
from care.models import CareAgreement
from core.clock import utcnow
from core.db import db
from core.jobs import periodic


def expire_unpaid(*, now) -> int:
    """One transaction per agreement: a transaction never holds one person's lock while it
    waits for another's."""
    count = 0
    for agreement_id in payments.lapsed_ids(now=now):
        count += payments.expire_unpaid(db.session.get(CareAgreement, agreement_id), now=now)
        db.session.commit()
    return count


@click.command("expire-unpaid")
def expire_unpaid_command() -> None:
    count = expire_unpaid(now=utcnow())
    click.echo(f"{count} unpaid agreement(s) expired")


def init_app(app: Flask) -> None:
    periodic.register(app, "care_expire_unpaid", lambda now: expire_unpaid(now=now))
    group = click.Group("care", help="Family physicians.")
    group.add_command(expire_unpaid_command)
    app.cli.add_command(group)
