"""What happened before a journey starts, done through the app's own services (the same
ones its pages call), inside the served app's context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from benefits import budgets, checkout
from booking import services as booking_services
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from providers import queries as provider_queries
from providers.models import Service

PARK_ZONE = ZoneInfo("Asia/Shanghai")


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def service(title_en: str) -> Service:
    return db.session.scalar(select(Service).where(Service.title_en == title_en))


def _book_and_pay(client: User, svc: Service, starts_at: datetime, practitioner_id: int,
                  *, now: datetime):
    booking = booking_services.hold_slot(svc, practitioner_id=practitioner_id,
                                         starts_at=starts_at, actor=client, now=now)
    checkout.start_checkout(booking, actor=client, now=now,
                            today=now.astimezone(PARK_ZONE).date())
    db.session.flush()
    return booking


def budget_left(client: User, category: str) -> int:
    today = utcnow().astimezone(PARK_ZONE).date()
    membership = next(m for m in client.memberships if m.enterprise_id)
    return sum(budgets.spendable(client.id, programme, category=category, today=today)
               .available_minor for programme in budgets.programmes_of(membership.enterprise_id))


def spend_budget_on_tuina(email: str, *, below_minor: int) -> int:
    """The employee has already booked (and paid from the budget) lower-back tuina a few
    times this month, leaving less than ``below_minor`` (but something) of the budget."""
    client, svc, now = user(email), service("Lower-back tuina"), utcnow()
    slots = provider_queries.slots_for(svc, start=now + timedelta(days=5),
                                       end=now + timedelta(days=25), now=now)
    by_day: dict = {}
    for slot, _practitioner in slots:
        by_day.setdefault(slot.starts_at.astimezone(PARK_ZONE).date(), slot)
    days = iter(sorted(by_day))
    while budget_left(client, svc.category.value) >= max(svc.price_minor, below_minor):
        slot = by_day[next(days)]
        _book_and_pay(client, svc, slot.starts_at, slot.practitioner_id, now=now)
    db.session.commit()
    left = budget_left(client, svc.category.value)
    assert 0 < left < below_minor, left
    return left


@dataclass(frozen=True)
class PastBooking:
    booking_id: int
    starts_at: datetime
    client_name: str


def booking_that_has_started(email: str, *, practitioner_name_en: str,
                             service_title_en: str) -> PastBooking:
    """A client booked, and paid from their budget, the practitioner's latest slot that has
    already begun (booked the day before it)."""
    client, svc, now = user(email), service(service_title_en), utcnow()
    practitioner = next(p for p in svc.practitioners if p.name_en == practitioner_name_en)
    window_start = now - timedelta(days=14)
    slots = [s for s, _p in provider_queries.slots_for(svc, start=window_start, end=now,
                                                       now=window_start - timedelta(days=1))
             if s.practitioner_id == practitioner.id and s.starts_at < now - timedelta(minutes=5)]
    slot = slots[-1]
    booking = _book_and_pay(client, svc, slot.starts_at, practitioner.id,
                            now=slot.starts_at - timedelta(days=1))
    result = PastBooking(booking.id, slot.starts_at, client.display_name)
    db.session.commit()
    return result


def booking_status(booking_id: int) -> str:
    from booking.models import Booking

    return db.session.get(Booking, booking_id).status.value
