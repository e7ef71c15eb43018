"""The database handle, the declarative base and the few column types every package uses.

- A naming convention so that Alembic names constraints the same on SQLite and PostgreSQL.
- ``UTCDateTime`` stores aware UTC and gives aware UTC back, even from SQLite.
- ``on_commit`` runs work (mail, Stripe, feed pushes) only once the transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Enum,
    MetaData,
    Select,
    cast,
    create_engine,
    event,
    func,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Dialect, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from core.clock import as_utc

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# -- reads that may be stale, from a replica ---------------------------------------------

_REPLICA_ENGINE = "parkwell.replica_engine"
_stale_reads_allowed: ContextVar[bool] = ContextVar("stale_reads_allowed", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, plain SELECTs may be answered by the read replica
    (``DATABASE_REPLICA_URL``), which can be a few seconds behind the primary. For reads
    shown to people (catalogue, slots shown, feeds, reports) only: never around capacity,
    budget, idempotency or authorisation checks, which must see the primary under its row
    locks. Without a replica configured it changes nothing."""
    token = _stale_reads_allowed.set(True)
    try:
        yield
    finally:
        _stale_reads_allowed.reset(token)


def replica_in_use() -> bool:
    """Whether this block's plain SELECTs go to the replica (``replica_reads`` with one
    configured)."""
    return (_stale_reads_allowed.get() and has_app_context()
            and current_app.extensions.get(_REPLICA_ENGINE) is not None)


class RoutingSession(FlaskSession):
    """Flask-SQLAlchemy's session, sending the SELECTs made inside ``replica_reads()`` to
    the replica engine. Flushes, writes and ``FOR UPDATE`` reads always go to the primary."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any) -> Any:
        if (bind is None and not self._flushing and isinstance(clause, Select)
                and clause._for_update_arg is None and replica_in_use()):
            return current_app.extensions[_REPLICA_ENGINE]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def init_replica(app: Flask) -> None:
    """Create the replica's engine (same pool settings as the primary's) when configured."""
    url = app.config.get("DATABASE_REPLICA_URL")
    if url:
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        app.extensions[_REPLICA_ENGINE] = create_engine(url, **options)


def replica_engine(app: Flask) -> Engine | None:
    """The replica's engine, or None without ``DATABASE_REPLICA_URL``."""
    engine: Engine | None = app.extensions.get(_REPLICA_ENGINE)
    return engine


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel
    from sqlalchemy import Table

    class Model(Base, _FlaskModel):
        """What ``db.Model`` is at run time, spelled so that a type checker can see it: a
        base built by Flask-SQLAlchemy at run time is not a class mypy can subclass."""

        __abstract__ = True
        #: Every model maps one table (DeclarativeBase allows any FROM clause).
        __table__: ClassVar[Table]
else:
    Model = db.Model

#: PostgreSQL's SQLSTATE for "lock_not_available": a lock wait ran past lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"


def init_lock_timeout(app: Flask) -> None:
    """On PostgreSQL, every connection of the primary gives up waiting for a row or table
    lock after ``DB_LOCK_TIMEOUT_MS`` (0: wait for ever, PostgreSQL's default), so that a
    request stuck behind a long lock answers "busy, try again" (core.web) instead of holding
    a worker and a connection until the proxy gives up."""
    timeout = int(app.config.get("DB_LOCK_TIMEOUT_MS", 5000))
    if timeout <= 0:
        return
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return

    def set_lock_timeout(dbapi_connection: Any, _record: object) -> None:
        # Not a bound parameter: SET takes none. ``timeout`` is an int.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {timeout:d}")
        dbapi_connection.commit()

    event.listen(engine, "connect", set_lock_timeout)


def init_sqlite_savepoints(app: Flask) -> None:
    """On SQLite, a transaction is opened before the first ``SAVEPOINT`` too. Python's
    sqlite3 opens one only before ``INSERT``, ``UPDATE`` or ``DELETE``: a savepoint taken
    first began the transaction itself, and releasing it committed, so that a request
    refused after writing only inside a savepoint (an ``Idempotency-Key``) kept what it
    wrote."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite" or event.contains(
            engine, "before_cursor_execute", _begin_before_savepoint):
        return
    event.listen(engine, "before_cursor_execute", _begin_before_savepoint)


def _begin_before_savepoint(connection: Any, cursor: Any, statement: str,
                            *_args: object) -> None:
    if (statement.startswith("SAVEPOINT")
            and not connection.connection.dbapi_connection.in_transaction):
        cursor.execute("BEGIN")


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether a database error is PostgreSQL giving up on a lock (``lock_timeout``)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == LOCK_NOT_AVAILABLE


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always aware UTC in Python, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC value")
        return as_utc(value)

    def process_result_value(self, value: object | None, dialect: Dialect) -> datetime | None:
        assert value is None or isinstance(value, datetime)
        return None if value is None else as_utc(value)


def str_enum(enum_cls: type[StrEnum], length: int = 24) -> Enum:
    """An enum column stored as its string values, so that migrations never have to alter
    a native database type."""
    return Enum(enum_cls, native_enum=False, length=length,
                values_callable=lambda members: [m.value for m in members],
                validate_strings=True)


def sum_of(column: Any) -> ColumnElement[int]:
    """SUM of an integer column as an integer (0 when there are no rows): PostgreSQL would
    otherwise answer a NUMERIC, which Python reads as Decimal."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched. ``Session.execute`` is typed as answering
    a plain Result; for those statements it is a CursorResult, which counts them."""
    assert isinstance(result, CursorResult)
    return result.rowcount


_ON_COMMIT_KEY = "parkwell_on_commit"


def on_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` after the current transaction commits; drop it on rollback."""
    db.session().info.setdefault(_ON_COMMIT_KEY, []).append(callback)


@event.listens_for(FlaskSession, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_ON_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed side effect must not undo a committed change
            log.exception("after-commit callback %r failed", callback)


@event.listens_for(FlaskSession, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_ON_COMMIT_KEY, None)


def upsert_insert(model: type[Model]) -> Any:
    """``INSERT`` for ``model`` with ``on_conflict_do_update``/``on_conflict_do_nothing``,
    in the dialect of the app's database (PostgreSQL and SQLite spell them alike, but each
    has its own construct)."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return insert(model)


def schema_objects_for(dialect_name: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for one database: leaves out what the models create on
    other databases only (``info={"dialects": (...)}``, e.g. PostgreSQL's trigram index),
    so that comparing the models with a SQLite schema does not miss it."""
    def include(obj: object, name: str | None, type_: str, reflected: bool,
                compare_to: object) -> bool:
        dialects = getattr(obj, "info", {}).get("dialects")
        return not dialects or dialect_name in dialects
    return include
