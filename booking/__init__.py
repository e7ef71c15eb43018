"""Booking: holds with capacity enforced in the database, bookings and their state machine,
cancellation and attendance, rescheduling, idempotent writes, notifications."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from booking import (
    api,
    delisting,
    jobs,
    personal_data,
    policy,
    queries,
    series_views,
    views,
    waitlist,
)
from booking.models import Booking
from booking.provider_feed import booking_feed_events
from core.accounts.models import Role
from core.bootstrap import register_api
from core.navigation import NavEntry, add_nav
from core.policy import install_rules
from providers.feeds import register_feed_source
from providers.slots import register_occupancy_source


def init_app(app: Flask) -> None:
    install_rules(app, policy.RULES)
    app.config.setdefault("BOOKING_HOLD_MINUTES", 10)
    app.register_blueprint(views.bp)
    app.register_blueprint(series_views.bp)
    register_api(app, api.bp)
    register_occupancy_source(app, queries.occupancy_source)
    register_feed_source(app, booking_feed_events, rows=Booking)
    jobs.init_app(app)
    delisting.init_app()
    waitlist.init_app(app)
    personal_data.init_app(app)
    add_nav(app, Role.EMPLOYEE, NavEntry("booking.my_bookings", _l("My bookings"), order=20))
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "booking.provider_bookings", _l("Bookings"),
        url_args=lambda m: {"provider_id": m.provider_id}, order=15))
