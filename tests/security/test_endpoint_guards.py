"""Audit rules and rate limits are declared on the views they guard (``@audited``,
``@rate_limited``), so renaming an endpoint cannot leave it unguarded without a word; every
rule in the app's registry names an endpoint that exists, and the guarded endpoints are the
ones ``marketplace/hardening.py`` and ``core.audit.hooks`` named as strings before (issue 23).
Each app keeps its own registries (audit rules, rate limits, export sections and words,
navigation) in ``app.extensions``."""

from __future__ import annotations

from flask import Blueprint, Flask

from core.audit import hooks
from core.audit.hooks import audited, collect_endpoint_rules
from core.protections import RateLimit, apply_rate_limits, rate_limited, rate_limits
from marketplace import create_app
from tests.conftest import base_config

#: The audited endpoints as the string-keyed rules had them: (endpoint, method) → statuses
#: recorded and the target's type.
AUDITED_BEFORE = {
    ("accounts.login", "POST"): ({302, 401, 429}, None),
    ("accounts.signup", "POST"): ({302, 429}, None),
    ("accounts.forgot_password", "POST"): ({302, 429}, None),
    ("accounts_api.create_token", "POST"): ({201, 401, 403, 429}, None),
    ("benefits.report_csv", "GET"): ({200}, "budget_programme"),
    ("benefits.statement_csv", "GET"): ({200}, "provider"),
    ("park.reports_csv", "GET"): ({200}, "park"),
    ("health.export", "GET"): ({200}, "health_profile"),
    ("health_api.export", "GET"): ({200}, "health_profile"),
    ("privacy.export", "GET"): ({200}, "user"),
    ("privacy.export_json", "GET"): ({200}, "user"),
    ("accounts_api.export_me", "GET"): ({200}, "user"),
}

#: The exports' action codes were ``export.<endpoint>`` then; they stay as they were (the
#: log keeps them, and ``ACTION_LABELS`` names them), whatever the endpoint is called later.
EXPORTS_BEFORE = {"benefits.report_csv", "benefits.statement_csv", "park.reports_csv",
                  "health.export", "health_api.export", "privacy.export",
                  "privacy.export_json", "accounts_api.export_me"}

_BOOKING = ("BOOKING_RATE_LIMIT", ("POST",))
_DELETION = ("ACCOUNT_DELETE_RATE_LIMIT", ("POST", "DELETE"))
_EXPORT = ("EXPORT_RATE_LIMIT", None)
_SIGN_UP = ("SIGNUP_RATE_LIMIT", ("POST",))
#: The rate-limited endpoints before: endpoint → (setting, methods); and since, the API's
#: sign-up and invitation acceptance (API parity), with the sign-up page's limit.
LIMITED_BEFORE = {
    "accounts_api.sign_up": _SIGN_UP, "accounts_api.accept_invitation": _SIGN_UP,
    "booking.book": _BOOKING, "booking_series.plan_series": _BOOKING,
    "booking_api.create_booking": _BOOKING, "booking_api.create_series": _BOOKING,
    "privacy.delete": _DELETION, "accounts_api.delete_me": _DELETION,
    **dict.fromkeys(EXPORTS_BEFORE, _EXPORT),
}


def _methods(app: Flask, endpoint: str) -> set[str]:
    return {m for rule in app.url_map.iter_rules(endpoint) for m in rule.methods}


def test_every_audit_rule_points_at_an_existing_endpoint_and_method(app):
    rules = hooks.registry(app).endpoints
    assert rules, "no rule collected: the test would prove nothing"
    for (endpoint, method), rule in rules.items():
        assert endpoint in app.view_functions, f"{endpoint} is audited but does not exist"
        assert method in _methods(app, endpoint), f"{endpoint} has no {method}"
        assert rule.endpoint == endpoint


def test_every_rate_limit_points_at_an_existing_endpoint(app):
    limits = rate_limits(app)
    assert limits
    for endpoint, limit in limits.items():
        assert endpoint in app.view_functions, f"{endpoint} is limited but does not exist"
        # a limit that names its methods limits at least one the endpoint has
        assert limit.methods is None or set(limit.methods) & _methods(app, endpoint)
        assert limit.setting in app.config


def test_the_audited_endpoints_are_the_ones_before(app):
    rules = hooks.registry(app).endpoints
    assert {key: (set(rule.actions), rule.target_type)
            for key, rule in rules.items()} == AUDITED_BEFORE
    for endpoint in EXPORTS_BEFORE:
        assert rules[(endpoint, "GET")].actions == {200: f"export.{endpoint}"}


def test_the_rate_limited_endpoints_are_the_ones_before(app):
    assert {endpoint: (limit.setting, limit.methods)
            for endpoint, limit in rate_limits(app).items()} == LIMITED_BEFORE


def test_the_rate_limited_api_operations_say_they_may_answer_429(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "429" in paths["/api/v1/bookings"]["post"]["responses"]
    assert "429" in paths["/api/v1/me/health/export"]["get"]["responses"]
    assert "429" not in paths["/api/v1/bookings"]["get"]["responses"]


def _app_with(endpoint: str, view) -> Flask:
    app = Flask(__name__)
    bp = Blueprint("reports", __name__)
    bp.add_url_rule("/report.csv", endpoint, view)
    app.register_blueprint(bp)
    collect_endpoint_rules(app)
    apply_rate_limits(app)
    return app


def test_a_renamed_endpoint_keeps_its_rules():
    @audited("GET", {200: "export.report"}, target_type="report")
    @rate_limited("EXPORT_RATE_LIMIT", default="1 per day")
    def report():
        return "ok"

    before = _app_with("report_csv", report)
    after = _app_with("monthly_report_csv", report)  # renamed: the rule follows the view

    assert set(hooks.registry(before).endpoints) == {("reports.report_csv", "GET")}
    assert set(hooks.registry(after).endpoints) == {("reports.monthly_report_csv", "GET")}
    assert rate_limits(after) == {
        "reports.monthly_report_csv": RateLimit("EXPORT_RATE_LIMIT", "1 per day")}
    assert after.config["EXPORT_RATE_LIMIT"] == "1 per day"


def test_each_app_keeps_its_own_registries(app):
    other = create_app(base_config("sqlite://"))
    assert hooks.registry(other) is not hooks.registry(app)
    assert rate_limits(other) is not rate_limits(app)
    assert rate_limits(other) == rate_limits(app)

    hooks.watch_insert(other, "only.there", Flask, lambda obj: None)
    assert "only.there" in hooks.registry(other).inserts
    assert "only.there" not in hooks.registry(app).inserts


def test_each_app_keeps_its_own_export_sections_and_words(app):
    from core.accounts import personal_data

    other = create_app(base_config("sqlite://"))
    mine, theirs = personal_data.registry(app), personal_data.registry(other)
    assert mine is not theirs
    assert set(mine.sections) == set(theirs.sections) >= {"health", "bookings", "reviews"}
    assert mine.value_labels["role"].keys() == theirs.value_labels["role"].keys()

    personal_data.register_value_labels(other, "only_there", {"x": "X"})
    assert "only_there" in theirs.value_labels and "only_there" not in mine.value_labels
    with other.app_context():
        assert personal_data.value_label("only_there", "x") == "X"
    assert personal_data.value_label("only_there", "x") == "x"  # this app has no word for it


def test_each_app_keeps_its_own_navigation(app):
    from core.accounts.models import Role
    from core.navigation import NavEntry, add_nav, nav_entries

    other = create_app(base_config("sqlite://"))
    assert nav_entries(other) is not nav_entries(app)
    assert [e.endpoint for e in nav_entries(other)[Role.EMPLOYEE]] == [
        e.endpoint for e in nav_entries(app)[Role.EMPLOYEE]]

    add_nav(other, Role.EMPLOYEE, NavEntry("marketplace.home", "Only there", order=1))
    assert nav_entries(other)[Role.EMPLOYEE][0].label == "Only there"
    assert "Only there" not in {e.label for e in nav_entries(app)[Role.EMPLOYEE]}
