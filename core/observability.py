"""What an operator sees: timestamped logs carrying the request's id (one JSON object per line
when ``LOG_FORMAT=json``), an access line per request with its latency, and Prometheus
metrics at ``/metrics`` (``METRICS_ENABLED``; a bearer token or loopback only).

The request id comes from the proxy's ``X-Request-ID`` when it is a sane token (nginx:
``proxy_set_header X-Request-ID $request_id``), else a fresh one; it is sent back in the
response's ``X-Request-ID`` header, so that a person quoting it can be found in the logs.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import TextIO

from flask import Flask, Response, abort, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

access_log = logging.getLogger("parkwell.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_HANDLER_MARK = "_parkwell_handler"

#: Process-wide (prometheus_client's default registry); labelled by endpoint, not by path,
#: so that ids in URLs do not make a series per booking.
HTTP_REQUESTS = Counter("parkwell_http_requests_total", "HTTP requests answered",
                        ("method", "endpoint", "status"))
HTTP_LATENCY = Histogram("parkwell_http_request_duration_seconds",
                         "Time to answer an HTTP request", ("method", "endpoint"),
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def current_request_id() -> str:
    if has_request_context():
        return getattr(g, "request_id", None) or "-"
    return "-"


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request id, message,
    the access fields when present, and the exception's traceback when there is one."""

    FIELDS = ("method", "path", "status", "duration_ms", "remote_addr", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for field in self.FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def configure_logging(*, fmt: str = "text", level: str = "INFO",
                      stream: TextIO | None = None) -> logging.Handler:
    """Replace ParkWell's handler on the root logger (once per process; again replaces it)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
        formatter.default_msec_format = "%s.%03d"
        handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))
    return handler


def init_app(app: Flask) -> None:
    app.config.setdefault("LOG_FORMAT", "text")
    app.config.setdefault("LOG_LEVEL", "INFO")
    app.config.setdefault("METRICS_ENABLED", False)
    app.config.setdefault("METRICS_TOKEN", None)
    if not app.testing:
        configure_logging(fmt=app.config["LOG_FORMAT"], level=app.config["LOG_LEVEL"])
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = getattr(g, "request_id", None) or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = getattr(g, "request_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"
    HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    HTTP_LATENCY.labels(request.method, endpoint).observe(seconds)
    duration_ms = round(seconds * 1000, 1)
    access_log.info(
        "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
        extra={"request_id": request_id, "method": request.method, "path": request.path,
               "status": response.status_code, "duration_ms": duration_ms,
               "remote_addr": request.remote_addr})
    return response


def _metrics_allowed(app: Flask) -> bool:
    token = app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def metrics_response(current_app: Flask) -> Response:
    """Prometheus text format (``GET /metrics``, core.system_views). Not found unless
    ``METRICS_ENABLED``; then a bearer token (``METRICS_TOKEN``) or, without one, a request
    from the machine itself."""
    if not current_app.config.get("METRICS_ENABLED"):
        abort(404)
    if not _metrics_allowed(current_app):
        abort(403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: add up what each wrote to the shared directory.
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped in prometheus-client
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Cache-Control": "no-store"})
