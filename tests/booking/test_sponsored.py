"""A booking someone else pays in full (a check-up campaign pays its employees' check-ups):
the client books through the same ``hold_slot`` as anyone, pays nothing, the sponsor's own
rules are asked under the locks, and the booking is confirmed once the sponsor paid. A
sponsor's refusal, like any refusal, writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from booking import services
from booking.errors import SlotFull
from booking.models import Booking, BookingStatus
from core.clock import utcnow
from core.db import db
from core.errors import Conflict


class _Refused(Conflict):
    code = "sponsor_refused"


class _Sponsor:
    """Records what booking asked of it, and in which order."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.refuse = refuse
        self.asked: list[str] = []

    def lock(self) -> None:
        self.asked.append("lock")

    def check(self) -> None:
        self.asked.append("check")
        if self.refuse:
            raise _Refused()

    def pay(self, booking: Booking, *, now) -> str:
        self.asked.append(f"pay {booking.price_minor}")
        return f"sponsor:{booking.id}"


def _bookings() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_a_sponsored_place_costs_the_client_nothing_and_is_confirmed_as_paid(kit):
    service = kit.service(price_minor=45_000)
    sponsor = _Sponsor()
    booking = services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(), actor=kit.employee(), now=utcnow(),
                                 sponsor=sponsor)
    db.session.commit()
    assert sponsor.asked == ["lock", "check", "pay 0"]
    assert booking.status is BookingStatus.CONFIRMED and booking.price_minor == 0
    assert booking.payment_reference == f"sponsor:{booking.id}"
    assert [t.reason for t in booking.transitions] == ["booked", "paid"]


def test_the_sponsor_s_refusal_writes_nothing(kit):
    service = kit.service(price_minor=45_000)
    with pytest.raises(_Refused):
        services.hold_slot(service, practitioner_id=kit.practitioner.id,
                           starts_at=kit.slot(), actor=kit.employee(), now=utcnow(),
                           sponsor=_Sponsor(refuse=True))
    db.session.rollback()
    assert _bookings() == 0


def test_booking_s_own_rules_still_refuse_a_sponsored_place(kit):
    service = kit.service(price_minor=45_000)
    services.hold_slot(service, practitioner_id=kit.practitioner.id, starts_at=kit.slot(),
                       actor=kit.employee(), now=utcnow(), sponsor=_Sponsor())
    db.session.commit()
    sponsor = _Sponsor()
    with pytest.raises(SlotFull):
        services.hold_slot(service, practitioner_id=kit.practitioner.id,
                           starts_at=kit.slot(), actor=kit.employee(), now=utcnow(),
                           sponsor=sponsor)
    db.session.rollback()
    # A place already taken is refused before anyone's locks, the sponsor's included.
    assert sponsor.asked == [] and _bookings() == 1
