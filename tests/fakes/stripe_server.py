"""A local fake of the parts of Stripe's HTTP API that ParkWell calls, for the real SDK to
talk to: PaymentIntents (create, retrieve, cancel), Refunds and Charges (list). It honours
idempotency keys, records every request, and can be told to fail. ``succeed`` and
``refund_on_dashboard`` play what happens on Stripe's side (a customer paying, a person
refunding in Stripe's dashboard); like real Stripe, a succeeded intent cannot be cancelled and
a charge cannot be refunded beyond its amount."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Recorded:
    method: str
    path: str
    params: dict
    idempotency_key: str | None


@dataclass
class FakeStripe:
    requests: list[Recorded] = field(default_factory=list)
    intents: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    charges: dict[str, dict] = field(default_factory=dict)
    fail_next: int = 0  #: answer the next N requests with a 500
    delay_seconds: float = 0  #: answer this late (to make the client time out)
    _by_key: dict[str, tuple[int, dict]] = field(default_factory=dict)
    _ids = itertools.count(1)

    def __call__(self, environ, start_response):
        request = Request(environ)
        params = dict(parse_qsl(request.get_data(as_text=True)))
        key = request.headers.get("Idempotency-Key")
        self.requests.append(Recorded(request.method, request.path, params, key))
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if self.fail_next:
            self.fail_next -= 1
            return self._json({"error": {"type": "api_error", "message": "boom"}}, 500)(
                environ, start_response)
        if key and key in self._by_key:
            status, body = self._by_key[key]
            return self._json(body, status)(environ, start_response)
        status, body = self._route(request.method, request.path, params)
        if key and request.method == "POST":
            self._by_key[key] = (status, body)
        return self._json(body, status)(environ, start_response)

    def _route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "payment_intents"]:
            n = next(self._ids)
            intent = {"id": f"pi_fake_{n}", "object": "payment_intent",
                      "amount": int(params["amount"]), "currency": params["currency"],
                      "status": "requires_payment_method", "client_secret": f"pi_fake_{n}_secret",
                      "metadata": {k[9:-1]: v for k, v in params.items()
                                   if k.startswith("metadata[")}}
            self.intents[intent["id"]] = intent
            return 200, intent
        if len(parts) >= 3 and parts[:2] == ["v1", "payment_intents"]:
            intent = self.intents.get(parts[2])
            if intent is None:
                return 404, {"error": {"type": "invalid_request_error", "message": "no such"}}
            if method == "POST" and parts[3:] == ["cancel"]:
                if intent["status"] in ("succeeded", "canceled", "processing"):
                    return 400, {"error": {
                        "type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                        "message": "You cannot cancel this PaymentIntent because it has a "
                                   f"status of {intent['status']}."}}
                intent["status"] = "canceled"
            return 200, intent
        if method == "POST" and parts == ["v1", "refunds"]:
            intent = self.intents.get(params["payment_intent"])
            if intent is not None and not intent.get("latest_charge"):
                self._charge(intent)  # a story that left the paying out: take it as paid
            charge = self.charges.get((intent or {}).get("latest_charge") or "")
            amount = int(params["amount"])
            if charge is None or charge["amount_refunded"] + amount > charge["amount"]:
                return 400, {"error": {"type": "invalid_request_error",
                                       "code": "charge_already_refunded",
                                       "message": "nothing (more) to refund"}}
            n = next(self._ids)
            refund = {"id": f"re_fake_{n}", "object": "refund", "amount": amount,
                      "payment_intent": params["payment_intent"], "status": "succeeded"}
            self.refunds[refund["id"]] = refund
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            return 200, refund
        if method == "GET" and parts == ["v1", "charges"]:
            return 200, {"object": "list", "url": "/v1/charges", "has_more": False,
                         "data": list(self.charges.values())}
        return 404, {"error": {"type": "invalid_request_error", "message": path}}

    @staticmethod
    def _json(body: dict, status: int) -> Response:
        return Response(json.dumps(body), status=status, content_type="application/json")

    def succeed(self, intent_id: str, *, amount: int | None = None) -> dict:
        """The customer paid (``amount``: what Stripe took, the intent's by default)."""
        intent = self.intents[intent_id]
        charge = self._charge(intent, amount=amount)
        intent.update(status="succeeded", amount_received=charge["amount"])
        return intent

    def _charge(self, intent: dict, *, amount: int | None = None) -> dict:
        n = next(self._ids)
        charge = {"id": f"ch_fake_{n}", "object": "charge", "payment_intent": intent["id"],
                  "amount": intent["amount"] if amount is None else amount,
                  "amount_refunded": 0, "refunded": False, "currency": intent["currency"],
                  "status": "succeeded", "disputed": False}
        self.charges[charge["id"]] = charge
        intent["latest_charge"] = charge["id"]
        return charge

    def charge_without_record(self, *, amount: int, currency: str = "cny") -> dict:
        """A charge made on the account that ParkWell never asked for."""
        n = next(self._ids)
        charge = {"id": f"ch_fake_{n}", "object": "charge", "payment_intent": f"pi_other_{n}",
                  "amount": amount, "amount_refunded": 0, "refunded": False,
                  "currency": currency, "status": "succeeded", "disputed": False}
        self.charges[charge["id"]] = charge
        return charge

    def refund_on_dashboard(self, intent_id: str, amount: int) -> dict:
        """Someone refunds in Stripe's dashboard: returns the charge as ``charge.refunded``
        carries it."""
        charge = self.charges[self.intents[intent_id]["latest_charge"]]
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return dict(charge)

    def writes(self, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.startswith(path_prefix)]


class FakeStripeServer:
    def __init__(self) -> None:
        self.fake = FakeStripe()
        self._server = make_server("127.0.0.1", 0, self.fake, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeStripeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
