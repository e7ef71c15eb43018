"""Time-based work of the booking engine: hold expiry and reminders. The worker that runs
them is ``core.jobs.worker``.

Each job commits for itself and claims its rows with ``FOR UPDATE SKIP LOCKED`` and a
"sent" timestamp set in the same transaction, so that several workers can run at once and
no reminder is ever sent twice (mail goes out only after the claim has committed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from booking import notifications, services
from booking.models import Booking, BookingStatus
from core.db import db
from core.jobs import periodic

BATCH = 200


def send_due_reminders(*, now: datetime, hours: int) -> int:
    """Send the ``hours`` (24 or 2) reminder of confirmed bookings starting within that many
    hours, once. Bookings made inside the window get no such reminder. Returns how many
    were sent."""
    column = Booking.reminder_24h_sent_at if hours == 24 else Booking.reminder_2h_sent_at
    window = timedelta(hours=hours)
    statement = select(Booking).where(
        Booking.status == BookingStatus.CONFIRMED, Booking.starts_at > now,
        Booking.starts_at <= now + window, column.is_(None))
    if hours == 24:  # the 2-hour reminder covers bookings that are already that close
        statement = statement.where(Booking.starts_at > now + timedelta(hours=2))
    rows = db.session.scalars(statement.order_by(Booking.id).limit(BATCH)
                              .with_for_update(skip_locked=True)).all()
    sent = 0
    for booking in rows:
        if hours == 24:
            booking.reminder_24h_sent_at = now
        else:
            booking.reminder_2h_sent_at = now
            booking.reminder_24h_sent_at = booking.reminder_24h_sent_at or now
        # Marked handled either way; a booking made inside the window needs no reminder.
        if booking.created_at <= booking.starts_at - window:
            notifications.reminder(booking, hours=hours, now=now)
            sent += 1
    db.session.flush()
    return sent


def expire_lapsed_holds(*, now: datetime) -> int:
    """Expire lapsed holds, one transaction each: a transaction never holds one
    practitioner's lock while it waits for another's."""
    expired = 0
    for booking_id in services.lapsed_holds(now=now, limit=BATCH):
        expired += services.expire_hold(booking_id, now=now)
        db.session.commit()
    return expired


#: The engine's own jobs: each takes ``now``, does its work and commits. They run in every
#: round of the worker; the registry (``core.jobs.periodic``) holds them with every other
#: package's periodic jobs, each on its own interval.
JOBS: dict[str, Callable[[datetime], int]] = {
    "expire_holds": lambda now: expire_lapsed_holds(now=now),
    "reminders_24h": lambda now: send_due_reminders(now=now, hours=24),
    "reminders_2h": lambda now: send_due_reminders(now=now, hours=2),
}


def init_app(app: Flask) -> None:
    for name, job in JOBS.items():
        periodic.register(app, name, job)
