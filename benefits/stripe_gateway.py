"""The one place that talks to Stripe, through the real ``stripe`` SDK.

Every write carries an idempotency key, so that a retry never charges twice. Tests and the
demo point the SDK at a local fake with ``STRIPE_API_BASE``; parity with real Stripe is
checked only with test-mode keys on a machine that can reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app

from benefits.errors import PaymentProviderFailed, WebhookRejected

PAYMENT_METHODS = ["card", "alipay", "wechat_pay"]


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None
    amount_received: int = 0
    #: Why the last attempt failed (Stripe's code, e.g. ``card_declined``), if it did.
    last_error_code: str | None = None


@dataclass(frozen=True)
class ChargeRecord:
    """One of Stripe's charges, as reconcile compares it with ours."""

    id: str
    payment_intent: str | None
    amount: int
    amount_refunded: int
    currency: str  #: upper-case, as ours
    status: str
    disputed: bool


def card_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def browser_settings() -> dict[str, str | bool] | None:
    """What a pay page needs to load Stripe.js: its address and the publishable key (and
    whether these are test keys, to say so on screen); None when card payment is off."""
    key = current_app.config.get("STRIPE_PUBLISHABLE_KEY")
    if not card_payments_enabled() or not key:
        return None
    return {"js_url": current_app.config.get("STRIPE_JS_URL") or "https://js.stripe.com/v3/",
            "publishable_key": key, "test_mode": key.startswith("pk_test_")}


def _client() -> stripe.StripeClient:
    base = current_app.config.get("STRIPE_API_BASE")
    options: dict[str, Any] = {"base_addresses": {"api": base}} if base else {}
    timeout = float(current_app.config.get("STRIPE_TIMEOUT_SECONDS", 10))
    return stripe.StripeClient(current_app.config["STRIPE_SECRET_KEY"],
                               max_network_retries=0,
                               http_client=stripe.RequestsClient(timeout=timeout), **options)


def _intent(obj: Any) -> Intent:
    error = getattr(obj, "last_payment_error", None)
    return Intent(id=obj.id, status=obj.status, amount=obj.amount, currency=obj.currency,
                  client_secret=getattr(obj, "client_secret", None),
                  amount_received=getattr(obj, "amount_received", None) or 0,
                  last_error_code=getattr(error, "code", None) if error else None)


def create_payment_intent(*, amount_minor: int, currency: str, idempotency_key: str,
                          metadata: dict[str, str]) -> Intent:
    """Raises PaymentProviderFailed when Stripe fails or cannot be reached."""
    try:
        obj = _client().v1.payment_intents.create(
            params={"amount": amount_minor, "currency": currency.lower(),
                    # the API takes it; stripe's typed params leave it out
                    "payment_method_types": PAYMENT_METHODS,  # type: ignore[typeddict-unknown-key]
                    "metadata": metadata},
            options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise PaymentProviderFailed() from exc
    return _intent(obj)


def retrieve_payment_intent(intent_id: str) -> Intent:
    try:
        return _intent(_client().v1.payment_intents.retrieve(intent_id))
    except stripe.StripeError as exc:
        raise PaymentProviderFailed() from exc


def cancel_payment_intent(intent_id: str, *, idempotency_key: str) -> None:
    try:
        _client().v1.payment_intents.cancel(intent_id,
                                            options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise PaymentProviderFailed() from exc


def cancel_or_refund(intent_id: str, *, amount_minor: int, idempotency_key: str) -> str:
    """Let go of an intent whose hold ended: cancel it while nothing is paid; refund it
    when it has succeeded meanwhile (real Stripe refuses to cancel a succeeded intent). The
    refund's key is the one a late success refunds with (``late_refund_key``), so that the
    webhook arriving afterwards meets the same refund rather than a second one. Returns
    what was done: "canceled", "refunded" or "nothing". Raises PaymentProviderFailed."""
    intent = retrieve_payment_intent(intent_id)
    if intent.status == "canceled":
        return "nothing"
    if intent.status == "succeeded":
        refund(intent_id, amount_minor=amount_minor, idempotency_key=idempotency_key)
        return "refunded"
    cancel_payment_intent(intent_id, idempotency_key=f"cancel-{intent_id}")
    return "canceled"


def charges() -> list[ChargeRecord]:
    """Every charge on the account (reconcile lists those with no record here). Raises
    PaymentProviderFailed."""
    try:
        listed = _client().v1.charges.list(params={"limit": 100})
        return [ChargeRecord(id=c.id, payment_intent=getattr(c, "payment_intent", None),
                             amount=c.amount, amount_refunded=c.amount_refunded or 0,
                             currency=str(c.currency).upper(), status=c.status,
                             disputed=bool(getattr(c, "disputed", False)))
                for c in listed.auto_paging_iter()]
    except stripe.StripeError as exc:
        raise PaymentProviderFailed() from exc


def refund(intent_id: str, *, amount_minor: int, idempotency_key: str) -> str:
    try:
        obj = _client().v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount_minor},
            options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise PaymentProviderFailed() from exc
    return obj.id


def verify_webhook(payload: bytes, signature: str | None) -> stripe.Event:
    """The event, once its signature (and timestamp, within 5 minutes) checks out.
    Raises WebhookRejected."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise WebhookRejected()
    try:
        event: stripe.Event = stripe.Webhook.construct_event(payload, signature, secret,
                                                             tolerance=300)
        return event
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRejected() from exc
