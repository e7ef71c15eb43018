"""The door: a ticket checks in once, for its own session only, and live attendance counts.

Once only, even under two simultaneous scans: the check-in is one conditional
``UPDATE ... SET checked_in_at = :now WHERE id = :id AND checked_in_at IS NULL AND status =
'confirmed'``. On PostgreSQL the second of two concurrent updates waits for the first's row
lock, re-reads the row when it commits, no longer matches, and updates nothing; the scan
that updated nothing then reads when the ticket was used and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from core.accounts.models import User
from core.db import db, rows_affected
from core.i18n import format_when
from core.policy import Action, require
from park.errors import (
    TicketAlreadyUsed,
    TicketNotValid,
    TicketSessionCancelled,
    TicketUnknown,
    TicketWrongSession,
)
from park.models import EventSession, Registration, RegistrationStatus
from park.registration import normalise_code


def check_in(session: EventSession, *, code: str, actor: User, now: datetime,
             locale: str = "en") -> Registration:
    """Check in the ticket with ``code`` at ``session``. Raises NotFound, Forbidden,
    TicketUnknown (a forged or mistyped code), TicketWrongSession, TicketSessionCancelled
    (the committee cancelled the session), TicketNotValid (cancelled, waiting),
    TicketAlreadyUsed (with the time it was used)."""
    require(actor, Action.MANAGE_PARK_EVENTS, session.event)
    normalised = normalise_code(code)
    registration = db.session.scalar(select(Registration).where(
        Registration.ticket_code == normalised)) if normalised else None
    if registration is None or registration.session.event.park_id != session.event.park_id:
        raise TicketUnknown()
    if registration.session_id != session.id:
        other = registration.session
        raise TicketWrongSession(_("This ticket is for another session: %(title)s, %(when)s.",
                                   title=other.title(locale), when=format_when(other.starts_at)))
    if session.is_cancelled and registration.checked_in_at is None:
        raise TicketSessionCancelled()
    if registration.status is not RegistrationStatus.CONFIRMED:
        raise TicketNotValid()
    result = db.session.execute(
        update(Registration).where(Registration.id == registration.id,
                                   Registration.checked_in_at.is_(None),
                                   Registration.status == RegistrationStatus.CONFIRMED)
        .values(checked_in_at=now, checked_in_by_id=actor.id, updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(registration)
    if rows_affected(result) != 1:
        if registration.checked_in_at is None:  # cancelled meanwhile
            db.session.refresh(session)
            raise TicketSessionCancelled() if session.is_cancelled else TicketNotValid()
        raise TicketAlreadyUsed(_("This ticket was already used at %(when)s.",
                                  when=format_when(registration.checked_in_at)))
    return registration


@dataclass(frozen=True)
class Attendance:
    capacity: int
    registered: int  #: confirmed tickets
    offered: int
    waiting: int
    checked_in: int
    held: int = 0  #: a paid event's places kept while payment is pending

    @property
    def rate(self) -> float:
        return self.checked_in / self.registered if self.registered else 0.0


def attendance(session: EventSession) -> Attendance:
    """The session's counts, read fresh (one query)."""
    rows = db.session.execute(select(
        Registration.status, func.count(Registration.id),
        func.count(Registration.checked_in_at)).where(
        Registration.session_id == session.id).group_by(Registration.status)).all()
    counts = {status: (total, checked) for status, total, checked in rows}
    return Attendance(capacity=session.capacity,
                      registered=counts.get(RegistrationStatus.CONFIRMED, (0, 0))[0],
                      offered=counts.get(RegistrationStatus.OFFERED, (0, 0))[0],
                      waiting=counts.get(RegistrationStatus.WAITING, (0, 0))[0],
                      checked_in=counts.get(RegistrationStatus.CONFIRMED, (0, 0))[1],
                      held=counts.get(RegistrationStatus.HELD, (0, 0))[0])
