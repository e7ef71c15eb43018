"""Command-line tasks: ``flask seed-demo``."""

from __future__ import annotations

import sys

import click
from flask import Flask

from core.clock import utcnow
from core.db import db
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


def init_app(app: Flask) -> None:
    from marketplace.scale_cli import seed_scale_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale_command)
