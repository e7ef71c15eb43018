"""Follow-ups on calendars: the employee's own feed (through booking's
``register_feed_source``) and the practitioners' and provider's feeds (through
providers' ``register_feed_source``). Cancelled follow-ups stay, marked cancelled, so that
calendar apps remove them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Event
from sqlalchemy import select

from care.models import CareAgreement, FollowUp
from core.accounts.models import User
from core.db import db
from providers.feeds import FeedEvent


def _uid(follow_up: FollowUp) -> str:
    return f"care-follow-up-{follow_up.id}@parkwell"


def _ends(follow_up: FollowUp) -> datetime:
    return follow_up.starts_at + timedelta(minutes=follow_up.duration_minutes)


def employee_events(user_id: int, since: datetime, locale: str) -> Iterable[Event]:
    rows = db.session.scalars(select(FollowUp).join(CareAgreement).where(
        CareAgreement.user_id == user_id, FollowUp.starts_at >= since)
        .order_by(FollowUp.starts_at))
    with force_locale(locale):
        for row in rows:
            cancelled = row.cancelled_at is not None
            yield Event.new(
                uid=_uid(row), start=row.starts_at, end=_ends(row), stamp=row.updated_at,
                summary=_("Follow-up with %(team)s (%(mode)s)",
                          team=row.agreement.team.name(locale), mode=row.mode.label),
                sequence=row.sequence, status="CANCELLED" if cancelled else "CONFIRMED",
                location=row.agreement.provider.name(locale))


def provider_events(practitioner_ids: Sequence[int], since: datetime) -> Iterable[FeedEvent]:
    """Read on every poll (a follow-up names its patient, whose name may change), so in
    one statement: the follow-ups with their patients' names, not one query per
    follow-up."""
    rows = db.session.execute(
        select(FollowUp, User.display_name)
        .join(CareAgreement, CareAgreement.id == FollowUp.agreement_id)
        .join(User, User.id == CareAgreement.user_id)
        .where(FollowUp.practitioner_id.in_(list(practitioner_ids)),
               FollowUp.starts_at >= since)
        .order_by(FollowUp.starts_at))
    for row, patient in rows:
        yield FeedEvent(uid=_uid(row), starts_at=row.starts_at, ends_at=_ends(row),
                        summary=_("Follow-up: %(name)s (%(mode)s)",
                                  name=patient, mode=row.mode.label),
                        sequence=row.sequence, updated_at=row.updated_at,
                        cancelled=row.cancelled_at is not None)
