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


def app_for(url: str):
    config = base_config(url) | {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40, "max_overflow": 0, "pool_timeout": 60}}
    return create_app(config)


@pytest.fixture
def pg_app(pg_url):
    app = app_for(pg_url)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
