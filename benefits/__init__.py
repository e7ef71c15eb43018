"""Benefits: enterprise rosters, budget programmes, the double-entry ledger, funding,
allocation, and (with booking) checkout, refunds and statements."""

from __future__ import annotations

from flask import Flask

from benefits import cli, signals, views


def init_app(app: Flask) -> None:
    signals.connect()
    views.init_app(app)
    cli.init_app(app)
