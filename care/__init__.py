"""Family health physicians (issue 12): physician teams, service agreements, care plans
with home measurements, alerts, follow-ups and messages, and park/enterprise outcome
indicators as k-anonymous aggregates."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from booking.feeds import register_feed_source as register_my_feed_source
from care import agreements, api, cli, feeds, payments, personal_data, plans, policy, views
from core.accounts.models import Role
from core.bootstrap import register_api
from core.navigation import NavEntry, add_nav
from core.policy import install_rules
from health.signals import dependant_deleting, profile_deleting
from providers.feeds import register_feed_source


def init_app(app: Flask) -> None:
    install_rules(app, policy.RULES)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    payments.init_app(app)
    personal_data.init_app(app)
    cli.init_app(app)
    register_my_feed_source(app, feeds.employee_events)
    register_feed_source(app, feeds.provider_events)
    profile_deleting.connect(_on_profile_deleting, weak=False)
    dependant_deleting.connect(_on_dependant_deleting, weak=False)
    add_nav(app, Role.EMPLOYEE, NavEntry("care.home", _l("Family physician"), order=25))
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "care.patients", _l("Care patients"),
        url_args=lambda m: {"provider_id": m.provider_id}, order=45))
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "care.teams", _l("Physician teams"), owners_only=True,
        url_args=lambda m: {"provider_id": m.provider_id}, order=46))
    add_nav(app, Role.ENTERPRISE_ADMIN, NavEntry(
        "care.enterprise_outcomes", _l("Health outcomes"),
        url_args=lambda m: {"enterprise_id": m.enterprise_id}, order=60))
    add_nav(app, Role.ENTERPRISE_ADMIN, NavEntry(
        "care.sponsorships", _l("Family physician sponsorship"),
        url_args=lambda m: {"enterprise_id": m.enterprise_id}, order=61))
    add_nav(app, Role.COMMITTEE_MEMBER, NavEntry(
        "care.park_outcomes", _l("Health outcomes"),
        url_args=lambda m: {"park_id": m.park_id}, order=40))


def _on_profile_deleting(user, **_kwargs) -> None:
    plans.forget_health_data(user)


def _on_dependant_deleting(dependant, **_kwargs) -> None:
    agreements.forget_dependant(dependant)
