"""Fixtures of the catalogue's stories."""

from __future__ import annotations

import pytest

from providers.models import ProviderCategory
from tests.benefits.factories import put_on_roster
from tests.booking.factories import BookingKit


@pytest.fixture
def shop(make):
    """A provider with a few services, and an employee of the same park."""
    kit = BookingKit(make)
    kit.tuina = kit.service(title_zh="中医推拿理疗", title_en="TCM tuina therapy",
                            price_minor=20_000, health_needs=["back_pain"])
    kit.talk = kit.service(category=ProviderCategory.COUNSELLING, title_zh="心理咨询",
                           title_en="Counselling session", price_minor=50_000,
                           delivery_mode="online", health_needs=["stress"])
    kit.class_ = kit.service(category=ProviderCategory.CULTURE, title_zh="八段锦晨练",
                             title_en="Baduanjin morning class", price_minor=0, capacity=10)
    kit.user = put_on_roster(kit.enterprise, kit.employee())
    return kit
