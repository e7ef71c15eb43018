"""What happens to bookings when a listing is withdrawn (``providers.signals.
listing_withdrawn``): a practitioner or provider suspended, a licence expired, a service
no longer offered.

The policy (docs/operations.md): every booking of theirs still to come, held or confirmed,
is cancelled by the park as the provider would cancel it — so through the one cancellation
path, with a full refund of whatever was paid (budget and card, ``benefits``) and the client
told by mail (the mail outbox, in their language, with the calendar's CANCEL). The freed
places are offered to nobody on the waiting list. Bookings that have started are left for
the provider to mark. It happens in the transaction that withdrew the listing, so either
both happen or neither."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select

from booking import services
from booking.models import Booking, BookingStatus
from core.db import db
from providers.signals import listing_withdrawn

log = logging.getLogger(__name__)


def cancel_withdrawn_bookings(*, practitioner_ids: Iterable[int] = (),
                              service_ids: Iterable[int] = (),
                              provider_ids: Iterable[int] = (), now: datetime,
                              reason: str) -> int:
    """Cancel the held and confirmed bookings still to come of these practitioners,
    services or providers. Returns how many."""
    where = [column.in_(list(ids)) for column, ids in (
        (Booking.practitioner_id, practitioner_ids), (Booking.service_id, service_ids),
        (Booking.provider_id, provider_ids)) if list(ids)]
    if not where:
        return 0
    bookings = db.session.scalars(select(Booking).where(
        or_(*where), Booking.status.in_([BookingStatus.HELD, BookingStatus.CONFIRMED]),
        Booking.starts_at > now).order_by(Booking.id)).all()
    for booking in bookings:
        services.cancel_withdrawn(booking, now=now, reason=reason)
    if bookings:
        log.info("listing withdrawn (%s): %d bookings cancelled", reason, len(bookings))
    return len(bookings)


def _on_withdrawn(_sender, *, practitioner_ids, service_ids, provider_ids, now, reason,
                  **_extra) -> None:
    cancel_withdrawn_bookings(practitioner_ids=practitioner_ids, service_ids=service_ids,
                              provider_ids=provider_ids, now=now, reason=reason)


def init_app() -> None:
    listing_withdrawn.connect(_on_withdrawn, weak=False)
