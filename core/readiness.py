"""Readiness (``GET /readyz``): may this app server take traffic, and is anything around it
wrong that an operator should hear about?

Each check answers ``ok``, ``warn`` or ``fail``. A failing *critical* check (the database,
Redis when configured, migrations not current) makes ``/readyz`` answer 503, so that the
load balancer stops sending requests here. The others (the worker's heartbeat, the holiday
calendar's horizon) only warn: the status is then ``degraded`` with 200, because taking
every app server out of service would not bring a stopped worker back.

Packages add their own checks with ``add_check`` (providers adds the holiday horizon).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from core import heartbeat
from core.clock import utcnow
from core.config import ASSET_ROOT
from core.db import db
from core.jobs import periodic

log = logging.getLogger(__name__)

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Flask], dict[str, Any]]  #: returns {"status": ok|warn|fail, ...details}
    critical: bool


_EXTRA_KEY = "readiness_checks"


def add_check(app: Flask, name: str, run: Callable[[Flask], dict[str, Any]], *,
              critical: bool = False) -> None:
    app.extensions.setdefault(_EXTRA_KEY, []).append(Check(name, run, critical))


def check_database(app: Flask) -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return {"status": FAIL, "error": exc.__class__.__name__}
    return {"status": OK}


def check_redis(app: Flask) -> dict[str, Any]:
    url = app.config.get("REDIS_URL")
    if not url:
        return {"status": OK, "configured": False}
    try:
        Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except RedisError as exc:
        return {"status": FAIL, "error": exc.__class__.__name__}
    return {"status": OK}


@lru_cache(maxsize=4)
def migration_heads(directory: str) -> frozenset[str]:
    """The revisions the code expects (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def check_migrations(app: Flask) -> dict[str, Any]:
    expected = migration_heads(str(ASSET_ROOT / "migrations"))
    try:
        if not inspect(db.session.connection()).has_table("alembic_version"):
            current: frozenset[str] = frozenset()
        else:
            current = frozenset(db.session.scalars(
                text("SELECT version_num FROM alembic_version")).all())
    except SQLAlchemyError as exc:
        db.session.rollback()
        return {"status": FAIL, "error": exc.__class__.__name__}
    if current == expected:
        return {"status": OK, "revision": ",".join(sorted(current))}
    return {"status": FAIL, "database": ",".join(sorted(current)) or None,
            "code": ",".join(sorted(expected)),
            "hint": "run `parkwell migrate` (flask db upgrade)"}


def check_worker(app: Flask) -> dict[str, Any]:
    limit = int(app.config.get("WORKER_HEARTBEAT_MAX_SECONDS", 180))
    try:
        last = heartbeat.last_beat(app)
    except RedisError as exc:
        return {"status": WARN, "error": exc.__class__.__name__}
    if last is None:
        return {"status": WARN, "last_seen_seconds_ago": None,
                "hint": "no worker has run: start `parkwell worker`"}
    age = round(time.time() - last, 1)
    return {"status": OK if age <= limit else WARN, "last_seen_seconds_ago": age}


def check_periodic_jobs(app: Flask) -> dict[str, Any]:
    """Each periodic job's heartbeat (``core.jobs.periodic``): warns when one has not started
    for three of its intervals, or its last run failed."""
    try:
        jobs = periodic.heartbeats(app, now=utcnow())
    except SQLAlchemyError as exc:
        db.session.rollback()
        return {"status": WARN, "error": exc.__class__.__name__}
    late = sorted(name for name, job in jobs.items() if not job["ok"])
    return {"status": WARN if late else OK, "late_or_failed": late, "jobs": jobs}


CORE_CHECKS = (Check("database", check_database, critical=True),
               Check("redis", check_redis, critical=True),
               Check("migrations", check_migrations, critical=True),
               Check("worker", check_worker, critical=False),
               Check("jobs", check_periodic_jobs, critical=False))


def readiness(app: Flask | None = None) -> tuple[dict[str, Any], int]:
    """Run every check: (body, HTTP status)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    results: dict[str, dict[str, Any]] = {}
    failed = warned = False
    for check in (*CORE_CHECKS, *app.extensions.get(_EXTRA_KEY, [])):
        try:
            result = check.run(app)
        except Exception as exc:  # a broken check must not break the probe
            log.exception("readiness check %s raised", check.name)
            result = {"status": FAIL, "error": exc.__class__.__name__}
        if result["status"] != OK and not check.critical and result["status"] == FAIL:
            result = {**result, "status": WARN}
        results[check.name] = result
        failed |= check.critical and result["status"] == FAIL
        warned |= result["status"] != OK
    status = "unavailable" if failed else "degraded" if warned else "ok"
    return {"status": status, "checks": results}, 503 if failed else 200
