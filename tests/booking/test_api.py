"""The booking API: holds, my bookings, cancel, reschedule, attendance, idempotency and
bad input (never a 500)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.models import Booking, BookingStatus
from core.accounts.models import ApiToken
from core.db import db
from tests.booking.factories import SHANGHAI
from tests.querycount import count_queries


def _headers(make, user, key=None):
    headers = {"Authorization": f"Bearer {make.token(user)}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def _body(kit, service, **overrides):
    return {"service_id": service.id, "practitioner_id": kit.practitioner.id,
            "starts_at": kit.slot().isoformat()} | overrides


def test_posting_a_booking_holds_a_priced_place(app, client, make, kit):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_anything"  # the card share could be paid
    service = kit.service(price_minor=9900)
    user = kit.employee()
    response = client.post("/api/v1/bookings", json=_body(kit, service),
                           headers=_headers(make, user))
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "held" and data["price_minor"] == 9900
    assert data["hold_expires_at"] is not None
    assert [t["to_status"] for t in data["transitions"]] == ["held"]


def test_the_same_key_and_body_return_the_first_answer(client, make, kit):
    service = kit.service()
    headers = _headers(make, kit.employee(), key="abc-1")
    first = client.post("/api/v1/bookings", json=_body(kit, service), headers=headers)
    again = client.post("/api/v1/bookings", json=_body(kit, service), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert db.session.query(Booking).count() == 1


def test_the_same_key_with_another_body_is_refused(client, make, kit):
    service = kit.service()
    headers = _headers(make, kit.employee(), key="abc-2")
    client.post("/api/v1/bookings", json=_body(kit, service), headers=headers)
    other = client.post("/api/v1/bookings",
                        json=_body(kit, service, starts_at=kit.slot(days=4).isoformat()),
                        headers=headers)
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert db.session.query(Booking).count() == 1


def test_a_refused_write_does_not_use_up_its_key(client, make, kit):
    service = kit.service()
    user = kit.employee()
    client.post("/api/v1/bookings", json=_body(kit, service),
                headers=_headers(make, kit.employee()))
    headers = _headers(make, user, key="k-3")
    assert client.post("/api/v1/bookings", json=_body(kit, service),
                       headers=headers).status_code == 409
    later = _body(kit, service, starts_at=kit.slot(days=5).isoformat())
    assert client.post("/api/v1/bookings", json=later, headers=headers).status_code == 201


def test_a_refused_write_does_not_use_up_its_key_on_a_token_used_a_moment_before(
        client, make, kit):
    """The app on a phone has just listed the person's bookings: the refused attempt then
    writes nothing at all before its key's savepoint. On SQLite that savepoint once opened
    the transaction itself, and releasing it committed the key of a refused write."""
    service = kit.service()
    client.post("/api/v1/bookings", json=_body(kit, service),
                headers=_headers(make, kit.employee()))
    headers = _headers(make, kit.employee(), key="k-4")
    for _ in range(2):
        assert client.get("/api/v1/bookings", headers=headers).status_code == 200
    assert client.post("/api/v1/bookings", json=_body(kit, service),
                       headers=headers).status_code == 409
    later = _body(kit, service, starts_at=kit.slot(days=5).isoformat())
    assert client.post("/api/v1/bookings", json=later, headers=headers).status_code == 201


def test_a_refused_attempt_does_not_write_its_token_use(client, make, kit):
    """A refused attempt writes nothing, the token's last use included: no transaction is
    opened for it (issue 22: in a rush most attempts are refused)."""
    service = kit.service()
    client.post("/api/v1/bookings", json=_body(kit, service),
                headers=_headers(make, kit.employee()))
    user = kit.employee()
    headers = _headers(make, user)
    with count_queries() as sent:
        refused = client.post("/api/v1/bookings", json=_body(kit, service), headers=headers)
    assert refused.status_code == 409
    assert not [s for s in sent.statements if not s.lstrip().upper().startswith("SELECT")]
    assert db.session.scalar(db.select(ApiToken.last_used_at).filter_by(
        user_id=user.id)) is None


def test_a_token_first_used_for_a_refused_write_is_recorded_at_its_next_success(
        client, make, kit):
    """The refused attempt's key was written in a savepoint, released before the refusal:
    the token's use is written only with the request's own commit, so the next request
    that succeeds records it."""
    service = kit.service()
    client.post("/api/v1/bookings", json=_body(kit, service),
                headers=_headers(make, kit.employee()))
    user = kit.employee()
    headers = _headers(make, user, key="k-5")
    assert client.post("/api/v1/bookings", json=_body(kit, service),
                       headers=headers).status_code == 409
    stored = db.session.scalar(db.select(ApiToken).filter_by(user_id=user.id))
    assert stored.last_used_at is None
    assert client.get("/api/v1/bookings", headers=headers).status_code == 200
    db.session.refresh(stored)
    assert stored.last_used_at is not None


def test_a_taken_place_is_refused_without_reading_the_person_or_the_working_hours(
        client, make, kit):
    """In a rush most attempts find the place taken: they are refused from the place
    alone, in the person's language, without their health profile, the practitioner's
    working hours or the queue for the locks."""
    service = kit.service()
    first = client.post("/api/v1/bookings", json=_body(kit, service),
                        headers=_headers(make, kit.employee()))
    assert first.status_code == 201
    service.min_age = 18  # an age rule: booking it reads the person's health profile
    db.session.commit()
    late = kit.employee(locale="en")
    headers = _headers(make, late)
    client.get("/api/v1/me", headers=headers)  # who holds the token is remembered
    with count_queries() as queries:
        refused = client.post("/api/v1/bookings", json=_body(kit, service), headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["message"] == "This time is fully booked."
    read = " ".join(" ".join(queries.statements).split())
    assert not any(words in read for words in (
        "FROM health_profiles", "FROM availability_rules", "FOR NO KEY UPDATE", "FROM users"
    )), queries.report()


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"service_id": 999999}, 404, None),
    ({"practitioner_id": 999999}, 404, None),
    ({"starts_at": "2026-13-01T10:00:00+08:00"}, 422, "invalid_input"),
    ({"starts_at": "2026-12-01T10:00:00"}, 422, "invalid_input"),
    ({"starts_at": "9999-12-31T23:59:59+00:00"}, 422, "invalid_input"),
    ({"starts_at": "2020-01-01T02:00:00+00:00"}, 422, "slot_not_bookable"),
    ({"dependant_id": 999999}, 404, None),
    ({"extra": 1}, 422, "invalid_input"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(client, make, kit, body, status, code):
    service = kit.service(allows_dependants=True)
    response = client.post("/api/v1/bookings", json=_body(kit, service, **body),
                           headers=_headers(make, kit.employee()))
    assert response.status_code == status, response.get_json()
    if code:
        assert response.get_json()["error"]["code"] == code
    assert db.session.query(Booking).count() == 0


def test_a_bad_idempotency_key_is_refused(client, make, kit):
    service = kit.service()
    response = client.post("/api/v1/bookings", json=_body(kit, service),
                           headers=_headers(make, kit.employee(), key="x" * 101))
    assert response.status_code == 422


def test_my_bookings_lists_upcoming_and_the_no_show_count(client, make, kit):
    service = kit.service()
    user = kit.employee()
    headers = _headers(make, user)
    client.post("/api/v1/bookings", json=_body(kit, service), headers=headers)
    response = client.get("/api/v1/bookings?scope=upcoming", headers=headers)
    data = response.get_json()
    assert response.status_code == 200
    assert [b["status"] for b in data["items"]] == ["confirmed"]
    assert data["no_show_count"] == 0
    other = client.get("/api/v1/bookings", headers=_headers(make, kit.employee()))
    assert other.get_json()["items"] == []


def test_cancel_reschedule_and_attendance_through_the_api(client, make, kit):
    service = kit.service()
    user = kit.employee()
    headers = _headers(make, user)
    booking_id = client.post("/api/v1/bookings", json=_body(kit, service),
                             headers=headers).get_json()["id"]
    moved = client.post(f"/api/v1/bookings/{booking_id}/reschedule",
                        json={"starts_at": kit.slot(days=4).isoformat()}, headers=headers)
    assert moved.status_code == 200 and moved.get_json()["reschedule_count"] == 1
    early = client.post(f"/api/v1/bookings/{booking_id}/attendance", json={"attended": True},
                        headers=_headers(make, kit.staff))
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "attendance_too_early"
    cancelled = client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "busy"},
                            headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled_by_client"
    assert cancelled.get_json()["refund_basis_points"] == 10000
    again = client.post(f"/api/v1/bookings/{booking_id}/cancel", json={}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "transition_refused"


def test_another_persons_booking_is_not_found(client, make, kit):
    service = kit.service()
    booking_id = client.post("/api/v1/bookings", json=_body(kit, service),
                             headers=_headers(make, kit.employee())).get_json()["id"]
    stranger = _headers(make, kit.employee())
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/bookings/{booking_id}/cancel", json={},
                       headers=stranger).status_code == 404


def test_the_provider_sees_the_days_bookings(client, make, kit):
    service = kit.service()
    client.post("/api/v1/bookings", json=_body(kit, service),
                headers=_headers(make, kit.employee()))
    day = kit.slot().astimezone(SHANGHAI).date()
    response = client.get(f"/api/v1/providers/{kit.provider.id}/bookings?on={day}",
                          headers=_headers(make, kit.staff))
    assert response.status_code == 200 and len(response.get_json()["items"]) == 1
    bad = client.get(f"/api/v1/providers/{kit.provider.id}/bookings?on=2026-02-31",
                     headers=_headers(make, kit.staff))
    assert bad.status_code == 422


def test_the_booking_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/bookings", "/api/v1/bookings/{booking_id}/cancel",
                 "/api/v1/bookings/{booking_id}/reschedule",
                 "/api/v1/bookings/{booking_id}/attendance",
                 "/api/v1/providers/{provider_id}/bookings"):
        assert path in paths


def test_a_lapsed_hold_is_shown_free_to_slot_readers(app, client, make, kit):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_anything"  # the card share could be paid
    service = kit.service(price_minor=100)
    client.post("/api/v1/bookings", json=_body(kit, service),
                headers=_headers(make, kit.employee()))
    booking = db.session.query(Booking).one()
    booking.hold_expires_at = booking.created_at - timedelta(seconds=1)
    db.session.commit()
    start = (kit.slot() - timedelta(minutes=1)).isoformat()
    end = (kit.slot() + timedelta(minutes=1)).isoformat()
    slots = client.get(f"/api/v1/services/{service.id}/slots",
                       query_string={"from": start, "to": end},
                       headers=_headers(make, kit.employee())).get_json()["items"]
    assert len(slots) == 1
    assert booking.status is BookingStatus.HELD
