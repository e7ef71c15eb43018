"""After booking, through the API (issue 19's parity): share health data with the provider
the way the booking page's form does, and get (or revoke) one's calendar-feed address."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from booking import services
from booking.models import CalendarFeed
from core.clock import utcnow
from core.db import db
from health.models import Consent
from tests.booking.factories import BookingKit
from tests.core.test_api import assert_error, bearer


@pytest.fixture
def kit(make):
    kit = BookingKit(make)
    kit.tuina = kit.service(title_en="TCM tuina")  # TCM needs blood pressure, body, lifestyle
    kit.user = kit.employee()
    return kit


def _consents(user) -> list[Consent]:
    return list(db.session.scalars(db.select(Consent).filter_by(user_id=user.id)))


@pytest.fixture
def booking(kit):
    booking = services.hold_slot(kit.tuina, practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(), actor=kit.user, now=utcnow())
    db.session.commit()
    return booking


def test_the_client_shares_blood_pressure_for_the_booking(client, make, kit, booking):
    shared = client.post(f"/api/v1/bookings/{booking.id}/share", json={
        "share": ["blood_pressure"]}, headers=bearer(make.token(kit.user)))
    assert shared.status_code == 200, shared.get_json()
    body = shared.get_json()
    assert body["shared"] is True and body["fields"] == ["blood_pressure"]
    [consent] = _consents(kit.user)
    assert body["consent_id"] == consent.id and consent.provider_id == kit.provider.id
    assert consent.valid_until > booking.ends_at


def test_nothing_chosen_shares_nothing(client, make, kit, booking):
    shared = client.post(f"/api/v1/bookings/{booking.id}/share", json={"share": []},
                         headers=bearer(make.token(kit.user)))
    assert shared.get_json() == {"shared": False, "consent_id": None, "fields": [],
                                 "valid_until": None}
    assert _consents(kit.user) == []


def test_more_than_the_service_needs_or_someone_elses_booking_shares_nothing(
        client, make, kit, booking):
    error = assert_error(client.post(f"/api/v1/bookings/{booking.id}/share",
                                     json={"share": ["mental_health"]},
                                     headers=bearer(make.token(kit.user))),
                         422, "invalid_input")
    assert "blood_pressure" in error["fields"]["share"]
    assert_error(client.post(f"/api/v1/bookings/{booking.id}/share",
                             json={"share": ["body"]}, headers=bearer(make.token(kit.owner))),
                 404, "not_found")
    assert _consents(kit.user) == []


def test_an_employee_gets_replaces_and_revokes_their_calendar_feed_address(
        client, make, kit, booking):
    headers = bearer(make.token(kit.user))
    first = client.post("/api/v1/me/calendar-feed", headers=headers)
    assert first.status_code == 201
    path = urlsplit(first.get_json()["url"]).path
    assert path.startswith("/feeds/me/") and client.get(path).status_code == 200
    second = urlsplit(client.post("/api/v1/me/calendar-feed",
                                  headers=headers).get_json()["url"]).path
    assert second != path and client.get(path).status_code == 404
    assert client.delete("/api/v1/me/calendar-feed", headers=headers).status_code == 204
    assert client.get(second).status_code == 404
    feed = db.session.scalar(db.select(CalendarFeed).filter_by(user_id=kit.user.id))
    assert feed.token_hash is None


def test_a_read_only_token_cannot_issue_a_feed_address(client, make, kit):
    token = make.token(kit.user, scopes=("read",))
    assert_error(client.post("/api/v1/me/calendar-feed", headers=bearer(token)),
                 403, "insufficient_scope")
    assert db.session.scalar(db.select(CalendarFeed).filter_by(user_id=kit.user.id)) is None
