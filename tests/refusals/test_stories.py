"""The two refusals that used to write, told as stories (issue 20).

Both pages caught the service's refusal, flashed it and redirected; the redirect (a status
below 400) then committed what the service had written before it refused."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from booking import services as booking_services
from booking import waitlist
from booking.models import Booking, BookingStatus, WaitlistStatus
from care import plans
from care.models import CareAlert, CareMessage, CarePlan, HomeMeasurement
from core.db import db
from health import services as health_services
from health.models import Dependant, HealthProfile
from tests.booking.factories import BookingKit
from tests.care.factories import CareKit


def _login(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _flashed_errors(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for category, message in session.get("_flashes", [])
                if category == "error"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_offer_whose_place_was_taken_is_not_accepted_and_its_booking_not_confirmed(
        client, make):
    kit = BookingKit(make)
    service = kit.service()
    holder, waiter = kit.employee(), kit.employee(locale="en")
    held = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                      starts_at=kit.slot(), actor=holder, now=kit.now)
    entry = waitlist.join_waitlist(service, practitioner_id=kit.practitioner.id,
                                   starts_at=kit.slot(), actor=waiter, now=kit.now)
    booking_services.cancel_booking(held, actor=holder, now=kit.now)
    db.session.commit()
    offered = entry.offer_booking
    assert entry.status is WaitlistStatus.OFFERED and offered.status is BookingStatus.HELD
    # Before the waiter answers, the place is taken after all (a second live booking at the
    # same time, as a race or a booking by phone leaves it).
    db.session.add(Booking(**{c.name: getattr(offered, c.name)
                              for c in Booking.__table__.columns
                              if c.name not in ("id", "status", "client_id")},
                           client_id=holder.id, status=BookingStatus.CONFIRMED))
    db.session.commit()

    _login(client, waiter)
    response = client.post(f"/waitlist/{entry.id}/accept")

    assert response.status_code == 302 and response.headers["Location"].endswith("/bookings")
    assert _flashed_errors(client), "the waiter is told why"
    db.session.expire_all()
    assert entry.status is WaitlistStatus.OFFERED, "the offer is not marked accepted"
    assert offered.status is BookingStatus.HELD, "its booking is not confirmed"


def test_a_refused_health_profile_deletion_deletes_nothing_care_data_included(client, make):
    care = CareKit(make)
    employee = care.employee(locale="en")
    agreement = care.sign(employee)
    plans.set_plan(agreement, actor=care.physician, goals=[{
        "kind": "blood_pressure", "target": [135, 85], "alert_above": [160, 100],
        "due_on": care.today().replace(year=care.today().year + 1)}], now=care.now,
        today=care.today())
    plans.log_measurement(agreement, actor=employee, kind="blood_pressure",
                          values={"systolic": 170, "diastolic": 105}, now=care.now)
    plans.post_message(agreement, actor=employee, body="头晕", now=care.now)
    health_services.update_profile(employee, sex="female", birth_year=1990, smoking=None,
                                   activity_minutes_per_week=None, sleep_hours=None, goals=[],
                                   now=care.now)
    child = health_services.add_dependant(employee, name="小明", birth_date=date(2019, 6, 1),
                                          relation="child", needs=[], now=care.now)
    # A booking for the child: their records may not go while it points at them.
    kit = BookingKit(make, park=care.park)
    kids = kit.service(allows_dependants=True, title_en="Kids' tuina")
    booking_services.hold_slot(kids, practitioner_id=kit.practitioner.id,
                               starts_at=kit.slot(), actor=employee, dependant_id=child.id,
                               now=kit.now)
    db.session.commit()
    kept = {model: _count(model) for model in (CarePlan, HomeMeasurement, CareAlert,
                                               CareMessage, HealthProfile, Dependant)}
    assert all(kept.values()), kept

    _login(client, employee)
    response = client.post("/me/health/delete", data={"confirm": "y"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/health/sharing")
    assert _flashed_errors(client), "the person is told why nothing was deleted"
    db.session.expire_all()
    assert {model: _count(model) for model in kept} == kept
