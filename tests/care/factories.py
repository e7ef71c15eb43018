"""Care test helpers: a verified provider with a physician (a staff account linked to a
practitioner) on a general-practice team, an enterprise of the same park and its
employees."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from care import agreements
from core.accounts.models import ProviderLevel, Role
from core.clock import utcnow
from core.db import db
from providers.models import Practitioner, VerificationStatus

TERMS_ZH = "家庭医生服务协议。\n签约期内，团队可查看您同意共享的健康信息。"
TERMS_EN = "Family physician service agreement.\nDuring the agreement the team reads what " \
           "you share."


class CareKit:
    def __init__(self, make, *, price_minor: int = 0) -> None:
        self.make = make
        self.now = utcnow()
        self.park = make.default_park()
        self.provider = make.provider(park=self.park)
        self.owner = make.user(Role.PROVIDER_STAFF, provider=self.provider,
                               provider_level=ProviderLevel.OWNER)
        self.physician = make.user(Role.PROVIDER_STAFF, provider=self.provider,
                                   provider_level=ProviderLevel.STAFF)
        self.outsider_staff = make.user(Role.PROVIDER_STAFF, provider=self.provider,
                                        provider_level=ProviderLevel.STAFF)
        self.practitioner = self.add_practitioner("Dr Li", user=self.physician)
        self.enterprise = make.enterprise(park=self.park)
        self.team = agreements.create_team(
            self.provider, actor=self.owner, kind="general_practice", name_zh="全科团队",
            name_en="GP team", price_minor=price_minor, period_days=365, terms_zh=TERMS_ZH,
            terms_en=TERMS_EN, practitioner_ids=[self.practitioner.id], now=self.now)
        db.session.commit()

    def add_practitioner(self, name: str, *, user=None) -> Practitioner:
        p = Practitioner(provider_id=self.provider.id, user_id=user.id if user else None,
                         name_zh=name, name_en=name, status=VerificationStatus.VERIFIED,
                         is_active=True, created_at=self.now)
        db.session.add(p)
        db.session.flush()
        return p

    def employee(self, **overrides):
        return self.make.user(Role.EMPLOYEE, enterprise=self.enterprise, **overrides)

    def today(self, now: datetime | None = None) -> date:
        return agreements.local_today(self.provider, now or self.now)

    def sign(self, user, *, starts_on: date | None = None, share=("blood_pressure", "body"),
             dependant_ids=(), now: datetime | None = None, locale: str = "en", team=None):
        team = team or self.team
        agreement = agreements.sign_agreement(
            team, actor=user, starts_on=starts_on or self.today(now), accept_terms=True,
            terms_version=team.terms_version,
            terms_sha256=agreements.terms_digest(team.terms(locale)), locale=locale,
            share_fields=share, dependant_ids=dependant_ids, now=now or self.now)
        db.session.commit()
        return agreement


def days(n: int) -> timedelta:
    return timedelta(days=n)
