"""Command-line tasks: ``flask checks`` and ``flask reviews check|rebuild-ratings`` (the demo
park's ``flask seed-demo`` and ``flask seed-scale`` are in ``demo.cli``)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from core.cli import report_problems
from core.db import db
from marketplace import ratings

reviews_cli = AppGroup("reviews", help="Reviews and the ratings kept from them.")


@reviews_cli.command("check")
def check_ratings_command() -> None:
    """Compare every service's kept rating with its visible reviews; exit 1 on any
    difference."""
    report_problems(ratings.check(), all_well="ratings ok")


@reviews_cli.command("rebuild-ratings")
def rebuild_ratings_command() -> None:
    """Recount every service's rating from its reviews (after a bulk load or a restore)."""
    rated = ratings.rebuild()
    db.session.commit()
    click.echo(f"ratings rebuilt: {rated} services rated")


@click.command("checks")
def checks_command() -> None:
    """Configuration, readiness (database, Redis, migrations, worker, holiday data) and the
    books (ledger, ratings): say each problem and exit 1 when there is any."""
    from flask import current_app

    from marketplace.checks import run_checks

    problems, warnings = run_checks(current_app)
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    report_problems(problems, all_well="all checks passed")


def init_app(app: Flask) -> None:
    # ``flask seed-demo`` and ``seed-scale`` come from the demo package, which sits outside
    # the app (it seeds through every package): Flask loads them from the "flask.commands"
    # entry points in pyproject.toml, so the composition root does not import it.
    app.cli.add_command(checks_command)
    app.cli.add_command(reviews_cli)
