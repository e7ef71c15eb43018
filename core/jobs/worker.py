"""The one worker: ``flask worker`` runs the periodic jobs of every package
(``core.jobs.periodic``, the one registry) in rounds and, between two rounds, the
background jobs people wait for (``core.jobs.services``: roster imports, calendar uploads)
as soon as they are queued, checking every second.

One loop, two ways to run a round: with ``REDIS_URL`` the round is an RQ job (``tick_job``,
one per interval under a unique job id, so that of several workers one enqueues it and one
runs it); without it (the embedded default, and ``make run``) the worker runs it itself.
Either way ``periodic.run_due`` claims each due job in the database, so several workers
may run at once and no job runs twice in one interval.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time as time_module
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq.exceptions import DuplicateJobError

from core import heartbeat
from core.clock import utcnow
from core.jobs import periodic
from core.jobs import services as background

log = logging.getLogger(__name__)

QUEUE_NAME = "parkwell-worker"
DEFAULT_INTERVAL_SECONDS = 30


def tick(now: datetime | None = None) -> dict[str, int]:
    """One round: run every due periodic job once, each in its own transaction. A failing
    job is logged, rolled back and recorded; the others still run."""
    return periodic.run_due(now=now or utcnow())


def tick_job() -> dict[str, int]:
    """The RQ job: runs in the worker process, inside the app context it set up."""
    return tick()


def run_worker(*, burst: bool, interval: int) -> None:
    """The loop of ``flask worker``: a round, then the queued background jobs until the
    next one (``--burst``: those queued now, then stop)."""
    url = current_app.config.get("REDIS_URL")
    run_round = _rq_round(url, interval) if url else _embedded_round
    while True:
        heartbeat.beat(current_app)
        run_round()
        if burst:
            background.run_queued()
            return
        _run_background_jobs_for(max(1, interval - int(time_module.time()) % interval))


def _embedded_round() -> None:
    log.info("worker round (embedded): %s", tick())


def _rq_round(url: str, interval: int) -> Callable[[], None]:
    connection = Redis.from_url(url)
    queue = Queue(QUEUE_NAME, connection=connection)
    # SimpleWorker runs jobs in this process, so they see the app context opened here.
    worker = SimpleWorker([queue], connection=connection)

    def run_round() -> None:
        slot = int(time_module.time()) // interval
        # Another worker may have enqueued this interval's round already.
        with contextlib.suppress(DuplicateJobError):
            queue.enqueue_call(tick_job, job_id=f"worker-tick-{slot}", unique=True,
                               result_ttl=interval * 10, failure_ttl=86400)
        worker.work(burst=True)

    return run_round


def _run_background_jobs_for(seconds: float) -> None:
    """Until the next round: run imports as they are queued (nobody waits for a round)."""
    background.work(stop=threading.Event(), poll_seconds=1.0,
                    until=time_module.monotonic() + seconds)
