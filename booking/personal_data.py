"""Booking's share of a person's export and account deletion (``core.accounts.
personal_data``), and letting go of a family member once their bookings are over, so that an
attended booking never stands in the way of deleting health data.

Bookings are history the park keeps (counts, the ledger's references): on deletion they stay
as anonymous rows (the account they point at is anonymised, the family member forgotten).
What serves only the person goes: calendar feeds, notifications and waiting-list places
(idempotency records go with the account's own section, in core)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, delete, func, not_, or_, select, update

from booking.models import (
    Booking,
    BookingPickup,
    BookingStatus,
    CalendarFeed,
    Notification,
    WaitlistEntry,
    WaitlistStatus,
)
from core.accounts.models import User
from core.accounts.personal_data import (
    Section,
    register_field_labels,
    register_section,
    register_value_labels,
)
from core.clock import utcnow
from core.db import db
from health.models import Dependant
from health.signals import dependant_deleting, profile_deleting

UNDER_WAY = (BookingStatus.HELD, BookingStatus.CONFIRMED)
WAITING = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


#: The readable export's words for this section's keys.
LABELS = {
    "bookings": _l("Bookings"), "waiting_lists": _l("Waiting lists"),
    "service_zh": _l("Service (Chinese)"), "practitioner": _l("Practitioner"),
    "booked_at": _l("Booked"), "joined_at": _l("Joined"), "pickups": _l("Authorised pick-up"),
}

def _under_way(now: datetime):
    return and_(Booking.status.in_(UNDER_WAY), Booking.ends_at > now)


def release_dependants(dependant_ids: list[int], *, now: datetime) -> None:
    """Bookings and waiting-list places that are over (attended, missed, cancelled, past)
    forget the family member they were for; those still under way keep them (and so still
    refuse the deletion: cancel or finish them first)."""
    if not dependant_ids:
        return
    db.session.execute(update(Booking).where(
        Booking.dependant_id.in_(dependant_ids), not_(_under_way(now)))
        .values(dependant_id=None))
    db.session.execute(update(WaitlistEntry).where(
        WaitlistEntry.dependant_id.in_(dependant_ids),
        or_(WaitlistEntry.status.not_in(WAITING), WaitlistEntry.starts_at <= now))
        .values(dependant_id=None))


def _on_profile_deleting(user: User, **kwargs) -> None:
    ids = list(db.session.scalars(select(Dependant.id).where(Dependant.user_id == user.id)))
    release_dependants(ids, now=kwargs.get("now") or utcnow())


def _on_dependant_deleting(dependant, **kwargs) -> None:
    release_dependants([dependant.id], now=kwargs.get("now") or utcnow())


def export_bookings(user: User, _now: datetime) -> dict:
    bookings = db.session.scalars(select(Booking).where(Booking.client_id == user.id)
                                  .order_by(Booking.starts_at, Booking.id))
    waiting = db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.client_id == user.id)
                                 .order_by(WaitlistEntry.starts_at, WaitlistEntry.id))
    return {
        "bookings": [{
            "id": b.id, "service": b.service.title_en, "service_zh": b.service.title_zh,
            "provider": b.provider.name_en, "provider_zh": b.provider.name_zh,
            "practitioner": b.practitioner.name_en, "practitioner_zh": b.practitioner.name_zh,
            "starts_at": b.starts_at.isoformat(), "ends_at": b.ends_at.isoformat(),
            "status": b.status.value, "for_family_member_id": b.dependant_id,
            "price_minor": b.price_minor, "currency": b.currency,
            "pickups": [dict(p.data) for p in b.pickups],
            "booked_at": b.created_at.isoformat()} for b in bookings],
        "waiting_lists": [{
            "service": w.service.title_en, "service_zh": w.service.title_zh,
            "starts_at": w.starts_at.isoformat(),
            "status": w.status.value, "joined_at": w.created_at.isoformat()} for w in waiting],
    }


def deletion_blockers(user: User, now: datetime) -> list[str]:
    reasons = []
    upcoming = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.client_id == user.id, _under_way(now)))
    if upcoming:
        reasons.append(ngettext("You have %(num)d booking still to come: cancel it or wait "
                                "until it is over.",
                                "You have %(num)d bookings still to come: cancel them or "
                                "wait until they are over.", upcoming))
    waiting = db.session.scalar(select(func.count()).select_from(WaitlistEntry).where(
        WaitlistEntry.client_id == user.id, WaitlistEntry.status.in_(WAITING),
        WaitlistEntry.starts_at > now))
    if waiting:
        reasons.append(ngettext("You are on %(num)d waiting list: leave it first.",
                                "You are on %(num)d waiting lists: leave them first.",
                                waiting))
    return reasons


def erase(user: User, now: datetime) -> None:
    for model in (CalendarFeed, Notification):
        db.session.execute(delete(model).where(model.user_id == user.id))
    # Pick-up persons are other people's details, kept only for the booking's day.
    db.session.execute(delete(BookingPickup).where(BookingPickup.booking_id.in_(
        select(Booking.id).where(Booking.client_id == user.id))))
    db.session.execute(update(WaitlistEntry).where(WaitlistEntry.client_id == user.id)
                       .values(dependant_id=None))
    db.session.execute(update(Booking).where(Booking.client_id == user.id)
                       .values(dependant_id=None))


def init_app(app: Flask) -> None:
    profile_deleting.connect(_on_profile_deleting, weak=False)
    dependant_deleting.connect(_on_dependant_deleting, weak=False)
    register_field_labels(app, LABELS)
    register_value_labels(app, "status", BookingStatus)
    register_value_labels(app, "status", WaitlistStatus)
    register_section(app, Section(key="bookings", title=_l("Bookings"), export=export_bookings,
                                  blockers=deletion_blockers, erase=erase, order=40))
