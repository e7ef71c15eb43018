"""Benefits: enterprise rosters, budget programmes, the double-entry ledger, funding,
allocation, and (with booking) checkout, refunds and statements."""

from __future__ import annotations

from flask import Flask

from benefits import (
    booking_payments,
    cli,
    jobs,
    personal_data,
    policy,
    roster,
    series_payments,
    signals,
    stripe_local,
    views,
)
from core.jobs.services import register_kind
from core.policy import install_rules


def init_app(app: Flask) -> None:
    install_rules(app, policy.RULES)
    signals.connect()
    personal_data.init_app(app)
    booking_payments.init_app(app)
    series_payments.init_app(app)
    register_kind(app, roster.IMPORT_JOB)
    views.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    stripe_local.init_app(app)
