"""A local, Stripe-compatible test server: the parts of Stripe's HTTP API that ParkWell and
its pages use, so that the real ``stripe`` SDK (and the test-mode stand-in for Stripe.js)
pay card, Alipay and WeChat Pay shares on a machine with no internet and no keys.

Served endpoints (Stripe's paths and shapes):

- ``POST /v1/payment_intents``, ``GET /v1/payment_intents[/<id>]``,
  ``POST /v1/payment_intents/<id>/confirm`` and ``/cancel``; ``POST /v1/refunds``,
  ``GET /v1/refunds/<id>``; ``GET /v1/charges``. The secret key authenticates the server
  side (``Authorization: Bearer sk_test_...``); the browser's stand-in sends the
  publishable key and the intent's client secret, as Stripe.js does.
- ``GET /v3/``: the stand-in for Stripe.js (``static/stripe-test-mode.js``).
- ``GET|POST /authorise/<id>``: the page Alipay's redirect and WeChat Pay's QR code lead to,
  where a tester authorises (or fails) the test payment; it then returns to ``return_url``.

State changes send signed webhooks (``t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<body>")``, the
real scheme) to ``webhook_url`` from a background thread, retried a few times, as Stripe
does. Idempotency keys are honoured, every request is recorded, and ``fail_next`` /
``delay_seconds`` make it fail or answer late, for tests. With ``state_file`` the intents
survive a restart.

Test cards: 4242 4242 4242 4242 (and 5555 5555 5555 4444) succeed, 4000 0000 0000 0002 is
declined, 4000 0000 0000 9995 is declined for insufficient funds; server-side confirmation
takes ``payment_method=pm_card_visa`` or ``pm_card_chargeDeclined``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import queue
import secrets
import threading
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"

SUCCEEDING_CARDS = {"4242424242424242", "5555555555554444", "4000056655665556"}
DECLINED_CARDS = {"4000000000000002": ("card_declined", "generic_decline"),
                  "4000000000009995": ("card_declined", "insufficient_funds")}
TEST_PAYMENT_METHODS = {"pm_card_visa": "4242424242424242",
                        "pm_card_mastercard": "5555555555554444",
                        "pm_card_chargeDeclined": "4000000000000002",
                        "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995"}
REDIRECT_METHODS = ("alipay", "wechat_pay")
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


class StripeHTTPError(Exception):
    def __init__(self, status: int, type_: str, message: str, *, code: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": {
            "type": type_, "message": message, **({"code": code} if code else {}),
            **(extra or {})}}


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


def _new_id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(8)}"


def _nested(params: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``a[b][c]=v``, ``a[0]=v``, ``a[]=v``) back into nested dicts
    and lists."""
    out: dict[str, Any] = {}
    for key, value in params:
        parts = key.replace("]", "").split("[")
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        last = parts[-1]
        if last == "":
            last = str(len(target))
        target[last] = value
    nested: dict[str, Any] = _lists(out)
    return nested


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        if value and all(k.isdigit() for k in value):
            return [_lists(value[k]) for k in sorted(value, key=int)]
        return {k: _lists(v) for k, v in value.items()}
    return value


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """Stripe's signature header for ``payload``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


@dataclass
class LocalStripe:
    """The server's state and its WSGI entry point."""

    secret_key: str | None = None  #: when set, the only secret key accepted
    publishable_key: str | None = None  #: when set, the only publishable key accepted
    webhook_url: str | None = None
    webhook_secret: str | None = None
    public_url: str = ""  #: this server's own address, for the pages it links to
    state_file: Path | None = None
    webhook_attempts: int = 4
    requests: list[Recorded] = field(default_factory=list)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: every event sent, with its outcome
    events: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0  #: answer the next N API requests with a 500
    delay_seconds: float = 0  #: answer API requests this late
    _by_key: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _outbox: queue.Queue[tuple[bytes, dict[str, Any]]] = field(default_factory=queue.Queue)
    _sender: threading.Thread | None = None

    def __post_init__(self) -> None:
        if self.webhook_url and not self.webhook_url.startswith(("http://", "https://")):
            raise ValueError("webhook_url must be an http(s) address")
        if self.state_file and self.state_file.exists():
            saved = json.loads(self.state_file.read_text())
            self.intents, self.refunds = saved.get("intents", {}), saved.get("refunds", {})
            self.charges = saved.get("charges", {})
            self._by_key = {k: tuple(v) for k, v in saved.get("idempotency", {}).items()}

    # -- WSGI --------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._dispatch(request)
        except StripeHTTPError as exc:
            response = self._json(exc.body, exc.status)
        if request.path.startswith("/v1/"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path in ("/v3", "/v3/", "/v3/stripe.js"):
            return Response((STATIC / "stripe-test-mode.js").read_text(),
                            content_type="application/javascript; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})
        if path.startswith("/authorise/"):
            return self._authorise_page(request, path.split("/")[2])
        if path == "/":
            return self._overview()
        if not path.startswith("/v1/"):
            raise StripeHTTPError(404, "invalid_request_error", f"Unrecognized path {path}")
        if request.method == "OPTIONS":
            return Response("", status=204)
        pairs = parse_qsl(request.get_data(as_text=True), keep_blank_values=True) \
            if request.method == "POST" else list(request.args.items(multi=True))
        params = _nested(pairs)
        key = request.headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append(Recorded(request.method, path, params, key))
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                raise StripeHTTPError(500, "api_error", "Injected failure (test).")
            if key and request.method == "POST" and key in self._by_key:
                status, body = self._by_key[key]
                return self._json(body, status, replayed=True)
            try:
                status, body = self._route(request, params)
            except StripeHTTPError as exc:
                status, body = exc.status, exc.body
            if key and request.method == "POST" and status < 500:
                self._by_key[key] = (status, body)
            if request.method == "POST":
                self._save()
        return self._json(body, status)

    @staticmethod
    def _json(body: dict[str, Any], status: int = 200, *, replayed: bool = False) -> Response:
        response = Response(json.dumps(body), status=status, content_type="application/json")
        response.headers["Request-Id"] = _new_id("req")
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    # -- authentication ----------------------------------------------------------------

    def _secret_auth(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        if not token:
            return False
        if not token.startswith(("sk_test_", "rk_test_")) \
                or (self.secret_key and token != self.secret_key):
            raise StripeHTTPError(401, "invalid_request_error",
                                  "Invalid API Key provided (this local server takes test "
                                  "keys only).")
        return True

    def _client_auth(self, request: Request, params: dict[str, Any],
                     intent: dict[str, Any]) -> None:
        """The server's secret key, or (the browser) a publishable key and the intent's
        client secret."""
        if self._secret_auth(request):
            return
        key = params.get("key", "")
        if not key.startswith("pk_test_") or (self.publishable_key
                                               and key != self.publishable_key):
            raise StripeHTTPError(401, "invalid_request_error", "Invalid API Key provided.")
        if params.get("client_secret") != intent["client_secret"]:
            raise StripeHTTPError(400, "invalid_request_error",
                                  "The client_secret provided does not match this "
                                  "PaymentIntent.", code="resource_missing")

    # -- the API -----------------------------------------------------------------------

    def _route(self, request: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        method, parts = request.method, request.path.strip("/").split("/")[1:]
        if parts[:1] == ["payment_intents"]:
            if len(parts) == 1:
                self._require_secret(request)
                if method == "POST":
                    return 200, self._create_intent(params)
                return 200, self._list(self.intents, params, "/v1/payment_intents")
            intent = self.intents.get(parts[1])
            if intent is None:
                raise StripeHTTPError(404, "invalid_request_error",
                                      f"No such payment_intent: '{parts[1]}'",
                                      code="resource_missing")
            if len(parts) == 2:
                self._client_auth(request, params, intent)
                return 200, self._shown(intent, request)
            if method == "POST" and parts[2] == "confirm":
                self._client_auth(request, params, intent)
                status, confirmed = self._confirm(intent, params)
                return status, self._shown(confirmed, request)
            if method == "POST" and parts[2] == "cancel":
                self._require_secret(request)
                return 200, self._cancel(intent)
        if parts[:1] == ["refunds"]:
            self._require_secret(request)
            if len(parts) == 1 and method == "POST":
                return 200, self._refund(params)
            if len(parts) == 2 and parts[1] in self.refunds:
                return 200, self.refunds[parts[1]]
        if parts == ["charges"] and method == "GET":
            self._require_secret(request)
            return 200, self._list(self.charges, params, "/v1/charges")
        raise StripeHTTPError(404, "invalid_request_error",
                              f"Unrecognized request URL ({method}: {request.path}).")

    def _require_secret(self, request: Request) -> None:
        if not self._secret_auth(request):
            raise StripeHTTPError(401, "invalid_request_error",
                                  "You did not provide an API key.")

    def _shown(self, intent: dict[str, Any], request: Request) -> dict[str, Any]:
        if self._secret_auth(request):
            return {k: v for k, v in intent.items() if not k.startswith("_")}
        # what a browser sees (as with Stripe's publishable key): no metadata
        return {k: v for k, v in intent.items() if k != "metadata" and not k.startswith("_")}

    @staticmethod
    def _list(items: dict[str, dict[str, Any]], params: dict[str, Any], url: str) -> dict[str, Any]:
        data = sorted(items.values(), key=lambda o: o["created"], reverse=True)
        if params.get("payment_intent"):
            data = [o for o in data if o.get("payment_intent") == params["payment_intent"]]
        if params.get("starting_after"):  # newest first: the page after this object
            ids = [o["id"] for o in data]
            after = params["starting_after"]
            data = data[ids.index(after) + 1:] if after in ids else []
        limit = min(int(params.get("limit", 10)), 100)
        return {"object": "list", "url": url, "has_more": len(data) > limit,
                "data": data[:limit]}

    def _create_intent(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            raise StripeHTTPError(400, "invalid_request_error", "Missing required param: "
                                  "amount.", extra={"param": "amount"}) from None
        if amount < 1:
            raise StripeHTTPError(400, "invalid_request_error",
                                  "Amount must be at least 1.", code="amount_too_small")
        currency = params.get("currency", "").lower()
        if len(currency) != 3:
            raise StripeHTTPError(400, "invalid_request_error",
                                  "Missing required param: currency.")
        intent_id = _new_id("pi")
        methods = params.get("payment_method_types") or ["card"]
        intent = {"id": intent_id, "object": "payment_intent", "amount": amount,
                  "amount_received": 0, "currency": currency,
                  "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
                  "created": int(time.time()), "livemode": False,
                  "metadata": params.get("metadata") or {},
                  "payment_method_types": methods if isinstance(methods, list) else [methods],
                  "status": "requires_payment_method", "last_payment_error": None,
                  "next_action": None, "latest_charge": None, "payment_method": None,
                  "canceled_at": None, "cancellation_reason": None}
        self.intents[intent_id] = intent
        self._event("payment_intent.created", intent)
        return intent

    def _confirm(self, intent: dict[str, Any],
                 params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if intent["status"] not in CONFIRMABLE:
            raise StripeHTTPError(
                400, "invalid_request_error",
                f"This PaymentIntent's status is {intent['status']}: it cannot be confirmed.",
                code="payment_intent_unexpected_state", extra={"payment_intent": intent})
        data = params.get("payment_method_data") or {}
        kind = data.get("type") or ("card" if params.get("payment_method") else None)
        if kind not in intent["payment_method_types"]:
            raise StripeHTTPError(400, "invalid_request_error",
                                  f"The payment method type {kind!r} is not allowed for this "
                                  "PaymentIntent.", extra={"param": "payment_method_data[type]"})
        intent["last_payment_error"], intent["next_action"] = None, None
        intent["payment_method"] = _new_id("pm")
        if kind in REDIRECT_METHODS:
            return_url = params.get("return_url")
            if not return_url:
                raise StripeHTTPError(400, "invalid_request_error",
                                      "A return_url is required to confirm this payment "
                                      "method.", extra={"param": "return_url"})
            url = f"{self.public_url}/authorise/{intent['id']}?" + urlencode(
                {"method": kind, "return_url": return_url})
            intent["status"] = "requires_action"
            intent["next_action"] = (
                {"type": "alipay_handle_redirect",
                 "alipay_handle_redirect": {"url": url, "return_url": return_url}}
                if kind == "alipay" else
                {"type": "wechat_pay_display_qr_code",
                 "wechat_pay_display_qr_code": {"hosted_instructions_url": url,
                                                "data": f"weixin://wxpay/test/{intent['id']}"}})
            intent["_method"] = kind
            return 200, intent
        number = (data.get("card") or {}).get("number", "").replace(" ", "") \
            or TEST_PAYMENT_METHODS.get(params.get("payment_method", ""), "")
        if number in SUCCEEDING_CARDS:
            self._succeed(intent, "card")
            return 200, intent
        if number in DECLINED_CARDS:
            code, decline = DECLINED_CARDS[number]
            self._fail(intent, code=code, decline_code=decline,
                       message="Your card was declined." if decline != "insufficient_funds"
                       else "Your card has insufficient funds.")
            raise StripeHTTPError(402, "card_error", intent["last_payment_error"]["message"],
                                  code=code, extra={"decline_code": decline,
                                                    "payment_intent": intent})
        raise StripeHTTPError(402, "card_error", "Your card number is incorrect (use a test "
                              "card such as 4242 4242 4242 4242).", code="incorrect_number",
                              extra={"param": "payment_method_data[card][number]"})

    def _succeed(self, intent: dict[str, Any], kind: str) -> None:
        charge_id = _new_id("ch")
        self.charges[charge_id] = {
            "id": charge_id, "object": "charge", "amount": intent["amount"],
            "amount_captured": intent["amount"], "amount_refunded": 0,
            "currency": intent["currency"], "payment_intent": intent["id"], "paid": True,
            "refunded": False, "disputed": False, "status": "succeeded",
            "created": int(time.time()),
            "payment_method_details": {"type": kind}, "metadata": intent["metadata"]}
        intent.update(status="succeeded", amount_received=intent["amount"],
                      latest_charge=charge_id, next_action=None)
        intent.pop("_method", None)
        self._event("payment_intent.succeeded", intent)

    def _fail(self, intent: dict[str, Any], *, code: str, message: str,
              decline_code: str | None = None) -> None:
        intent.update(status="requires_payment_method", next_action=None,
                      last_payment_error={"type": "card_error", "code": code,
                                          "decline_code": decline_code, "message": message})
        intent.pop("_method", None)
        self._event("payment_intent.payment_failed", intent)

    def _cancel(self, intent: dict[str, Any]) -> dict[str, Any]:
        if intent["status"] in ("succeeded", "canceled"):
            raise StripeHTTPError(
                400, "invalid_request_error",
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}.", code="payment_intent_unexpected_state",
                extra={"payment_intent": intent})
        intent.update(status="canceled", canceled_at=int(time.time()), next_action=None,
                      cancellation_reason="requested_by_customer")
        self._event("payment_intent.canceled", intent)
        return intent

    def _refund(self, params: dict[str, Any]) -> dict[str, Any]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            raise StripeHTTPError(400, "invalid_request_error",
                                  "This PaymentIntent has no successful charge to refund.",
                                  code="charge_not_refundable" if intent else "resource_missing")
        charge = self.charges[intent["latest_charge"]]
        left = charge["amount"] - charge["amount_refunded"]
        amount = int(params["amount"]) if params.get("amount") else left
        if amount < 1 or amount > left:
            raise StripeHTTPError(400, "invalid_request_error",
                                  f"Refund amount ({amount}) is greater than unrefunded amount "
                                  f"on charge ({left})", code="amount_too_large")
        refund_id = _new_id("re")
        refund = {"id": refund_id, "object": "refund", "amount": amount,
                  "currency": intent["currency"], "payment_intent": intent["id"],
                  "charge": charge["id"], "status": "succeeded", "created": int(time.time()),
                  "metadata": params.get("metadata") or {}}
        self.refunds[refund_id] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._event("charge.refunded", charge)
        return refund

    # -- the redirect and QR pages -----------------------------------------------------

    def _authorise_page(self, request: Request, intent_id: str) -> Response:
        intent = self.intents.get(intent_id)
        return_url = request.values.get("return_url", "")
        method = request.values.get("method", "alipay")
        if intent is None or not return_url.startswith(("http://", "https://")):
            return Response("Unknown test payment.", status=404, content_type="text/plain")
        if request.method == "POST":
            with self._lock:
                if intent["status"] == "requires_action":
                    if request.form.get("decision") == "authorise":
                        self._succeed(intent, method)
                    else:
                        self._fail(intent, code="payment_intent_authentication_failure",
                                   message="The payment was not authorised.")
                    self._save()
            outcome = "succeeded" if intent["status"] == "succeeded" else "failed"
            return Response(status=303, headers={"Location": _with_query(return_url, {
                "payment_intent": intent["id"],
                "payment_intent_client_secret": intent["client_secret"],
                "redirect_status": outcome})})
        return Response(_authorise_html(intent, method, return_url),
                        content_type="text/html; charset=utf-8")

    def _overview(self) -> Response:
        rows = "".join(
            f"<tr><td>{html.escape(i['id'])}</td><td>{i['amount'] / 100:.2f} "
            f"{html.escape(i['currency'].upper())}</td><td>{html.escape(i['status'])}</td></tr>"
            for i in sorted(self.intents.values(), key=lambda i: -i["created"])[:50])
        sent = "".join(f"<li>{html.escape(e['type'])} {html.escape(e['id'])}: "
                       f"{html.escape(str(e.get('delivery')))}</li>" for e in self.events[-20:])
        return Response(
            "<!doctype html><html lang='en'><meta charset='utf-8'><title>Local Stripe (TEST "
            "MODE)</title><h1>Local Stripe-compatible test server (TEST MODE)</h1>"
            f"<p>Webhooks to {html.escape(self.webhook_url or '(none)')}</p>"
            f"<table><tr><th>PaymentIntent</th><th>Amount</th><th>Status</th></tr>{rows}"
            f"</table><h2>Recent events</h2><ul>{sent}</ul>",
            content_type="text/html; charset=utf-8")

    # -- events and webhooks -----------------------------------------------------------

    def _event(self, event_type: str, obj: dict[str, Any]) -> None:
        event = {"id": _new_id("evt"), "object": "event", "api_version": "2025-01-27",
                 "created": int(time.time()), "livemode": False, "type": event_type,
                 "data": {"object": {k: v for k, v in obj.items() if not k.startswith("_")}},
                 "pending_webhooks": 1 if self.webhook_url else 0}
        record = {"id": event["id"], "type": event_type, "delivery": "pending"}
        self.events.append(record)
        if self.webhook_url and self.webhook_secret and event_type != "payment_intent.created":
            self._outbox.put((json.dumps(event).encode(), record))
            self._start_sender()
        else:
            record["delivery"] = "not sent"

    def _start_sender(self) -> None:
        if self._sender is None or not self._sender.is_alive():
            self._sender = threading.Thread(target=self._send_loop, daemon=True,
                                            name="stripe-local-webhooks")
            self._sender.start()

    def _send_loop(self) -> None:
        while True:
            try:
                payload, record = self._outbox.get(timeout=5)
            except queue.Empty:
                return
            for attempt in range(self.webhook_attempts):
                status: int | str
                try:
                    status = self._post_webhook(payload)
                except OSError as exc:
                    status = str(exc)
                record["delivery"] = status
                if status == 200:
                    break
                time.sleep(0.5 * 2 ** attempt)
            self._outbox.task_done()

    def _post_webhook(self, payload: bytes) -> int:
        # the address is checked to be http(s) when the server is made
        assert self.webhook_url is not None and self.webhook_secret is not None  # sending
        request = urllib.request.Request(  # noqa: S310
            self.webhook_url, data=payload, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, self.webhook_secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks) local test server"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status: int = response.status
                return status
        except urllib.error.HTTPError as exc:
            log.warning("webhook answered %s: %s", exc.code, exc.read()[:200])
            return exc.code

    def wait_for_webhooks(self, timeout: float = 10) -> bool:
        """Block until every queued webhook has been delivered (or given up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._outbox.unfinished_tasks == 0:
                return True
            time.sleep(0.05)
        return False

    def _save(self) -> None:
        if self.state_file is None:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"intents": self.intents, "refunds": self.refunds,
                                   "charges": self.charges,
                                   "idempotency": self._by_key}))
        tmp.replace(self.state_file)

    def writes(self, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.startswith(path_prefix)]


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query), *extra.items()])
    return urlunsplit(parts._replace(query=query))


METHOD_NAMES = {"alipay": ("支付宝", "Alipay"), "wechat_pay": ("微信支付", "WeChat Pay")}


def _authorise_html(intent: dict[str, Any], method: str, return_url: str) -> str:
    zh, en = METHOD_NAMES.get(method, (method, method))
    amount = f"{intent['amount'] / 100:,.2f} {intent['currency'].upper()}"
    qr = _qr_svg(intent["id"]) if method == "wechat_pay" else ""
    done = intent["status"] != "requires_action"
    hidden = (f"<input type='hidden' name='method' value='{html.escape(method)}'>"
              f"<input type='hidden' name='return_url' value='{html.escape(return_url)}'>")
    buttons = (
        "<p>这笔测试付款已处理。 This test payment has already been handled.</p>"
        f"<form method='post'>{hidden}<button name='decision' value='back'>返回商户 · "
        "Back to the shop</button></form>" if done else
        f"<form method='post'>{hidden}"
        "<button class='ok' name='decision' value='authorise'>授权测试付款 · Authorise test "
        "payment</button> <button class='no' name='decision' value='fail'>付款失败 · Fail "
        "test payment</button></form>")
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{zh} · 测试模式 TEST MODE</title>
<style>body{{font-family:"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;padding:16px;
color:#1f2933;background:#f5f7f5}}.test{{background:#fff3c4;color:#5c4400;border:2px dashed
#b58100;border-radius:12px;padding:12px;margin-bottom:16px;font-weight:700}}.card{{background:
#fff;border-radius:12px;padding:16px}}h1{{font-size:1.3rem}}.amount{{font-size:1.8rem;
font-weight:700}}button{{min-height:44px;font-size:1rem;border-radius:8px;padding:8px 16px;
margin:8px 8px 0 0;border:1px solid #52606d;background:#fff;color:#1f2933}}button.ok{{
background:#1a7f37;border-color:#1a7f37;color:#fff}}svg{{display:block;margin:12px 0}}</style>
</head><body><main>
<p class="test">测试模式 · TEST MODE — 本页模拟{zh}，不会产生真实扣款。This page stands in for
{en}; no real money moves.</p>
<div class="card"><h1>{zh} · {en}</h1><p class="amount">{html.escape(amount)}</p>
{qr}{buttons}</div></main></body></html>"""


def _qr_svg(seed: str) -> str:
    """A QR-like picture (not a real QR code: there is nothing to scan in test mode)."""
    bits = hashlib.sha256(seed.encode()).digest() * 2
    cells = []
    for row in range(21):
        for col in range(21):
            finder = next(((row - r, col - c) for r, c in ((0, 0), (0, 14), (14, 0))
                           if 0 <= row - r < 7 and 0 <= col - c < 7), None)
            if finder is not None:
                y, x = finder
                on = y in (0, 6) or x in (0, 6) or (2 <= y <= 4 and 2 <= x <= 4)
            else:
                index = row * 21 + col
                on = bool(bits[index // 8] >> (index % 8) & 1)
            if on:
                cells.append(f"<rect x='{col * 8}' y='{row * 8}' width='8' height='8'/>")
    return ("<svg role='img' aria-label='测试二维码 test QR code' width='168' height='168' "
            "viewBox='0 0 168 168'><rect width='168' height='168' fill='#fff'/>"
            f"<g fill='#111'>{''.join(cells)}</g></svg>"
            "<p>用微信扫码（测试模式：点下方按钮代替扫码）· Scan with WeChat (in test mode, use "
            "the buttons below instead).</p>")


class LocalStripeServer:
    """The server on 127.0.0.1 in a thread (tests), or in the foreground (``serve``)."""

    def __init__(self, *, port: int = 0, **options: Any) -> None:
        self.stripe = LocalStripe(**options)
        self._server = make_server("127.0.0.1", port, self.stripe, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.stripe.public_url = self.stripe.public_url or self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="stripe-local")

    def __enter__(self) -> LocalStripeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stripe.wait_for_webhooks(timeout=5)
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
