"""Counters that say when a cache is stale, changed in the same transaction as what they
stand for (at its end, just before the commit), in the table ``freshness_stamps``.

Why in the same transaction: a reader reads the counter before the data, so it either sees
the old counter (and whatever it caches is thrown away by the next reader, who sees the new
one) or the new counter with the new data: never new counter and old data. Every process
sees it, unlike a per-process signal.

This module keeps the counters and the shared names of those that more than one package
reads; each package says which of its writes move which counters (``watch``), found by
SQLAlchemy's session events (each flush, and each ORM ``insert``/``update``/``delete``
statement), so that no service function has to remember to bump anything. Raw SQL text
bypasses them (none writes the watched tables outside the seeders, which run before a
server starts).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, String, event, inspect, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, SessionTransaction, mapped_column

from core.db import Model, db, replica_in_use

#: Any bookable service, provider, practitioner or rating: what a catalogue search finds.
CATALOGUE = "catalogue"
#: Everyone's free time (public holidays, or availability written by a bulk statement).
AVAILABILITY = "availability"
#: The budget programmes' rules, which every member's budget reads.
BUDGETS = "budgets"
#: A person's own rows written by a bulk statement: every person's counter at once.
PEOPLE = "people"


def practitioner_key(practitioner_id: int) -> str:
    """Practitioner ``id``'s free time: their bookings, rules, exceptions, busy time."""
    return f"p:{practitioner_id}"


def person_key(user_id: int) -> str:
    """What is kept of person ``id`` for their searches: roles, health records, budget."""
    return f"u:{user_id}"


def old_and_new(obj: Any, name: str) -> set[int]:
    """The ids in column ``name`` of ``obj`` before and after this flush: a row that moves
    makes both its old and its new owner's counters stale."""
    history = inspect(obj).attrs[name].history
    return {int(v) for v in (*history.added, *history.unchanged, *history.deleted)
            if v is not None}


class FreshnessStamp(Model):
    """A counter that changes in the same transaction as what it stands for. Caches key
    their entries on these counters, so that a change is seen by the next reader in every
    process."""

    __tablename__ = "freshness_stamps"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


#: What a flush makes stale, as each package sees it: session → counter keys.
Watcher = Callable[[Session], set[str]]
_WATCHERS: list[Watcher] = []
#: Table name → the counters an ORM bulk statement on it makes stale (its rows unknown).
_BULK: dict[str, set[str]] = {}

_READ = "freshness.read"
_WRITING = "freshness.writing"
_PENDING = "freshness.pending"
#: Counters expected in this session (``expect``) and those its reads asked for (``named``).
_EXPECTED = "freshness.expected"
_NAMED = "freshness.named"


#: Counters that most requests read: they come along with a transaction's first read.
_READ_ALONG: set[str] = set()


def watch(watcher: Watcher, *, bulk: Mapping[str, str] | None = None,
          read_along: Iterable[str] = ()) -> None:
    """Let ``watcher`` name the counters each flush makes stale, and ``bulk`` those of a
    bulk statement per table; ``read_along``: counters that most requests read, fetched
    with whatever counter a transaction reads first. Idempotent; call at app set-up."""
    if watcher not in _WATCHERS:
        _WATCHERS.append(watcher)
    for table, key in (bulk or {}).items():
        _BULK.setdefault(table, set()).add(key)
    _READ_ALONG.update(read_along)


def versions(keys: Iterable[str]) -> dict[str, int]:
    """The counters of ``keys`` (0 for one never bumped), in one statement, or none for
    those this transaction has already read: the first read also brings the counters most
    requests read (``watch(read_along=...)``: checking a token brings the catalogue's),
    and the later reads come from that."""
    wanted = sorted(set(keys))
    db.session.info.setdefault(_NAMED, set()).update(wanted)
    known: dict[str, int] = db.session.info.setdefault(_READ, {})
    unread = [key for key in wanted if key not in known]
    if unread:
        along = _READ_ALONG | db.session.info.get(_EXPECTED, set())
        unread += sorted(key for key in along - known.keys() if key not in wanted)
        found = _read(unread)
        known.update({key: int(found.get(key, 0)) for key in unread})
    return {key: known[key] for key in wanted}


#: The counters' statement as PostgreSQL reads it, the keys one array: every request reads
#: it at least once, and the ORM's way (an expanding IN built, rendered and read back as
#: rows) cost three times its round trip in Python; the text never changes, so psycopg
#: prepares it once per connection. One index probe per key, whatever the statistics say:
#: with ``key = ANY(keys)`` the prepared (generic) plan scanned the whole table and tested
#: each row against every key once the table had outgrown its last ANALYZE (4 ms for a
#: search's 53 keys in the full bench park, growing with the park's people and staff). A
#: key never bumped comes back with no version.
_BY_KEYS = ("SELECT k.key, (SELECT f.version FROM freshness_stamps f WHERE f.key = k.key) "
            "FROM unnest(%(keys)s::text[]) AS k(key)")


def _read(keys: list[str]) -> dict[str, int]:
    rows: Sequence[Any]
    if db.engine.dialect.name == "postgresql" and not replica_in_use():
        rows = db.session.connection().exec_driver_sql(_BY_KEYS, {"keys": keys}).all()
    else:
        rows = db.session.execute(select(FreshnessStamp.key, FreshnessStamp.version)
                                  .where(FreshnessStamp.key.in_(keys))).all()
    return {key: int(version) for key, version in rows if version is not None}


def expect(keys: Iterable[str]) -> None:
    """Bring ``keys`` along with each first read of a transaction in this session (a page
    that read them last time will read them again: ``core.counter_hints``), and count what
    is ``named`` from now on. Reading a counter earlier than needed is safe: it is still
    read before the data it vouches for."""
    db.session.info[_EXPECTED] = set(keys)
    db.session.info[_NAMED] = set()


def named() -> set[str]:
    """Every counter the reads asked for since ``expect``, read along or not."""
    return set(db.session.info.get(_NAMED, ()))


def read_along() -> frozenset[str]:
    return frozenset(_READ_ALONG)


EPOCH = "epoch"


def epoch() -> int:
    """A random number kept in the counters' table (written by migration 0029): what a
    memory shared between processes (``core.memo``) namespaces its keys with, so that a
    database made again (whose counters start from nothing) never meets the entries of the
    one before. A schema made without the migrations gets one at its first use."""
    table = FreshnessStamp.__table__
    read = select(table.c.version).where(table.c.key == EPOCH)
    found = db.session.execute(read).scalar()
    if found is None:
        # Committed at once, on a connection of its own: every process must find it.
        with db.engine.begin() as connection:
            connection.execute(_upsert(connection.dialect.name)(table).values(
                key=EPOCH, version=secrets.randbits(62)).on_conflict_do_nothing())
            found = connection.execute(read).scalar_one()
    return int(found)


def catalogue_version() -> int:
    return versions([CATALOGUE])[CATALOGUE]


def _upsert(dialect: str) -> Any:
    """The dialect's INSERT ... ON CONFLICT (PostgreSQL's and SQLite's spell it alike)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql
        return postgresql.insert
    from sqlalchemy.dialects import sqlite
    return sqlite.insert


def bump(connection: Connection, keys: Iterable[str]) -> None:
    """Add one to each counter (creating it), in key order so that two writers lock the
    rows in the same order."""
    keys = sorted(set(keys))
    if not keys:
        return
    table = FreshnessStamp.__table__
    statement = _upsert(connection.dialect.name)(table).values(
        [{"key": key, "version": 1} for key in keys])
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.key], set_={"version": table.c.version + 1}))


def stale_keys(session: Session) -> set[str]:
    """The counters that what this flush writes makes stale."""
    keys: set[str] = set()
    for watcher in _WATCHERS:
        keys |= watcher(session)
    return keys


def writing() -> bool:
    """Whether this transaction has written something a counter stands for and not yet
    committed: what it reads may be rolled back, and a counter rolled back comes round
    again, so it must not fill (or read) a shared memory."""
    return bool(db.session.info.get(_WRITING))


def _note(session: Session, keys: Iterable[str]) -> None:
    keys = set(keys)
    if keys:
        session.info.setdefault(_PENDING, set()).update(keys)
        session.info[_WRITING] = True


def _after_flush(session: Session, _context: object) -> None:
    _note(session, stale_keys(session))


def _before_commit(session: Session) -> None:
    """The counters move last, just before the commit: a transaction holding a counter's
    row lock then waits for no other lock, so the counters add no deadlock to those the
    writers' own locks (practitioner, client, session rows) already order."""
    session.flush()
    keys = session.info.pop(_PENDING, None)
    if keys:
        bump(session.connection(), keys)


def _transaction_over(session: Session, *_args: object) -> None:
    session.info.pop(_WRITING, None)
    session.info.pop(_PENDING, None)
    session.info.pop(_READ, None)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    """Counters read in one transaction say nothing of the next (a session closed without
    a commit or a rollback ends it too)."""
    if transaction.parent is None:
        session.info.pop(_READ, None)


def _do_orm_execute(state: ORMExecuteState) -> None:
    """ORM ``insert``/``update``/``delete`` statements write rows the session never sees:
    the whole kind is stale (``catalogue``, or everyone's ``availability``)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    _note(state.session, _BULK.get(str(getattr(table, "name", "")), ()))


def install() -> None:
    """Listen on every session (the web's, the worker's, the CLI's). Idempotent."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _transaction_over)
        event.listen(Session, "after_rollback", _transaction_over)
        event.listen(Session, "after_transaction_end", _transaction_ended)
