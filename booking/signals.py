"""Signals the booking engine sends, so that packages to its right (benefits: budgets,
payments, refunds) can react without booking importing them.

Each is sent with the ``Booking`` as sender, after the change is flushed and inside the
transaction: receivers write in the same transaction, and do I/O only through
``core.db.on_commit``.
"""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

from core.money import share

_signals = Namespace()

#: A place is held. kwargs: actor, now. A priced hold waits for ``confirm_booking``.
booking_held = _signals.signal("booking-held")
#: A client asks to hold a priced place themselves (the API, the booking page), before
#: anything is written; sent with the ``Service`` as sender. kwargs: client, dependant_id,
#: now. A receiver refuses by raising a DomainError (benefits: the client's share could only
#: be paid by card, and card payment is switched off).
hold_requested = _signals.signal("hold-requested")
#: Held → confirmed (paid, or free). kwargs: actor, now, payment_reference.
booking_confirmed = _signals.signal("booking-confirmed")
#: Cancelled. kwargs: actor, now, by ("client" or "provider"), outcome (CancellationOutcome).
booking_cancelled = _signals.signal("booking-cancelled")
#: A hold lapsed (expired) without being confirmed. kwargs: now.
hold_expired = _signals.signal("hold-expired")
#: A confirmed booking moved to another time of the same service, its payment kept.
#: kwargs: actor, now, previous_starts_at.
booking_rescheduled = _signals.signal("booking-rescheduled")
#: Attended or no-show marked. kwargs: actor, now.
attendance_marked = _signals.signal("attendance-marked")


@dataclass(frozen=True)
class CancellationOutcome:
    """What the cancellation policy decided, in basis points of the booking's price:
    ``refund_basis_points`` go back to the client, ``late_fee_basis_points`` are kept."""

    by: str  #: "client" or "provider"
    refund_basis_points: int
    late_fee_basis_points: int

    def refund_minor(self, price_minor: int) -> int:
        return share(price_minor, self.refund_basis_points)
