"""What prevention listens to from the booking engine: a cancelled campaign check-up frees
its day's place and refunds the enterprise; a campaign check-up is not moved by the
generic reschedule (the campaign's days and capacity would be bypassed)."""

from __future__ import annotations

from booking.signals import booking_cancelled, booking_rescheduled
from prevention import services
from prevention.errors import CampaignRescheduleRefused


def _cancelled(booking, now, **_extra) -> None:
    services.booking_cancelled(booking, now=now)


def _rescheduled(booking, **_extra) -> None:
    # Raised inside the booking engine's transaction: the request rolls back, nothing moves.
    if services.checkup_of_booking(booking) is not None:
        raise CampaignRescheduleRefused()


def connect() -> None:
    booking_cancelled.connect(_cancelled)
    booking_rescheduled.connect(_rescheduled)
