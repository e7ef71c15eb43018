"""Count the SQL statements a block of code runs: the test helper behind "a page runs a
fixed number of queries whatever its size".

    with count_queries() as queries:
        client.get("/bookings")
    assert queries.count == 7, queries.report()

Or compare two sizes of the same world with ``assert_same_counts``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.db import db


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return self.count

    def report(self) -> str:
        return "\n".join(f"{n:3}. {' '.join(s.split())[:200]}"
                         for n, s in enumerate(self.statements, 1))


@contextmanager
def count_queries(engine: Engine | None = None) -> Iterator[QueryLog]:
    """Record every statement sent to ``engine`` (the app's by default) inside the block.
    Savepoints and transaction control are not counted: they are not queries.

    The garbage collector is paused meanwhile: the session's identity map holds objects
    weakly, and a collection in the middle of a request would make a lazy relationship load
    again or not, at the collector's whim, so that two identical requests could differ."""
    engine = engine or db.engine
    log = QueryLog()
    collecting = gc.isenabled()
    gc.disable()

    def record(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)
        if collecting:
            gc.enable()


def assert_same_counts(small: Mapping[str, QueryLog], large: Mapping[str, QueryLog]) -> None:
    """Every page of ``small`` ran as many statements as the same page of ``large``."""
    grew = {name: (small[name].count, large[name].count) for name in small
            if small[name].count != large[name].count}
    if grew:
        details = "\n\n".join(
            f"{name}: {before} → {after} statements\n-- small --\n{small[name].report()}\n"
            f"-- large --\n{large[name].report()}" for name, (before, after) in grew.items())
        raise AssertionError(f"the query count grew with the data:\n{details}")
