"""The employee's marketplace, and the composition root: ``create_app`` registers every
package, so that no inner package needs to know the ones above it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

import benefits
import booking
import care
import health
import park
import prevention
import providers
from core import bootstrap, observability
from core.accounts import counters as account_counters
from core.accounts.models import Role
from core.bootstrap import register_api
from core.config import ASSET_ROOT, load_config
from core.navigation import NavEntry, add_nav
from core.policy import install_rules
from health.recommendations import set_candidate_source
from marketplace import (
    api,
    cli,
    freshness,
    hardening,
    personal_data,
    policy,
    review_prompts,
    views,
)
from marketplace.candidates import candidate_pool


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding it (tests)."""
    settings = load_config()
    app = Flask(__name__, instance_path=str(settings["INSTANCE_DIR"]),
                template_folder=str(ASSET_ROOT / "templates"),
                static_folder=str(ASSET_ROOT / "static"))
    app.config.from_mapping(settings)
    if config:
        app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    observability.init_app(app)  # first: logging, request ids, timing around everything

    bootstrap.init_app(app)
    providers.init_app(app)
    health.init_app(app)
    benefits.init_app(app)
    booking.init_app(app)
    park.init_app(app)
    prevention.init_app(app)
    care.init_app(app)
    install_rules(app, policy.RULES)
    app.register_blueprint(views.bp)
    register_api(app, api.bp)
    add_nav(app, Role.EMPLOYEE, NavEntry("marketplace.catalogue_page", _l("Services"), order=10))
    set_candidate_source(app, candidate_pool)
    cli.init_app(app)
    review_prompts.init_app(app)
    personal_data.init_app(app)
    account_counters.install()  # the caches' counters move with every write of what they
    freshness.install()  # keep
    hardening.init_app(app)
    bootstrap.guard_endpoints(app)  # last: it wraps the endpoints of every package
    return app

