"""Background jobs: long operations (roster imports, calendar uploads) run by the worker,
with their progress (stage, done of total) in a table that status pages and the API read.
See ``core.jobs.services``."""

from __future__ import annotations

from flask import Flask

from core.extensions import csrf
from core.jobs import api, cli
from core.jobs.services import INLINE, WORKER


def init_app(app: Flask) -> None:
    app.config.setdefault("JOBS_MODE", INLINE if app.testing else WORKER)
    csrf.exempt(api.bp)  # token-authenticated, reads no cookies
    app.register_blueprint(api.bp)
    cli.init_app(app)
