"""Demo bookings for the Xinjing Demo Park: employee@parkwell.demo has upcoming bookings at
Xinglin TCM Clinic, an attended and a missed one in the past (so the no-show count shows),
and waits for a full slot that a colleague holds; colleagues have bookings of their own.

Idempotent: each demo booking carries its key in the note of its first transition
("demo:<key>") and is created only when no booking has that key.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from booking import states
from booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    WaitlistEntry,
    WaitlistStatus,
)
from core.accounts.models import Park, ProviderOrganisation, User
from core.db import db
from providers import queries as provider_queries
from providers import slots as slot_engine
from providers.models import Practitioner, Service

CLINIC = "Xinglin TCM Clinic"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _exists(key: str) -> bool:
    return db.session.scalar(select(BookingTransition.id).where(
        BookingTransition.note == f"demo:{key}").limit(1)) is not None


def _book(key: str, *, service: Service, practitioner: Practitioner, starts_at: datetime,
          client: User, status: BookingStatus, now: datetime) -> Booking | None:
    """A booking as the engine would have left it, with its transitions."""
    if _exists(key):
        return None
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    booked_at = min(now, starts_at - timedelta(days=3))
    booking = Booking(
        service=service, practitioner=practitioner, provider_id=service.provider_id,
        client=client, status=BookingStatus.HELD, starts_at=starts_at, ends_at=ends_at,
        busy_from=starts_at - timedelta(minutes=service.buffer_before_minutes),
        busy_until=ends_at + timedelta(minutes=service.buffer_after_minutes), seats=1,
        hold_expires_at=booked_at + timedelta(minutes=10), price_minor=service.price_minor,
        currency=service.currency, payment_reference="demo" if service.price_minor else None,
        free_cancel_hours=service.free_cancel_hours,
        late_cancel_fee_percent=service.late_cancel_fee_percent, reschedule_count=0,
        reminder_24h_sent_at=starts_at - timedelta(hours=24) if starts_at < now else None,
        reminder_2h_sent_at=starts_at - timedelta(hours=2) if starts_at < now else None,
        created_at=booked_at, updated_at=booked_at)
    db.session.add(booking)
    states.record(booking, from_status=None, to=BookingStatus.HELD, actor=client,
                  now=booked_at, reason="booked", note=f"demo:{key}")
    states.move(booking, BookingStatus.CONFIRMED, actor=None, now=booked_at, reason="paid")
    if status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW):
        states.move(booking, status, actor=None, now=starts_at + timedelta(minutes=10),
                    reason=status.value)
    db.session.flush()
    return booking


def _past_starts(practitioner: Practitioner, *, now: datetime, days: int) -> list[datetime]:
    """The first slot of each past working day (the grid starts with the working hours)."""
    for item in slot_engine.schedules([practitioner], start=now - timedelta(days=days),
                                      end=now - timedelta(hours=12)):
        return [start for start, _end in item.working]
    return []


def seed_booking(park: Park, *, now: datetime) -> None:
    employee = _user("employee@parkwell.demo")
    clinic = db.session.scalar(select(ProviderOrganisation).where(
        ProviderOrganisation.park_id == park.id, ProviderOrganisation.name_en == CLINIC))
    if employee is None or clinic is None:
        return
    services = provider_queries.services_of(clinic, listed_only=True)
    colleagues = [u for u in (_user(f"staff{n:02d}@xinjing-tech.demo") for n in range(1, 6))
                  if u is not None]
    if not services or not colleagues:
        return
    assessment, tuina = services[0], services[-1]
    upcoming = provider_queries.slots_for(assessment, start=now, end=now + timedelta(days=21),
                                          now=now)
    upcoming_tuina = provider_queries.slots_for(tuina, start=now + timedelta(days=2),
                                                end=now + timedelta(days=21), now=now)
    plan = []
    if len(upcoming) >= 6:
        plan += [("employee-assessment", assessment, upcoming[0], employee),
                 ("colleague-1", assessment, upcoming[2], colleagues[0]),
                 ("colleague-full", assessment, upcoming[5], colleagues[1])]
    if upcoming_tuina:
        plan.append(("employee-tuina", tuina, upcoming_tuina[-1], employee))
    for key, service, (slot, practitioner), client in plan:
        _book(key, service=service, practitioner=practitioner, starts_at=slot.starts_at,
              client=client, status=BookingStatus.CONFIRMED, now=now)
    practitioner = assessment.practitioners[0]
    past = _past_starts(practitioner, now=now, days=21)
    for key, index, client, status in (
            ("employee-attended", 0, employee, BookingStatus.ATTENDED),
            ("employee-no-show", 2, employee, BookingStatus.NO_SHOW),
            ("colleague-attended", 1, colleagues[2], BookingStatus.ATTENDED)):
        if index < len(past):
            _book(key, service=assessment, practitioner=practitioner, starts_at=past[index],
                  client=client, status=status, now=now)
    full = db.session.scalar(select(Booking).join(BookingTransition).where(
        BookingTransition.note == "demo:colleague-full"))
    if full is not None and full.starts_at > now and db.session.scalar(
            select(WaitlistEntry.id).where(WaitlistEntry.client_id == employee.id,
                                           WaitlistEntry.starts_at == full.starts_at)) is None:
        db.session.add(WaitlistEntry(
            service_id=full.service_id, practitioner_id=full.practitioner_id,
            starts_at=full.starts_at, client=employee, status=WaitlistStatus.WAITING,
            created_at=now, updated_at=now))
    db.session.flush()
