"""Liveness for load balancers and monitors: ``GET /healthz``."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.db import db

log = logging.getLogger(__name__)

bp = Blueprint("system", __name__)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        return jsonify(status="unavailable", database="unreachable",
                       reason=exc.__class__.__name__), 503
    return jsonify(status="ok", database="ok")
