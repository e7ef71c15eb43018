"""The local Stripe-compatible test server (``flask stripe-local``, started by ``make run``)
speaks Stripe's HTTP API to the real SDK: PaymentIntents, confirmation with the test cards,
cancellation (refused once paid, as Stripe does), refunds, idempotency keys; the browser's
stand-in authenticates with the publishable key and the client secret; the state changes
reach the app as webhooks signed with Stripe's real scheme, which the app accepts."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
import urllib.request

import pytest
import stripe
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from benefits import stripe_gateway
from benefits.stripe_local.server import LocalStripeServer
from tests.benefits.factories import WEBHOOK_SECRET

KEY = "sk_test_local_suite"


@pytest.fixture
def receiver():
    """An endpoint that records what is posted to it (the app's webhook stands here)."""
    received: list[tuple[bytes, str]] = []

    def app(environ, start_response):
        request = Request(environ)
        received.append((request.get_data(), request.headers.get("Stripe-Signature", "")))
        return Response("ok")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def local(receiver):
    url, _received = receiver
    with LocalStripeServer(secret_key=KEY, publishable_key="pk_test_local_suite",
                           webhook_url=url, webhook_secret=WEBHOOK_SECRET) as server:
        yield server


def client(server) -> stripe.StripeClient:
    return stripe.StripeClient(KEY, base_addresses={"api": server.url}, max_network_retries=0)


def new_intent(server, amount=20_000, key=None):
    return client(server).v1.payment_intents.create(
        params={"amount": amount, "currency": "cny",
                "payment_method_types": ["card", "alipay", "wechat_pay"],
                "metadata": {"booking_id": "7"}},
        options={"idempotency_key": key} if key else None)


def browser_post(server, path: str, data: dict) -> tuple[int, dict]:
    """As the Stripe.js stand-in posts: form-encoded, with the publishable key."""
    request = urllib.request.Request(server.url + path, method="POST",  # noqa: S310
                                     data=urllib.parse.urlencode(data).encode())
    try:
        with urllib.request.urlopen(request) as answer:  # noqa: S310 (local test server)
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_retry_with_the_same_idempotency_key_returns_the_same_intent(local):
    first, again = new_intent(local, key="booking-7-card-20000"), \
        new_intent(local, key="booking-7-card-20000")
    assert first.id == again.id and first.status == "requires_payment_method"
    assert first.metadata["booking_id"] == "7" and len(local.stripe.intents) == 1


def test_the_test_cards_succeed_or_are_declined_and_a_declined_intent_can_be_paid_again(local):
    intent = new_intent(local)
    with pytest.raises(stripe.CardError) as declined:
        client(local).v1.payment_intents.confirm(
            intent.id, params={"payment_method": "pm_card_chargeDeclined"})
    assert declined.value.code == "card_declined"
    assert client(local).v1.payment_intents.retrieve(intent.id).status == \
        "requires_payment_method"

    paid = client(local).v1.payment_intents.confirm(intent.id,
                                                    params={"payment_method": "pm_card_visa"})

    assert (paid.status, paid.amount_received) == ("succeeded", 20_000)


def test_the_browser_confirms_with_the_publishable_key_and_client_secret_only(local):
    intent = new_intent(local)
    path = f"/v1/payment_intents/{intent.id}/confirm"
    card = {"payment_method_data[type]": "card",
            "payment_method_data[card][number]": "4242424242424242"}

    wrong_secret = browser_post(local, path, {"key": "pk_test_local_suite",
                                              "client_secret": "pi_x_secret_y", **card})
    live_key = browser_post(local, path, {"key": "pk_live_nope",
                                          "client_secret": intent.client_secret, **card})
    ok = browser_post(local, path, {"key": "pk_test_local_suite",
                                    "client_secret": intent.client_secret, **card})

    assert wrong_secret[0] == 400 and live_key[0] == 401
    assert ok[0] == 200 and ok[1]["status"] == "succeeded"
    assert "metadata" not in ok[1]  # the browser does not see the server's metadata


def test_alipay_redirects_to_the_test_authorisation_page_which_returns_to_the_shop(local):
    intent = new_intent(local)
    status, body = browser_post(local, f"/v1/payment_intents/{intent.id}/confirm", {
        "key": "pk_test_local_suite", "client_secret": intent.client_secret,
        "payment_method_data[type]": "alipay", "return_url": "http://127.0.0.1:1/back?x=1"})
    assert status == 200 and body["status"] == "requires_action"
    page_url = body["next_action"]["alipay_handle_redirect"]["url"]
    with urllib.request.urlopen(page_url) as page:  # noqa: S310 (local test server)
        assert "TEST MODE" in page.read().decode()

    parts = urllib.parse.urlsplit(page_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    connection.request("POST", f"{parts.path}?{parts.query}", body="decision=authorise",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse()
    assert answer.status == 303
    location = urllib.parse.urlsplit(answer.getheader("Location"))
    query = dict(urllib.parse.parse_qsl(location.query))
    assert location.path == "/back" and query["x"] == "1"
    assert (query["payment_intent"], query["redirect_status"]) == (intent.id, "succeeded")
    assert local.stripe.intents[intent.id]["status"] == "succeeded"


def test_a_paid_intent_cannot_be_cancelled_and_refunds_cannot_exceed_the_charge(local):
    intent = new_intent(local)
    client(local).v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client(local).v1.payment_intents.cancel(intent.id)
    assert refused.value.code == "payment_intent_unexpected_state"
    refund = client(local).v1.refunds.create(params={"payment_intent": intent.id,
                                                     "amount": 15_000})
    assert (refund.amount, refund.status) == (15_000, "succeeded")
    with pytest.raises(stripe.InvalidRequestError):
        client(local).v1.refunds.create(params={"payment_intent": intent.id, "amount": 6_000})
    charges = client(local).v1.charges.list().data
    assert [(c.payment_intent, c.amount_refunded) for c in charges] == [(intent.id, 15_000)]


def test_only_test_secret_keys_are_accepted(local):
    bad = stripe.StripeClient("sk_test_someone_else", base_addresses={"api": local.url},
                              max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError):
        bad.v1.payment_intents.create(params={"amount": 100, "currency": "cny"})


def test_its_webhooks_are_signed_so_that_the_app_accepts_them(app, local, receiver):
    _url, received = receiver
    app.config.update(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    intent = new_intent(local)
    client(local).v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})

    assert local.stripe.wait_for_webhooks()

    events = [stripe_gateway.verify_webhook(body, signature) for body, signature in received]
    assert [(e.type, e.data.object.id) for e in events] == [
        ("payment_intent.succeeded", intent.id)]
    assert events[0].data.object.amount_received == 20_000


def test_intents_survive_a_restart_when_kept_in_a_state_file(tmp_path):
    state = tmp_path / "stripe-local.json"
    with LocalStripeServer(secret_key=KEY, state_file=state) as first:
        intent = new_intent(first, key="k-1")
    with LocalStripeServer(secret_key=KEY, state_file=state) as second:
        assert client(second).v1.payment_intents.retrieve(intent.id).amount == 20_000
        assert new_intent(second, key="k-1").id == intent.id


def test_it_serves_the_test_mode_stand_in_for_stripe_js(local):
    with urllib.request.urlopen(f"{local.url}/v3/") as script:  # noqa: S310 (local server)
        text = script.read().decode()
        assert script.headers["Content-Type"].startswith("application/javascript")
    assert "TEST MODE" in text and "confirmPayment" in text


def test_the_command_refuses_live_keys(app, runner):
    app.config.update(STRIPE_SECRET_KEY="sk_live_real_money")

    result = runner.invoke(args=["stripe-local", "--port", "0"])

    assert result.exit_code != 0 and "test keys only" in result.output


def test_lists_are_paged_as_the_sdk_pages_them(local):
    for _ in range(3):
        intent = new_intent(local)
        client(local).v1.payment_intents.confirm(intent.id,
                                                 params={"payment_method": "pm_card_visa"})

    listed = client(local).v1.charges.list(params={"limit": 2})

    assert listed.has_more and len(listed.data) == 2
    assert len({c.id for c in listed.auto_paging_iter()}) == 3
