"""The worker's jobs: hold expiry and 24 h / 2 h reminders, each sent once; the embedded
worker loop; and the employee's secret calendar feed."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from types import SimpleNamespace

from booking import feeds, services
from booking.models import Booking, BookingStatus
from booking.notifications import booking_ics
from core.clock import utcnow
from core.db import db
from core.jobs import worker
from tests.conftest import require_redis


def _confirmed(kit, service, *, at, created=None):
    booking = services.hold_slot(service, practitioner_id=kit.practitioner.id, starts_at=at,
                                 actor=kit.employee(), now=created or utcnow())
    db.session.commit()
    return booking


def test_reminders_go_out_once_each_at_24_and_2_hours(kit, outbox):
    service = kit.service()
    booking = _confirmed(kit, service, at=kit.slot(days=3),
                         created=utcnow() - timedelta(days=1))
    outbox.clear()
    day_before = booking.starts_at - timedelta(hours=23)
    assert worker.tick(day_before)["reminders_24h"] == 1
    assert worker.tick(day_before + timedelta(minutes=1))["reminders_24h"] == 0
    two_hours = booking.starts_at - timedelta(hours=1, minutes=50)
    assert worker.tick(two_hours)["reminders_2h"] == 1
    assert worker.tick(two_hours)["reminders_2h"] == 0
    assert [m.subject.startswith("Reminder") or m.subject.startswith("提醒")
            for m in outbox] == [True, True]


def test_a_booking_made_inside_the_window_gets_no_early_reminder(kit, outbox):
    service = kit.service()
    booking = _confirmed(kit, service, at=kit.slot(days=3))
    outbox.clear()
    booking.created_at = booking.starts_at - timedelta(hours=20)
    db.session.commit()
    assert worker.tick(booking.starts_at - timedelta(hours=19))["reminders_24h"] == 0
    assert worker.tick(booking.starts_at - timedelta(hours=1))["reminders_2h"] == 1


def test_the_tick_expires_lapsed_holds(kit):
    service = kit.service(price_minor=100)
    booking = _confirmed(kit, service, at=kit.slot())
    assert booking.status is BookingStatus.HELD
    assert worker.tick(utcnow() + timedelta(minutes=11))["expire_holds"] == 1
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.EXPIRED


def test_the_embedded_worker_runs_the_jobs_once_in_burst_mode(kit, runner, app):
    app.config["REDIS_URL"] = None
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output


def test_the_calendar_feed_is_secret_and_revocable(client, kit):
    service = kit.service()
    user = kit.employee()
    services.hold_slot(service, practitioner_id=kit.practitioner.id, starts_at=kit.slot(),
                       actor=user, now=utcnow())
    raw = feeds.issue_calendar_feed(user, now=utcnow())
    db.session.commit()
    response = client.get(f"/feeds/me/{raw}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in response.text and "STATUS:CONFIRMED" in response.text
    assert client.get("/feeds/me/forged.ics").status_code == 404
    new = feeds.issue_calendar_feed(user, now=utcnow())
    db.session.commit()
    assert client.get(f"/feeds/me/{raw}.ics").status_code == 404
    feeds.revoke_calendar_feed(user)
    db.session.commit()
    assert client.get(f"/feeds/me/{new}.ics").status_code == 404


def test_the_ics_of_a_cancellation_says_cancel(kit):
    service = kit.service()
    booking = _confirmed(kit, service, at=kit.slot())
    text = booking_ics(booking, method="CANCEL", locale="en", stamp=utcnow())
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text
    assert f"UID:booking-{booking.id}@parkwell" in text
    assert "SUMMARY:Tuina massage" in text


def test_old_idempotency_keys_are_forgotten(client, make, kit):
    service = kit.service()
    headers = {"Authorization": f"Bearer {make.token(kit.employee())}", "Idempotency-Key": "k"}
    body = {"service_id": service.id, "practitioner_id": kit.practitioner.id,
            "starts_at": kit.slot().isoformat()}
    assert client.post("/api/v1/bookings", json=body, headers=headers).status_code == 201
    assert worker.tick(utcnow())["prune_idempotency_keys"] == 0
    assert worker.tick(utcnow() + timedelta(days=2))["prune_idempotency_keys"] == 1


def test_the_worker_runs_its_tick_through_rq_on_redis(kit, app, monkeypatch):
    """With ``REDIS_URL`` the tick is a job on an RQ queue, enqueued once per interval."""
    url = require_redis()
    service = kit.service(price_minor=100)
    lapsed = _confirmed(kit, service, at=kit.slot(), created=utcnow() - timedelta(minutes=20))
    # A queue and an interval of this test's own, so that parallel runs never share a job.
    monkeypatch.setattr(worker, "QUEUE_NAME", f"parkwell-test-{uuid.uuid4().hex}")
    own_interval = 10**11 + random.randrange(10**9) * 30
    monkeypatch.setattr(worker, "time_module", SimpleNamespace(time=lambda: own_interval,
                                                             sleep=lambda _s: None))
    app.config["REDIS_URL"] = url
    worker.run_worker(burst=True, interval=30)
    db.session.expire_all()
    assert db.session.get(Booking, lapsed.id).status is BookingStatus.EXPIRED
