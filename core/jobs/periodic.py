"""The registry of the worker's periodic jobs: every recurring job runs from here, each on
its own interval, each leaving a heartbeat (``PeriodicRun``) that ``/readyz`` shows.

A package registers its jobs in its ``init_app`` (``register``), naming the setting that
holds the interval (listed in ``core.config.SETTINGS``) and its default; ``0`` means every
round of the worker (30 s by default), a negative interval turns the job off. ``run_due``
is what each round of ``flask worker`` calls: a job is due when its last start is at least
its interval ago, and is claimed by moving ``started_at`` forward in one UPDATE, so that of
several workers only one runs it. Each job commits for itself (or leaves it to the round);
a failing job is rolled back, logged and recorded, and the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from core.db import db, rows_affected
from core.jobs.models import PeriodicRun

log = logging.getLogger(__name__)

_KEY = "core.periodic_jobs"
#: A job is reported late when its last start is older than this many intervals (plus the
#: worker's own heartbeat allowance).
LATE_AFTER_INTERVALS = 3


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[datetime], int | None]
    setting: str | None  #: the config key of its interval in seconds
    default_seconds: int

    def interval(self, app: Flask) -> int:
        if self.setting is None:
            return self.default_seconds
        return int(app.config.get(self.setting, self.default_seconds))


def register(app: Flask, name: str, run: Callable[[datetime], int | None], *,
             setting: str | None = None, default_seconds: int = 0) -> None:
    """Run ``run(now)`` from the worker every ``app.config[setting]`` seconds
    (``default_seconds`` when unset; 0: every round). ``run`` returns how many rows it
    handled (or problems it found)."""
    if len(name) > 60:
        raise ValueError("job names are at most 60 characters")
    app.extensions.setdefault(_KEY, {})[name] = PeriodicJob(name, run, setting,
                                                            default_seconds)


def registered(app: Flask | None = None) -> dict[str, PeriodicJob]:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    return dict(app.extensions.get(_KEY, {}))


def _claim(job: PeriodicJob, *, now: datetime, interval: int) -> bool:
    """Take this round's run of ``job`` (committed), or say another worker has it."""
    if db.session.get(PeriodicRun, job.name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(PeriodicRun(name=job.name, started_at=now, error=""))
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()  # another worker made the row first: claim as usual
    claimed = rows_affected(db.session.execute(
        update(PeriodicRun).where(
            PeriodicRun.name == job.name,
            or_(PeriodicRun.started_at <= now - timedelta(seconds=interval),
                PeriodicRun.started_at > now))  # a clock set back must not stop it for good
        .values(started_at=now).execution_options(synchronize_session=False)))
    db.session.commit()
    return claimed == 1


def _record(name: str, *, now: datetime, succeeded: bool, handled: int | None,
            error: str) -> None:
    db.session.execute(update(PeriodicRun).where(PeriodicRun.name == name).values(
        finished_at=now, succeeded=succeeded, handled=handled, error=error[:80])
        .execution_options(synchronize_session=False))
    db.session.commit()


def run_due(*, now: datetime, app: Flask | None = None) -> dict[str, int]:
    """Run every due job once. Returns {name: rows handled, or -1 when it failed} for the
    jobs that ran (the round's log line)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    done: dict[str, int] = {}
    for job in registered(app).values():
        interval = job.interval(app)
        if interval < 0:
            continue
        try:
            if not _claim(job, now=now, interval=interval):
                continue
        except Exception:
            db.session.rollback()
            log.exception("periodic job %s could not be claimed", job.name)
            continue
        try:
            result = job.run(now)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("periodic job %s failed", job.name)
            done[job.name] = -1
            _record(job.name, now=now, succeeded=False, handled=None,
                    error=exc.__class__.__name__)
            continue
        handled = result if isinstance(result, int) else None
        done[job.name] = handled if handled is not None else 0
        _record(job.name, now=now, succeeded=True, handled=handled, error="")
    return done


def heartbeats(app: Flask, *, now: datetime) -> dict[str, dict[str, object]]:
    """Each registered job's last run, for ``/readyz``: when it last started (seconds ago),
    whether it succeeded, and whether it is late (``ok``)."""
    runs = {r.name: r for r in db.session.scalars(select(PeriodicRun))}
    allowance = int(app.config.get("WORKER_HEARTBEAT_MAX_SECONDS", 180))
    result: dict[str, dict[str, object]] = {}
    for name, job in sorted(registered(app).items()):
        interval = job.interval(app)
        run = runs.get(name)
        if interval < 0:
            result[name] = {"every_seconds": None, "disabled": True, "ok": True}
            continue
        if run is None:
            result[name] = {"every_seconds": interval, "last_started_seconds_ago": None,
                            "ok": False}
            continue
        age = round((now - run.started_at).total_seconds(), 1)
        late = age > LATE_AFTER_INTERVALS * interval + allowance
        result[name] = {"every_seconds": interval, "last_started_seconds_ago": age,
                        "succeeded": run.succeeded, "handled": run.handled,
                        "error": run.error or None,
                        "ok": not late and run.succeeded is not False}
    return result
