"""Fewer round trips to PostgreSQL per request.

A request used to pay four round trips before its own statements counted: the pool's
pre-ping (``BEGIN`` and ``SELECT 1``), and ``COMMIT`` or ``ROLLBACK`` at the end. Here:

- *A connection is pinged only after it sat idle* (``DB_PING_AFTER_IDLE_SECONDS``, 10 by
  default; 0: at every checkout), in autocommit so that the ping opens no transaction. A
  connection used a moment ago is alive; one a restarted database or a pgbouncer closed
  while it waited is replaced before the request sees it. A database restart in the middle
  of a busy second still costs each process at most one failed request: SQLAlchemy then
  throws the whole pool away.
- *A request opens its transaction at its first write or lock.* During a request the
  connection reads in autocommit; the first statement that is not a plain ``SELECT`` (an
  ``INSERT``, ``UPDATE``, ``DELETE``, a ``SAVEPOINT``, ``SELECT … FOR UPDATE``, an advisory
  lock) turns autocommit off just before it runs, so that it and everything after it is one
  transaction, committed or rolled back by ``core.web`` as before. Under PostgreSQL's READ
  COMMITTED (ParkWell sets no other level) every statement reads its own snapshot inside a
  transaction too, so the reads see the same; a request that only reads (a search, a slot
  page, a report, a refused booking) sends no ``BEGIN`` and no ``COMMIT``.

PostgreSQL only; SQLite keeps SQLAlchemy's own handling.
"""

from __future__ import annotations

import functools
import re
import time
from contextvars import ContextVar
from typing import Any

from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from core.db import db, replica_engine

#: The connection's record keeps this while it reads in autocommit (True) or has opened
#: the request's transaction (False); absent: this module left the connection alone.
_READING = "parkwell.reading_without_transaction"
_CHECKED_IN_AT = "parkwell.checked_in_at"

_in_request: ContextVar[bool] = ContextVar("in_request", default=False)

_PLAIN_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKS_OR_WRITES = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|\bINTO\b"
    r"|pg_(?:try_)?advisory|set_config|nextval|setval",
    re.IGNORECASE)


@functools.lru_cache(maxsize=2048)
def only_reads(statement: str) -> bool:
    """Whether a statement neither writes nor takes a lock that must last: a plain
    ``SELECT`` (the values are bound parameters, never in the text)."""
    return bool(_PLAIN_SELECT.match(statement)) and not _LOCKS_OR_WRITES.search(statement)


def _idle(dbapi_connection: Any) -> bool:
    return bool(dbapi_connection.info.transaction_status == TransactionStatus.IDLE)


def ping(dbapi_connection: Any) -> None:
    """One round trip, opening no transaction."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SELECT 1")
    finally:
        dbapi_connection.autocommit = autocommit


def _check_idle_connections(engine: Engine, after_seconds: float) -> None:
    @event.listens_for(engine, "checkin")
    def remember_when(dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "connect")
    def fresh(dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_CHECKED_IN_AT, None)

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < after_seconds:
            return
        if not _idle(dbapi_connection):
            return
        try:
            ping(dbapi_connection)
        except Exception as exc:  # any failure: the pool replaces the connection
            raise DisconnectionError(f"ping after idle failed: {exc}") from exc


def _read_without_transaction(engine: Engine) -> None:
    # Registered after the idle check's checkout listener: the ping comes first.
    @event.listens_for(engine, "checkout")
    def start_reading(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _in_request.get() and _idle(dbapi_connection):
            dbapi_connection.autocommit = True
            record.info[_READING] = True

    @event.listens_for(engine, "before_cursor_execute")
    def open_transaction_at_first_write(connection: Any, _cursor: Any, statement: str,
                                        *_args: Any) -> None:
        info = connection.connection.info
        if info.get(_READING) and not only_reads(statement):
            connection.connection.dbapi_connection.autocommit = False
            info[_READING] = False

    @event.listens_for(engine, "checkin")
    def stop_reading(dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_READING, None) is None or dbapi_connection is None:
            return
        if dbapi_connection.autocommit and _idle(dbapi_connection):
            dbapi_connection.autocommit = False


def _request_started() -> None:
    _in_request.set(True)


def _request_ended(_exc: BaseException | None = None) -> None:
    _in_request.set(False)


def init_app(app: Flask) -> None:
    """Install both on the primary (and the replica's) PostgreSQL engine. Call first among
    the request hooks, so that every statement of a request reads this way."""
    with app.app_context():
        engines = [db.engine, replica_engine(app)]
    postgres = [e for e in engines if e is not None and e.dialect.name == "postgresql"]
    if not postgres:
        return
    after_seconds = float(app.config.get("DB_PING_AFTER_IDLE_SECONDS", 10))
    # Where a configuration still asks for SQLAlchemy's own pre-ping, it is the check.
    pre_ping = (app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).get("pool_pre_ping")
    for engine in postgres:
        if not pre_ping:
            _check_idle_connections(engine, after_seconds)
        _read_without_transaction(engine)
    app.before_request(_request_started)
    app.teardown_request(_request_ended)
