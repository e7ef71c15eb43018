"""Park committees: venues, events and their sessions, registration with waitlists,
QR tickets and check-in at the door, announcements and the park's public calendar. Paid
events go through the benefits checkout: ``init_app`` registers the ``park_registration``
payable subject (``benefits.subjects``)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.accounts.models import Role
from core.bootstrap import register_api
from core.jobs.services import register_kind
from core.navigation import NavEntry, add_nav
from core.policy import install_rules
from park import (
    announcement_mail,
    api,
    cli,
    paying,
    payments,
    personal_data,
    policy,
    registration,
    views,
)


def init_app(app: Flask) -> None:
    install_rules(app, policy.RULES)
    app.config.setdefault("PARK_OFFER_MINUTES", registration.DEFAULT_OFFER_MINUTES)
    app.config.setdefault("PARK_PAYMENT_MINUTES", payments.DEFAULT_PAYMENT_MINUTES)
    app.config.setdefault("PARK_FULL_REFUND_HOURS", payments.DEFAULT_FULL_REFUND_HOURS)
    register_kind(app, announcement_mail.JOB)
    paying.init_app(app)
    personal_data.init_app(app)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    cli.init_app(app)
    add_nav(app, Role.EMPLOYEE, NavEntry("park.events", _l("Park events"), order=30))
    add_nav(app, Role.EMPLOYEE, NavEntry("park.my_events", _l("My events"), order=31))
    add_nav(app, Role.COMMITTEE_MEMBER, NavEntry(
        "park.manage_events", _l("Committee events"),
        url_args=lambda m: {"park_id": m.park_id}, order=30))
