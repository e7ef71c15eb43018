"""``flask audit prune``: the audit log's retention, run from cron (e.g. monthly)."""

from __future__ import annotations

import gzip
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from core.audit.services import DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, prune
from core.clock import utcnow
from core.db import db

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("prune")
@click.option("--older-than-days", type=click.IntRange(min=MIN_RETENTION_DAYS), default=None,
              help="Delete entries older than this many days (at least "
                   f"{MIN_RETENTION_DAYS}); default: AUDIT_RETENTION_DAYS.")
@click.option("--archive", "archive_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="First write the entries to this file as JSON Lines "
                                 "(gzip-compressed when it ends in .gz); it must not exist.")
def prune_command(older_than_days: int | None, archive_path: Path | None) -> None:
    """Delete old audit entries, and record that it was done and how many went."""
    days = older_than_days if older_than_days is not None else int(
        current_app.config.get("AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise click.UsageError(f"AUDIT_RETENTION_DAYS is {days}: audit entries must be kept "
                               f"at least {MIN_RETENTION_DAYS} days.")
    if archive_path is None:
        count = prune(older_than_days=days, now=utcnow())
        db.session.commit()
        click.echo(f"pruned {count} audit entries older than {days} days")
        return
    if archive_path.exists():
        raise click.UsageError(f"{archive_path} exists: choose a new file for the archive.")
    # Written beside the target and renamed only once the deletion has committed, so that a
    # file under the final name always holds exactly what left the database.
    partial = archive_path.with_name(archive_path.name + ".partial")
    opener = gzip.open if archive_path.suffix == ".gz" else open
    try:
        with opener(partial, "wt", encoding="utf-8") as out:
            count = prune(older_than_days=days, now=utcnow(), archive=out.write)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        raise
    partial.rename(archive_path)
    click.echo(f"pruned {count} audit entries older than {days} days, archived to "
               f"{archive_path}")


def init_app(app: Flask) -> None:
    app.config.setdefault("AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    app.cli.add_command(audit_cli)
