"""The one job system: the worker (``worker``, ``flask worker``), the registry of periodic
jobs (``periodic``), and background jobs, long operations (roster imports, calendar
uploads) with their progress (stage, done of total) in a table that status pages and the
API read (``services``)."""

from __future__ import annotations

from flask import Flask

from core import mail
from core.extensions import csrf
from core.jobs import api, cli, periodic
from core.jobs import services as background
from core.jobs.services import INLINE, WORKER


def init_app(app: Flask) -> None:
    app.config.setdefault("JOBS_MODE", INLINE if app.testing else WORKER)
    csrf.exempt(api.bp)  # token-authenticated, reads no cookies
    app.register_blueprint(api.bp)
    cli.init_app(app)
    # Core's own periodic jobs, every round; each package registers its own in its init_app.
    periodic.register(app, "prune_finished_jobs", lambda now: background.prune(now=now))
    periodic.register(app, "send_queued_mail", lambda now: mail.deliver_due(now=now))
    periodic.register(app, "prune_sent_mail", lambda now: mail.prune_outbox(now=now))
