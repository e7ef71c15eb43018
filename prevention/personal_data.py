"""Check-up campaigns' share of a person's export and account deletion (``core.accounts.
personal_data``): the campaign check-ups they booked stay on deletion as anonymous rows (the
enterprise's completion counts and the pot's payments); one that is over, or was cancelled,
lets go of the family member it was for, so that it never stands in the way of deleting
health data. An upcoming one is an upcoming booking, which ``booking`` already refuses."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from booking.models import Booking
from core.accounts.models import User
from core.accounts.personal_data import Section, register_field_labels, register_section
from core.clock import utcnow
from core.db import db
from health.models import Dependant
from health.signals import dependant_deleting, profile_deleting
from prevention.models import CampaignCheckup

#: The readable export's words for this section's keys.
LABELS = {
    "campaign": _l("Campaign"), "package": _l("Package"), "day": _l("Day"),
    "booking_id": _l("Booking no."), "results_consent_at": _l("Results consent given"),
    "results_received_at": _l("Results received"), "cancelled_at": _l("Cancelled"),
}

def release_dependants(dependant_ids: list[int], *, now: datetime) -> None:
    if not dependant_ids:
        return
    over = select(Booking.id).where(Booking.ends_at <= now)
    db.session.execute(update(CampaignCheckup).where(
        CampaignCheckup.dependant_id.in_(dependant_ids),
        or_(CampaignCheckup.cancelled_at.is_not(None), CampaignCheckup.booking_id.in_(over)))
        .values(dependant_id=None, health_checkup_id=None))  # their results go with them


def _on_profile_deleting(user: User, **kwargs) -> None:
    ids = list(db.session.scalars(select(Dependant.id).where(Dependant.user_id == user.id)))
    release_dependants(ids, now=kwargs.get("now") or utcnow())


def _on_dependant_deleting(dependant, **kwargs) -> None:
    release_dependants([dependant.id], now=kwargs.get("now") or utcnow())


def export_checkups(user: User, _now: datetime) -> list[dict]:
    rows = db.session.scalars(select(CampaignCheckup).where(CampaignCheckup.user_id == user.id)
                              .order_by(CampaignCheckup.day, CampaignCheckup.id))
    return [{"campaign": c.campaign.name("en"), "campaign_zh": c.campaign.name("zh_CN"),
             "package": c.package.name("en"), "package_zh": c.package.name("zh_CN"),
             "day": c.day.isoformat(), "booking_id": c.booking_id,
             "for_family_member_id": c.dependant_id,
             "results_consent_at": c.results_consent_at and c.results_consent_at.isoformat(),
             "results_received_at": c.results_received_at
             and c.results_received_at.isoformat(),
             "cancelled_at": c.cancelled_at and c.cancelled_at.isoformat()} for c in rows]


def erase(user: User, _now: datetime) -> None:
    db.session.execute(update(CampaignCheckup).where(CampaignCheckup.user_id == user.id)
                       .values(dependant_id=None, health_checkup_id=None))


def init_app(app: Flask) -> None:
    profile_deleting.connect(_on_profile_deleting, weak=False)
    dependant_deleting.connect(_on_dependant_deleting, weak=False)
    register_field_labels(app, LABELS)
    register_section(app, Section(key="checkup_campaigns", title=_l("Check-up campaigns"),
                                  export=export_checkups, erase=erase, order=45))
