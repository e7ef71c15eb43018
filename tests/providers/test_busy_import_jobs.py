"""A practitioner's .ics upload as a background job: the upload's page shows how far into
the next 90 days the calendar has been read, then how many busy times it imported; a broken
file imports nothing and says why; other providers cannot see the upload."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from core.accounts.models import ProviderLevel, Role
from core.clock import utcnow
from core.db import db
from core.jobs import services as jobs
from core.jobs.models import Job, JobStatus
from providers import feeds
from providers.models import BusyTime


def _weekly(now) -> bytes:
    start = (now + timedelta(days=2)).strftime("%Y%m%dT090000")
    return (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            b"UID:ward@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
            b"DTSTART;TZID=Asia/Shanghai:" + start.encode() + b"\r\n"
            b"DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=20\r\nSUMMARY:Ward round\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def _upload(client, kit, content: bytes, name: str = "mine.ics"):
    return client.post(f"/providers/practitioners/{kit.practitioner.id}/busy",
                       headers={"Accept-Language": "en"},
                       data={"calendar": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_an_upload_shows_its_page_then_how_many_busy_times_it_imported(client, auth, kit):
    kit.make.commit()
    auth.login(kit.owner.email)
    response = _upload(client, kit, _weekly(utcnow()))
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    # 20 weekly events, of which those in the next 90 days (13) are imported.
    imported = len(db.session.scalars(select(BusyTime)).all())
    assert 12 <= imported <= 13
    assert f"{imported} busy times imported." in page.text
    assert "Back to the schedule" in page.text


def test_while_it_runs_the_page_shows_days_read_of_ninety(app, client, auth, kit):
    kit.make.commit()
    app.config["JOBS_MODE"] = jobs.WORKER
    auth.login(kit.owner.email)
    location = _upload(client, kit, _weekly(utcnow())).headers["Location"]
    job = db.session.scalar(select(Job))
    job.status, job.stage, job.done, job.total = JobStatus.RUNNING, "reading", 45, 90
    db.session.commit()
    page = client.get(location, headers={"Accept-Language": "en"})
    assert 'max="90" value="45"' in page.text and "45 of 90 done" in page.text
    assert db.session.scalars(select(BusyTime)).all() == []

    job.status, job.stage = JobStatus.QUEUED, "queued"
    db.session.commit()
    assert jobs.run_next() is True
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status is JobStatus.SUCCEEDED and (job.done, job.total) == (
        job.result["imported"], job.result["imported"])
    assert "busy times imported." in client.get(location,
                                                headers={"Accept-Language": "en"}).text


def test_a_broken_calendar_imports_nothing_and_says_why(client, auth, kit):
    kit.make.commit()
    auth.login(kit.owner.email)
    response = _upload(client, kit, b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:x\n")
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert 'role="alert"' in page.text
    assert "The calendar file could not be read" in page.text
    assert "Nothing was imported." in page.text
    assert db.session.scalars(select(BusyTime)).all() == []
    assert db.session.scalar(select(Job)).error_code == "invalid_calendar"


def test_a_file_that_is_not_a_calendar_is_refused_at_once(client, auth, kit):
    kit.make.commit()
    auth.login(kit.owner.email)
    response = _upload(client, kit, b"hello")
    assert response.status_code == 422
    assert "This is not an iCalendar (.ics) file." in response.text
    assert db.session.scalar(select(Job)) is None


def test_another_providers_owner_cannot_see_the_upload(client, auth, kit, make):
    kit.make.commit()
    auth.login(kit.owner.email)
    location = _upload(client, kit, _weekly(utcnow())).headers["Location"]
    job = db.session.scalar(select(Job))
    auth.logout()
    stranger = make.user(Role.PROVIDER_STAFF, provider=make.provider(),
                         provider_level=ProviderLevel.OWNER)
    auth.login(stranger.email)
    assert client.get(location).status_code == 404
    token = make.token(stranger)
    response = client.get(f"/api/v1/jobs/{job.id}",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "job_not_found"
    # The owner reads it through the API too.
    owner = client.get(f"/api/v1/jobs/{job.id}",
                       headers={"Authorization": f"Bearer {make.token(kit.owner)}"})
    assert owner.status_code == 200 and owner.get_json()["kind"] == "busy_import"


def test_parsing_reports_how_far_into_the_window_it_has_read(app):
    now = utcnow()
    seen: list[tuple[int, int]] = []
    feeds.parse_busy(_weekly(now), start=now, end=now + timedelta(days=90),
                     timezone="Asia/Shanghai", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (90, 90)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[0][0] < 10
