"""The composition root's share of the hardening (issue 9): it knows every package, so it
tells the audit log which of their rows and endpoints to record, and which of their
endpoints to rate-limit. Nothing in those packages had to change for it."""

from __future__ import annotations

from flask import Flask

from benefits.models import BudgetProgramme, LedgerTransaction, TransactionKind
from core.accounts.models import ProviderOrganisation
from core.audit.hooks import (
    EndpointRule,
    audit_endpoint,
    watch_change,
    watch_insert,
    web_origin,
)
from core.protections import limit_endpoints
from health.models import AccessLogEntry
from providers.models import Credential, Practitioner

#: Money movements a person decides (the rest follow from bookings and are in the ledger).
AUDITED_MONEY = {TransactionKind.FUNDING, TransactionKind.ALLOCATION, TransactionKind.REFUND,
                 TransactionKind.RETURN, TransactionKind.REVERSAL}

#: Exports: endpoint → what is exported (the view argument holding its id, if any).
EXPORTS = {
    "benefits.report_csv": ("budget_programme", "programme_id"),
    "benefits.statement_csv": ("provider", "provider_id"),
    "park.reports_csv": ("park", "park_id"),
    "health.export": ("health_profile", None),
    "health_api.export": ("health_profile", None),
    "privacy.export": ("user", None),
    "privacy.export_json": ("user", None),
    "accounts_api.export_me": ("user", None),
}

#: Account deletion asks for the password: limited like a sign-in, so that someone holding
#: only a token or an open session cannot guess it.
ACCOUNT_DELETION = ("privacy.delete", "accounts_api.delete_me")
#: Accounts made through the API have the sign-up page's limit.
SIGN_UPS = ("accounts_api.sign_up", "accounts_api.accept_invitation")

BOOKING_ENDPOINTS = ("booking.book", "booking_series.plan_series", "booking_api.create_booking",
                     "booking_api.create_series")


def _status_change(kind: str):
    def describe(obj, old, new):
        return {"action": f"{kind}.status_changed", "target_type": kind, "target_id": obj.id,
                "details": {"from": old and str(old), "to": new and str(new)}}
    return describe


def init_app(app: Flask) -> None:
    watch_change("provider.status", ProviderOrganisation, "status", _status_change("provider"))
    watch_change("practitioner.status", Practitioner, "status", _status_change("practitioner"))
    watch_change("credential.reviewed", Credential, "status", lambda c, old, new: {
        "action": "credential.reviewed", "target_type": "credential", "target_id": c.id,
        "details": {"provider_id": c.provider_id, "from": old and str(old),
                    "to": new and str(new)}})
    watch_insert("money", LedgerTransaction, lambda t: t.kind in AUDITED_MONEY and {
        "action": f"money.{t.kind.value}", "target_type": "ledger_transaction",
        "target_id": t.id, "actor": t.actor_id,
        "details": {"reference": t.reference or "", "category": t.category}})
    watch_insert("programme.created", BudgetProgramme, lambda p: {
        "action": "programme.created", "target_type": "budget_programme", "target_id": p.id,
        "details": {"enterprise_id": p.enterprise_id, "amount_minor": p.amount_minor}})
    watch_change("programme.amount", BudgetProgramme, "amount_minor", lambda p, old, new: {
        "action": "programme.amount_changed", "target_type": "budget_programme",
        "target_id": p.id, "details": {"enterprise_id": p.enterprise_id, "from": old,
                                       "to": new}})
    # Only who read whose record, never what (the owner's own access log has the groups).
    watch_insert("health.read", AccessLogEntry, lambda e: {
        "action": "health.read_by_provider", "target_type": "provider",
        "target_id": e.provider_id, "actor": e.accessor_id, "subject_user_id": e.user_id,
        "details": {"consent_id": e.consent_id}})
    for endpoint, (target_type, target_arg) in EXPORTS.items():
        audit_endpoint(EndpointRule(endpoint, "GET", {200: f"export.{endpoint}"},
                                    target_type=target_type, target_arg=target_arg,
                                    more=_owner_if_health(endpoint)))
    limit_endpoints(app, BOOKING_ENDPOINTS, limit_setting="BOOKING_RATE_LIMIT",
                    default="30 per minute;300 per day", methods=["POST"])
    limit_endpoints(app, SIGN_UPS, limit_setting="SIGNUP_RATE_LIMIT",
                    default="5 per minute;20 per hour", methods=["POST"])
    limit_endpoints(app, ACCOUNT_DELETION, limit_setting="ACCOUNT_DELETE_RATE_LIMIT",
                    default="5 per minute;20 per day", methods=["POST", "DELETE"])
    limit_endpoints(app, EXPORTS, limit_setting="EXPORT_RATE_LIMIT",
                    default="10 per minute;100 per day")


def _owner_if_health(endpoint: str):
    if not endpoint.startswith(("health", "privacy", "accounts_api")):
        return None

    def subject(_status: int) -> dict:
        return {"subject_user_id": web_origin().actor_id}
    return subject
