"""Command-line tasks: ``flask seed-demo`` and ``flask reviews check|rebuild-ratings``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from core.cli import report_problems
from core.clock import utcnow
from core.db import db
from marketplace import ratings
from marketplace.seed import DEMO_LOGINS, DEMO_PASSWORD, SEED_STAGES, seed_demo


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create (or complete) the Xinjing Demo Park. Safe to run again."""
    with click.progressbar(length=len(SEED_STAGES), label="Seeding the demo park",
                           item_show_func=lambda stage: stage, file=sys.stderr) as bar:
        counts = seed_demo(now=utcnow(), progress=lambda stage: bar.update(1, stage))
    db.session.commit()
    click.echo("Xinjing Demo Park (新泾示范园区) is ready: " + ", ".join(
        f"{name} {count}" for name, count in counts.items() if count))
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login.email:<28} {login.what}")


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
    from marketplace.scale_cli import seed_scale_command

    app.cli.add_command(checks_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(reviews_cli)
