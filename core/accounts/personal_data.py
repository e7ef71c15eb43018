"""A person's whole account across ParkWell: the full export (PIPL Art. 45: a copy of
everything held about them, as JSON and as a readable page) and the account's deletion
(Art. 47), which deletes what is only theirs and keeps, anonymised, the history the park
must keep (counts, ledger entries, attended bookings).

Core knows none of the packages: each one registers a ``Section`` in its ``init_app``
saying what it exports about a person, what stands in the way of deleting the account
(an upcoming booking, an agreement in force), and how it erases the rest. The account's own
section (login, memberships, tokens) is core's and always comes first. The sections and the
readable export's words live in the app's registry (``app.extensions``), filled as the app
is created.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from core.accounts.errors import InvalidCredentials
from core.accounts.models import ApiToken, Membership, Role, User
from core.api.models import IdempotencyRecord
from core.audit import services as audit
from core.db import db
from core.errors import Conflict, InvalidInput
from core.security import verify_password

#: What an anonymised account is called wherever history still shows its rows.
DELETED_NAME = "已注销用户"
def deleted_login(user_id: int) -> str:
    """The login a deleted account keeps: the reserved ``.invalid`` domain (RFC 2606)."""
    return f"deleted-{user_id}@deleted.invalid"


#: A password hash no password matches (``verify_password`` refuses it).
UNUSABLE_PASSWORD = "!deleted"  # noqa: S105  (not a password: a hash nothing matches)


class AccountDeletionBlocked(Conflict):
    """Something still under way must be finished or cancelled first (nothing deleted)."""

    code = "account_deletion_blocked"
    default_message = _l("Your account cannot be deleted yet. Finish or cancel what is "
                         "listed first; nothing has been deleted.")


class DeletionNotConfirmed(InvalidInput):
    code = "account_deletion_not_confirmed"
    default_message = _l("Tick the box and enter your password to delete your account.")


@dataclass(frozen=True)
class Section:
    """One package's share of a person's data."""

    key: str  #: the export's key, e.g. ``bookings``
    title: object  #: a lazy string: the heading in the readable export
    #: ``(user, now) -> JSON-able``: everything this package holds about the person.
    export: Callable[[User, datetime], Any]
    #: ``(user, now) -> [reason, ...]``: what must be finished first (translated words).
    blockers: Callable[[User, datetime], list[str]] | None = None
    #: ``(user, now) -> None``: delete the person's own rows, anonymise what must be kept.
    erase: Callable[[User, datetime], None] | None = None
    order: int = 100  #: export order; erasure runs in the reverse order


#: Core's words for the keys of the JSON in the readable export (the JSON keeps its stable
#: keys). Packages add their own with ``register_field_labels``; a key without a label is
#: shown as itself in plain words.
FIELD_LABELS: dict[str, object] = {
    "id": _l("Number"), "display_name": _l("Name"), "email": _l("Email"),
    "mobile": _l("Mobile number"), "locale": _l("Language"), "is_active": _l("Active"),
    "created_at": _l("Created"), "last_login_at": _l("Last sign-in"),
    "memberships": _l("Roles"), "role": _l("Role"), "park": _l("Park"),
    "enterprise": _l("Enterprise"), "provider": _l("Provider"),
    "provider_level": _l("Level"), "since": _l("Since"), "api_tokens": _l("API tokens"),
    "name": _l("Name"), "prefix": _l("Starts with"), "scopes": _l("Scopes"),
    "expires_at": _l("Expires"), "revoked_at": _l("Revoked"), "exported_at": _l("Exported"),
    "status": _l("Status"), "kind": _l("Kind"), "starts_at": _l("Starts"),
    "ends_at": _l("Ends"), "starts_on": _l("Starts on"), "ends_on": _l("Ends on"),
    "price_minor": _l("Price"), "budget_minor": _l("From the budget"),
    "refunded_minor": _l("Refunded"), "amount_minor": _l("Amount"),
    "balance_minor": _l("Balance"), "currency": _l("Currency"),
    "for_family_member_id": _l("For family member no."), "notes": _l("Notes"),
    "category": _l("Category"), "memo": _l("Memo"), "at": _l("When"),
    "value": _l("Value"), "source": _l("Source"), "service": _l("Service"),
}


EXTENSION = "parkwell.personal_data"


@dataclass
class PersonalDataRegistry:
    """One app's sections and the readable export's words: for keys (``field_labels``,
    core's ``FIELD_LABELS`` and the packages'), and for coded values by the key they appear
    under (``value_labels``: ``status`` → ``confirmed`` → 已确认)."""

    sections: dict[str, Section] = field(default_factory=dict)
    field_labels: dict[str, object] = field(default_factory=lambda: dict(FIELD_LABELS))
    value_labels: dict[str, dict[str, object]] = field(default_factory=dict)


def registry(app: Flask | None = None) -> PersonalDataRegistry:
    """``app``'s registry (the current app's when not given), with core's own words."""
    app = app or current_app
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = PersonalDataRegistry()
        _register_core_labels(app)
    return found


def register_field_labels(app: Flask, labels: Mapping[str, object]) -> None:
    """A package's words for the keys its section exports."""
    registry(app).field_labels.update(labels)


def register_value_labels(app: Flask, key: str,
                          labels: Mapping[Any, object] | type[Enum]) -> None:
    """A package's words for the codes it exports under ``key``: a mapping, or an enum
    whose members have a ``label``."""
    if isinstance(labels, type) and issubclass(labels, Enum):
        labels = {member.value: _LazyLabel(member) for member in labels}
    registry(app).value_labels.setdefault(key, {}).update(labels)


class _LazyLabel:
    """An enum member's label, read in the reader's language when shown."""

    def __init__(self, member: Enum) -> None:
        self.member = member

    def __str__(self) -> str:
        return str(self.member.label)  # type: ignore[attr-defined]  # registered enums have one


def has_value_labels(key: str) -> bool:
    """Whether the current app has words for the codes exported under ``key``."""
    return key in registry().value_labels


def value_label(key: str, value: str) -> str:
    """A coded value in words when its key's vocabulary knows it, else the value itself."""
    label = registry().value_labels.get(key, {}).get(value)
    return str(label) if label is not None else value


def _register_core_labels(app: Flask) -> None:
    register_value_labels(app, "role", Role)
    register_value_labels(app, "locale", {"zh_CN": "简体中文", "en": "English"})


def field_label(key: str) -> str:
    label = registry().field_labels.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def register_section(app: Flask, section: Section) -> None:
    """Called by each package's ``init_app`` (registering again replaces)."""
    registry(app).sections[section.key] = section


def sections() -> list[Section]:
    """The current app's sections, the account's own first."""
    registered = registry().sections.values()
    return [_ACCOUNT, *sorted(registered, key=lambda s: (s.order, s.key))]


# -- export -------------------------------------------------------------------------------


def export_account(user: User, *, now: datetime) -> dict[str, Any]:
    """Everything ParkWell holds about the person, section by section, as JSON-able data."""
    data: dict[str, Any] = {"exported_at": now.isoformat(), "format": "parkwell-export/1"}
    for section in sections():
        data[section.key] = section.export(user, now)
    return data


# -- deletion -----------------------------------------------------------------------------


def deletion_blockers(user: User, *, now: datetime) -> list[str]:
    """Why the account cannot be deleted now (empty: it can)."""
    reasons: list[str] = []
    for section in sections():
        if section.blockers is not None:
            reasons.extend(section.blockers(user, now))
    return reasons


def delete_account(user: User, *, password: str, confirmed: bool, now: datetime) -> None:
    """Delete the person's account: every package erases their own rows and anonymises
    what the park must keep, then the account itself is anonymised (no login, no name, no
    contact details), its tokens deleted and every session ended.

    Raises DeletionNotConfirmed, InvalidCredentials (wrong password),
    AccountDeletionBlocked (``fields["blockers"]`` lists why). A refusal writes nothing:
    the checks come first and the erasure runs in a savepoint that is rolled back whole if
    any package refuses half-way."""
    if not confirmed:
        raise DeletionNotConfirmed(fields={"confirm": str(DeletionNotConfirmed.default_message)})
    if not verify_password(user.password_hash, password or ""):
        raise InvalidCredentials(fields={"password": str(InvalidCredentials.default_message)})
    blockers = deletion_blockers(user, now=now)
    if blockers:
        raise AccountDeletionBlocked(fields={"blockers": " ".join(blockers)})
    with db.session.begin_nested():
        for section in reversed(sections()):
            if section.erase is not None:
                section.erase(user, now)
        # Who and when only: the audit log outlives the account and names no one.
        audit.record("account.deleted", actor=user.id, target_type="user",
                     target_id=user.id, subject_user_id=user.id, now=now,
                     details={"sections": [s.key for s in sections() if s.erase]})
    db.session.flush()


# -- the account's own section ------------------------------------------------------------


def _export_account(user: User, _now: datetime) -> dict[str, Any]:
    return {
        "id": user.id, "display_name": user.display_name, "email": user.email,
        "mobile": user.mobile, "locale": user.locale, "is_active": user.is_active,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at and user.last_login_at.isoformat(),
        "memberships": [{
            "role": m.role.value, "is_active": m.is_active,
            "park": m.park and m.park.name_en, "park_zh": m.park and m.park.name_zh,
            "enterprise": m.enterprise and m.enterprise.name_en,
            "enterprise_zh": m.enterprise and m.enterprise.name_zh,
            "provider": m.provider and m.provider.name_en,
            "provider_zh": m.provider and m.provider.name_zh,
            "provider_level": m.provider_level and m.provider_level.value,
            "since": m.created_at.isoformat()} for m in user.memberships],
        "api_tokens": [{
            "name": t.name, "prefix": t.prefix, "scopes": t.scopes.split(),
            "created_at": t.created_at.isoformat(), "expires_at": t.expires_at.isoformat(),
            "revoked_at": t.revoked_at and t.revoked_at.isoformat()}
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                        .order_by(ApiToken.id))],
    }


def _erase_account(user: User, _now: datetime) -> None:
    """Last of all: the account row stays (bookings, the ledger and agreements still point
    at it) but says nothing about the person any more."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    # The first answers of writes sent with an Idempotency-Key: only replays, never history.
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id))
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        membership.is_active = False
    user.display_name = DELETED_NAME
    # An account needs a login (a CHECK constraint): one that names nobody and reaches no one.
    user.email = deleted_login(user.id)
    user.mobile = None
    user.locale = None
    user.password_hash = UNUSABLE_PASSWORD
    user.last_login_at = None
    user.is_active = False
    user.session_version += 1  # every session ends on its next request


_ACCOUNT = Section(key="account", title=_l("Account"), export=_export_account,
                   erase=_erase_account, order=0)
