"""What each audit action code means, in the reader's language.

Entries keep a stable code (``auth.login.failed``): searches, the API and any tool reading
the log rely on it, and it never changes with the language. People read a label instead:
``label_for(code)``, translated when it is shown (the labels are lazy). A code without a
label here is shown as itself, so that a new code is never hidden; add its label when you
add the code (``tests/security/test_audit_labels.py`` checks the known ones).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.accounts.models import ROLE_LABELS, Role

ACTION_LABELS = {
    # signing in and accounts (core's endpoint rules and row watchers)
    "auth.login.succeeded": _l("Signed in"),
    "auth.login.failed": _l("Failed sign-in attempt"),
    "auth.throttled": _l("Too many attempts: refused for a while"),
    "account.signed_up": _l("Signed up"),
    "account.password_reset_requested": _l("Password reset requested"),
    "account.created": _l("Account created"),
    "account.deactivated": _l("Account deactivated"),
    "account.reactivated": _l("Account reactivated"),
    "account.sessions_ended": _l("Signed out everywhere (e.g. after a password change)"),
    "account.deleted": _l("Account deleted by its owner"),
    "membership.granted": _l("Role granted"),
    "membership.revoked": _l("Role taken away"),
    "membership.restored": _l("Role given back"),
    "membership.changed": _l("Role changed"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API token revoked"),
    "invitation.created": _l("Invitation created"),
    "invitation.accepted": _l("Invitation accepted"),
    # verification decisions
    "provider.status_changed": _l("Provider's verification status changed"),
    "practitioner.status_changed": _l("Practitioner's verification status changed"),
    "credential.reviewed": _l("Credential reviewed"),
    # budgets and money a person decides
    "money.funding": _l("Budget funded by bank transfer"),
    "money.allocation": _l("Budget allocated"),
    "money.refund": _l("Refund"),
    "money.return": _l("Unspent budget returned"),
    "money.reversal": _l("Money movement reversed"),
    "programme.created": _l("Budget programme created"),
    "programme.amount_changed": _l("Budget programme amount changed"),
    # exports
    "export.benefits.report_csv": _l("Budget report exported"),
    "export.benefits.statement_csv": _l("Provider statement exported"),
    "export.park.reports_csv": _l("Park events report exported"),
    "export.health.export": _l("Health data exported"),
    "export.health_api.export": _l("Health data exported over the API"),
    "export.privacy.export": _l("All of one's data viewed as a document"),
    "export.privacy.export_json": _l("All of one's data exported"),
    "export.accounts_api.export_me": _l("All of one's data exported over the API"),
    # health data read by someone other than its owner
    "health.read_by_provider": _l("Health data read by a provider"),
    # the park's holiday calendar
    "holidays.saved": _l("Holiday calendar for a year entered"),
    "holidays.removed": _l("Holiday calendar for a year removed"),
    # the log itself
    "audit.pruned": _l("Old audit entries deleted (retention)"),
}


#: What an entry is about (``target_type``), as people read it.
TARGET_LABELS = {
    "user": _l("Account"),
    "membership": _l("Role"),
    "invitation": _l("Invitation"),
    "api_token": _l("API token"),
    "provider": _l("Provider"),
    "practitioner": _l("Practitioner"),
    "credential": _l("Credential"),
    "ledger_transaction": _l("Money movement"),
    "budget_programme": _l("Budget programme"),
    "park": _l("Park"),
    "health_profile": _l("Health profile"),
    "audit_log": _l("Audit log"),
    "holiday_year": _l("Holiday calendar"),
}


def target_label(code: str | None) -> str:
    """What the entry is about, in the current language; an unknown type as itself."""
    if not code:
        return ""
    label = TARGET_LABELS.get(code)
    return str(label) if label is not None else code


def label_for(code: str) -> str:
    """The action in the current language; an unknown code as itself."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def roles_label(roles: str | None) -> str:
    """``actor_role`` ("employee", or several joined by commas) in the current language."""
    if not roles:
        return ""
    names = []
    for role in roles.split(","):
        try:
            names.append(str(ROLE_LABELS[Role(role)]))
        except ValueError:
            names.append(role)
    return ", ".join(names)
