"""Binds the foundation to an app: extensions, languages, sign-in, the request
transaction, error handling, and core's own pages and API.

(It lives here rather than in ``core/__init__.py`` because every module imports ``core``;
the package itself must stay free of imports.)
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

from core import audit, connections, i18n, jobs, policy, protections
from core.accounts import api as accounts_api
from core.accounts import invitation_views, privacy_views, setup_cli, tokens
from core.accounts import views as accounts_views
from core.accounts.models import Role
from core.api import idempotency
from core.api import views as api_views
from core.api.auth import authenticate_api_request
from core.audit import hooks as audit_hooks
from core.config import ASSET_ROOT, refuse_unsafe_settings
from core.counter_hints import register_counter_hints
from core.db import init_lock_timeout, init_replica, init_sqlite_savepoints
from core.extensions import babel, csrf, db, limiter, login_manager, migrate
from core.i18n import format_day, format_money, format_when
from core.navigation import NavEntry, add_nav, current_tab, nav_for, tabs_for
from core.system_views import bp as system_bp
from core.web import (
    active_membership,
    load_session_user,
    register_error_handlers,
    register_input_bounds,
    register_request_transaction,
)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` stops at PostgreSQL's integer: a larger id is simply not found (404),
    instead of an error from the database."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        # Refusing the match would make werkzeug answer 405 where another method's rule
        # shares the path (found by the API fuzzer): answer 404 whatever the method.
        try:
            number: int = super().to_python(value)
        except ValidationError:
            raise NotFound() from None
        return number


def init_app(app: Flask) -> None:
    # ``flask`` commands (migrate, worker) answer no requests: per-process rate limits
    # are harmless there. Everything else is refused before anything is bound.
    refuse_unsafe_settings(app.config,
                           serving=os.environ.get("FLASK_RUN_FROM_CLI") != "true")
    app.url_map.converters["int"] = BoundedIntConverter
    db.init_app(app)
    policy.init_app(app)
    init_lock_timeout(app)
    init_sqlite_savepoints(app)
    init_replica(app)
    connections.init_app(app)  # first among the request hooks
    migrate.init_app(app, db, directory=str(ASSET_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    protections.init_app(app)
    audit.init_app(app)  # before the transaction: its endpoint rules run after the commit
    register_request_transaction(app)
    register_counter_hints(app)  # before the first counter is read (the API's token)
    register_error_handlers(app)
    app.before_request(authenticate_api_request)  # scopes, for every API route at once
    tokens.install()  # a token's use is written when its request commits
    register_input_bounds(app)

    app.register_blueprint(system_bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(invitation_views.bp)
    app.register_blueprint(privacy_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(api_views.swagger_blueprint())
    register_api(app, accounts_api.bp)
    jobs.init_app(app)
    idempotency.init_app(app)
    setup_cli.init_app(app)

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["clock"] = i18n.format_clock
    app.jinja_env.filters["number"] = i18n.format_number
    app.jinja_env.filters["percent"] = i18n.format_share
    app.jinja_env.filters["period"] = i18n.format_period
    app.context_processor(_template_globals)
    _init_navigation(app)


def guard_endpoints(app: Flask) -> None:
    """Apply the audit rules and rate limits declared on the views (``@audited``,
    ``@rate_limited``) to the endpoints they ended up under. The composition root calls it
    last, once every package's blueprints are registered."""
    protections.apply_rate_limits(app)
    audit_hooks.collect_endpoint_rules(app)


def register_api(app: Flask, blueprint: Blueprint) -> None:
    """Register an API blueprint: token-authenticated, so exempt from CSRF."""
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def _template_globals() -> dict[str, Any]:
    return {"active_membership": active_membership, "locale_code": i18n.current_locale_code,
            "nav_for": nav_for, "tabs_for": tabs_for,
            "current_tab": current_tab}


def _init_navigation(app: Flask) -> None:
    add_nav(app, Role.ENTERPRISE_ADMIN, NavEntry(
        "invitations.enterprise_invitations", _l("Invite employees"),
        url_args=lambda m: {"enterprise_id": m.enterprise_id}, order=50))
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "invitations.provider_invitations", _l("Invite staff"),
        url_args=lambda m: {"provider_id": m.provider_id}, owners_only=True, order=50))
    add_nav(app, Role.PLATFORM_ADMIN, NavEntry(
        "invitations.partner_invitations", _l("Invite partners"), order=50))
