"""Without a payment server (card payment off), a place whose share the budget does not
cover is not held at all, over the API as on the booking page: the employee would hold a
place they cannot pay. Nothing is written; a share the budget covers still books."""

from __future__ import annotations

from benefits.models import CategoryCap
from booking.models import Booking, BookingTransition
from core.db import db
from tests.benefits.factories import funded_employee

PRICE, BUDGET = 30_000, 10_000


def _hold_over_the_api(client, make, kit, *, budget_minor: int):
    user, _plan = funded_employee(make, kit, budget_minor=budget_minor)
    service = kit.service(price_minor=PRICE)
    db.session.commit()
    return client.post("/api/v1/bookings", json={
        "service_id": service.id, "practitioner_id": kit.practitioner.id,
        "starts_at": kit.slot().isoformat()}, headers={
        "Authorization": f"Bearer {make.token(user)}", "Idempotency-Key": "hold-1"})


def _nothing_written():
    return (db.session.query(Booking).count(), db.session.query(BookingTransition).count()) \
        == (0, 0)


def test_the_api_refuses_to_hold_a_co_paid_place_when_card_payment_is_off(app, make, kit,
                                                                         client):
    answer = _hold_over_the_api(client, make, kit, budget_minor=BUDGET)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "card_payment_unavailable"
    db.session.expire_all()
    assert _nothing_written()


def test_the_api_still_holds_a_place_the_budget_covers_when_card_payment_is_off(
        app, make, kit, client):
    answer = _hold_over_the_api(client, make, kit, budget_minor=PRICE)

    assert answer.status_code == 201 and answer.get_json()["status"] == "held"


def test_the_api_holds_a_co_paid_place_when_card_payment_is_on(app, make, kit, client):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_anything"  # holding asks Stripe nothing

    answer = _hold_over_the_api(client, make, kit, budget_minor=BUDGET)

    assert answer.status_code == 201 and answer.get_json()["status"] == "held"


def test_a_crafted_booking_form_is_refused_the_same_way_and_writes_nothing(
        app, make, kit, auth, client):
    user, _plan = funded_employee(make, kit, budget_minor=BUDGET)
    service = kit.service(price_minor=PRICE, title_en="Acupuncture")
    db.session.commit()
    auth.login(user.email)
    page = client.get(f"/services/{service.id}/book")
    assert 'data-testid="cannot-pay"' in page.text  # warned before, with no button

    answer = client.post(f"/services/{service.id}/book", data={
        "practitioner_id": kit.practitioner.id, "starts_at": kit.slot().isoformat(),
        "form_token": "t-1"})

    assert answer.status_code == 409
    assert "目前无法使用银行卡支付：预算不足以支付此预约" in answer.text
    db.session.expire_all()
    assert _nothing_written()


def test_a_cap_set_on_the_category_is_seen_by_the_next_attempt(app, make, kit, client):
    """The programmes are remembered for every attempt's quote (issue 22), and a new cap
    on the service's category is seen by the very next one."""
    user, plan = funded_employee(make, kit, budget_minor=PRICE)
    service = kit.service(price_minor=PRICE)
    db.session.commit()
    headers = {"Authorization": f"Bearer {make.token(user)}"}

    def attempt(days: int):
        return client.post("/api/v1/bookings", headers=headers, json={
            "service_id": service.id, "practitioner_id": kit.practitioner.id,
            "starts_at": kit.slot(days=days).isoformat()})

    assert attempt(3).status_code == 201
    db.session.add(CategoryCap(programme_id=plan.id, category=service.category.value,
                               cap_basis_points=1_000))
    db.session.commit()
    refused = attempt(4)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "card_payment_unavailable"
