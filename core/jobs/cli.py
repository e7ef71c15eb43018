"""``flask worker``: runs the periodic jobs (the booking engine's hold expiry, 24 h and 2 h
reminders, and every other package's) on RQ when ``REDIS_URL`` is set, embedded
otherwise, and between them the imports people wait for (``core.jobs``). Several may run
at once."""

from __future__ import annotations

import click
from flask import Flask

from core.jobs import worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the due jobs once and stop (cron, make run).")
@click.option("--interval", type=click.IntRange(5, 3600),
              default=worker.DEFAULT_INTERVAL_SECONDS, show_default=True,
              help="Seconds between two rounds of jobs.")
def worker_command(burst: bool, interval: int) -> None:
    """Run due booking jobs (expire lapsed holds, send reminders, forget old keys) and
    queued imports (rosters, calendar uploads)."""
    worker.run_worker(burst=burst, interval=interval)


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
