"""Background jobs (core.jobs): a job that fails keeps nothing of its work, only its report;
finished jobs are forgotten after a while; the status endpoint is in the OpenAPI document."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts.models import Park, Role
from core.clock import utcnow
from core.db import db
from core.errors import InvalidInput
from core.jobs import services as jobs
from core.jobs.models import Job, JobStatus


def _park_maker(fail_with: Exception | None):
    def run(data: jobs.JobInput, progress: jobs.Progress) -> jobs.Outcome:
        progress.stage("saving", 1)
        db.session.add(Park(code=f"job-{data.id}", name_zh="作业园区", name_en="Job park",
                            committee_name_zh="委员会", committee_name_en="Committee",
                            timezone="Asia/Shanghai", currency="CNY", default_locale="en",
                            created_at=data.now))
        db.session.flush()
        progress.advance(1)
        if fail_with is not None:
            raise fail_with
        return jobs.Outcome(counts={"parks": 1})
    return run


@pytest.fixture
def kinds(app):
    for name, error in (("test_ok", None), ("test_refused", InvalidInput(
            fields={"file": "no good"})), ("test_crash", RuntimeError("boom"))):
        jobs.register_kind(app, jobs.JobKind(name=name, run=_park_maker(error),
                                             authorise=lambda user, job: None))


def _submit(kind: str, make) -> Job:
    user = make.user(Role.PLATFORM_ADMIN)
    return jobs.submit(kind, actor=user, now=utcnow(), payload=b"x", locale="en",
                       enterprise_id=make.enterprise().id)


def parks_named_job() -> int:
    return len(db.session.scalars(select(Park).where(Park.code.like("job-%"))).all())


def test_a_job_that_succeeds_keeps_its_work_and_its_summary(kinds, make):
    job = _submit("test_ok", make)
    db.session.commit()
    assert (job.status, job.result, job.stage, job.percent) == (
        JobStatus.SUCCEEDED, {"parks": 1}, "done", 100)
    assert parks_named_job() == 1 and job.payload is None


@pytest.mark.parametrize(("kind", "code"), [("test_refused", "invalid_input"),
                                            ("test_crash", "job_failed")])
def test_a_job_that_fails_keeps_nothing_of_its_work(kinds, make, kind, code):
    job = _submit(kind, make)
    db.session.commit()
    assert (job.status, job.error_code) == (JobStatus.FAILED, code)
    assert job.error_message
    assert parks_named_job() == 0
    if kind == "test_refused":
        assert job.errors == [{"row": None, "field": "file", "message": "no good"}]


def test_the_worker_loop_runs_what_is_queued_until_told_to_stop(app, kinds, make):
    app.config["JOBS_MODE"] = jobs.WORKER
    job = _submit("test_ok", make)
    db.session.commit()
    assert job.status is JobStatus.QUEUED
    jobs.work(stop=threading.Event(), poll_seconds=0.01, until=time.monotonic() + 0.5)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status is JobStatus.SUCCEEDED


def test_finished_jobs_are_forgotten_after_thirty_days(kinds, make):
    job_id = _submit("test_ok", make).id
    db.session.commit()
    assert jobs.prune(now=utcnow() + timedelta(days=29)) == 0
    assert jobs.prune(now=utcnow() + timedelta(days=31)) == 1
    db.session.commit()
    assert db.session.get(Job, job_id) is None


def test_the_job_status_endpoint_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/jobs/{job_id}"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JobOut"}
    assert {"403", "404"} <= set(operation["responses"])
    schema = document["components"]["schemas"]["JobOut"]
    assert schema["properties"]["status"]["enum"] == ["queued", "running", "succeeded",
                                                      "failed"]
    start = document["paths"]["/api/v1/enterprises/{enterprise_id}/roster/imports"]["post"]
    assert "202" in start["responses"] and "409" in start["responses"]
