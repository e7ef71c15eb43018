"""Factories with defaults, so that each test says only what matters to its story."""

from __future__ import annotations

import itertools
from datetime import datetime

from core import security
from core.accounts.models import (
    ApiScope,
    Enterprise,
    Park,
    ProviderLevel,
    ProviderOrganisation,
    ProviderStatus,
    Role,
    User,
)
from core.accounts.services import add_membership, new_invite_code
from core.accounts.tokens import create_api_token
from core.clock import utcnow
from core.db import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_PASSWORD_HASH = security.hash_password(PASSWORD)  # hashing once keeps the suite fast


class Factories:
    """Each factory commits, as the request that would have made the object did."""

    def __init__(self) -> None:
        self._park: Park | None = None

    @property
    def now(self) -> datetime:
        return utcnow()

    def park(self, **overrides) -> Park:
        n = next(_counter)
        values = {"code": f"park-{n}", "name_zh": f"测试园区{n}", "name_en": f"Test Park {n}",
                  "committee_name_zh": "健康委员会", "committee_name_en": "Health Committee",
                  "timezone": "Asia/Shanghai", "currency": "CNY", "default_locale": "zh_CN",
                  "created_at": self.now} | overrides
        park = Park(**values)
        db.session.add(park)
        db.session.commit()
        return park

    def default_park(self) -> Park:
        if self._park is None:
            self._park = self.park()
        return self._park

    def enterprise(self, **overrides) -> Enterprise:
        n = next(_counter)
        park = overrides.pop("park", None) or self.default_park()
        values = {"park": park, "name_zh": f"测试企业{n}", "name_en": f"Enterprise {n}",
                  "invite_code": new_invite_code(), "is_active": True,
                  "created_at": self.now} | overrides
        enterprise = Enterprise(**values)
        db.session.add(enterprise)
        db.session.commit()
        return enterprise

    def provider(self, **overrides) -> ProviderOrganisation:
        n = next(_counter)
        park = overrides.pop("park", None) or self.default_park()
        values = {"park": park, "name_zh": f"测试机构{n}", "name_en": f"Provider {n}",
                  "status": ProviderStatus.VERIFIED, "created_at": self.now} | overrides
        provider = ProviderOrganisation(**values)
        db.session.add(provider)
        db.session.commit()
        return provider

    def user(self, role: Role | None = None, *, enterprise: Enterprise | None = None,
             provider: ProviderOrganisation | None = None, park: Park | None = None,
             provider_level: ProviderLevel | None = None, **overrides) -> User:
        """A user, with one role if ``role`` is given (its scope made up when not given)."""
        n = next(_counter)
        values = {"email": f"user{n}@example.com", "display_name": f"用户{n}",
                  "password_hash": _PASSWORD_HASH, "is_active": True, "session_version": 1,
                  "created_at": self.now} | overrides
        user = User(**values)
        db.session.add(user)
        db.session.flush()
        if role in (Role.EMPLOYEE, Role.ENTERPRISE_ADMIN):
            add_membership(user, role=role, enterprise=enterprise or self.enterprise(),
                           now=self.now)
        elif role is Role.PROVIDER_STAFF:
            add_membership(user, role=role, provider=provider or self.provider(),
                           provider_level=provider_level or ProviderLevel.STAFF, now=self.now)
        elif role is Role.COMMITTEE_MEMBER:
            add_membership(user, role=role, park_id=(park or self.default_park()).id,
                           now=self.now)
        elif role is Role.PLATFORM_ADMIN:
            add_membership(user, role=role, now=self.now)
        db.session.commit()
        return user

    def token(self, user: User, *, scopes: tuple[str, ...] = (ApiScope.READ, ApiScope.WRITE),
              days: int = 30) -> str:
        _token, raw = create_api_token(user, name="test", scopes=list(scopes),
                                       expires_in_days=days, now=self.now)
        db.session.commit()
        return raw

    def commit(self) -> None:
        db.session.commit()
