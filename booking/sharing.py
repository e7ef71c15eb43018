"""What the employee shares with the provider for a booking: at most the minimum the
service's category needs, chosen by the employee, for the booking's time plus health's
grace days (``health.sharing.consent_for_booking``). Nothing is shared unless chosen."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _

from booking.models import Booking, BookingStatus
from core.accounts.models import User
from core.errors import InvalidInput
from core.policy import Action, can, require
from health.models import Consent
from health.sharing import consent_for_booking
from health.vocabulary import ShareField, minimum_fields


def shareable_fields(booking: Booking, user: User) -> list[ShareField]:
    """The groups the employee may share for this booking: none for a family member's
    booking, a closed booking, or someone without a health profile."""
    if (not can(user, Action.OWN_RECORD, booking) or booking.dependant_id is not None
            or booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED)
            or not can(user, Action.MANAGE_OWN_HEALTH)):
        return []
    return sorted(minimum_fields(booking.service.category.value), key=lambda f: f.value)


def share_for_booking(booking: Booking, *, actor: User, fields: Iterable[str],
                      now: datetime) -> Consent | None:
    """Share the chosen groups with the booking's provider. Raises NotFound (not the
    actor's booking), InvalidInput (a group the service does not need)."""
    require(actor, Action.OWN_RECORD, booking)
    chosen = set(fields)
    allowed = {f.value for f in shareable_fields(booking, actor)}
    if not chosen:
        return None
    if not chosen <= allowed:
        raise InvalidInput(fields={"share": _(
            "Share only what this service needs: %(fields)s.",
            fields=", ".join(sorted(allowed)) or "—")})
    return consent_for_booking(actor, provider_id=booking.provider_id,
                               category=booking.service.category.value,
                               booking_starts_at=booking.starts_at,
                               booking_ends_at=booking.ends_at, now=now, fields=chosen,
                               purpose=f"booking {booking.id}")
