"""On PostgreSQL: several first readers of a period's report, at the same moment, all get
the one release that was stored; none fails, and there is never a second release."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from core import aggregates
from core.aggregates import AggregateRelease
from core.clock import utcnow
from core.db import db

READERS = 8


def test_first_readers_racing_all_read_the_one_stored_release(pg_app):
    now = utcnow()
    started, errors, seen = threading.Barrier(READERS), [], []

    def read(n: int) -> None:
        with pg_app.app_context():
            try:
                started.wait(timeout=10)
                release = aggregates.release("report:race", period="2026-12",
                                             compute=lambda: {"reader": n}, now=now)
                figures = dict(release.figures)
                db.session.commit()
                seen.append(figures)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(seen) == READERS and all(figures == seen[0] for figures in seen)
    assert db.session.scalar(select(func.count()).select_from(AggregateRelease).where(
        AggregateRelease.subject == "report:race")) == 1
