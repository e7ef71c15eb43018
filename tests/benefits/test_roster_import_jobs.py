"""The enterprise admin's roster import as a background job: she uploads a file, watches its
progress, then reads the summary; a file with a bad row shows the row's error and saves
nothing; nobody outside her enterprise can see the import."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text

from benefits import roster
from benefits.models import RosterEntry
from core.accounts.models import Invitation, Role
from core.clock import utcnow
from core.db import db
from core.jobs import services as jobs
from core.jobs import worker
from core.jobs.models import Job, JobStatus

HEADER = "employee_no,name,email,department,grade\n"
GOOD = "E1,张伟,zhang@example.com,研发部,P5\nE2,李娜,li.na@example.com,市场部,P6\n"
BAD = "E3,王芳,not-an-email,财务部,P4\n"


def cells(html: str) -> list[str]:
    """The text of the page's table cells, in order (each carries its column's data-label)."""
    return re.findall(r"<td[^>]*>([^<]*)</td>", html)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hr(make, auth):
    """An enterprise whose admin (who reads English) is signed in."""
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise, locale="en")
    auth.login(admin.email)
    return enterprise


def upload(client, enterprise, content: str, **extra):
    return client.post(f"/enterprises/{enterprise.id}/roster", data={
        "file": (io.BytesIO(content.encode()), "roster.csv"), **extra},
        content_type="multipart/form-data")


def test_uploading_a_roster_shows_the_import_page_then_its_summary(client, hr, outbox):
    enterprise = hr
    response = upload(client, enterprise, HEADER + GOOD)
    assert response.status_code == 303
    job = db.session.scalar(select(Job))
    assert response.headers["Location"].endswith(
        f"/enterprises/{enterprise.id}/roster/imports/{job.id}")

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Roster imported: 2 new, 0 updated, 2 invited, 0 rows skipped." in page.text
    assert count(RosterEntry) == 2 and count(Invitation) == 2
    # The invitations went out after the commit, with a real link (not the placeholder).
    links = [m.body for m in outbox if m.to == "zhang@example.com"]
    assert links and "/invitations/" in links[0] and roster.TOKEN_PLACEHOLDER not in links[0]
    assert job.payload is None  # the file is not kept once it has been read


def test_while_it_runs_the_page_shows_a_progress_bar_that_follows_it(app, client, hr):
    enterprise = hr
    app.config["JOBS_MODE"] = jobs.WORKER  # nobody has run it yet
    location = upload(client, enterprise, HEADER + GOOD).headers["Location"]

    waiting = client.get(location)
    assert waiting.status_code == 200
    assert re.search(r"<progress id=\"job-bar\"[^>]*aria-labelledby=\"job-stage\"",
                     waiting.text)
    assert "Waiting to start" in waiting.text
    assert f'<a href="{location.split("parkwell.test")[-1]}">Refresh</a>' in waiting.text
    assert "js/job-progress.js" in waiting.text and "<script>" not in waiting.text
    assert "http-equiv" not in waiting.text  # no meta refresh
    assert count(RosterEntry) == 0
    # The roster page points to the import under way.
    assert "An import is under way." in client.get(f"/enterprises/{enterprise.id}/roster").text

    job = db.session.scalar(select(Job))
    job.status, job.stage, job.done, job.total = JobStatus.RUNNING, "saving", 1, 2
    db.session.commit()
    running = client.get(location)
    assert 'max="2" value="1"' in running.text
    assert "Saving the rows" in running.text and "1 of 2 done" in running.text

    job.status, job.stage, job.done = JobStatus.QUEUED, "queued", 0
    db.session.commit()
    assert worker.background.run_next() is True
    done = client.get(location)
    assert 'data-finished="1"' in done.text and "<progress" not in done.text
    assert "Roster imported: 2 new" in done.text
    assert count(RosterEntry) == 2


def test_a_roster_with_a_bad_row_shows_the_error_and_saves_nothing(client, hr, outbox):
    enterprise = hr
    response = upload(client, enterprise, HEADER + GOOD + BAD)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert 'role="alert"' in page.text and "Rows with errors" in page.text
    assert cells(page.text)[:3] == ["4", "email",
                                    "Enter a valid email address or Chinese mobile number."]
    assert "The roster file has errors; nothing was imported." in page.text
    assert count(RosterEntry) == 0 and count(Invitation) == 0 and outbox == []
    job = db.session.scalar(select(Job))
    assert (job.status, job.error_code) == (JobStatus.FAILED, "roster_import_invalid")
    assert job.errors == [{"row": 4, "field": "email",
                           "message": "Enter a valid email address or Chinese mobile number."}]


def test_importing_only_the_valid_rows_lists_the_skipped_ones(client, hr):
    enterprise = hr
    response = upload(client, enterprise, HEADER + GOOD + BAD, import_valid_rows="y")
    page = client.get(response.headers["Location"])
    assert "Roster imported: 2 new, 0 updated, 2 invited, 1 rows skipped." in page.text
    assert "Rows skipped" in page.text and cells(page.text)[0] == "4"
    assert count(RosterEntry) == 2


def test_a_file_that_is_not_a_roster_is_refused_at_once(client, hr):
    enterprise = hr
    response = upload(client, enterprise, "who,what\nx,y\n")
    assert response.status_code == 422
    assert "The first row must name the columns" in response.text
    assert count(Job) == 0


def test_a_second_import_waits_for_the_first(app, client, hr):
    enterprise = hr
    app.config["JOBS_MODE"] = jobs.WORKER
    first = upload(client, enterprise, HEADER + GOOD).headers["Location"]
    second = upload(client, enterprise, HEADER + GOOD)
    assert second.status_code == 303 and second.headers["Location"] == first
    assert count(Job) == 1
    assert "already under way" in client.get(first).text


def test_another_enterprises_import_does_not_exist(client, make, hr, auth):
    enterprise = hr
    location = upload(client, enterprise, HEADER + GOOD).headers["Location"]
    job = db.session.scalar(select(Job))
    auth.logout()
    other = make.enterprise()
    other_admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=other)
    auth.login(other_admin.email)
    assert client.get(location).status_code == 404
    # Nor through her own enterprise's address.
    assert client.get(f"/enterprises/{other.id}/roster/imports/{job.id}").status_code == 404
    response = client.get(f"/api/v1/jobs/{job.id}", headers=bearer(make.token(other_admin)))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "job_not_found"
    # An employee of her own enterprise may not read it either.
    employee = make.user(Role.EMPLOYEE, enterprise=enterprise)
    assert client.get(f"/api/v1/jobs/{job.id}",
                      headers=bearer(make.token(employee))).status_code == 403


def test_the_api_starts_an_import_and_reports_its_progress_and_errors(client, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    token = make.token(admin)
    started = client.post(f"/api/v1/enterprises/{enterprise.id}/roster/imports",
                          json={"csv": HEADER + GOOD + BAD}, headers=bearer(token))
    assert started.status_code == 202
    status = client.get(f"/api/v1/jobs/{started.get_json()['id']}", headers=bearer(token))
    body = status.get_json()
    assert status.status_code == 200
    assert (body["kind"], body["status"]) == ("roster_import", "failed")
    assert body["error"]["code"] == "roster_import_invalid"
    assert body["errors"] == [{"row": 4, "field": "email",
                               "message": "请输入有效的邮箱地址或中国大陆手机号。"}]
    assert count(RosterEntry) == 0

    started = client.post(f"/api/v1/enterprises/{enterprise.id}/roster/imports",
                          json={"csv": HEADER + GOOD}, headers=bearer(token))
    body = client.get(f"/api/v1/jobs/{started.get_json()['id']}",
                      headers=bearer(token)).get_json()
    assert (body["status"], body["stage"], body["percent"]) == ("succeeded", "done", 100)
    assert body["result"] == {"created": 2, "updated": 0, "invited": 2, "skipped_rows": 0}
    assert body["error"] is None

    unreadable = client.post(f"/api/v1/enterprises/{enterprise.id}/roster/imports",
                             json={"csv": "nothing,useful\n"}, headers=bearer(token))
    assert unreadable.status_code == 422
    assert unreadable.get_json()["error"]["code"] == "invalid_input"


def test_the_api_refuses_a_second_import_while_one_is_unfinished(app, client, make):
    app.config["JOBS_MODE"] = jobs.WORKER
    enterprise = make.enterprise()
    token = make.token(make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise))
    url = f"/api/v1/enterprises/{enterprise.id}/roster/imports"
    first = client.post(url, json={"csv": HEADER + GOOD}, headers=bearer(token))
    assert first.get_json()["status"] == "queued"
    second = client.post(url, json={"csv": HEADER + GOOD}, headers=bearer(token))
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "job_already_running"


def test_the_worker_runs_queued_imports(app, client, hr, outbox):
    enterprise = hr
    app.config["JOBS_MODE"] = jobs.WORKER
    upload(client, enterprise, HEADER + GOOD)
    assert count(RosterEntry) == 0
    worker.run_worker(burst=True, interval=30)
    db.session.expire_all()
    job = db.session.scalar(select(Job))
    assert job.status is JobStatus.SUCCEEDED and job.result["created"] == 2
    assert count(RosterEntry) == 2
    assert sorted(m.to for m in outbox) == ["li.na@example.com", "zhang@example.com"]


def test_an_import_whose_worker_died_is_reported_as_interrupted(app, client, hr):
    enterprise = hr
    app.config["JOBS_MODE"] = jobs.WORKER
    location = upload(client, enterprise, HEADER + GOOD).headers["Location"]
    job = db.session.scalar(select(Job))
    job.status, job.updated_at = JobStatus.RUNNING, utcnow() - timedelta(minutes=11)
    db.session.commit()
    page = client.get(location)
    assert "This import stopped before it finished" in page.text
    assert db.session.get(Job, job.id).error_code == "job_interrupted"
    # ... and it no longer blocks a new import.
    assert upload(client, enterprise, HEADER + GOOD).headers["Location"] != location


@pytest.mark.parametrize("backend", ["postgresql"])  # progress has a connection of its own
def test_progress_is_seen_from_outside_while_the_import_runs(app, backend, make, monkeypatch):
    """On PostgreSQL the status page sees the rows being checked and saved while the job's
    own transaction (which saves the rows all at once) is still open."""
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    app.config["JOBS_MODE"] = jobs.WORKER
    rows = "".join(f"E{n},员工{n},e{n}@example.com,研发部,P5\n" for n in range(40))
    job = roster.start_import(enterprise, (HEADER + rows).encode(), actor=admin, now=utcnow(),
                              filename="big.csv", locale="en",
                              invitation_link="https://parkwell.test/i/__token__")
    db.session.commit()
    outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    seen: list[tuple[str, int, int, int]] = []
    original = jobs.Progress.advance

    def watched(self, done: int) -> None:
        original(self, done)
        with outside.connect() as connection:
            stage, done_, total = connection.execute(text(
                "SELECT stage, done, total FROM jobs WHERE id = :id"), {"id": job.id}).one()
            entries = connection.execute(text(
                "SELECT count(*) FROM roster_entries WHERE enterprise_id = :e"),
                {"e": enterprise.id}).scalar()
        seen.append((stage, done_, total, entries))

    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL_SECONDS", 0)
    monkeypatch.setattr(jobs.Progress, "advance", watched)
    assert jobs.run_next() is True
    outside.dispose()
    stages = [s for s, *_ in seen]
    assert "checking" in stages and "saving" in stages
    saving = [(done, total) for stage, done, total, _ in seen if stage == "saving"]
    assert saving[-1] == (40, 40) and any(0 < done < 40 for done, _ in saving)
    assert all(entries == 0 for *_, entries in seen)  # nothing visible before the commit
    assert count(RosterEntry) == 40
