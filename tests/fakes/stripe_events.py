"""Webhook events signed with Stripe's real scheme: ``t=<ts>,v1=HMAC-SHA256(secret,
"<ts>.<body>")``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time


def signed(event: dict, secret: str, *, timestamp: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={digest}"


def intent_event(event_id: str, event_type: str, intent: dict) -> dict:
    return {"id": event_id, "object": "event", "type": event_type,
            "data": {"object": {**intent, "amount_received": intent["amount"]}}}


def object_event(event_id: str, event_type: str, obj: dict) -> dict:
    """An event carrying ``obj`` as it is (a charge, a dispute, or a malformed object)."""
    return {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}


def dispute_event(event_id: str, event_type: str, charge: dict, *, status: str) -> dict:
    return object_event(event_id, event_type, {
        "id": f"dp_{charge['id']}", "object": "dispute", "charge": charge["id"],
        "payment_intent": charge["payment_intent"], "amount": charge["amount"],
        "currency": charge["currency"], "reason": "fraudulent", "status": status})
