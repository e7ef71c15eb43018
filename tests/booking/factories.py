"""Booking test helpers: a verified provider with one verified practitioner working every
day 08:00–20:00 (Shanghai), services made through the providers package's own services,
and an employee of the same park.

Times are relative to the real clock (lapsed holds are judged by it when slots are read),
and slots are picked a few days ahead so that notice and horizon never get in the way.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.accounts.models import ProviderLevel, Role
from core.clock import utcnow
from core.db import db
from providers import services as provider_services
from providers.models import ProviderCategory, VerificationStatus
from providers.schemas import PractitionerData, RuleData, ServiceData

SHANGHAI = ZoneInfo("Asia/Shanghai")


def add_practitioner(provider, *, owner, name_en: str, now: datetime, works_from_days: int = -2):
    """A verified practitioner working every day 08:00–20:00 in Shanghai from
    ``works_from_days`` after today (two days ago by default), public holidays included (so
    that a booking story holds at any instant of the year; the holidays' own stories are in
    tests/providers)."""
    data = PractitionerData(name_zh=name_en, name_en=name_en, observes_public_holidays=False)
    p = provider_services.add_practitioner(provider, data, actor=owner, now=now)
    p.status = VerificationStatus.VERIFIED
    start = (now.astimezone(SHANGHAI) + timedelta(days=works_from_days)).date()
    provider_services.add_rule(p, RuleData(rrule="FREQ=DAILY", starts_on=start,
                                           start_time=time(8), end_time=time(20),
                                           timezone="Asia/Shanghai"), actor=owner, now=now)
    db.session.flush()
    return p


def create_service(provider, *, owner, practitioners, now: datetime, **overrides):
    """A free one-to-one service of 50 minutes plus a 10-minute buffer (60-minute grid)."""
    values = {"category": ProviderCategory.TCM, "delivery_mode": "park_station",
              "title_zh": "推拿", "title_en": "Tuina massage", "duration_minutes": 50,
              "buffer_before_minutes": 0, "buffer_after_minutes": 10, "capacity": 1,
              "price_minor": 0, "min_notice_minutes": 0, "horizon_days": 60,
              "free_cancel_hours": 24, "late_cancel_fee_percent": 50,
              "practitioner_ids": [p.id for p in practitioners]} | overrides
    service = provider_services.create_service(provider, ServiceData(**values), actor=owner,
                                               now=now)
    db.session.commit()
    return service


def slot_at(now: datetime, days: int = 3, hour: int = 10) -> datetime:
    """A slot start ``days`` from today in Shanghai at ``hour``:00, in UTC."""
    day = now.astimezone(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)


class BookingKit:
    def __init__(self, make, *, park=None) -> None:
        self.make = make
        self.now = utcnow()
        self.park = park or make.default_park()
        self.provider = make.provider(park=self.park)
        self.owner = make.user(Role.PROVIDER_STAFF, provider=self.provider,
                               provider_level=ProviderLevel.OWNER)
        self.staff = make.user(Role.PROVIDER_STAFF, provider=self.provider,
                               provider_level=ProviderLevel.STAFF)
        self.enterprise = make.enterprise(park=self.park)
        self.practitioner = self.add_practitioner("Dr Wang")
        db.session.commit()

    def add_practitioner(self, name_en: str, works_from_days: int = -2):
        return add_practitioner(self.provider, owner=self.owner, name_en=name_en, now=self.now,
                                works_from_days=works_from_days)

    def service(self, *, practitioners=None, **overrides):
        return create_service(self.provider, owner=self.owner,
                              practitioners=practitioners or [self.practitioner], now=self.now,
                              **overrides)

    def employee(self, **overrides):
        return self.make.user(Role.EMPLOYEE, enterprise=self.enterprise, **overrides)

    def slot(self, days: int = 3, hour: int = 10) -> datetime:
        """A slot start (the grid starts at 08:00 and moves by the service's block, 60
        minutes with the defaults) ``days`` from today in Shanghai, in UTC."""
        return slot_at(self.now, days, hour)
