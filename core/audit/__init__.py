"""The audit log: an append-only record of security-relevant actions (who, what, when in
UTC, from where; never a health value), searchable by platform admins, with each person's
own part shown to them, each action named in the reader's language (``actions``), and
pruned after ``AUDIT_RETENTION_DAYS`` by ``flask audit prune`` (``cli``)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from core.accounts.models import Role
from core.audit import api, cli, hooks, views
from core.audit.services import DEFAULT_RETENTION_DAYS, prune
from core.extensions import csrf
from core.jobs import periodic
from core.navigation import NavEntry, add_nav


def init_app(app: Flask) -> None:
    """Call before the request transaction is registered (see ``hooks.init_web``)."""
    hooks.init_web(app)
    hooks.watch_core(app)
    app.register_blueprint(views.bp)
    csrf.exempt(api.bp)  # token-authenticated, reads no cookies
    app.register_blueprint(api.bp)
    cli.init_app(app)
    periodic.register(app, "audit_prune", _prune, setting="JOB_AUDIT_PRUNE_SECONDS",
                      default_seconds=86400)
    add_nav(app, Role.PLATFORM_ADMIN, NavEntry("audit.search_page", _l("Audit log"), order=90))


def _prune(now: datetime) -> int:
    """The worker's daily prune (without an archive: set ``JOB_AUDIT_PRUNE_SECONDS=-1`` and
    run ``flask audit prune --archive`` from cron to keep one)."""
    days = int(current_app.config.get("AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    return prune(older_than_days=days, now=now)
