"""Walk the whole authorisation matrix: every route, every actor.

The world (tenants, users, tokens and each package's objects) is built once per database;
every request then runs inside a savepoint that is rolled back, so that each one sees the
same world and none sees what another did.

The same walk checks three more things on every answer: no GET writes to the database (every
SQL statement is watched), no body holds a stack trace or internal detail, and no one but the
owner ever sees the owner's health data (``matrix_audit.HEALTH_MARKERS``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import pytest
import time_machine
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

import tests.authz as authz_package
from core.db import db
from marketplace import create_app
from tests.authz.harness import ACTORS, RouteCase, World, build_core_world
from tests.authz.matrix_audit import HEALTH_MARKERS
from tests.clock import test_instant
from tests.conftest import _clean_request_globals, _reset_postgres, base_config, require_postgres
from tests.factories import Factories


def _matrix_modules():
    return [importlib.import_module(f"tests.authz.{info.name}")
            for info in pkgutil.iter_modules(authz_package.__path__)
            if info.name.startswith("matrix_")]


MODULES = _matrix_modules()
CASES: list[RouteCase] = [case for module in MODULES for case in module.ROUTES]


def _build_world(make) -> World:
    world = build_core_world(make)
    for module in MODULES:
        if hasattr(module, "build_world"):
            module.build_world(world, make)
    make.commit()
    return world


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy picks the engine by bind key and ignores ``bind``; the matrix needs
    every query on its one connection, inside the transaction it rolls back."""

    def get_bind(self, *args, **kwargs):
        return self.bind


def _sqlite_savepoints(engine) -> None:
    """pysqlite manages transactions itself and breaks SAVEPOINT; let SQLAlchemy do it
    (the recipe from SQLAlchemy's SQLite dialect documentation)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def matrix(request) -> Iterator[tuple]:
    url = "sqlite://" if request.param == "sqlite" else require_postgres()
    app = create_app(base_config(url))
    app.before_request_funcs.setdefault(None, []).insert(0, _clean_request_globals)
    with app.app_context():
        if request.param == "sqlite":
            _sqlite_savepoints(db.engine)
            db.create_all()
        else:
            _reset_postgres(app)
        connection = db.engine.connect()
        statements = connection.info.setdefault("statements", [])
        event.listen(connection, "before_cursor_execute",
                     lambda _c, _cur, sql, *_args: statements.append(sql))
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({
            "class_": _ConnectionBoundSession, "bind": connection,
            "join_transaction_mode": "create_savepoint", "expire_on_commit": False})
        try:
            # Built at the instant the tests then run at (tests/clock.py), not the wall clock.
            with time_machine.travel(test_instant(), tick=True):
                world = _build_world(Factories())
            db.session.commit()
            db.session.close()  # the world's objects are now plain, detached snapshots
            yield app, world, connection
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            db.engine.dispose()


def _request(client, world: World, case: RouteCase, actor: str):
    kwargs = {}
    if case.is_api:
        if actor != "anonymous":
            kwargs["headers"] = {"Authorization": f"Bearer {world.tokens[actor]}"}
        if case.body is not None:
            kwargs["json"] = case.body(world)
    else:
        if actor != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = world.users[actor].get_id()
                session["_fresh"] = True
        if case.body is not None:
            kwargs["data"] = case.body(world)
    return client.open(case.path(world), method=case.method, **kwargs)


#: What a GET may write: the audit log and the health access log (reads are recorded), an
#: API token's last-used time (at most every few minutes), and a ledger account on its first
#: use (empty, unique by its key: the ledger opens accounts when it first needs them, so a
#: payment page may open one; no money moves), and a release of aggregates for employers
#: (written once, by the first read of its period: ``core.aggregates``; never updated).
GET_MAY_WRITE = {"audit_events", "health_access_log"}
GET_MAY_INSERT = {"ledger_accounts", "aggregate_releases"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?\s*(SET\s+\w+)?',
                    re.IGNORECASE)
#: Never in an answer: tracebacks, source paths, driver and framework internals.
INTERNALS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.",
             "werkzeug.exceptions", "jinja2.exceptions", "site-packages")
#: Documentation and files, which hold no one's data.
NOT_DATA = ("/api/v1/openapi.json", "/api/v1/docs", "/static/")


def _writes(statements: list[str]) -> list[str]:
    wrong = []
    for sql in statements:
        match = _WRITE.match(sql)
        if match is None or match[1].lower() in GET_MAY_WRITE:
            continue
        if match[1].lower() in GET_MAY_INSERT and sql.lstrip()[:6].upper() == "INSERT":
            continue
        if match[1].lower() == "api_tokens" and (match[2] or "").lower().endswith(
                "last_used_at"):
            continue
        wrong.append(" ".join(sql.split())[:160])
    return wrong


def _body_problems(case: RouteCase, actor: str, body: str) -> list[str]:
    problems = [f"{actor}: the answer shows internals ({marker!r})"
                for marker in INTERNALS if marker in body]
    if actor != "employee" and not case.rule.startswith(NOT_DATA):
        problems += [f"{actor}: the answer shows the employee's health data ({marker!r})"
                     for marker in HEALTH_MARKERS if marker in body]
    return problems


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.rule}")
def test_route_answers_each_actor_as_the_matrix_says(matrix, case: RouteCase):
    app, world, connection = matrix
    statements = connection.info["statements"]
    wrong = []
    for actor in ACTORS:
        savepoint = connection.begin_nested()
        statements.clear()
        try:
            response = _request(app.test_client(), world, case, actor)
            body = response.get_data().decode("utf-8", "replace")  # images are binary
            response.close()
        finally:
            db.session.close()
            savepoint.rollback()
        if response.status_code != case.expected(actor):
            wrong.append(f"{actor}: got {response.status_code}, "
                         f"expected {case.expected(actor)}")
        assert response.status_code != 500, f"{actor} caused a 500"
        if case.method == "GET":
            wrong += [f"{actor}: a GET wrote: {sql}" for sql in _writes(statements)]
        wrong += _body_problems(case, actor, body)
    assert not wrong, f"{case.method} {case.rule}\n" + "\n".join(wrong)
