"""The JSON shape of a background job's status."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from core.jobs.models import Job


class JobRowErrorOut(BaseModel):
    row: int | None = Field(description="The row as numbered in the file (its header is "
                                        "row 1); null for the file as a whole.")
    field: str = Field(description="The column (or field) at fault.")
    message: str = Field(description="What is wrong, in the language of the person who "
                                     "started the job.")


class JobErrorOut(BaseModel):
    code: str = Field(description="Stable: e.g. roster_import_invalid, invalid_calendar, "
                                  "job_interrupted, job_failed.")
    message: str


class JobOut(BaseModel):
    id: int
    kind: str = Field(description="roster_import or busy_import.")
    status: Literal["queued", "running", "succeeded", "failed"]
    stage: str = Field(description="Stable stage code: queued, starting, then the kind's "
                                   "own (roster_import: reading, checking, saving; "
                                   "busy_import: reading, saving), and done.")
    done: int = Field(description="Units done in this stage (rows; days of the calendar).")
    total: int = Field(description="Units in this stage; 0 while not known.")
    percent: int | None = Field(description="0–100 of this stage; null while not known.")
    result: dict[str, int] = Field(description="The summary once it succeeded (roster_import: "
                                               "created, updated, invited, skipped_rows; "
                                               "busy_import: imported).")
    error: JobErrorOut | None = Field(description="Why it failed; nothing was saved.")
    errors: list[JobRowErrorOut] = Field(description="Each wrong row and column.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(id=job.id, kind=job.kind, status=job.status.value, stage=job.stage,
                   done=job.done, total=job.total, percent=job.percent,
                   result={k: int(v) for k, v in (job.result or {}).items()},
                   error=JobErrorOut(code=job.error_code, message=job.error_message)
                   if job.error_code else None,
                   errors=[JobRowErrorOut(**e) for e in job.errors or []],
                   created_at=job.created_at, started_at=job.started_at,
                   finished_at=job.finished_at)
