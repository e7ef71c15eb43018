"""Walk the refusal harness: every case is refused, says why, and writes nothing.

The world is the authorisation matrix's (every package's objects) plus what the refusal
modules add; each request runs in a savepoint that is rolled back, so that each case sees
the same world. The database's digest (``harness.digest``) is taken after the case's
``arrange`` and again after the answer: a refused request must leave it as it was.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from sqlalchemy import event

import tests.refusals as refusals_package
from core.db import db
from marketplace import create_app
from tests.authz.test_matrix import (
    CASES as MATRIX_CASES,
)
from tests.authz.test_matrix import (
    _build_world,
    _ConnectionBoundSession,
    _request,
    _sqlite_savepoints,
)
from tests.conftest import _clean_request_globals, _reset_postgres, base_config, require_postgres
from tests.factories import Factories
from tests.refusals.harness import REFUSED, Refusal, changed, derived_from_matrix, digest


def _case_modules():
    return [importlib.import_module(f"tests.refusals.{info.name}")
            for info in pkgutil.iter_modules(refusals_package.__path__)
            if info.name.startswith("cases_")]


MODULES = _case_modules()
WRITTEN: list[Refusal] = [case for module in MODULES for case in module.REFUSALS]
DERIVED: list[Refusal] = derived_from_matrix(MATRIX_CASES)
CANNOT_REFUSE: dict[tuple[str, str], str] = {
    key: reason for module in MODULES for key, reason in module.CANNOT_REFUSE.items()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request) -> Iterator[tuple]:
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
            make = Factories()
            built = _build_world(make)
            for module in MODULES:
                if hasattr(module, "build_world"):
                    module.build_world(built, make)
            db.session.commit()
            db.session.close()
            yield app, built, connection
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            db.engine.dispose()


def _walk(world, case: Refusal) -> None:
    app, built, connection = world
    savepoint = connection.begin_nested()
    statements: list[str] = []

    def _watch(_conn, _cursor, sql, *_args):
        statements.append(sql)

    try:
        if case.arrange is not None:
            case.arrange(built)
            db.session.commit()
            db.session.close()
        before = digest(connection)
        client = app.test_client()
        event.listen(connection, "before_cursor_execute", _watch)
        try:
            response = _request(client, built, case, case.actor)
        finally:
            event.remove(connection, "before_cursor_execute", _watch)
        body = response.get_data(as_text=True)
        response.close()
        db.session.close()
        after = digest(connection)
        flashes = []
        if not case.is_api:
            with client.session_transaction() as session:
                flashes = list(session.get("_flashes", []))
    finally:
        db.session.close()
        savepoint.rollback()
    assert response.status_code == case.expect, (
        f"{case.id}: got {response.status_code}, expected {case.expect}\n{body[:600]}")
    assert case.expect in REFUSED
    if case.must_flash:
        assert any(category == "error" for category, _message in flashes), (
            f"{case.id}: went back without saying why (flashes: {flashes})")
    wrote = {name: counts for name, counts in changed(before, after).items()
             if name not in case.may_write}
    assert not wrote, (f"{case.id}: the refused request wrote to {wrote} "
                       "(table: rows before, rows after)")


@pytest.mark.parametrize("case", WRITTEN, ids=lambda c: c.id)
def test_a_refused_request_writes_nothing(world, case: Refusal):
    _walk(world, case)


@pytest.mark.parametrize("case", DERIVED, ids=lambda c: c.id)
def test_what_the_authorisation_matrix_refuses_writes_nothing(world, case: Refusal):
    _walk(world, case)
