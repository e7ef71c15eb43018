"""A crowd acting at once: each attempt in its own thread, app context and transaction,
released together by a barrier, so that the database (not Python) decides who wins.

Every concurrency story tells its attempt and the refusals it expects; what comes back is,
per attempt, the attempt's own result, the refusal's stable code, or ``"error: ..."`` for
anything unexpected (so that a failing test shows what went wrong instead of hanging)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from core.db import db
from core.errors import DomainError

Item = TypeVar("Item")


def all_at_once(app, items: Iterable[Item], attempt: Callable[[Item], str], *,
                refusals: Sequence[type[BaseException]] = (DomainError,),
                barrier_seconds: float = 20.0) -> list[str]:
    """Run ``attempt(item)`` for every item at the same moment, one thread each; commit what
    succeeds, roll back what is refused (its ``code`` is the result)."""
    items = list(items)
    barrier = threading.Barrier(len(items))

    def run(item: Item) -> str:
        with app.app_context():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=barrier_seconds)
            try:
                result = attempt(item)
                db.session.commit()
                return result
            except tuple(refusals) as exc:
                db.session.rollback()
                return getattr(exc, "code", type(exc).__name__)
            except Exception as exc:  # reported, so that the test shows what went wrong
                db.session.rollback()
                return f"error: {exc!r}"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(run, items))


def errors(results: list[str]) -> list[str]:
    """The attempts that failed in a way no story expects."""
    return [result for result in results if result.startswith("error")]
