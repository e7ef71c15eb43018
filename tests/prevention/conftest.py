from __future__ import annotations

import pytest

from tests.prevention.factories import CampaignKit


@pytest.fixture
def kit(make) -> CampaignKit:
    return CampaignKit(make)
