"""The large park of ``flask seed-scale``, built at a tiny size on SQLite and PostgreSQL:
its money adds up, its bookings never take a place twice, and it works like any park."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from benefits.ledger import check_ledger
from benefits.models import LedgerEntry, Payment
from booking import services as booking_services
from booking.capacity import live
from booking.models import Booking, BookingStatus
from core.accounts.models import Park, User
from core.clock import as_utc, utcnow
from core.db import db
from demo.seed_scale import PARK_CODE, ScaleSize, overbooked_slots, seed_scale
from health.models import HealthProfile
from providers import slots
from providers.models import Service

TINY = ScaleSize(employees=40, enterprises=4, providers=6, services=18,
                 practitioners_per_provider=2, days=14, past_days=7, bookings=150,
                 feed_events=30)


def test_a_tiny_scale_park_has_what_was_asked_for(app):
    now = utcnow()
    counts = seed_scale(TINY, now=now)
    db.session.commit()

    assert counts["users"] == 40 + 6 + 1
    assert counts["enterprises"] == 4
    assert counts["services"] == 18
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 150
    assert db.session.scalar(select(func.count()).select_from(HealthProfile)) == 20
    future = db.session.scalar(select(func.count()).select_from(Booking)
                               .where(Booking.starts_at > now))
    assert 0 < future < 150
    assert db.session.scalar(select(func.count()).select_from(Payment)) > 0
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) > 0


def test_its_ledger_passes_every_check_and_no_place_is_taken_twice(app):
    now = utcnow()
    seed_scale(TINY, now=now)
    db.session.commit()

    assert check_ledger() == []
    assert overbooked_slots(now=now) == 0


def test_the_flagship_provider_has_its_feed_of_bookings(app):
    now = utcnow()
    seed_scale(TINY, now=now)
    db.session.commit()
    park = db.session.scalar(select(Park).where(Park.code == PARK_CODE))
    flagship = park.providers[0]
    in_feed = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.provider_id == flagship.id, Booking.starts_at >= now - timedelta(days=30)))
    assert in_feed == 30


def test_an_employee_of_the_scale_park_can_book_a_free_hour_like_anywhere_else(app):
    now = utcnow()
    seed_scale(TINY, now=now)
    db.session.commit()
    employee = db.session.scalar(select(User).where(
        User.email == "e000002@scale.parkwell.demo"))
    service = db.session.scalars(select(Service).where(Service.price_minor > 0)
                                 .order_by(Service.id)).first()
    free = slots.service_slots(service, service.practitioners, start=now + timedelta(days=2),
                               end=now + timedelta(days=6), now=now)
    assert free, "the seeded schedules give open slots"
    # The seed may already have booked this employee somewhere at the first free time (the
    # seed's bookings follow "now"): like a person, pick the first time they are free.
    taken = db.session.execute(select(Booking.starts_at, Booking.ends_at).where(
        Booking.client_id == employee.id, live(now))).all()
    slot, practitioner = next(
        (slot, practitioner) for slot, practitioner in free
        if not any(as_utc(start) < slot.ends_at and slot.starts_at < as_utc(end)
                   for start, end in taken))

    booking = booking_services.hold_slot(service, practitioner_id=practitioner.id,
                                         starts_at=slot.starts_at, actor=employee, now=now)
    db.session.commit()
    assert booking.status is BookingStatus.HELD
    assert overbooked_slots(now=now) == 0


def test_seeding_again_changes_nothing(app):
    now = utcnow()
    seed_scale(TINY, now=now)
    db.session.commit()
    assert seed_scale(TINY, now=now) == {}
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 150


def test_the_command_reports_what_it_wrote(app, flask_cli):
    result = flask_cli("seed-scale", "--employees", "10", "--enterprises", "2",
                       "--providers", "2", "--services", "4", "--bookings", "20",
                       "--days", "5", "--past-days", "3", "--feed-events", "4")
    assert result.exit_code == 0, result.output
    assert "bookings" in result.output
    again = flask_cli("seed-scale", "--employees", "10")
    assert "exists already" in again.output
