"""Health: the employee's profile (check-ups, lifestyle, questionnaires, dependants), early
screening on Chinese guideline thresholds, recommendations, and consent-scoped sharing with
providers, with every value encrypted at rest."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.accounts.models import Role
from core.bootstrap import register_api
from core.navigation import NavEntry, add_nav
from health import api, cli, views
from health.crypto import init_keyring


def init_app(app: Flask) -> None:
    init_keyring(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.provider_bp)
    register_api(app, api.bp)
    cli.init_app(app)
    add_nav(Role.EMPLOYEE, NavEntry("health.overview", _l("My health"), order=20))
    add_nav(Role.PROVIDER_STAFF, NavEntry(
        "health_provider.provider_clients", _l("Shared health information"),
        url_args=lambda m: {"provider_id": m.provider_id}, order=60))
