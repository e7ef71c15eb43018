"""Shared fixtures. Every database test runs on SQLite and again on PostgreSQL when
``TEST_DATABASE_URL`` is set or a PostgreSQL answers on 127.0.0.1:5432 (it skips there
otherwise, and fails instead when ``PARKWELL_REQUIRE_POSTGRES=1``, as in CI). Every test runs
at a fixed instant (tests/clock.py)."""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core.db import db
from core.freshness import EPOCH, FreshnessStamp
from marketplace import create_app
from tests import url_builders
from tests.clock import test_instant
from tests.factories import Factories

url_builders.install()

BACKENDS = ["sqlite", "postgresql"]
_PG_SCHEMA_READY: set[str] = set()


LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _local_postgres() -> str | None:
    """A PostgreSQL answering on 127.0.0.1:5432 (trust auth, as on a developer's machine),
    used without being told: a database of this checkout's own on it (created on first use,
    named after the checkout's path so that two checkouts never share one)."""
    if os.environ.get("PARKWELL_LOCAL_POSTGRES") == "0":
        return None
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.3):
            pass
        admin = create_engine(LOCAL_POSTGRES, isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 2})
        name = "parkwell_test_" + hashlib.sha256(
            str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:10]
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                        {"n": name}).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except (OSError, SQLAlchemyError):
        return None
    return make_url(LOCAL_POSTGRES).set(database=name).render_as_string(hide_password=False)


@functools.cache
def _configured_postgres() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or _local_postgres()


def postgres_url() -> str | None:
    """The PostgreSQL database for this test process: ``TEST_DATABASE_URL`` (else a local
    PostgreSQL on 127.0.0.1:5432 if one answers), or under pytest-xdist a database of this
    worker's own next to it (created on first use)."""
    url = _configured_postgres()
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    if os.environ.get("PARKWELL_REQUIRE_POSTGRES") == "1":
        pytest.fail("PARKWELL_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    return None


_WORKER_DATABASES: dict[str, str] = {}


def _worker_database(url: str, worker: str) -> str:
    if url not in _WORKER_DATABASES:
        base = make_url(url)
        name = f"{base.database}_{worker}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                        {"n": name}).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        _WORKER_DATABASES[url] = base.set(database=name).render_as_string(hide_password=False)
    return _WORKER_DATABASES[url]


def require_postgres() -> str:
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL or a PostgreSQL answering on "
                    "127.0.0.1:5432 (bash .ci/run sets it)")
    return url


def require_postgres_client() -> None:
    """pg_dump and pg_restore, for the backup test: a skip with a reason on a machine
    without them, a failure in CI (whose PostgreSQL install brings them)."""
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return
    if os.environ.get("PARKWELL_REQUIRE_POSTGRES") == "1":
        pytest.fail("CI must have pg_dump and pg_restore (the PostgreSQL client)")
    pytest.skip("needs pg_dump and pg_restore (the PostgreSQL client)")


def require_redis() -> str:
    """The Redis URL for tests of features that need it: a skip with a reason on a machine
    without one, a failure in CI (which always sets it)."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    if os.environ.get("PARKWELL_REQUIRE_POSTGRES") == "1":
        pytest.fail("CI must set REDIS_URL")
    pytest.skip("needs REDIS_URL (bash .ci/run sets it)")


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Not the pool of DATABASE_URL's settings (core.config.engine_options) if one is set.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},  # core.connections checks
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Each test's memories stay its own (core.memo; tests of the shared level say so).
        "MEMO_SHARED": False,
        "SERVER_NAME": "parkwell.test",
        "MAIL_SERVER": None,
        "STRIPE_SECRET_KEY": None,
        "STRIPE_WEBHOOK_SECRET": None,
    }


@functools.cache
def _sqlite_schema_script() -> str:
    """The DDL of ``db.create_all()`` on SQLite, compiled once: compiling it for every test's
    fresh in-memory database cost more than running it."""
    from sqlalchemy import create_mock_engine

    statements: list[str] = []

    def record(sql, *_args, **_kwargs) -> None:
        statements.append(str(sql.compile(dialect=engine.dialect)))

    engine = create_mock_engine("sqlite://", record)
    db.metadata.create_all(engine, checkfirst=False)
    return ";\n".join(statements) + ";"


def _create_sqlite_schema() -> None:
    connection = db.engine.raw_connection()
    try:
        connection.driver_connection.executescript(_sqlite_schema_script())
    finally:
        connection.close()
    _new_epoch()


def _new_epoch() -> None:
    """What migration 0029 writes: each test's database is a new one, and what a process
    remembers under the counters of the one before must not match it (the tests' ids and
    counters start again from one)."""
    db.session.execute(FreshnessStamp.__table__.insert().values(
        key=EPOCH, version=secrets.randbits(62)))
    db.session.commit()


def _reset_postgres(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url not in _PG_SCHEMA_READY:
        # Every table there, also one the models no longer have (merged into another by a
        # later change), so that its foreign keys do not stop the others being dropped.
        existing = MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)
        db.create_all()
        _PG_SCHEMA_READY.add(url)
        _new_epoch()
        return
    # DELETE, child tables first: on mostly empty tables it is far cheaper than TRUNCATE,
    # which rewrites every table's files. Ids are not reset; no test relies on them.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    _new_epoch()


def _runs_at_the_wall_clock(request) -> bool:
    return bool(request.node.get_closest_marker("real_clock")
                or request.node.get_closest_marker("browser")
                or "browser" in request.path.parts)


@pytest.fixture(autouse=True, scope="module")
def _fixed_clock_for_the_module(request) -> Iterator[None]:
    """Module-scoped fixtures (a world built once for many tests) are built at the instant
    too, not at the wall clock."""
    if _runs_at_the_wall_clock(request):
        yield
        return
    with time_machine.travel(test_instant(), tick=True):
        yield


@pytest.fixture(autouse=True)
def fixed_clock(request) -> Iterator[time_machine.Coordinates | None]:
    """Every test starts at the same instant (tests/clock.py), whatever the wall clock says.
    Tests marked ``real_clock`` (and the browser journeys, whose Chromium keeps real time)
    run at the wall clock."""
    if _runs_at_the_wall_clock(request):
        yield None
        return
    with time_machine.travel(test_instant(), tick=True) as traveller:
        yield traveller


def _clean_request_globals() -> None:
    g.__dict__.clear()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(backend: str, config_overrides: dict) -> Iterator[Flask]:
    url = "sqlite://" if backend == "sqlite" else require_postgres()
    app = create_app({**base_config(url), **config_overrides})
    # The fixture keeps an app context open so that tests can use the database directly;
    # Flask then reuses it for every request, so ``g`` would leak from one request to the
    # next (Flask-Login caches the user there). Start each request with a clean ``g``.
    app.before_request_funcs.setdefault(None, []).insert(0, _clean_request_globals)
    with app.app_context():
        if backend == "sqlite":
            _create_sqlite_schema()
        else:
            _reset_postgres(app)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def flask_cli(app: Flask):
    """``flask <args>`` as an operator runs it: the app's own commands and the installed
    plugins' (the demo's ``seed-demo`` and ``seed-scale`` come from the "flask.commands"
    entry points in pyproject.toml, not from create_app)."""
    from flask.cli import FlaskGroup

    group = FlaskGroup(create_app=lambda: app)
    cli_runner = app.test_cli_runner()
    return lambda *args: cli_runner.invoke(group, list(args))


@pytest.fixture
def make(app: Flask) -> Factories:
    """Factories with sensible defaults: ``make.user(role=..., enterprise=...)``."""
    return Factories()


class AuthActions:
    """Sign in and out through the real login form (flaskr's pattern)."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, login: str, password: str = "correct horse battery"):
        return self._client.post("/login", data={"login": login, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def outbox(app: Flask) -> list:
    return app.extensions.setdefault("parkwell_outbox", [])
