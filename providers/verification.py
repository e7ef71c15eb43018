"""Credentials and verification: licence documents checked by their content, reviews by the
park's committee, and the daily job that delists what an expired licence covered (with a
reminder 30 days before).

Approving a practitioner's credential verifies the practitioner; approving one of the
organisation's verifies the organisation. When an approved credential expires, its holder
goes back to awaiting verification unless another approved credential still covers it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.accounts.models import (
    Membership,
    ProviderLevel,
    ProviderOrganisation,
    ProviderStatus,
    Role,
    User,
)
from core.clock import today_in
from core.db import db
from core.errors import InvalidInput
from core.i18n import format_day
from core.mail import send_mail
from core.policy import Action, can, require
from providers.errors import (
    CredentialAlreadyReviewed,
    DocumentTooLarge,
    InvalidDocument,
    ProviderNotFound,
)
from providers.models import (
    Credential,
    CredentialStatus,
    Practitioner,
    VerificationStatus,
)
from providers.queries import row_by_id
from providers.signals import listing_withdrawn

MAX_DOCUMENT_BYTES = 1_500_000
REMINDER_DAYS = 30
#: Magic numbers of the document types we accept, and the file endings that go with them.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)


def sniff_document(content: bytes, filename: str) -> str:
    """The document's type, read from its first bytes. Raises DocumentTooLarge,
    InvalidDocument (an unknown type, or a name that claims another type)."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(fields={"document": _(
            "The document is larger than %(size)s MB.", size=MAX_DOCUMENT_BYTES / 1_000_000)})
    if not content:
        raise InvalidDocument(fields={"document": _("The file is empty.")})
    name = filename.lower()
    for magic, mime, endings in _SIGNATURES:
        if content.startswith(magic):
            if not name.endswith(endings):
                raise InvalidDocument(fields={"document": _(
                    "The file's name does not match its content.")})
            return mime
    raise InvalidDocument(fields={"document": _("Upload a PDF, JPEG or PNG file.")})


def submit_credential(provider: ProviderOrganisation, *, actor: User,
                      practitioner: Practitioner | None, licence_type: str,
                      licence_number: str, issuer: str, expires_on: date, content: bytes,
                      filename: str, now: datetime) -> Credential:
    """Upload a licence for review. Raises NotFound, Forbidden, InvalidInput,
    InvalidDocument, DocumentTooLarge."""
    require(actor, Action.MANAGE_PROVIDER, provider)
    if practitioner is not None and practitioner.provider_id != provider.id:
        raise InvalidInput(fields={"practitioner_id": _(
            "Choose a practitioner of this provider.")})
    if expires_on <= today_in(provider.park, now=now):
        raise InvalidInput(fields={"expires_on": _("This licence has already expired.")})
    document_type = sniff_document(content, filename)
    credential = Credential(
        provider=provider, practitioner=practitioner, licence_type=licence_type.strip(),
        licence_number=licence_number.strip(), issuer=issuer.strip(), expires_on=expires_on,
        document=content, document_type=document_type, document_name=filename[-200:],
        status=CredentialStatus.PENDING, review_reason="", created_at=now)
    db.session.add(credential)
    db.session.flush()
    return credential


def review_credential(credential: Credential, *, actor: User, approve: bool, reason: str,
                      now: datetime) -> None:
    """Approve (verifying its holder) or reject with a reason. Raises NotFound, Forbidden,
    InvalidInput, CredentialAlreadyReviewed."""
    require(actor, Action.REVIEW_PROVIDERS, credential.provider)
    if credential.status is not CredentialStatus.PENDING:
        raise CredentialAlreadyReviewed()
    if not approve and not reason.strip():
        raise InvalidInput(fields={"reason": _("Say why the credential is rejected.")})
    credential.status = CredentialStatus.APPROVED if approve else CredentialStatus.REJECTED
    credential.review_reason = reason.strip()
    credential.reviewed_by_id = actor.id
    credential.reviewed_at = now
    if approve:
        if credential.practitioner is not None:
            credential.practitioner.status = VerificationStatus.VERIFIED
        else:
            credential.provider.status = ProviderStatus.VERIFIED
    db.session.flush()


def _owners(provider: ProviderOrganisation) -> list[User]:
    return list(db.session.scalars(select(User).join(Membership).where(
        Membership.provider_id == provider.id, Membership.role == Role.PROVIDER_STAFF,
        Membership.provider_level == ProviderLevel.OWNER, Membership.is_active.is_(True),
        User.is_active.is_(True))))


def _still_covered(credential: Credential, today: date) -> bool:
    statement = select(Credential.id).where(
        Credential.id != credential.id, Credential.provider_id == credential.provider_id,
        Credential.status == CredentialStatus.APPROVED, Credential.expires_on >= today)
    if credential.practitioner_id is None:
        statement = statement.where(Credential.practitioner_id.is_(None))
    else:
        statement = statement.where(Credential.practitioner_id == credential.practitioner_id)
    return db.session.scalar(statement.limit(1)) is not None


def expire_credentials(*, now: datetime) -> dict[str, int]:
    """The daily job: remind owners 30 days before an approved licence expires, and on
    expiry delist what it covered. Idempotent. Returns how many of each it did."""
    reminded = expired = 0
    candidates = db.session.scalars(select(Credential).where(
        Credential.status == CredentialStatus.APPROVED,
        Credential.expires_on <= (now + timedelta(days=REMINDER_DAYS + 1)).date()).order_by(
        Credential.id)).all()
    for credential in candidates:
        today = today_in(credential.provider.park, now=now)
        if credential.expires_on < today:
            credential.status = CredentialStatus.EXPIRED
            expired += 1
            if not _still_covered(credential, today):
                if credential.practitioner is not None:
                    credential.practitioner.status = VerificationStatus.PENDING
                    withdrawn = {"practitioner_ids": (credential.practitioner.id,),
                                 "provider_ids": ()}
                else:
                    credential.provider.status = ProviderStatus.PENDING
                    withdrawn = {"practitioner_ids": (), "provider_ids": (credential.provider_id,)}
                db.session.flush()
                listing_withdrawn.send(credential, service_ids=(), now=now,
                                       reason="licence_expired", **withdrawn)
        elif (credential.reminder_sent_at is None
              and credential.expires_on <= today + timedelta(days=REMINDER_DAYS)):
            credential.reminder_sent_at = now
            reminded += 1
            for owner in _owners(credential.provider):
                if owner.email:
                    _send_reminder(owner, credential)
    db.session.flush()
    return {"reminded": reminded, "expired": expired}


def _send_reminder(owner: User, credential: Credential) -> None:
    """In the owner's language (the park's when they have not chosen one)."""
    with force_locale(owner.locale or credential.provider.park.default_locale):
        locale = "zh_CN" if (owner.locale or "zh").startswith("zh") else "en"
        holder = (credential.practitioner.name(locale) if credential.practitioner
                  else credential.provider.name(locale))
        send_mail(to=owner.email, subject=_("A licence expires soon"), body=_(
            "The licence %(type)s %(number)s of %(holder)s expires on %(date)s. Upload the "
            "renewed licence before then, or %(holder)s will no longer be listed.",
            type=credential.licence_type, number=credential.licence_number, holder=holder,
            date=format_day(credential.expires_on)))


def credential_for(user: User | None, credential_id: int, action: Action) -> Credential:
    """The credential, if ``user`` may do ``action`` on its provider. Raises NotFound,
    Forbidden."""
    credential = row_by_id(Credential, credential_id)
    if credential is None:
        raise ProviderNotFound()
    require(user, action, credential.provider)
    return credential


def readable_credential(user: User | None, credential_id: int) -> Credential:
    """A credential for its provider's staff and its park's reviewers. Raises NotFound,
    Forbidden."""
    credential = row_by_id(Credential, credential_id)
    if credential is None:
        raise ProviderNotFound()
    if not can(user, Action.VIEW_PROVIDER_DASHBOARD, credential.provider):
        require(user, Action.REVIEW_PROVIDERS, credential.provider)
    return credential
