"""Fixtures for the health tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.accounts.models import Role

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def employee(make):
    return make.user(Role.EMPLOYEE)


@pytest.fixture
def provider_staff(make, employee):
    provider = make.provider(park=employee.active_memberships[0].enterprise.park)
    return make.user(Role.PROVIDER_STAFF, provider=provider)
