"""For load balancers, monitors and Prometheus: ``GET /healthz`` (liveness: the process
answers and reaches its database), ``GET /readyz`` (readiness: core.readiness) and
``GET /metrics`` (core.observability). They answer plain HTTP even with ``FORCE_HTTPS``:
probes and scrapers talk to the app server directly, behind the TLS proxy."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.db import db
from core.observability import metrics_response
from core.protections import talisman
from core.readiness import readiness

log = logging.getLogger(__name__)

bp = Blueprint("system", __name__)


@bp.route("/healthz")
@talisman(force_https=False)
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        return jsonify(status="unavailable", database="unreachable",
                       reason=exc.__class__.__name__), 503
    return jsonify(status="ok", database="ok")


@bp.route("/readyz")
@talisman(force_https=False)
def readyz() -> ResponseReturnValue:
    body, status = readiness()
    if status != 200:
        log.warning("readiness: %s", {k: v for k, v in body["checks"].items()
                                      if v["status"] != "ok"})
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.route("/metrics")
@talisman(force_https=False)
def metrics() -> ResponseReturnValue:
    return metrics_response(current_app)
