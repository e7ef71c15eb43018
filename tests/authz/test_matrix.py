"""Walk the whole authorisation matrix: every route, every actor.

The world (tenants, users, tokens and each package's objects) is built once per database;
every request then runs inside a savepoint that is rolled back, so that each one sees the
same world and none sees what another did.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

import tests.authz as authz_package
from core.db import db
from marketplace import create_app
from tests.authz.harness import ACTORS, RouteCase, World, build_core_world
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
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({
            "class_": _ConnectionBoundSession, "bind": connection,
            "join_transaction_mode": "create_savepoint", "expire_on_commit": False})
        try:
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


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.rule}")
def test_route_answers_each_actor_as_the_matrix_says(matrix, case: RouteCase):
    app, world, connection = matrix
    wrong = []
    for actor in ACTORS:
        savepoint = connection.begin_nested()
        try:
            response = _request(app.test_client(), world, case, actor)
            response.close()
        finally:
            db.session.close()
            savepoint.rollback()
        if response.status_code != case.expected(actor):
            wrong.append(f"{actor}: got {response.status_code}, "
                         f"expected {case.expected(actor)}")
        assert response.status_code != 500, f"{actor} caused a 500"
    assert not wrong, f"{case.method} {case.rule}\n" + "\n".join(wrong)
