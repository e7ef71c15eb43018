"""``flask seed-demo``: the Xinjing Demo Park, with a progress bar (``flask seed-scale``, the
large park, is in ``demo.scale_cli``)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from core.clock import utcnow
from core.db import db
from demo.scale_cli import seed_scale_command
from demo.seed import DEMO_LOGINS, DEMO_PASSWORD, SEED_STAGES, seed_demo

__all__ = ["seed_demo_command", "seed_scale_command"]


@click.command("seed-demo")
@with_appcontext  # an entry-point command: Flask pushes no context for it by itself
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
