"""Provider fixtures: an owner with a verified practitioner, and helpers that add rules,
exceptions and services through the real services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from core.accounts.models import ProviderLevel, Role
from core.db import db
from providers import services
from providers.models import ProviderCategory, VerificationStatus
from providers.schemas import ExceptionData, PractitionerData, RuleData, ServiceData

NOW = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a Tuesday


class ProviderKit:
    def __init__(self, make) -> None:
        self.make = make
        self.park = make.default_park()
        self.provider = make.provider(park=self.park)
        self.owner = make.user(Role.PROVIDER_STAFF, provider=self.provider,
                               provider_level=ProviderLevel.OWNER)
        self.practitioner = self.add_practitioner("Dr Wang")

    def add_practitioner(self, name_en: str, **overrides):
        data = PractitionerData(**({"name_zh": name_en, "name_en": name_en} | overrides))
        p = services.add_practitioner(self.provider, data, actor=self.owner, now=NOW)
        p.status = VerificationStatus.VERIFIED
        db.session.flush()
        return p

    def rule(self, practitioner=None, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
             starts_on=date(2026, 8, 31), start=time(9), end=time(12), timezone=None):
        return services.add_rule(
            practitioner or self.practitioner,
            RuleData(rrule=rrule, starts_on=starts_on, start_time=start, end_time=end,
                     timezone=timezone), actor=self.owner, now=NOW)

    def exception(self, practitioner=None, **fields):
        return services.add_exception(practitioner or self.practitioner,
                                      ExceptionData(**fields), actor=self.owner, now=NOW)

    def service_data(self, **overrides) -> ServiceData:
        values = {"category": ProviderCategory.TCM, "delivery_mode": "park_station",
                  "title_zh": "推拿", "title_en": "Tuina massage", "duration_minutes": 50,
                  "buffer_before_minutes": 0, "buffer_after_minutes": 10, "capacity": 1,
                  "price_minor": 12800, "min_notice_minutes": 0, "horizon_days": 90,
                  "practitioner_ids": [self.practitioner.id]} | overrides
        return ServiceData(**values)

    def service(self, **overrides):
        return services.create_service(self.provider, self.service_data(**overrides),
                                       actor=self.owner, now=NOW)


@pytest.fixture
def kit(make) -> ProviderKit:
    return ProviderKit(make)
