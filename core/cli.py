"""What the checking commands (``flask ledger check``, ``flask reviews check``, ``flask
payments reconcile``) share: say each problem, and exit 1 when there is any."""

from __future__ import annotations

import click


def report_problems(problems: list[str], *, all_well: str) -> None:
    """Print ``problems`` to stderr and exit 1, or print ``all_well``."""
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(all_well)
