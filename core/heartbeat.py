"""The worker's heartbeat, for ``/readyz`` and the metrics: each round of ``flask worker``
records when it last ran. With ``REDIS_URL`` in Redis (one key per worker, expiring), so
that app servers on other machines see it; without Redis in the instance directory (one
machine: the embedded worker of ``make run``)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from pathlib import Path

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

KEY_PREFIX = "parkwell:worker-heartbeat:"
FILE_NAME = "worker-heartbeat"


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(app: Flask, *, now: float | None = None) -> None:
    """Record that this worker is alive (never fails the worker: logged instead)."""
    now = time.time() if now is None else now
    url = app.config.get("REDIS_URL")
    try:
        if url:
            keep = max(60, 2 * int(app.config.get("WORKER_HEARTBEAT_MAX_SECONDS", 180)))
            Redis.from_url(url, socket_timeout=2).set(
                KEY_PREFIX + _worker_name(), f"{now:.3f}", ex=keep)
        else:
            path = Path(app.instance_path) / FILE_NAME
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{now:.3f}")
    except (RedisError, OSError) as exc:
        log.warning("worker heartbeat not recorded: %s", exc.__class__.__name__)


def last_beat(app: Flask) -> float | None:
    """When any worker last beat (seconds since the epoch), or None if none has."""
    url = app.config.get("REDIS_URL")
    if url:
        client = Redis.from_url(url, socket_timeout=2)
        beats = [float(value) for key in client.scan_iter(KEY_PREFIX + "*", count=100)
                 if (value := client.get(key)) is not None]
        return max(beats, default=None)
    path = Path(app.instance_path) / FILE_NAME
    with contextlib.suppress(OSError, ValueError):
        return float(path.read_text().strip())
    return None
