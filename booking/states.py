"""The booking state machine: which moves are allowed, and the log every move writes.

    held ──► confirmed ──► attended | no_show
      │          │
      │          └──► cancelled_by_client | cancelled_by_provider
      ├──► cancelled_by_client | cancelled_by_provider
      └──► expired (the hold lapsed)

Attended, no-show, cancelled and expired are final. A reschedule is a logged move from
confirmed to confirmed.
"""

from __future__ import annotations

from datetime import datetime

from booking.errors import TransitionRefused
from booking.models import Booking, BookingStatus, BookingTransition
from core.accounts.models import User
from core.db import db

S = BookingStatus
ALLOWED: dict[BookingStatus, frozenset[BookingStatus]] = {
    S.HELD: frozenset({S.CONFIRMED, S.EXPIRED, S.CANCELLED_BY_CLIENT,
                       S.CANCELLED_BY_PROVIDER}),
    S.CONFIRMED: frozenset({S.CONFIRMED, S.ATTENDED, S.NO_SHOW, S.CANCELLED_BY_CLIENT,
                            S.CANCELLED_BY_PROVIDER}),
    S.ATTENDED: frozenset(),
    S.NO_SHOW: frozenset(),
    S.CANCELLED_BY_CLIENT: frozenset(),
    S.CANCELLED_BY_PROVIDER: frozenset(),
    S.EXPIRED: frozenset(),
}


def can_move(current: BookingStatus, to: BookingStatus) -> bool:
    return to in ALLOWED[current]


def record(booking: Booking, *, from_status: BookingStatus | None, to: BookingStatus,
           actor: User | None, now: datetime, reason: str, note: str = "") -> None:
    db.session.add(BookingTransition(booking=booking, from_status=from_status, to_status=to,
                                     actor_id=actor.id if actor else None, at=now,
                                     reason=reason, note=note[:500]))


def move(booking: Booking, to: BookingStatus, *, actor: User | None, now: datetime,
         reason: str, note: str = "") -> None:
    """Move ``booking`` to ``to`` and log it. Raises TransitionRefused when the machine
    does not allow the move (nothing is changed then)."""
    current = booking.status
    if not can_move(current, to):
        raise TransitionRefused()
    booking.status = to
    booking.updated_at = now
    record(booking, from_status=current, to=to, actor=actor, now=now, reason=reason,
           note=note)
