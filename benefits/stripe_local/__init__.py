"""A local Stripe-compatible test server and a test-mode stand-in for Stripe.js, so that
card, Alipay and WeChat Pay shares can be paid in a browser with no internet and no keys
(``make run`` starts it beside the app). Production talks to Stripe itself: only the keys
and the two base addresses (``STRIPE_API_BASE``, ``STRIPE_JS_URL``) differ. See
docs/payments.md."""

from __future__ import annotations

from flask import Flask

from benefits.stripe_local import cli


def init_app(app: Flask) -> None:
    app.cli.add_command(cli.stripe_local_command)
