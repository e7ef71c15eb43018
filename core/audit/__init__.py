"""The audit log: an append-only record of security-relevant actions (who, what, when in
UTC, from where; never a health value), searchable by platform admins, with each person's
own part shown to them, each action named in the reader's language (``actions``), and
pruned after ``AUDIT_RETENTION_DAYS`` by ``flask audit prune`` (``cli``)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.accounts.models import Role
from core.audit import api, cli, hooks, views
from core.extensions import csrf
from core.navigation import NavEntry, add_nav


def init_app(app: Flask) -> None:
    """Call before the request transaction is registered (see ``hooks.init_web``)."""
    hooks.init_web(app)
    hooks.watch_core()
    hooks.audit_core_endpoints()
    app.register_blueprint(views.bp)
    csrf.exempt(api.bp)  # token-authenticated, reads no cookies
    app.register_blueprint(api.bp)
    cli.init_app(app)
    add_nav(Role.PLATFORM_ADMIN, NavEntry("audit.search_page", _l("Audit log"), order=90))
