"""The park API: events and sessions for committees, registration with Idempotency-Key,
tickets and check-in, all in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from park import checkin
from park.models import Feedback, Registration
from tests.park.factories import ParkKit, at


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _headers(make, user, **extra) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}", **extra}


def test_committee_creates_an_event_with_a_session_and_publishes_it(client, make, kit):
    headers = _headers(make, kit.committee)
    response = client.post(f"/api/v1/parks/{kit.park.id}/events", headers=headers, json={
        "title_zh": "急救课程", "title_en": "First aid course", "kind": "course",
        "registration_opens_at": kit.now.isoformat(),
        "registration_closes_at": (kit.now + timedelta(days=4)).isoformat()})
    assert response.status_code == 201, response.get_json()
    event_id = response.get_json()["id"]
    clash = {"venue_id": kit.venue.id, "capacity": 10,
             "starts_at": at(kit.now, 5, 1).isoformat(), "ends_at": at(kit.now, 5, 2).isoformat()}
    assert client.post(f"/api/v1/events/{event_id}/sessions", headers=headers,
                       json=clash).status_code == 201
    refused = client.post(f"/api/v1/events/{event_id}/sessions", headers=headers, json=clash)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "venue_clash"
    backwards = client.post(f"/api/v1/events/{event_id}/sessions", headers=headers, json={
        **clash, "starts_at": at(kit.now, 6, 3).isoformat(),
        "ends_at": at(kit.now, 6, 2).isoformat()})
    assert backwards.get_json()["error"]["code"] == "session_times_invalid"
    published = client.post(f"/api/v1/events/{event_id}/status", headers=headers,
                            json={"status": "published"})
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    employee = _headers(make, kit.employee)
    listed = client.get("/api/v1/events", headers=employee).get_json()
    assert [e["id"] for e in listed["items"]] == [event_id]


def test_registration_is_idempotent_and_check_in_happens_once(client, make, kit):
    session = kit.session(capacity=3)
    headers = _headers(make, kit.employee, **{"Idempotency-Key": "reg-1"})
    first = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                        json={})
    again = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                        json={})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    other_body = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                             json={"join_waitlist": True})
    assert other_body.status_code == 409
    ticket = first.get_json()
    svg = client.get(ticket["ticket_qr_svg_url"], headers=_headers(make, kit.employee))
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"

    door = _headers(make, kit.committee)
    checked = client.post(f"/api/v1/sessions/{session.id}/checkin", headers=door,
                          json={"code": ticket["ticket_code"]})
    assert checked.status_code == 200
    assert checked.get_json()["attendance"]["checked_in"] == 1
    second = client.post(f"/api/v1/sessions/{session.id}/checkin", headers=door,
                         json={"code": ticket["ticket_code"]})
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "ticket_already_used"
    forged = client.post(f"/api/v1/sessions/{session.id}/checkin", headers=door,
                         json={"code": "AAAAA-AAAAA"})
    assert forged.get_json()["error"]["code"] == "ticket_unknown"


def test_full_session_then_waitlist_then_offer_through_the_api(client, make, kit):
    session = kit.session(capacity=1)
    holder = kit.register(session)
    waiter = kit.employee_user()
    headers = _headers(make, waiter)
    full = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                       json={})
    assert full.get_json()["error"]["code"] == "session_full"
    waiting = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                          json={"join_waitlist": True}).get_json()
    assert waiting["status"] == "waiting" and waiting["waitlist_position"] == 1
    cancel = client.post(f"/api/v1/registrations/{holder.id}/cancel",
                         headers=_headers(make, kit.employee), json={})
    assert cancel.get_json()["status"] == "cancelled"
    accepted = client.post(f"/api/v1/registrations/{waiting['id']}/accept", headers=headers,
                           json={})
    assert accepted.get_json()["status"] == "confirmed"


def test_park_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/events", "/api/v1/sessions/{session_id}/registrations",
                 "/api/v1/sessions/{session_id}/checkin", "/api/v1/parks/{park_id}/venues"):
        assert path in paths


def test_an_attendee_rates_the_event_once_and_events_list_follows_the_audience(client, make,
                                                                               kit):
    elsewhere = make.enterprise(park=kit.park)
    session = kit.session()
    kit.session(day=8, audience=[elsewhere.id])  # not for the employee's enterprise
    reg = kit.register(session)
    checkin.check_in(session, code=reg.ticket_code, actor=kit.committee, now=kit.now)
    db.session.commit()
    headers = _headers(make, kit.employee)
    listed = client.get("/api/v1/events", headers=headers).get_json()["items"]
    assert [e["id"] for e in listed] == [session.event_id]
    for rating in (2, 5):
        answer = client.post(f"/api/v1/events/{session.event_id}/feedback", headers=headers,
                             json={"rating": rating, "comment": "很好"})
        assert answer.status_code == 200 and answer.get_json()["rating"] == rating
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1


def test_bad_input_gets_a_clear_error_and_writes_nothing(client, make, kit):
    event = kit.event(publish=False)
    headers = _headers(make, kit.committee)
    cases = [
        (f"/api/v1/parks/{kit.park.id}/events", {"title_zh": "x", "title_en": "x",
                                                 "kind": "rave",
                                                 "registration_opens_at": "2026-01-01T00:00",
                                                 "registration_closes_at": "soon"}, 422),
        (f"/api/v1/parks/{kit.park.id}/events", {
            "title_zh": "x", "title_en": "x", "kind": "talk",
            "registration_opens_at": "2026-01-02T00:00:00+08:00",
            "registration_closes_at": "2026-01-01T00:00:00+08:00"}, 422),
        (f"/api/v1/events/{event.id}/sessions", {
            "venue_id": kit.venue.id, "capacity": 10**9,
            "starts_at": at(kit.now, 9, 1).isoformat(), "ends_at": at(kit.now, 9, 2).isoformat()},
         422),
        (f"/api/v1/events/{event.id}/sessions", {
            "venue_id": 10**12, "capacity": 5,
            "starts_at": at(kit.now, 9, 1).isoformat(), "ends_at": at(kit.now, 9, 2).isoformat()},
         422),
        (f"/api/v1/events/{event.id}/sessions", {
            "venue_id": 2**31 - 1, "capacity": 5,
            "starts_at": at(kit.now, 9, 1).isoformat(), "ends_at": at(kit.now, 9, 2).isoformat()},
         404),
        (f"/api/v1/events/{event.id}/status", {"status": "completed"}, 409),
        ("/api/v1/sessions/999999/checkin", {"code": "x"}, 404),
        (f"/api/v1/sessions/{event.sessions[0].id}/checkin", {"code": ""}, 422),
    ]
    for path, body, status in cases:
        response = client.post(path, headers=headers, json=body)
        assert response.status_code == status, (path, body, response.get_json())
        assert response.get_json()["error"]["message"]
    assert len(event.sessions) == 1
    draft = client.post(f"/api/v1/sessions/{event.sessions[0].id}/registrations",
                        headers=_headers(make, kit.employee), json={})
    assert draft.status_code == 404  # a draft is the committee's alone
