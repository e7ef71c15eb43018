"""Rows read far more often than written, remembered per process as detached copies and
believed while the freshness counters they were read under stay (``core.freshness``).

A copy is loaded by a session of its own on the request's connection (counters first,
then the rows: a write between the two leaves a copy older than its counters, never
newer), let go, and never touched again: each request merges it into its own session
without a query (``merge(load=False)``), and what it changes there is its own."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from core import freshness
from core.db import db
from core.memo import memo

T = TypeVar("T")


def remembered_copy(name: str, size: int, key: Hashable,
                    counters: Iterable[str] | Callable[[], Iterable[str] | None],
                    load: Callable[[Session], T | None], *, shared: bool = False) -> T | None:
    """What ``load`` finds in the given session (a row, or a list of rows), from the memory
    ``name`` (``size`` entries) under ``key`` while ``counters`` stay; None when ``load``
    finds nothing (not remembered). A transaction that has written reads its own rows
    instead. ``shared``: the workers share the copies through Redis (``core.memo``).

    ``counters`` may be a function, asked only when the copy is loaded (a remembered copy
    keeps the names it was read under): for counters that take a query to name; it returns
    None when there is nothing to load."""
    remembered = memo(name, size, shared=shared)
    writing = freshness.writing()
    known = None if writing else remembered.get(key)
    if known is not None and freshness.versions(known[1]) == known[1]:
        kept: T = known[0]
        return _merged(kept)
    if writing:
        return load(db.session())
    names = counters() if callable(counters) else counters
    if names is None:
        return None
    stamps = freshness.versions(names)
    with Session(bind=db.session.connection(), expire_on_commit=False) as own:
        copy = load(own)
        own.expunge_all()
    if copy is None:
        return None
    remembered.put(key, (copy, stamps))
    return _merged(copy)


def _merged(copy: T) -> T:
    """The copy (or each copy of a list) in the request's session, without a query."""
    if isinstance(copy, list):
        return [db.session.merge(one, load=False) for one in copy]  # type: ignore[return-value]
    merged: T = db.session.merge(copy, load=False)
    return merged
