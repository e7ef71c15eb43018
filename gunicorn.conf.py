"""Gunicorn settings for production: ``gunicorn wsgi:app`` reads this file from the
working directory (or pass ``-c gunicorn.conf.py``). Every value can be overridden from the
environment, so that one image serves small and large machines alike.

ParkWell's requests spend much of their time waiting for PostgreSQL, so each worker process
runs a few threads (gthread): processes give parallel Python, threads overlap the waits.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


cpus = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
#: (2 × cores) + 1 processes is gunicorn's own rule of thumb.
workers = _int("GUNICORN_WORKERS", 2 * cpus + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = _int("GUNICORN_THREADS", 4)
# How many connections one worker holds at once (busy and kept alive). gunicorn's 1,000 let
# one worker accept most of a proxy's kept-alive connections while the others idled (in
# the bench, 16 connections served at a third of the rate when they landed together); at
# twice its threads a worker leaves the rest to its siblings, and a connection it cannot
# keep is closed after its answer, to come back through the shared queue.
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 2 * threads)
#: Each worker's SQLAlchemy pool must hold one connection per thread (DB_POOL_SIZE ≥ threads):
#: workers × threads × app servers must stay under PostgreSQL's max_connections, or go
#: through pgbouncer (DB_PGBOUNCER=transaction).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
#: Recycle a worker after ~100,000 requests: a safety net against a slow leak, not a rhythm.
# Every memory a worker keeps is bounded (core.memo), and each recycling costs it its
# remembered copies and its connections. At
# 5,000 a busy worker (400 req/s) was replaced every ~12 s, each time with cold memories
# (in the bench, the slot lists' p99 was 1.4 s against 46 ms without recycling).
max_requests = _int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 10_000)
#: Load the app once in the master, then fork: faster starts and shared memory pages.
#: Each worker opens its own database connections after the fork (see post_fork).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "no")
#: Off by default: the app writes its own access line per request (timestamp, request id,
#: latency; JSON with LOG_FORMAT=json). Set GUNICORN_ACCESS_LOG=- for gunicorn's as well.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "") or None
access_log_format = ('%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s '
                     '"%(a)s"')
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
#: gunicorn 27's control socket (under ~/.gunicorn/) is off unless asked for: servers run
#: under systemd or in a container, where a socket in the home directory surprises.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "0") in ("0", "false", "no")
#: Behind a load balancer or proxy that sets X-Forwarded-*; the proxy's own address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server) -> None:
    """Before the first fork: do in the master what every worker would otherwise do on its
    first requests (``core.prefork``)."""
    if not preload_app:
        return
    from core.prefork import ready_to_fork

    ready_to_fork(server.app.wsgi())


def post_fork(server, worker) -> None:
    """Connections opened in the master while preloading must not be shared with the
    forked workers: drop them (without closing the master's sockets) in each worker."""
    if not preload_app:
        return
    from core.db import db

    flask_app = server.app.wsgi()  # the app the master loaded (wsgi:app, parkwell.wsgi:app)
    with flask_app.app_context():
        db.engine.dispose(close=False)
