"""``flask seed-scale``: the large park of ``demo.seed_scale``, with a progress bar."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import text

from core.clock import utcnow
from core.db import db
from demo.seed_scale import PASSWORD, ScaleSize, scale_park_exists, seed_scale, summary

DEFAULTS = ScaleSize()
STEPS = 11  #: the seeder's nine steps, the commit, and VACUUM ANALYZE


def analyse() -> None:
    """Give PostgreSQL's planner statistics of the new rows (and set the visibility map,
    for index-only scans) at once, rather than whenever autovacuum gets round to it: a
    freshly loaded database without statistics picks nested loops over millions of rows."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


@click.command("seed-scale")
@with_appcontext  # an entry-point command: Flask pushes no context for it by itself
@click.option("--employees", default=DEFAULTS.employees, show_default=True, type=click.IntRange(2))
@click.option("--enterprises", default=DEFAULTS.enterprises, show_default=True,
              type=click.IntRange(1))
@click.option("--providers", default=DEFAULTS.providers, show_default=True,
              type=click.IntRange(1))
@click.option("--services", default=DEFAULTS.services, show_default=True, type=click.IntRange(1))
@click.option("--practitioners-per-provider", default=DEFAULTS.practitioners_per_provider,
              show_default=True, type=click.IntRange(1))
@click.option("--days", default=DEFAULTS.days, show_default=True, type=click.IntRange(1),
              help="Days of schedules (and future bookings) ahead.")
@click.option("--past-days", default=DEFAULTS.past_days, show_default=True,
              type=click.IntRange(1), help="Days of past bookings.")
@click.option("--bookings", default=DEFAULTS.bookings, show_default=True,
              type=click.IntRange(0))
@click.option("--health-share", default=DEFAULTS.health_share, show_default=True,
              type=click.FloatRange(0, 1), help="Share of employees with a health profile.")
@click.option("--feed-events", default=DEFAULTS.feed_events, show_default=True,
              type=click.IntRange(0), help="Bookings in the flagship provider's feed.")
@click.option("--scale", "factor", default=1.0, show_default=True,
              type=click.FloatRange(0.0001), help="Multiply every count above by this.")
@click.option("--seed", default=10, show_default=True, help="Random seed (same data each run).")
def seed_scale_command(factor: float, seed: int, **sizes) -> None:
    """Create the large Scale Test Park for benchmarks (bulk inserts; a few minutes on
    PostgreSQL at the defaults). Does nothing when it exists already."""
    if scale_park_exists():
        click.echo("The Scale Test Park exists already: nothing to do.")
        return
    size = ScaleSize(**sizes)
    if factor != 1.0:
        size = size.scaled(factor)
    started = last = time.monotonic()
    timings = []
    with click.progressbar(length=STEPS, label="Seeding the Scale Test Park",
                           show_eta=False, item_show_func=lambda step: step) as bar:
        def report(step: str, _count: int) -> None:
            nonlocal last
            timings.append(f"{step} {time.monotonic() - last:.1f} s")
            last = time.monotonic()
            bar.update(1, step)
        try:
            counts = seed_scale(size, now=utcnow(), seed=seed, progress=report)
        except ValueError as exc:  # more bookings than the practitioners' hours hold
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        report("commit", 0)
        analyse()
        report("vacuum analyze", 0)
    click.echo(f"Done in {time.monotonic() - started:.0f} s ({', '.join(timings)}). "
               "Rows written:")
    click.echo(summary(counts), nl=False)
    click.echo(f"Logins: e000001@scale.parkwell.demo … (employees), owner0001@… (providers), "
               f"committee@…; password {PASSWORD}")
