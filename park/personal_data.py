"""The park's share of a person's export and account deletion (``core.accounts.
personal_data``): their registrations for park events, kept on deletion as anonymous rows
(the committee's attendance counts), and their feedback, deleted (free text is theirs).
Registrations that are over let go of the family member they were for, so that an attended
event never stands in the way of deleting health data."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, delete, func, not_, select, update

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
from park.models import LIVE_STATUSES, EventSession, Feedback, Registration, RegistrationStatus

#: The readable export's words for this section's keys.
LABELS = {
    "registrations": _l("Registrations"), "event": _l("Event"),
    "event_zh": _l("Event (Chinese)"), "session_starts_at": _l("Session starts"),
    "session_ends_at": _l("Session ends"), "checked_in_at": _l("Checked in"),
    "registered_at": _l("Registered"), "feedback": _l("Feedback"), "rating": _l("Rating"),
    "comment": _l("Comment"), "event_id": _l("Event no."),
}

def _under_way(now: datetime):
    """A live registration (ticket, hold, offer or waiting) for a session not yet over."""
    later = select(EventSession.id).where(EventSession.ends_at > now)
    return and_(Registration.status.in_(LIVE_STATUSES), Registration.session_id.in_(later))


def release_dependants(dependant_ids: list[int], *, now: datetime) -> None:
    if dependant_ids:
        db.session.execute(update(Registration).where(
            Registration.dependant_id.in_(dependant_ids), not_(_under_way(now)))
            .values(dependant_id=None))


def _on_profile_deleting(user: User, **kwargs) -> None:
    ids = list(db.session.scalars(select(Dependant.id).where(Dependant.user_id == user.id)))
    release_dependants(ids, now=kwargs.get("now") or utcnow())


def _on_dependant_deleting(dependant, **kwargs) -> None:
    release_dependants([dependant.id], now=kwargs.get("now") or utcnow())


def export_registrations(user: User, _now: datetime) -> dict:
    rows = db.session.scalars(select(Registration).where(Registration.user_id == user.id)
                              .order_by(Registration.created_at, Registration.id))
    feedback = db.session.scalars(select(Feedback).where(Feedback.user_id == user.id)
                                  .order_by(Feedback.id))
    return {
        "registrations": [{
            "event": r.session.event.title("en"), "event_zh": r.session.event.title("zh_CN"),
            "session_starts_at": r.session.starts_at.isoformat(),
            "session_ends_at": r.session.ends_at.isoformat(), "status": r.status.value,
            "for_family_member_id": r.dependant_id,
            "checked_in_at": r.checked_in_at and r.checked_in_at.isoformat(),
            "registered_at": r.created_at.isoformat()} for r in rows],
        "feedback": [{"event_id": f.event_id, "rating": f.rating, "comment": f.comment,
                      "created_at": f.created_at.isoformat()} for f in feedback],
    }


def deletion_blockers(user: User, now: datetime) -> list[str]:
    live = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.user_id == user.id, _under_way(now)))
    if not live:
        return []
    return [ngettext("You are registered for %(num)d park event still to come: cancel the "
                     "registration or wait until it is over.",
                     "You are registered for %(num)d park events still to come: cancel the "
                     "registrations or wait until they are over.", live)]


def erase(user: User, _now: datetime) -> None:
    db.session.execute(delete(Feedback).where(Feedback.user_id == user.id))
    db.session.execute(update(Registration).where(Registration.user_id == user.id)
                       .values(dependant_id=None))


def init_app(app: Flask) -> None:
    profile_deleting.connect(_on_profile_deleting, weak=False)
    dependant_deleting.connect(_on_dependant_deleting, weak=False)
    register_field_labels(app, LABELS)
    register_value_labels(app, "status", RegistrationStatus)
    register_section(app, Section(key="park_events", title=_l("Park events"),
                                  export=export_registrations, blockers=deletion_blockers,
                                  erase=erase, order=50))
