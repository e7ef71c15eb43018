"""``parkwell``: the operator's command. It is Flask's CLI for ParkWell (every ``flask …``
command works as ``parkwell …``: ``parkwell db upgrade``, ``parkwell ledger check``) with
the everyday ones named plainly:

- ``parkwell serve``: gunicorn with ParkWell's settings (``gunicorn.conf.py``); extra
  arguments go to gunicorn (``parkwell serve --bind 127.0.0.1:8000``).
- ``parkwell worker``: the job worker (holds, reminders, offers, imports).
- ``parkwell migrate``: bring the database schema up to date (``flask db upgrade``).
- ``parkwell seed``: the demo park (``flask seed-demo``).
- ``parkwell checks``: configuration, readiness and the books; exit 1 on any problem
  (``flask checks``, marketplace.checks).
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import FlaskGroup, with_appcontext


def _create_app():
    from marketplace import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, set_debug_flag=False,
             help="ParkWell: serve, work, migrate, seed and check (and every flask command).")
def main() -> None:
    """The console script."""


@main.command("serve", context_settings={"ignore_unknown_options": True,
                                         "allow_extra_args": True}, with_appcontext=False)
@click.pass_context
def serve_command(ctx: click.Context) -> None:
    """Serve ParkWell with gunicorn (settings: gunicorn.conf.py and GUNICORN_* variables);
    any further arguments are gunicorn's."""
    from core.config import ASSET_ROOT

    args = [sys.executable, "-m", "gunicorn", "-c", str(ASSET_ROOT / "gunicorn.conf.py"),
            *ctx.args, "parkwell.wsgi:app"]
    # Flask's CLI marks its own processes as commands; gunicorn serves requests, so the
    # checks for serving (core.config.unsafe_settings) must apply to it.
    env = {k: v for k, v in os.environ.items() if k != "FLASK_RUN_FROM_CLI"}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, args, env)  # noqa: S606 - our own interpreter, fixed module


@main.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Bring the database schema up to date (flask db upgrade)."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("database schema is current")


@main.command("seed")
@click.pass_context
def seed_command(ctx: click.Context) -> None:
    """Create (or complete) the demo park (flask seed-demo)."""
    from demo.cli import seed_demo_command

    ctx.invoke(seed_demo_command)
