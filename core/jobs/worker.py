"""The worker: ``flask worker`` runs the periodic jobs (``core.jobs.periodic``) in rounds
and, between two rounds, the background jobs people wait for (``core.jobs.services``).

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
from datetime import datetime

from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq.exceptions import DuplicateJobError

from core import heartbeat
from core.clock import utcnow
from core.jobs import periodic
from core.jobs import services as background

log = logging.getLogger(__name__)

QUEUE_NAME = "parkwell-booking"
DEFAULT_INTERVAL_SECONDS = 30


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
