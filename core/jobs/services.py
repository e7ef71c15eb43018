"""Submitting, running and reading background jobs.

A package registers a ``JobKind`` (what to run, who may see it, the names of its stages)
with ``register_kind``; a view calls ``submit`` and sends the person to a status page.
With ``JOBS_MODE=worker`` (the default) ``flask worker`` claims queued jobs from the
table (``FOR UPDATE SKIP LOCKED``, so several workers can run) and runs each in one
transaction; with ``JOBS_MODE=inline`` (tests) ``submit`` runs the job at once, inside the
request's transaction.

The table is the queue: the job's row has to exist anyway to hold its progress, and a
second copy in Redis could disagree with it.

All or nothing: the handler's work runs in a savepoint, so that a job that fails (a bad
row, a broken file, a crash) leaves nothing of its work behind, only its report. Progress
is written through a connection of its own, so the status page sees it while the job's
transaction is still open (PostgreSQL; SQLite allows one writer, and there the figures
are written when the job ends).
"""

from __future__ import annotations

import logging
import threading
import time as time_module
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from core.accounts.models import User
from core.clock import utcnow
from core.db import db, rows_affected
from core.errors import DomainError, NotFound
from core.jobs.errors import JobAlreadyRunning, JobNotFound
from core.jobs.models import FINISHED, Job, JobStatus
from core.mail import deliver_due

log = logging.getLogger(__name__)

INLINE, WORKER = "inline", "worker"
#: A running job whose row has not moved for this long was interrupted (its worker died).
STALE_AFTER = timedelta(minutes=10)
#: Finished jobs (their summaries) are kept this long, then pruned by the worker.
KEEP_FINISHED = timedelta(days=30)
PROGRESS_INTERVAL_SECONDS = 0.5
_KINDS_KEY = "core.jobs.kinds"

#: Stage codes every kind has; a kind adds its own (``checking``, ``saving`` ...).
COMMON_STAGES = {
    "queued": _l("Waiting to start"),
    "starting": _l("Starting"),
    "done": _l("Finished"),
}


@dataclass(frozen=True)
class JobInput:
    """What a handler works from: a copy, so that it never writes the job's own row (which
    the progress connection is updating at the same time)."""

    id: int
    actor: User
    payload: bytes
    options: Mapping[str, object]
    filename: str
    enterprise_id: int | None
    provider_id: int | None
    subject_id: int | None
    now: datetime


class Progress:
    """How far a job has got: a stage with ``done`` of ``total`` units (rows, days).

    Handlers call ``stage`` when a stage begins and ``advance`` as they go; writes are
    throttled to one every ``PROGRESS_INTERVAL_SECONDS``.
    """

    def __init__(self, job_id: int, *, live: bool, interval: float | None = None) -> None:
        self.job_id, self.live = job_id, live
        self.interval = PROGRESS_INTERVAL_SECONDS if interval is None else interval
        self.name, self.done, self.total = "starting", 0, 0
        self._written_at = 0.0

    def stage(self, name: str, total: int = 0) -> None:
        self.name, self.done, self.total = name, 0, max(0, total)
        self._write(force=True)

    def advance(self, done: int) -> None:
        self.done = max(0, min(done, self.total) if self.total else done)
        self._write(force=self.done == self.total)

    def _write(self, *, force: bool) -> None:
        if not self.live:
            return
        moment = time_module.monotonic()
        if not force and moment - self._written_at < self.interval:
            return
        self._written_at = moment
        table = Job.__table__
        try:
            with db.engine.connect() as connection:
                # Never wait on the row: a report that cannot be written now is skipped.
                connection.execute(text("SET LOCAL lock_timeout = '2s'"))
                connection.execute(table.update().where(table.c.id == self.job_id).values(
                    stage=self.name, done=self.done, total=self.total, updated_at=utcnow()))
                connection.commit()
        except SQLAlchemyError:
            log.warning("progress of job %s not written", self.job_id, exc_info=True)


@dataclass(frozen=True)
class Outcome:
    """What a handler returns: its summary in counts, and what it skipped (row errors)."""

    counts: Mapping[str, int]
    errors: Sequence[Mapping[str, object]] = ()


Handler = Callable[[JobInput, Progress], Outcome]
Authorise = Callable[[User, Job], None]


@dataclass(frozen=True)
class JobKind:
    """``run(data, progress)`` does the work and returns its ``Outcome``; it raises
    ``JobFailed`` or any ``DomainError`` to fail the job, and then none of its work is kept.
    ``authorise(user, job)`` raises NotFound or Forbidden unless ``user`` may see the job.
    ``stages`` names the stage codes it reports."""

    name: str
    run: Handler
    authorise: Authorise
    stages: Mapping[str, object] = field(default_factory=dict)


class JobFailed(Exception):
    """Raised by a handler to fail its job with a report: the domain error (code, message)
    and, for a file of rows, each wrong row and column."""

    def __init__(self, error: DomainError, *, errors: Sequence[Mapping[str, object]]) -> None:
        super().__init__(error.code)
        self.error, self.errors = error, list(errors)


def register_kind(app: Flask, kind: JobKind) -> None:
    app.extensions.setdefault(_KINDS_KEY, {})[kind.name] = kind


def kind_of(job: Job) -> JobKind:
    kind: JobKind = current_app.extensions[_KINDS_KEY][job.kind]
    return kind


def stage_label(job: Job) -> str:
    labels = {**COMMON_STAGES, **kind_of(job).stages}
    return str(labels.get(job.stage, job.stage))


def mode() -> str:
    return current_app.config.get("JOBS_MODE") or WORKER


# -- submitting and reading ------------------------------------------------------------


def submit(kind: str, *, actor: User, now: datetime, payload: bytes, locale: str,
           filename: str = "", options: Mapping[str, object] | None = None,
           enterprise_id: int | None = None, provider_id: int | None = None,
           subject_id: int | None = None) -> Job:
    """Queue a job (inline mode: run it now). The caller has checked that ``actor`` may.
    Raises JobAlreadyRunning while the same kind of job for the same thing is unfinished."""
    if kind not in current_app.extensions.get(_KINDS_KEY, {}):
        raise LookupError(f"no job kind {kind!r} is registered")
    unfinished = db.session.scalar(select(Job).where(
        Job.kind == kind, Job.status.not_in(FINISHED), Job.enterprise_id == enterprise_id,
        Job.provider_id == provider_id, Job.subject_id == subject_id).order_by(Job.id)
        .limit(1)) if enterprise_id or provider_id else None
    if unfinished is not None and not _fail_if_stale(unfinished, now=now):
        raise JobAlreadyRunning(job=unfinished)
    job = Job(kind=kind, status=JobStatus.QUEUED, created_by_id=actor.id,
              enterprise_id=enterprise_id, provider_id=provider_id, subject_id=subject_id,
              locale=locale, filename=filename[:200], options=dict(options or {}),
              payload=payload, stage="queued", created_at=now, updated_at=now)
    db.session.add(job)
    db.session.flush()
    if mode() == INLINE:
        job.status, job.started_at = JobStatus.RUNNING, now
        _execute(job, now=now, live=False)
    return job


def get_job(job_id: int, *, actor: User | None, kind: str | None = None,
            now: datetime | None = None) -> Job:
    """The job, if ``actor`` may see it. Raises JobNotFound (also for other tenants'
    jobs), Forbidden."""
    job = db.session.get(Job, job_id)
    if job is None or (kind is not None and job.kind != kind) or actor is None:
        raise JobNotFound()
    try:
        kind_of(job).authorise(actor, job)
    except NotFound as exc:
        raise JobNotFound() from exc
    _fail_if_stale(job, now=now or utcnow())
    return job


def latest_unfinished(kind: str, *, enterprise_id: int | None = None,
                      subject_id: int | None = None) -> Job | None:
    statement = select(Job).where(Job.kind == kind, Job.status.not_in(FINISHED))
    if enterprise_id is not None:
        statement = statement.where(Job.enterprise_id == enterprise_id)
    if subject_id is not None:
        statement = statement.where(Job.subject_id == subject_id)
    return db.session.scalar(statement.order_by(Job.id.desc()).limit(1))


def _fail_if_stale(job: Job, *, now: datetime) -> bool:
    """Mark a running job that stopped moving as failed (its worker died: its transaction
    was rolled back, so nothing of it was kept). Returns whether it did."""
    if job.status is not JobStatus.RUNNING or job.updated_at > now - STALE_AFTER:
        return False
    with force_locale(job.locale):
        _finish(job, JobStatus.FAILED, now=now, code="job_interrupted", message=_(
            "This import stopped before it finished, and nothing of it was saved. "
            "Please start it again."))
    return True


# -- running ---------------------------------------------------------------------------


def _execute(job: Job, *, now: datetime, live: bool) -> None:
    """Run the handler in a savepoint and record how it ended (not committed here)."""
    kind = kind_of(job)
    actor = db.session.get_one(User, job.created_by_id)  # a foreign key: never missing
    data = JobInput(id=job.id, actor=actor, payload=job.payload or b"",
                    options=dict(job.options or {}), filename=job.filename,
                    enterprise_id=job.enterprise_id, provider_id=job.provider_id,
                    subject_id=job.subject_id, now=now)
    progress = Progress(job.id, live=live)
    with force_locale(job.locale):
        try:
            with db.session.begin_nested():
                result = kind.run(data, progress)
        except JobFailed as exc:
            _finish(job, JobStatus.FAILED, now=utcnow(), code=exc.error.code,
                    message=str(exc.error.message), errors=exc.errors, progress=progress)
        except DomainError as exc:
            _finish(job, JobStatus.FAILED, now=utcnow(), code=exc.code,
                    message=str(exc.message), progress=progress,
                    errors=[{"row": None, "field": name, "message": str(message)}
                            for name, message in exc.fields.items()])
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            _finish(job, JobStatus.FAILED, now=utcnow(), code="job_failed", progress=progress,
                    message=_("Something went wrong on our side, and nothing of this import "
                              "was saved. Please try again."))
        else:
            _finish(job, JobStatus.SUCCEEDED, now=utcnow(), result=result.counts,
                    errors=result.errors, progress=progress)


def _finish(job: Job, status: JobStatus, *, now: datetime, result: Mapping[str, Any] | None = None,
            code: str | None = None, message: str = "",
            errors: Sequence[Mapping[str, object]] = (), progress: Progress | None = None
            ) -> None:
    job.status, job.finished_at, job.updated_at = status, now, now
    job.result = dict(result or {})
    job.error_code, job.error_message = code, message
    job.errors = [{"row": e.get("row"), "field": str(e.get("field", "")),
                   "message": str(e.get("message", ""))} for e in errors]
    if progress is not None:
        job.done, job.total = progress.done, progress.total
    if status is JobStatus.SUCCEEDED:
        job.stage, job.done = "done", job.total
    job.payload = None  # the file is not kept once it has been read


def claim_next(*, now: datetime) -> Job | None:
    """Take the oldest queued job (one no other worker holds) and commit it as running."""
    for stale in db.session.scalars(select(Job).where(
            Job.status == JobStatus.RUNNING, Job.updated_at <= now - STALE_AFTER)
            .with_for_update(skip_locked=True)):
        _fail_if_stale(stale, now=now)
    job = db.session.scalar(select(Job).where(Job.status == JobStatus.QUEUED)
                            .order_by(Job.id).limit(1).with_for_update(skip_locked=True))
    if job is not None:
        job.status, job.stage = JobStatus.RUNNING, "starting"
        job.started_at = job.updated_at = now
    db.session.commit()
    return job


def run_next(*, now: datetime | None = None) -> bool:
    """Run the oldest queued job, if any, and commit. Returns whether there was one."""
    job = claim_next(now=now or utcnow())
    if job is None:
        return False
    try:
        _execute(job, now=utcnow(), live=db.engine.dialect.name == "postgresql")
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("job %s could not be recorded", job.id)
    return True


def run_queued(*, limit: int = 100) -> int:
    """Run queued jobs one after another (``flask worker --burst``). Returns how many."""
    count = 0
    while count < limit and run_next():
        count += 1
    return count


def work(*, stop: threading.Event, poll_seconds: float = 1.0,
         until: float | None = None) -> None:
    """Run jobs as they are queued until ``stop`` is set (or the monotonic clock passes
    ``until``): the worker's loop between its timed rounds."""
    while not stop.is_set() and (until is None or time_module.monotonic() < until):
        try:
            # Queued mail goes out between jobs too, so nobody waits for a round for it.
            ran = run_next() or _send_queued_mail()
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("background jobs could not be read")
            ran = False
        if not ran:
            wait = poll_seconds if until is None else min(
                poll_seconds, max(0.0, until - time_module.monotonic()))
            stop.wait(wait)


def _send_queued_mail() -> bool:
    try:
        return bool(deliver_due(now=utcnow()))
    except SQLAlchemyError:
        raise
    except Exception:
        db.session.rollback()
        log.exception("queued mail could not be sent")
        return False


def prune(*, now: datetime) -> int:
    """Forget jobs that finished more than ``KEEP_FINISHED`` ago."""
    result = db.session.execute(delete(Job).where(Job.finished_at < now - KEEP_FINISHED))
    return rows_affected(result)
