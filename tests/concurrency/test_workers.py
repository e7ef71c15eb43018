"""Several workers at once: each reminder is sent exactly once, and lapsed holds are
expired once, when two workers (separate connections) run the same jobs together."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from booking import services
from booking.models import Booking, BookingStatus, BookingTransition
from core.clock import utcnow
from core.db import db
from core.jobs import worker
from tests.booking.factories import BookingKit
from tests.factories import Factories

pytestmark = pytest.mark.postgres_only
WORKERS = 4


def _run_together(app, now):
    barrier = threading.Barrier(WORKERS)

    def work(_n):
        with app.app_context():
            barrier.wait(timeout=5)
            try:
                return worker.tick(now)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(work, range(WORKERS)))


def test_workers_running_together_send_each_reminder_once(pg_app):
    kit = BookingKit(Factories())
    service = kit.service()
    created = utcnow() - timedelta(days=2)
    starts = [kit.slot(days=3, hour=h) for h in range(8, 20)]
    for at in starts:
        services.hold_slot(service, practitioner_id=kit.practitioner.id, starts_at=at,
                           actor=kit.employee(), now=created)
    db.session.commit()
    outbox = pg_app.extensions.setdefault("parkwell_outbox", [])
    outbox.clear()
    results = _run_together(pg_app, starts[-1] - timedelta(hours=23))
    assert sum(r["reminders_24h"] for r in results) == len(starts)
    assert len(outbox) == len(starts)
    assert len({m.to for m in outbox}) == len(starts)


def test_workers_running_together_expire_each_hold_once(pg_app):
    kit = BookingKit(Factories())
    service = kit.service(price_minor=100)
    for hour in range(8, 20):
        services.hold_slot(service, practitioner_id=kit.practitioner.id,
                           starts_at=kit.slot(days=3, hour=hour), actor=kit.employee(),
                           now=utcnow())
    db.session.commit()
    results = _run_together(pg_app, utcnow() + timedelta(minutes=11))
    assert sum(r["expire_holds"] for r in results) == 12
    db.session.expire_all()
    assert db.session.query(Booking).filter_by(status=BookingStatus.EXPIRED).count() == 12
    assert db.session.query(BookingTransition).filter_by(
        to_status=BookingStatus.EXPIRED).count() == 12
