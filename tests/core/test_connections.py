"""Round trips per request (core.connections), on PostgreSQL: a request that only reads
opens no transaction, the first write or lock opens the one the request commits or rolls
back, and a pooled connection is checked only when it sat idle."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text, update

from core import connections
from core.accounts.models import Park
from core.db import db


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def config_overrides() -> dict:
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}}


@pytest.fixture
def statements(app) -> list[tuple[str, bool, str]]:
    """Each statement the engine ran: its text, whether the connection was in autocommit
    when it ran, and the transaction status it left."""
    seen: list[tuple[str, bool, str]] = []

    def after(connection, _cursor, statement, *_args) -> None:
        dbapi = connection.connection.dbapi_connection
        seen.append((statement, dbapi.autocommit,
                     dbapi.info.transaction_status.name))

    event.listen(db.engine, "after_cursor_execute", after)
    yield seen
    event.remove(db.engine, "after_cursor_execute", after)


@pytest.fixture
def park(app, make):
    park = make.park()
    db.session.commit()
    return park


@pytest.fixture
def views(app, park):
    """Views that read, write twice then fail, and lock, on the park."""
    park_id = park.id

    @app.route("/test/read")
    def read():
        return db.session.scalar(select(Park.name_en).where(Park.id == park_id))

    @app.route("/test/rename-twice-then-fail")
    def rename_twice_then_fail():
        db.session.scalar(select(Park.name_en).where(Park.id == park_id))
        db.session.execute(update(Park).where(Park.id == park_id).values(name_en="First"))
        db.session.execute(update(Park).where(Park.id == park_id).values(name_zh="第二"))
        raise RuntimeError("the view fails after writing")

    @app.route("/test/rename", methods=["POST"])
    def rename():
        db.session.scalar(select(Park.name_en).where(Park.id == park_id))
        db.session.scalar(select(Park).where(Park.id == park_id).with_for_update())
        db.session.execute(update(Park).where(Park.id == park_id).values(name_en="Renamed"))
        return "renamed"

    return park


def _fresh_session() -> None:
    """The test's own session holds no connection while a request runs."""
    db.session.commit()
    db.session.expire_all()


def test_a_request_that_only_reads_sends_no_begin_and_no_commit(client, views, statements):
    _fresh_session()
    assert client.get("/test/read").status_code == 200
    assert statements
    assert [(autocommit, left) for _sql, autocommit, left in statements] == [
        (True, "IDLE")] * len(statements)


def test_the_first_lock_opens_the_transaction_and_the_request_commits_it(
        client, views, statements):
    _fresh_session()
    assert client.post("/test/rename").status_code == 200
    lock = next(n for n, (sql, *_) in enumerate(statements) if "FOR UPDATE" in sql)
    assert [state for _sql, *state in statements[:lock]] == [[True, "IDLE"]] * lock
    after = [state for _sql, *state in statements[lock:]]
    assert after == [[False, "INTRANS"]] * len(after), (
        "FOR UPDATE and what follows: one transaction, held until the commit")
    assert db.session.get(Park, views.id).name_en == "Renamed"


def test_a_request_that_fails_after_two_writes_keeps_neither(app, client, views):
    _fresh_session()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/test/rename-twice-then-fail").status_code == 500
    db.session.expire_all()
    kept = db.session.get(Park, views.id)
    assert (kept.name_en, kept.name_zh) == (views.name_en, views.name_zh)


def test_the_connection_goes_back_to_the_pool_as_it_came(client, views):
    _fresh_session()
    client.get("/test/read")
    with db.engine.connect() as connection:
        assert connection.connection.dbapi_connection.autocommit is False


def test_outside_a_request_nothing_changes(app, park, statements):
    park_id = park.id
    _fresh_session()
    db.session.scalar(select(Park.code).where(Park.id == park_id))
    assert statements
    assert [state for _sql, *state in statements] == [[False, "INTRANS"]] * len(statements)


@pytest.mark.parametrize(("statement", "reads"), [
    ("SELECT parks.id FROM parks WHERE parks.id = %(id)s", True),
    ("  select 1", True),
    ("SELECT parks.id FROM parks WHERE parks.id = %(id)s FOR UPDATE", False),
    ("SELECT slots.id FROM slots FOR NO KEY UPDATE SKIP LOCKED", False),
    ("SELECT parks.id FROM parks FOR SHARE", False),
    ("SELECT pg_advisory_xact_lock(%(key)s)", False),
    ("SELECT set_config(%(name)s, %(value)s, true)", False),
    ("WITH moved AS (UPDATE parks SET code = code RETURNING id) SELECT id FROM moved", False),
    ("INSERT INTO parks (code) VALUES (%(code)s) RETURNING parks.id", False),
    ("SAVEPOINT sa_savepoint_1", False),
])
def test_only_plain_selects_read_without_a_transaction(statement, reads):
    assert connections.only_reads(statement) is reads


def _backend_pid() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


@pytest.mark.parametrize("config_overrides", [{
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}, "DB_PING_AFTER_IDLE_SECONDS": 0}])
def test_a_connection_that_died_while_idle_is_replaced_before_a_request_uses_it(
        client, views):
    _fresh_session()
    db.session.remove()
    pid = _backend_pid()  # the pool's only connection, back in the pool
    # Killed from outside, as a database restart or a pgbouncer's idle timeout would.
    killer = db.engine.pool._creator()
    try:
        killer.autocommit = True
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        killer.close()
    assert client.get("/test/read").status_code == 200
    assert _backend_pid() != pid


def test_a_connection_used_a_moment_ago_is_not_pinged(app, views, monkeypatch):
    pings: list[object] = []
    monkeypatch.setattr(connections, "ping", pings.append)
    _fresh_session()
    for _ in range(3):
        _backend_pid()
    assert pings == [], "a busy pool pays no round trip for the check"


@pytest.mark.parametrize("config_overrides", [{
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}, "DB_PING_AFTER_IDLE_SECONDS": 0}])
def test_with_no_idle_time_allowed_every_checkout_is_pinged(app, views, monkeypatch):
    pings: list[object] = []
    monkeypatch.setattr(connections, "ping", pings.append)
    _fresh_session()
    db.session.remove()
    db.engine.dispose()
    for _ in range(3):
        _backend_pid()
    assert len(pings) == 2, "each checkout but the new connection's first"


@pytest.mark.parametrize("config_overrides", [{
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}, "DB_PING_AFTER_IDLE_SECONDS": 0}])
def test_where_sqlalchemys_own_pre_ping_is_asked_for_it_is_the_only_check(
        client, views, statements, monkeypatch):
    pings: list[object] = []
    monkeypatch.setattr(connections, "ping", pings.append)
    _fresh_session()
    for _ in range(2):
        assert client.get("/test/read").status_code == 200
    assert pings == []
    assert statements
    assert [state for _sql, *state in statements] == [[True, "IDLE"]] * len(statements)
