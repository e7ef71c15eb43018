from __future__ import annotations

import pytest

from tests.booking.factories import BookingKit


@pytest.fixture
def kit(make) -> BookingKit:
    return BookingKit(make)
