"""The online session's link: kept from everyone but the attendee, and given to them (on
their booking, in the reminder mail and in their calendar feed) only shortly before the
start, so that a link copied from a listing cannot be used to join someone else's session.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_app_context

from booking.models import Booking, BookingStatus
from core.accounts.models import User

#: From how long before the start the link is given (``ONLINE_LINK_MINUTES_BEFORE``).
DEFAULT_MINUTES_BEFORE = 30


def minutes_before() -> int:
    if has_app_context():
        return int(current_app.config.get("ONLINE_LINK_MINUTES_BEFORE",
                                           DEFAULT_MINUTES_BEFORE))
    return DEFAULT_MINUTES_BEFORE


def session_link_of(booking: Booking) -> str | None:
    details = booking.service.details if isinstance(booking.service.details, dict) else {}
    link = details.get("session_link")
    return str(link) if link else None


def opens_at(booking: Booking) -> datetime:
    return booking.starts_at - timedelta(minutes=minutes_before())


def link_due(booking: Booking, *, now: datetime) -> bool:
    """The booking is confirmed and it is from a little before its start to its end."""
    return (booking.status is BookingStatus.CONFIRMED
            and opens_at(booking) <= now < booking.ends_at)


def online_link(booking: Booking, *, viewer: User | None, now: datetime) -> str | None:
    """The link for ``viewer`` when they are the booking's client and it is due; None for
    anyone else, or before it opens, or when the service has none."""
    if viewer is None or viewer.id != booking.client_id or not link_due(booking, now=now):
        return None
    return session_link_of(booking)


def link_later(booking: Booking, *, now: datetime) -> bool:
    """The service has a link that the client will get later (say so on the booking)."""
    return (booking.status is BookingStatus.CONFIRMED and now < opens_at(booking)
            and session_link_of(booking) is not None)
