"""A local fake of the parts of Stripe's HTTP API that ParkWell calls, for the real SDK to
talk to: PaymentIntents (create, retrieve, cancel) and Refunds. It honours idempotency keys,
records every request, and can be told to fail."""

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
                intent["status"] = "canceled"
            return 200, intent
        if method == "POST" and parts == ["v1", "refunds"]:
            n = next(self._ids)
            refund = {"id": f"re_fake_{n}", "object": "refund", "amount": int(params["amount"]),
                      "payment_intent": params["payment_intent"], "status": "succeeded"}
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, {"error": {"type": "invalid_request_error", "message": path}}

    @staticmethod
    def _json(body: dict, status: int) -> Response:
        return Response(json.dumps(body), status=status, content_type="application/json")

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
