"""``flask park expire-offers``: the sweep that lapses unanswered waitlist offers and
passes their places on. ``flask worker`` runs it in every round; the command is for running
it by hand."""

from __future__ import annotations

import click
from flask import Flask

from core.clock import utcnow
from core.db import db
from core.jobs import periodic
from park import registration


def _expire_offers(now) -> int:
    count = registration.expire_offers(now=now)
    db.session.commit()
    return count


@click.command("expire-offers")
def expire_offers_command() -> None:
    click.echo(f"{_expire_offers(utcnow())} offer(s) lapsed")


def init_app(app: Flask) -> None:
    periodic.register(app, "park_expire_offers", _expire_offers)
    group = click.Group("park", help="Park events.")
    group.add_command(expire_offers_command)
    app.cli.add_command(group)
