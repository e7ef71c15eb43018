"""Concurrency tests: PostgreSQL only, real commits, many connections and processes, on a
throw-away database of their own (created and dropped here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.db import db
from marketplace import create_app
from tests.conftest import base_config, require_postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    server = make_url(require_postgres())
    name = f"parkwell_booking_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_for(url: str, *, pool_size: int = 40, **settings):
    """An app on ``url`` with a pool big enough for every thread of a story to hold a
    connection at once (a thread waiting for the pool would hide the race)."""
    config = base_config(url) | {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": pool_size, "max_overflow": 0,
                                      "pool_timeout": 60}} | settings
    return create_app(config)


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        for engine in app.extensions.get("ledger_account_engine", {}).values():
            engine.dispose()


@pytest.fixture
def pg_app(pg_url):
    app = app_for(pg_url)
    with app.app_context():
        db.create_all()
        yield app
    _dispose(app)


@pytest.fixture
def make_pg_app(pg_url):
    """Make the story's own app on the throw-away database (tables created), with its pool
    size and settings: ``make_pg_app(pool_size=20, BOOKING_HOLD_MINUTES=60)``. Every engine
    it opened is closed afterwards, so that the database can be dropped."""
    made = []

    def make(*, pool_size: int = 40, **settings):
        app = app_for(pg_url, pool_size=pool_size, **settings)
        with app.app_context():
            db.create_all()
        made.append(app)
        return app

    yield make
    for app in made:
        _dispose(app)
