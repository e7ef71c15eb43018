"""The demo park has bookings: upcoming, attended and missed, and a waitlist; seeding
twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from booking.models import Booking, BookingStatus, WaitlistEntry
from booking.queries import no_show_count
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from demo.seed import seed_demo


def test_the_demo_has_bookings_and_seeding_twice_changes_nothing(app):
    first = seed_demo(now=utcnow())
    db.session.commit()
    assert seed_demo(now=utcnow()) == first
    employee = db.session.scalar(select(User).where(User.email == "employee@parkwell.demo"))
    statuses = {b.status for b in db.session.scalars(select(Booking).where(
        Booking.client_id == employee.id))}
    assert {BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW} <= statuses
    assert no_show_count(employee) == 1
    assert db.session.scalar(select(WaitlistEntry.id).where(
        WaitlistEntry.client_id == employee.id)) is not None
