"""Fixtures for the benefits stories: a booking kit, and a fake Stripe the real SDK talks to."""

from __future__ import annotations

import pytest

from tests.benefits.factories import WEBHOOK_SECRET
from tests.booking.factories import BookingKit
from tests.fakes.stripe_server import FakeStripeServer


@pytest.fixture
def stripe(app):
    with FakeStripeServer() as server:
        app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                          STRIPE_API_BASE=server.url)
        yield server.fake


@pytest.fixture
def kit(make):
    return BookingKit(make)
