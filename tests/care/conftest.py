"""A fake Stripe for the card-payment stories of family-physician agreements (the real SDK
talks to it)."""

from __future__ import annotations

import pytest

from tests.benefits.factories import WEBHOOK_SECRET
from tests.fakes.stripe_server import FakeStripeServer


@pytest.fixture
def stripe(app):
    with FakeStripeServer() as server:
        app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                          STRIPE_API_BASE=server.url)
        yield server.fake
