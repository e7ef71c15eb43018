"""``flask park expire-offers``: the sweep that lapses unanswered waitlist offers and
passes their places on (run it every few minutes from cron or the worker)."""

from __future__ import annotations

import click
from flask import Flask

from core.clock import utcnow
from core.db import db
from park import registration


@click.command("expire-offers")
def expire_offers_command() -> None:
    count = registration.expire_offers(now=utcnow())
    db.session.commit()
    click.echo(f"{count} offer(s) lapsed")


def init_app(app: Flask) -> None:
    group = click.Group("park", help="Park events.")
    group.add_command(expire_offers_command)
    app.cli.add_command(group)
