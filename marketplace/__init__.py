"""The employee's marketplace, and the composition root: ``create_app`` registers every
package, so that no inner package needs to know the ones above it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask
from flask_babel import lazy_gettext as _l

import benefits
import booking
import care
import health
import park
import prevention
import providers
from core import bootstrap
from core.accounts.models import Role
from core.bootstrap import register_api
from core.config import INSTANCE_DIR, PROJECT_ROOT, load_config
from core.navigation import NavEntry, add_nav
from health.recommendations import set_candidate_source
from marketplace import api, cli, hardening, personal_data, views
from marketplace.candidates import candidate_pool


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding it (tests)."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR),
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_mapping(load_config())
    if config:
        app.config.from_mapping(config)
    INSTANCE_DIR.mkdir(exist_ok=True)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    bootstrap.init_app(app)
    providers.init_app(app)
    health.init_app(app)
    benefits.init_app(app)
    booking.init_app(app)
    park.init_app(app)
    prevention.init_app(app)
    care.init_app(app)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    add_nav(Role.EMPLOYEE, NavEntry("marketplace.catalogue_page", _l("Services"), order=10))
    set_candidate_source(candidate_pool)
    cli.init_app(app)
    personal_data.init_app()
    hardening.init_app(app)  # last: it wraps the other packages' endpoints
    return app
