"""Backups: a database with money in it, dumped with ``pg_dump -Fc`` and restored with
``pg_restore`` into a fresh database, keeps every row and passes the ledger check there
(docs/operations.md, "Backup and restore", run for real)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benefits import checkout, ledger
from booking import services as booking_services
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from demo.seed import row_counts
from marketplace import create_app
from tests.benefits.factories import WEBHOOK_SECRET, deliver, funded_employee, held_booking
from tests.booking.factories import BookingKit
from tests.conftest import base_config, require_postgres, require_postgres_client
from tests.factories import Factories
from tests.fakes.stripe_events import intent_event
from tests.fakes.stripe_server import FakeStripeServer

pytestmark = pytest.mark.postgres_only


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options and environment for pg_dump/pg_restore from a SQLAlchemy URL."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    options = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
               "-U", parsed.username or "postgres"]
    return options, env


@pytest.fixture
def two_databases() -> Iterator[tuple[str, str]]:
    """Two empty throw-away databases: the live one and the one the dump is restored into."""
    require_postgres_client()
    server = make_url(require_postgres())
    suffix = uuid.uuid4().hex[:8]
    names = [f"parkwell_faults_live_{suffix}", f"parkwell_faults_restored_{suffix}"]
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(server.set(database=n).render_as_string(hide_password=False)
                    for n in names)
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _world_with_money(app) -> None:
    """A funded programme, its allocation, a budget-only booking (hold, capture, fee), a
    split booking paid by card through Stripe's webhook, and a cancellation's refund."""
    make = Factories()
    kit = BookingKit(make)
    user, _plan = funded_employee(make, kit, budget_minor=50_000)
    paid = held_booking(kit, user, price_minor=30_000)
    checkout.start_checkout(paid, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    split = booking_services.hold_slot(paid.service, practitioner_id=kit.practitioner.id,
                                       starts_at=kit.slot(days=4), actor=user, now=utcnow())
    db.session.commit()
    result = checkout.start_checkout(split, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    intent = app.extensions["faults_stripe"].intents[result.payment.stripe_payment_intent_id]
    answer = deliver(app.test_client(),
                     intent_event("evt_backup_1", "payment_intent.succeeded", intent))
    assert answer.get_json()["result"] == "paid"
    db.session.expire_all()
    booking_services.cancel_booking(db.session.merge(paid), actor=user, now=utcnow(),
                                    reason="backup test")
    db.session.commit()


def test_a_dump_restored_into_a_fresh_database_keeps_every_row_and_balances(
        two_databases, tmp_path):
    live_url, restored_url = two_databases
    with FakeStripeServer() as stripe:
        live = create_app(base_config(live_url) | {
            "STRIPE_SECRET_KEY": "sk_test_fake", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe.url})
        live.extensions["faults_stripe"] = stripe.fake
        with live.app_context():
            db.create_all()
            _world_with_money(live)
            assert ledger.check_ledger() == []
            before = row_counts()
            transactions = before["ledger_transactions"]
            db.session.remove()
            db.engine.dispose()
    assert transactions >= 8, "the world should hold real money movements"

    dump = tmp_path / "parkwell.dump"
    options, env = _libpq(live_url)
    subprocess.run(["pg_dump", "-Fc", "--no-owner", *options, "-d",
                    make_url(live_url).database, "-f", str(dump)], check=True, env=env)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *options, "-d",
                    make_url(restored_url).database, str(dump)], check=True, env=env)

    restored = create_app(base_config(restored_url))
    with restored.app_context():
        assert row_counts() == before
        assert ledger.check_ledger() == []
        result = restored.test_cli_runner().invoke(args=["ledger", "check"])
        assert result.exit_code == 0 and "ledger ok" in result.output
        db.session.remove()
        db.engine.dispose()
