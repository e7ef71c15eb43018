"""The composition root's share of the hardening (issue 9): it knows every package, so it
tells the audit log which of their rows to record. The endpoints' own rules (exports
audited, bookings, exports and account deletion rate-limited) are declared on the views
they guard (``@audited``, ``@rate_limited``, issue 23); ``core.bootstrap.guard_endpoints``
applies them once every view exists."""

from __future__ import annotations

from flask import Flask

from benefits.models import BudgetProgramme, LedgerTransaction, TransactionKind
from core.accounts.models import ProviderOrganisation
from core.audit.hooks import watch_change, watch_insert
from health.models import AccessLogEntry
from providers.models import Credential, Practitioner

#: Money movements a person decides (the rest follow from bookings and are in the ledger).
AUDITED_MONEY = {TransactionKind.FUNDING, TransactionKind.ALLOCATION, TransactionKind.REFUND,
                 TransactionKind.RETURN, TransactionKind.REVERSAL}


def _status_change(kind: str):
    def describe(obj, old, new):
        return {"action": f"{kind}.status_changed", "target_type": kind, "target_id": obj.id,
                "details": {"from": old and str(old), "to": new and str(new)}}
    return describe


def init_app(app: Flask) -> None:
    watch_change(app, "provider.status", ProviderOrganisation, "status",
                 _status_change("provider"))
    watch_change(app, "practitioner.status", Practitioner, "status",
                 _status_change("practitioner"))
    watch_change(app, "credential.reviewed", Credential, "status", lambda c, old, new: {
        "action": "credential.reviewed", "target_type": "credential", "target_id": c.id,
        "details": {"provider_id": c.provider_id, "from": old and str(old),
                    "to": new and str(new)}})
    watch_insert(app, "money", LedgerTransaction, lambda t: t.kind in AUDITED_MONEY and {
        "action": f"money.{t.kind.value}", "target_type": "ledger_transaction",
        "target_id": t.id, "actor": t.actor_id,
        "details": {"reference": t.reference or "", "category": t.category}})
    watch_insert(app, "programme.created", BudgetProgramme, lambda p: {
        "action": "programme.created", "target_type": "budget_programme", "target_id": p.id,
        "details": {"enterprise_id": p.enterprise_id, "amount_minor": p.amount_minor}})
    watch_change(app, "programme.amount", BudgetProgramme, "amount_minor",
                 lambda p, old, new: {
                     "action": "programme.amount_changed", "target_type": "budget_programme",
                     "target_id": p.id, "details": {"enterprise_id": p.enterprise_id,
                                                    "from": old, "to": new}})
    # Only who read whose record, never what (the owner's own access log has the groups).
    watch_insert(app, "health.read", AccessLogEntry, lambda e: {
        "action": "health.read_by_provider", "target_type": "provider",
        "target_id": e.provider_id, "actor": e.accessor_id, "subject_user_id": e.user_id,
        "details": {"consent_id": e.consent_id}})
