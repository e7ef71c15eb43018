"""The one table of background jobs: what was asked for, by whom, for which tenant, and how
far it has got (stage, rows done of total), then its summary or its errors."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, UTCDateTime, str_enum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting to start"),
    JobStatus.RUNNING: _l("In progress"),
    JobStatus.SUCCEEDED: _l("Finished"),
    JobStatus.FAILED: _l("Failed"),
}
FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(Model):
    """A long operation (a roster import, a calendar upload) run by the worker. The file
    it works on is kept only until it is done; the row errors it reports name rows and
    columns, never a person's data."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("done >= 0 AND total >= 0", name="counts_not_negative"),
        Index("ix_jobs_kind_status", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  #: a registered ``JobKind`` name
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, 20), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The tenant the job belongs to; who may see it is the kind's rule.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider_organisations.id"),
                                                    index=True)
    #: What it works on inside the tenant, in the kind's terms (a practitioner's id).
    subject_id: Mapped[int | None]
    locale: Mapped[str] = mapped_column(String(10))  #: messages are written in this language
    filename: Mapped[str] = mapped_column(String(200), default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    stage: Mapped[str] = mapped_column(String(20), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: ``[{"row": 3, "field": "email", "message": "..."}]``; row is null for the whole file.
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Moved by every progress report: a running job that stops moving was interrupted.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        """0–100, or None while the total is not known yet."""
        if self.status is JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


class PeriodicRun(Model):
    """The last run of one periodic job of the worker (``core.jobs.periodic``): claimed by
    moving ``started_at`` forward in one UPDATE (so that of several workers one runs it),
    then its outcome. What ``/readyz`` shows as the job's heartbeat."""

    __tablename__ = "periodic_job_runs"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool | None] = mapped_column()
    handled: Mapped[int | None] = mapped_column()  #: rows handled (or problems found)
    error: Mapped[str] = mapped_column(String(80), default="")
