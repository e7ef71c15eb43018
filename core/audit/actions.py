"""What each audit action code means, in the reader's language.

Entries keep a stable code (``auth.login.failed``): searches, the API and any tool reading
the log rely on it, and it never changes with the language. People read a label instead:
``label_for(code)``, translated when it is shown (the labels are lazy). A code without a
label here is shown as itself, so that a new code is never hidden; add its label when you
add the code (``tests/security/test_audit_labels.py`` checks the known ones).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.accounts.models import (
    PROVIDER_LEVEL_LABELS,
    ROLE_LABELS,
    ApiScope,
    ProviderLevel,
    Role,
)
from core.i18n import format_list, format_money

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


#: The words for the keys an entry's details use (``details`` keep their codes, like the
#: action: searches and tools read them). A key without a word is shown as itself.
DETAIL_LABELS = {
    "password_changed": _l("Password changed"),
    "role": _l("Role"),
    "provider_level": _l("Level"),
    "enterprise_id": _l("Enterprise"),
    "provider_id": _l("Provider"),
    "park_id": _l("Park"),
    "from": _l("Before"),
    "to": _l("After"),
    "scopes": _l("Scopes"),
    "prefix": _l("Starts with"),
    "login": _l("Login"),
    "sections": _l("Parts"),
    "type": _l("Type"),
    "days": _l("Days"),
    "count": _l("How many"),
    "older_than_days": _l("Older than (days)"),
    "reference": _l("Reference"),
    "category": _l("Category"),
    "amount_minor": _l("Amount"),
    "consent_id": _l("Consent"),
}

#: Details whose values are codes of another vocabulary (the readable export's words).
_VALUE_VOCABULARY = {"role": "role", "category": "category", "from": "status", "to": "status",
                     "sections": "section"}


def _detail_value(key: str, value: object) -> str:
    from core.accounts.personal_data import value_label  # the export's words, per app

    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if key == "provider_level" and value in {level.value for level in ProviderLevel}:
        return str(PROVIDER_LEVEL_LABELS[ProviderLevel(str(value))])
    if key in {"scopes", "scope"} and isinstance(value, str):
        return scopes_label(value)
    if key == "amount_minor" and isinstance(value, int):
        return format_money(value)
    if key.endswith("_id") and isinstance(value, int):
        return f"#{value}"
    vocabulary = _VALUE_VOCABULARY.get(key)
    if isinstance(value, list | tuple):
        return format_list([_detail_value(key, item) for item in value])
    if vocabulary and isinstance(value, str):
        return value_label(vocabulary, value)
    return str(value)


def scopes_label(scopes: str) -> str:
    """A token's space-separated scopes ("read write") in words ("读取和写入")."""
    words = [ApiScope(s).label if s in {a.value for a in ApiScope} else s
             for s in scopes.replace(",", " ").split()]
    return format_list(words)


def detail_items(details: dict[str, object] | None) -> list[tuple[str, str]]:
    """An entry's details as (word, value) pairs in the current language; empty values
    left out."""
    items = []
    for key, value in (details or {}).items():
        if value is None or value == "":
            continue
        label = DETAIL_LABELS.get(key)
        items.append((str(label) if label is not None else key, _detail_value(key, value)))
    return items
