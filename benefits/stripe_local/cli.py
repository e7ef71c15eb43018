"""``flask stripe-local``: serve the local Stripe-compatible test server in the foreground,
with the app's own test keys and webhook secret, sending webhooks to the app."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from benefits.stripe_local.server import LocalStripeServer
from core.config import INSTANCE_DIR


@click.command("stripe-local")
@click.option("--port", type=int, default=12111, envvar="STRIPE_LOCAL_PORT", show_default=True,
              help="Port on 127.0.0.1 (STRIPE_API_BASE and STRIPE_JS_URL must point here).")
@click.option("--webhook-url", envvar="STRIPE_LOCAL_WEBHOOK_URL",
              default="http://127.0.0.1:5000/api/v1/payments/stripe/webhook",
              show_default=True, help="Where the signed webhooks go (the app's endpoint).")
@click.option("--state-file", type=click.Path(dir_okay=False),
              default=str(INSTANCE_DIR / "stripe-local.json"), show_default=True,
              help="Where the intents are kept between restarts.")
@with_appcontext
def stripe_local_command(port: int, webhook_url: str, state_file: str) -> None:
    """Serve a Stripe-compatible TEST server on 127.0.0.1 (no real money moves)."""
    config = current_app.config
    secret_key = config.get("STRIPE_SECRET_KEY") or ""
    if secret_key and not secret_key.startswith("sk_test_"):
        raise click.ClickException("the local Stripe server runs with test keys only "
                                   "(STRIPE_SECRET_KEY must start with sk_test_)")
    server = LocalStripeServer(
        port=port, secret_key=secret_key or None,
        publishable_key=config.get("STRIPE_PUBLISHABLE_KEY") or None,
        webhook_url=webhook_url, webhook_secret=config.get("STRIPE_WEBHOOK_SECRET"),
        state_file=Path(state_file))
    click.echo(f"Local Stripe (TEST MODE) on {server.url}: API {server.url}/v1, "
               f"Stripe.js stand-in {server.url}/v3/, webhooks to {webhook_url}")
    server.serve_forever()
