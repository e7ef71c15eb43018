"""Prevention test helpers: a check-up provider (a verified practitioner working every day
08:00–20:00 in Shanghai, a ``health_checkup`` service of 30 minutes with 4 places a slot),
an enterprise with a funded budget programme, employees with a sex and birth year in their
health profile, and a campaign running from today for three weeks (from 1 January when the
year has fewer than three weeks left: a campaign keeps to its year)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from health import services as health_services
from prevention import services
from prevention.schemas import CampaignInput, PackageInput
from providers.models import ProviderCategory
from tests.benefits.factories import programme, put_on_roster
from tests.booking.factories import SHANGHAI, BookingKit

BASIC_PRICE = 45_000  #: ¥450
ENHANCED_PRICE = 98_000  #: ¥980


def packages() -> list[PackageInput]:
    return [
        PackageInput(code="basic", name_zh="基础套餐", name_en="Basic", price_minor=BASIC_PRICE),
        PackageInput(code="enhanced", name_zh="女性40+套餐", name_en="Women 40+",
                     min_age=40, max_age=120, sex="female", price_minor=ENHANCED_PRICE),
    ]


class CampaignKit(BookingKit):
    def __init__(self, make, *, funded_minor: int = 10_000_000, daily_capacity: int = 10,
                 **campaign_overrides) -> None:
        super().__init__(make)
        self.checkup_service = self.service(
            category=ProviderCategory.HEALTH_CHECKUP, title_zh="入职体检", title_en="Check-up",
            duration_minutes=30, buffer_after_minutes=0, capacity=4)
        self.admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=self.enterprise)
        self.programme = programme(make, self.enterprise, funded_minor=funded_minor)
        self.today = park_today()
        self.opening_day = self._opening_day()
        self.campaign = self.new_campaign(daily_capacity=daily_capacity, **campaign_overrides)

    def _opening_day(self) -> date:
        """Today, or, when fewer than three weeks are left in the year (a campaign keeps to
        its year), 1 January: the campaign HR would set up in late December."""
        if (self.today + timedelta(days=21)).year == self.today.year:
            return self.today
        return date(self.today.year + 1, 1, 1)

    def slot(self, days: int = 3, hour: int = 10) -> datetime:
        """A slot start ``days`` after the campaign's opening day in Shanghai, in UTC."""
        day = self.opening_day + timedelta(days=days)
        return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)

    def new_campaign(self, **overrides):
        start = self.opening_day
        values = {"name_zh": "2026年度体检", "name_en": "2026 check-ups", "year": start.year,
                  "service_id": self.checkup_service.id, "programme_id": self.programme.id,
                  "starts_on": start, "ends_on": min(start + timedelta(days=21),
                                                     date(start.year, 12, 31)),
                  "daily_capacity": 10, "packages": packages()} | overrides
        campaign = services.create_campaign(self.enterprise, CampaignInput(**values),
                                            actor=self.admin, now=utcnow(), today=self.today)
        db.session.commit()
        return campaign

    def person(self, *, sex: str = "female", birth_year: int = 1980,
               department: str = "研发部", **overrides):
        """An employee on the roster with a health profile, invited to the campaign."""
        user = put_on_roster(self.enterprise, self.employee(**overrides), department=department)
        health_services.update_profile(user, sex=sex, birth_year=birth_year, smoking=None,
                                       activity_minutes_per_week=None, sleep_hours=None,
                                       goals=[], now=utcnow())
        services.invitation_for(self.campaign, user, now=utcnow())
        db.session.commit()
        return user

    def package(self, code: str = "basic"):
        return next(p for p in self.campaign.packages if p.code == code)

    def book(self, user, *, code: str = "basic", days: int = 3, hour: int = 10,
             consent: bool = True, **kwargs):
        checkup = services.book_checkup(
            self.campaign, actor=user, package_id=self.package(code).id,
            practitioner_id=self.practitioner.id, starts_at=self.slot(days, hour),
            now=kwargs.pop("now", utcnow()), results_consent=consent, **kwargs)
        db.session.commit()
        return checkup
