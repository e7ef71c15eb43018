"""Bookings in the practitioners' and providers' calendar feeds (``providers.feeds``):
one VEVENT per booking from the feed's window on, its SEQUENCE the number of moves (plus
one once cancelled), and cancelled bookings kept with STATUS:CANCELLED so that calendar
apps remove them. One query
for the whole feed, whatever its size. Registered by ``booking.init_app``.

The summary names the service only: a provider's shared calendar is no place for the
client's name or anything about their health.

Registered with ``rows=Booking``: every write of a booking moves its practitioner's feed
counter, so that a calendar app's poll that finds nothing changed reads no booking."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import get_locale
from sqlalchemy import select

from booking.models import Booking, BookingStatus
from core.db import db
from providers.feeds import FeedEvent
from providers.models import Service

IN_FEED = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW,
           BookingStatus.CANCELLED_BY_CLIENT, BookingStatus.CANCELLED_BY_PROVIDER)
CANCELLED = (BookingStatus.CANCELLED_BY_CLIENT, BookingStatus.CANCELLED_BY_PROVIDER)


def booking_feed_events(practitioner_ids: Sequence[int], since: datetime) -> list[FeedEvent]:
    zh = str(get_locale() or "zh_CN").startswith("zh")
    title = Service.title_zh if zh else Service.title_en
    rows = db.session.execute(
        select(Booking.id, Booking.starts_at, Booking.ends_at, Booking.status,
               Booking.reschedule_count, Booking.updated_at, title)
        .join(Service, Service.id == Booking.service_id)
        .where(Booking.practitioner_id.in_(practitioner_ids), Booking.starts_at >= since,
               Booking.status.in_(IN_FEED))
        .order_by(Booking.starts_at, Booking.id))
    return [FeedEvent(uid=f"booking-{row.id}@parkwell", starts_at=row.starts_at,
                      ends_at=row.ends_at, summary=row[6],
                      sequence=feed_sequence(row.reschedule_count, row.status in CANCELLED),
                      updated_at=row.updated_at, cancelled=row.status in CANCELLED)
            for row in rows]


def feed_sequence(reschedule_count: int, cancelled: bool) -> int:
    """A booking's SEQUENCE: one more for each move, and one more when it is cancelled, so
    that a calendar app that already has the booking takes the cancellation as newer
    (RFC 5545 3.8.7.4); the same rule as the e-mailed invitations (``notifications``)."""
    return reschedule_count + (1 if cancelled else 0)
