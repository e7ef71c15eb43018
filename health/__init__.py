"""Health: the employee's profile (check-ups, lifestyle, questionnaires, dependants), early
screening on Chinese guideline thresholds, recommendations, and consent-scoped sharing with
providers, with every value encrypted at rest."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from core.accounts.models import Role
from core.accounts.personal_data import (
    Section,
    register_field_labels,
    register_section,
    register_value_labels,
)
from core.bootstrap import register_api
from core.db import db
from core.navigation import NavEntry, add_nav
from core.policy import install_rules
from health import api, cli, policy, sharing, views
from health.crypto import init_keyring
from health.readings import format_reading


def init_app(app: Flask) -> None:
    install_rules(app, policy.RULES)
    init_keyring(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.provider_bp)
    register_api(app, api.bp)
    cli.init_app(app)
    app.add_template_filter(format_reading, "reading")
    app.after_request(_keep_reads_of_refused_pages)
    register_field_labels(app, sharing.EXPORT_LABELS)
    for key, labels in sharing.EXPORT_VALUE_LABELS.items():
        register_value_labels(app, key, labels)
    register_section(app, Section(
        key="health", title=_l("Health"), order=20,
        export=lambda user, now: sharing.export_health_of(user, now=now),
        erase=lambda user, now: sharing.erase_health_of(user, now=now)))
    app.teardown_request(lambda _exc: sharing.forget_pending_reads())
    add_nav(app, Role.EMPLOYEE, NavEntry("health.overview", _l("My health"), order=20))
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "health_provider.provider_clients", _l("Shared health information"),
        url_args=lambda m: {"provider_id": m.provider_id}, order=60))


def _keep_reads_of_refused_pages(response):
    """A page that showed someone else's health data and then answered 4xx (a team's form
    re-rendered with its errors) is rolled back by the request's transaction; the read it
    showed still belongs in the owner's access log. Runs before ``core.web`` finishes the
    transaction (after-request functions run last-registered first)."""
    if response.status_code >= 400 and not request.path.startswith("/api/") \
            and db.session.info.get(sharing.READS_KEY):
        pending = db.session.info.pop(sharing.READS_KEY)
        db.session.rollback()
        db.session.info[sharing.READS_KEY] = pending
        if sharing.keep_reads_after_rollback():
            db.session.commit()
    return response
