"""``parkwell checks`` (``flask checks``): what an operator runs after an install, an upgrade
or a restore. The composition root knows every package, so the checks of each are run here:
the configuration a production server needs, readiness (core.readiness) and the books
(the ledger's invariants, the kept ratings)."""

from __future__ import annotations

import os

from flask import Flask

from benefits.ledger import check_ledger
from core.config import unsafe_settings
from core.readiness import FAIL, OK, readiness
from marketplace import ratings


def configuration_problems(app: Flask, env: dict[str, str] | None = None) -> list[str]:
    """What a production server must have from its environment."""
    env = dict(os.environ if env is None else env)
    if app.config.get("ENV_NAME") != "production":
        return []
    problems = []
    if not env.get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set: sessions and links break at every restart")
    if not env.get("HEALTH_DATA_KEYS"):
        problems.append("HEALTH_DATA_KEYS is not set: health data cannot be encrypted")
    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL is SQLite: use PostgreSQL in production")
    if not app.config.get("REDIS_URL"):
        problems.append("REDIS_URL is not set: rate limits are per process and the worker "
                        "runs without a queue")
    # What the app refuses to serve with (SECRET_KEY, REDIS_URL: said above in other words).
    problems += [p for p in unsafe_settings(app.config)
                 if not p.startswith(("SECRET_KEY", "REDIS_URL"))]
    return problems


def run_checks(app: Flask) -> tuple[list[str], list[str]]:
    """(problems, warnings)."""
    problems = configuration_problems(app)
    warnings: list[str] = []
    body, _status = readiness(app)
    for name, result in body["checks"].items():
        if result["status"] == OK:
            continue
        details = ", ".join(f"{k}={v}" for k, v in result.items() if k != "status")
        (problems if result["status"] == FAIL else warnings).append(f"{name}: {details}")
    if not any(p.startswith(("database", "migrations")) for p in problems):
        problems += [f"ledger: {p}" for p in check_ledger()]
        problems += [f"ratings: {p}" for p in ratings.check()]
    return problems, warnings
