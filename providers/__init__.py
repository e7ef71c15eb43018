"""Providers: organisations and their profiles, practitioners, services, weekly schedules
with China's public holidays, slots, verification and calendar feeds."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.accounts.models import Role
from core.accounts.personal_data import register_value_labels
from core.bootstrap import register_api
from core.jobs.services import register_kind
from core.navigation import NavEntry, add_nav
from core.policy import install_rules
from core.readiness import add_check
from providers import api, cli, feeds, holiday_views, holidays, jobs, policy, views
from providers.models import CATEGORY_LABELS


def init_app(app: Flask) -> None:
    install_rules(app, policy.RULES)
    register_kind(app, feeds.BUSY_IMPORT_JOB)
    feeds.install()
    app.register_blueprint(views.bp)
    app.register_blueprint(holiday_views.bp)
    register_api(app, api.bp)
    cli.init_app(app)
    register_value_labels(app, "category", CATEGORY_LABELS)
    register_value_labels(app, "pot", CATEGORY_LABELS)
    jobs.init_app(app)
    add_check(app, "holidays", holidays.horizon_check)
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "providers.dashboard", _l("Provider dashboard"),
        url_args=lambda m: {"provider_id": m.provider_id}, order=10))
    add_nav(app, Role.COMMITTEE_MEMBER, NavEntry("providers.review_queue",
                                                 _l("Provider verification"), order=20))
    add_nav(app, Role.PLATFORM_ADMIN, NavEntry("providers.review_queue",
                                               _l("Provider verification"), order=20))
    add_nav(app, Role.PLATFORM_ADMIN, NavEntry("holidays.calendar_page",
                                               _l("Holiday calendar"), order=25))
