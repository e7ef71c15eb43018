"""An agreement's states and the locks that guard them, shared by signing and ending
(``care.agreements``) and paying (``care.payments``).

States: ``pending`` (signed, its card payment awaited until ``hold_expires_at``; the team
has no access), ``active`` (paid or free: in force from ``starts_at`` to ``ends_at``),
``cancelled`` (ended early) and ``expired`` (never in force: not paid in time, the card
failed, or given up unpaid).

Lock order, the same on every path: the person's ``users`` row, then the agreement's row,
then the ledger's accounts (benefits calls ``lock_payable`` before it touches the ledger).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from care.models import AgreementStatus, CareAgreement
from core.accounts.models import ProviderOrganisation, User
from core.clock import today_in
from core.db import db
from health.models import Consent


def zone_of(provider: ProviderOrganisation) -> ZoneInfo:
    return ZoneInfo(provider.park.timezone)


def local_midnight(day: date, provider: ProviderOrganisation) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone_of(provider))


def local_today(provider: ProviderOrganisation, now: datetime) -> date:
    return today_in(provider.park, now=now)


def lock_person(user_id: int) -> None:
    """Serialise one person's signatures, payments and endings, so that two parallel ones
    cannot both pass the overlap check or both move the money (SQLite has one writer
    anyway). ``FOR NO KEY UPDATE``, as the booking engine locks its client: the ledger
    creates a person's first hold account (a row referring to them) in a short transaction
    of its own while this one waits, and ``FOR UPDATE`` would block that insert for ever."""
    db.session.execute(select(User.id).where(User.id == user_id)
                       .with_for_update(key_share=True))


def lock_agreement(agreement: CareAgreement) -> CareAgreement:
    """The person's lock, then the agreement's row, read again under it."""
    lock_person(agreement.user_id)
    db.session.refresh(agreement, with_for_update={"key_share": True})
    return agreement


def consent_purpose(agreement: CareAgreement) -> str:
    return f"care:{agreement.id}"


def activate(agreement: CareAgreement, *, now: datetime) -> None:
    """Paid (or free): the agreement is signed, and the team may read what the employee
    ticked for exactly its window (a health ``Consent``)."""
    agreement.status, agreement.hold_expires_at = AgreementStatus.ACTIVE, None
    if agreement.share_fields:
        db.session.add(Consent(user_id=agreement.user_id, provider_id=agreement.provider_id,
                               fields=agreement.share_fields,
                               purpose=consent_purpose(agreement),
                               valid_from=agreement.starts_at, valid_until=agreement.ends_at,
                               created_at=now))
    db.session.flush()


def mark_unpaid(agreement: CareAgreement, *, now: datetime) -> None:
    """A pending agreement that was never paid: it never comes into force."""
    agreement.status, agreement.hold_expires_at = AgreementStatus.EXPIRED, None
    agreement.cancelled_at = agreement.cancelled_at or now
    db.session.flush()


def revoke_consent(agreement: CareAgreement, *, now: datetime) -> None:
    for consent in db.session.scalars(select(Consent).where(
            Consent.purpose == consent_purpose(agreement), Consent.revoked_at.is_(None))):
        consent.revoked_at = now
    db.session.flush()
