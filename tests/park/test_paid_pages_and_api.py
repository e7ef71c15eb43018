"""Paid events through the pages and the API: register, pay from the budget, see the
ticket; the committee sets a price and edits sessions; bad input is a clear error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benefits import ledger
from core.clock import to_zone
from core.db import db
from park.models import Event, Registration, RegistrationStatus
from tests.pages import main_of
from tests.park.factories import ParkKit, at
from tests.park.test_paid_events import PRICE, fund

EN = {"Accept-Language": "en"}


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _headers(make, user, **extra) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}", **extra}


def _local(kit, value) -> str:
    return to_zone(value, kit.park.timezone).strftime("%Y-%m-%dT%H:%M")


def test_an_employee_registers_pays_from_the_budget_and_gets_the_ticket(client, kit, make):
    fund(kit, make, budget_minor=20_000)
    session = kit.session(price_minor=PRICE)
    _sign_in(client, kit.employee)
    page = client.get(f"/events/{session.event_id}", headers=EN).get_data(as_text=True)
    assert "¥50.00" in page

    response = client.post(f"/events/sessions/{session.id}/register",
                           data={"form_token": "t-1"}, headers=EN)
    reg = db.session.scalar(db.select(Registration).filter_by(user_id=kit.employee.id))
    assert response.status_code == 302 and response.location.endswith(f"/tickets/{reg.id}/pay")
    assert reg.status is RegistrationStatus.HELD
    ticket = client.get(f"/tickets/{reg.id}", headers=EN).get_data(as_text=True)
    assert "Pay to confirm it" in ticket and "<svg" not in main_of(ticket)  # no QR yet

    pay_page = client.get(f"/tickets/{reg.id}/pay", headers=EN).get_data(as_text=True)
    assert "¥50.00" in pay_page and "Pay from my budget" in pay_page
    paid = client.post(f"/tickets/{reg.id}/pay", data={}, headers=EN)
    assert paid.status_code == 302 and paid.location.endswith(f"/tickets/{reg.id}")
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.CONFIRMED
    assert "<svg" in main_of(client.get(f"/tickets/{reg.id}").get_data(as_text=True))
    assert ledger.check_ledger() == []


def test_without_budget_or_card_the_pay_page_says_so_and_writes_nothing(client, kit):
    reg = kit.register(kit.session(price_minor=PRICE))
    _sign_in(client, kit.employee)
    refused = client.post(f"/tickets/{reg.id}/pay", data={}, headers=EN)
    assert refused.status_code == 409
    assert "Card payment is not available" in refused.get_data(as_text=True)
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.HELD


def test_the_committee_sets_a_price_and_a_bad_one_is_refused(client, kit):
    _sign_in(client, kit.committee)
    form = {"title_zh": "中秋月饼工作坊", "title_en": "Mid-Autumn mooncake workshop",
            "kind": "workshop", "family_places": "0", "currency": "CNY",
            "registration_opens_at": _local(kit, kit.now),
            "registration_closes_at": _local(kit, kit.now + timedelta(days=5))}
    for bad in ("-1", "abc", "100000.01"):
        refused = client.post(f"/park/{kit.park.id}/events/new", data=form | {"price": bad},
                              headers=EN)
        assert refused.status_code == 400, bad
    refused = client.post(f"/park/{kit.park.id}/events/new",
                          data=form | {"price": "50", "currency": "USD"}, headers=EN)
    assert refused.status_code == 400
    assert client.post(f"/park/{kit.park.id}/events/new", data=form | {"price": "50.00"},
                       headers=EN).status_code == 302
    event = db.session.scalar(db.select(Event).filter_by(title_en=form["title_en"]))
    assert (event.price_minor, event.currency) == (PRICE, "CNY")


def test_the_committee_edits_a_session_on_its_page(client, kit):
    session = kit.session(capacity=5)
    kit.register(session)
    _sign_in(client, kit.committee)
    assert client.get(f"/park/sessions/{session.id}/edit").status_code == 200
    data = {"venue_id": str(kit.venue.id), "capacity": "8",
            "starts_at": _local(kit, session.starts_at), "ends_at": _local(kit, session.ends_at)}
    assert client.post(f"/park/sessions/{session.id}/edit", data=data).status_code == 302
    assert db.session.get(type(session), session.id).capacity == 8
    backwards = data | {"ends_at": _local(kit, session.starts_at - timedelta(hours=1))}
    assert client.post(f"/park/sessions/{session.id}/edit", data=backwards,
                       headers=EN).status_code == 422
    too_few = client.post(f"/park/sessions/{session.id}/edit", data=data | {"capacity": "0"})
    assert too_few.status_code == 400


def test_the_api_registers_pays_and_shows_the_payment(client, make, kit):
    fund(kit, make, budget_minor=20_000)
    session = kit.session(price_minor=PRICE)
    headers = _headers(make, kit.employee, **{"Idempotency-Key": "reg-1"})
    held = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                       json={})
    assert held.status_code == 201 and held.get_json()["status"] == "held"
    assert held.get_json()["hold_expires_at"] and held.get_json()["ticket_code"] is None
    reg_id = held.get_json()["id"]
    quote = client.get(f"/api/v1/registrations/{reg_id}/payment",
                       headers=_headers(make, kit.employee)).get_json()
    assert (quote["budget_minor"], quote["card_minor"], quote["payment"]) == (PRICE, 0, None)
    paid = client.post(f"/api/v1/registrations/{reg_id}/pay",
                       headers=_headers(make, kit.employee, **{"Idempotency-Key": "pay-1"}),
                       json={})
    assert paid.status_code == 201, paid.get_json()
    body = paid.get_json()
    assert body["payment"]["status"] == "paid" and body["registration"]["status"] == "confirmed"
    again = client.post(f"/api/v1/registrations/{reg_id}/pay",
                        headers=_headers(make, kit.employee), json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_payable"
    event = client.get(f"/api/v1/events/{session.event_id}",
                       headers=_headers(make, kit.employee)).get_json()
    assert (event["price_minor"], event["currency"]) == (PRICE, "CNY")


@pytest.mark.parametrize("changes", [{"price_minor": -1}, {"price_minor": "fifty"},
                                     {"price_minor": 10_000_001}, {"currency": "USD"}])
def test_the_api_refuses_a_bad_price(client, make, kit, changes):
    body = {"title_zh": "月饼", "title_en": "Mooncakes", "kind": "workshop",
            "registration_opens_at": kit.now.isoformat(),
            "registration_closes_at": (kit.now + timedelta(days=4)).isoformat()} | changes
    response = client.post(f"/api/v1/parks/{kit.park.id}/events",
                           headers=_headers(make, kit.committee), json=body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) & {"price_minor", "currency"}


def test_the_api_edits_a_session_and_refuses_bad_input(client, make, kit):
    session = kit.session(capacity=5)
    kit.register(session)
    headers = _headers(make, kit.committee)
    body = {"venue_id": kit.venue.id, "capacity": 6, "starts_at": at(kit.now, 9, 9).isoformat(),
            "ends_at": at(kit.now, 9, 10).isoformat()}
    moved = client.put(f"/api/v1/sessions/{session.id}", headers=headers, json=body)
    assert moved.status_code == 200 and moved.get_json()["capacity"] == 6
    below = client.put(f"/api/v1/sessions/{session.id}", headers=headers,
                       json=body | {"capacity": 0})
    assert below.status_code == 422
    naive = client.put(f"/api/v1/sessions/{session.id}", headers=headers,
                       json=body | {"starts_at": "2026-12-01T09:00:00"})
    assert naive.status_code == 422
    other = kit.session(day=6, capacity=5)
    kit.register(other)
    kit.register(other, kit.employee_user())
    taken = client.put(f"/api/v1/sessions/{other.id}", headers=headers, json={
        "venue_id": kit.venue.id, "capacity": 1, "starts_at": other.starts_at.isoformat(),
        "ends_at": other.ends_at.isoformat()})
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "capacity_below_taken"


def test_the_openapi_document_lists_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/api/v1/sessions/{session_id}"]
    assert {"get", "post", "delete"} <= set(paths["/api/v1/events/{event_id}/cover"])
    assert "post" in paths["/api/v1/registrations/{registration_id}/pay"]
    assert "get" in paths["/api/v1/registrations/{registration_id}/payment"]
