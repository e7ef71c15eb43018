"""Prevention programmes: yearly check-up campaigns run by enterprises with a check-up
provider, booked through the booking engine and paid from the enterprise's pot, with results
going (by consent) straight into the employee's health profile, explained in plain words.

Builds on core, health, providers, booking and benefits; only ``care`` and the marketplace
import it. ``prevention.queries.eligible_and_completed_user_ids`` is its public query.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from booking.notifications import register_message_extra
from core.accounts.models import Role
from core.bootstrap import register_api
from core.navigation import NavEntry, add_nav
from prevention import api, personal_data, signals, views
from prevention.notifications import preparation_extra


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.add_template_global(views.checkup_notices, "checkup_notices")
    register_api(app, api.bp)
    signals.connect()
    personal_data.init_app(app)
    register_message_extra(app, preparation_extra)
    add_nav(app, Role.EMPLOYEE, NavEntry("prevention.my_checkups", _l("My check-ups"), order=25))
    add_nav(app, Role.ENTERPRISE_ADMIN, NavEntry(
        "prevention.campaigns", _l("Check-up campaigns"),
        url_args=lambda m: {"enterprise_id": m.enterprise_id}, order=40))
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "prevention.provider_checkups", _l("Campaign check-ups"),
        url_args=lambda m: {"provider_id": m.provider_id}, order=40))
