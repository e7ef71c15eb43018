"""Time-based work of the booking engine, and the worker that runs it.

The job library is RQ (Redis): ``flask worker`` enqueues one ``tick`` per interval (a
unique job id per interval, so that several workers enqueue it once) and works the queue.
Without ``REDIS_URL`` (the embedded default, and ``make run``) the same ``tick`` runs in
the worker process itself.

Each job commits for itself and claims its rows with ``FOR UPDATE SKIP LOCKED`` and a
"sent" timestamp set in the same transaction, so that several workers can run at once and
no reminder is ever sent twice (mail goes out only after the claim has committed).

Between two rounds the worker runs the background jobs people wait for (roster imports,
calendar uploads: ``core.jobs``) as soon as they are queued, checking every second.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time as time_module
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq.exceptions import DuplicateJobError
from sqlalchemy import select

from booking import idempotency, notifications, services
from booking.models import Booking, BookingStatus
from core import heartbeat, mail
from core.clock import utcnow
from core.db import db
from core.jobs import periodic
from core.jobs import services as background

log = logging.getLogger(__name__)

QUEUE_NAME = "parkwell-booking"
DEFAULT_INTERVAL_SECONDS = 30
BATCH = 200


def send_due_reminders(*, now: datetime, hours: int) -> int:
    """Send the ``hours`` (24 or 2) reminder of confirmed bookings starting within that many
    hours, once. Bookings made inside the window get no such reminder. Returns how many
    were sent."""
    column = Booking.reminder_24h_sent_at if hours == 24 else Booking.reminder_2h_sent_at
    window = timedelta(hours=hours)
    statement = select(Booking).where(
        Booking.status == BookingStatus.CONFIRMED, Booking.starts_at > now,
        Booking.starts_at <= now + window, column.is_(None))
    if hours == 24:  # the 2-hour reminder covers bookings that are already that close
        statement = statement.where(Booking.starts_at > now + timedelta(hours=2))
    rows = db.session.scalars(statement.order_by(Booking.id).limit(BATCH)
                              .with_for_update(skip_locked=True)).all()
    sent = 0
    for booking in rows:
        if hours == 24:
            booking.reminder_24h_sent_at = now
        else:
            booking.reminder_2h_sent_at = now
            booking.reminder_24h_sent_at = booking.reminder_24h_sent_at or now
        # Marked handled either way; a booking made inside the window needs no reminder.
        if booking.created_at <= booking.starts_at - window:
            notifications.reminder(booking, hours=hours, now=now)
            sent += 1
    db.session.flush()
    return sent


def expire_lapsed_holds(*, now: datetime) -> int:
    """Expire lapsed holds, one transaction each: a transaction never holds one
    practitioner's lock while it waits for another's."""
    expired = 0
    for booking_id in services.lapsed_holds(now=now, limit=BATCH):
        expired += services.expire_hold(booking_id, now=now)
        db.session.commit()
    return expired


#: The engine's own jobs: each takes ``now``, does its work and commits. They run in every
#: round of the worker; the registry (``core.jobs.periodic``) holds them with every other
#: package's periodic jobs, each on its own interval.
JOBS: dict[str, Callable[[datetime], int]] = {
    "expire_holds": lambda now: expire_lapsed_holds(now=now),
    "reminders_24h": lambda now: send_due_reminders(now=now, hours=24),
    "reminders_2h": lambda now: send_due_reminders(now=now, hours=2),
    "prune_idempotency_keys": lambda now: idempotency.prune(now=now),
    "prune_finished_jobs": lambda now: background.prune(now=now),
    "send_queued_mail": lambda now: mail.deliver_due(now=now),
    "prune_sent_mail": lambda now: mail.prune_outbox(now=now),
}


def init_app(app: Flask) -> None:
    for name, job in JOBS.items():
        periodic.register(app, name, job)


def register_periodic_job(app: Flask, name: str, job: Callable[[datetime], int]) -> None:
    """Run ``job(now)`` in every round of the worker (``core.jobs.periodic.register`` takes
    an interval too): how the packages built on the engine (park events' waitlist offers,
    family physicians' unpaid agreements) get their sweeps run. The job commits for itself
    (or leaves it to the round) and returns how many rows it handled."""
    periodic.register(app, name, job)


def periodic_jobs() -> dict[str, Callable[[datetime], int | None]]:
    return {name: job.run for name, job in periodic.registered().items()}


def tick(now: datetime | None = None) -> dict[str, int]:
    """Run every due periodic job once, each in its own transaction (``core.jobs.periodic``).
    A failing job is logged, rolled back and recorded; the others still run."""
    return periodic.run_due(now=now or utcnow())


def tick_job() -> dict[str, int]:
    """The RQ job: runs in the worker process, inside the app context it set up."""
    return tick()


def run_worker(*, burst: bool, interval: int) -> None:
    """The loop of ``flask worker``: on Redis when configured, embedded otherwise."""
    url = current_app.config.get("REDIS_URL")
    if url:
        _run_rq(url, burst=burst, interval=interval)
        return
    while True:
        heartbeat.beat(current_app)
        log.info("booking tick (embedded): %s", tick())
        if burst:
            background.run_queued()
            return
        _run_background_jobs_for(interval)


def _run_background_jobs_for(seconds: float) -> None:
    """Until the next round: run imports as they are queued (nobody waits for a round)."""
    background.work(stop=threading.Event(), poll_seconds=1.0,
                    until=time_module.monotonic() + seconds)


def _run_rq(url: str, *, burst: bool, interval: int) -> None:
    connection = Redis.from_url(url)
    queue = Queue(QUEUE_NAME, connection=connection)
    # SimpleWorker runs jobs in this process, so they see the app context opened here.
    worker = SimpleWorker([queue], connection=connection)
    while True:
        heartbeat.beat(current_app)
        slot = int(time_module.time()) // interval
        # Another worker may have enqueued this interval's tick already.
        with contextlib.suppress(DuplicateJobError):
            queue.enqueue_call(tick_job, job_id=f"booking-tick-{slot}", unique=True,
                               result_ttl=interval * 10, failure_ttl=86400)
        worker.work(burst=True)
        if burst:
            background.run_queued()
            return
        _run_background_jobs_for(max(1, interval - int(time_module.time()) % interval))
