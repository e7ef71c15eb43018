"""Waitlists (join a full slot in order, offers when a place frees, offers that lapse move
on) and series (preview, book all or the available subset, cancel the rest)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking import series as series_services
from booking import services, waitlist
from booking.errors import AlreadyWaiting, OfferNotOpen, SlotFull, SlotNotFull
from booking.models import BookingStatus, WaitlistStatus
from core.clock import utcnow
from core.db import db
from core.jobs import worker


def _hold(kit, service, user, at=None):
    booking = services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                 starts_at=at or kit.slot(), actor=user, now=utcnow())
    db.session.commit()
    return booking


def _join(kit, service, user, at=None):
    entry = waitlist.join_waitlist(service, practitioner_id=kit.practitioner.id,
                                   starts_at=at or kit.slot(), actor=user, now=utcnow())
    db.session.commit()
    return entry


def test_only_a_full_slot_can_be_joined_and_only_once(kit):
    service = kit.service()
    with pytest.raises(SlotNotFull):
        _join(kit, service, kit.employee())
    _hold(kit, service, kit.employee())
    user = kit.employee()
    entry = _join(kit, service, user)
    assert entry.status is WaitlistStatus.WAITING and waitlist.position(entry) == 1
    with pytest.raises(AlreadyWaiting):
        _join(kit, service, user)


def test_a_cancellation_offers_the_place_to_the_first_in_line(kit, outbox):
    service = kit.service()
    holder = kit.employee()
    booking = _hold(kit, service, holder)
    first, second = kit.employee(email="first@example.com"), kit.employee()
    first_entry, second_entry = _join(kit, service, first), _join(kit, service, second)
    assert waitlist.position(second_entry) == 2
    services.cancel_booking(booking, actor=holder, now=utcnow())
    db.session.commit()
    assert first_entry.status is WaitlistStatus.OFFERED
    assert first_entry.offer_booking.status is BookingStatus.HELD
    assert second_entry.status is WaitlistStatus.WAITING
    assert "first@example.com" in [m.to for m in outbox]
    # the offered place is kept: nobody else can take it meanwhile
    with pytest.raises(SlotFull):
        _hold(kit, service, kit.employee())
    accepted = waitlist.accept_offer(first_entry, actor=first, now=utcnow())
    db.session.commit()
    assert accepted.status is BookingStatus.CONFIRMED
    assert first_entry.status is WaitlistStatus.ACCEPTED


def test_an_unanswered_offer_lapses_and_moves_on(kit):
    service = kit.service()
    holder = kit.employee()
    booking = _hold(kit, service, holder)
    first, second = kit.employee(), kit.employee()
    first_entry, second_entry = _join(kit, service, first), _join(kit, service, second)
    services.cancel_booking(booking, actor=holder, now=utcnow())
    db.session.commit()
    worker.tick(utcnow() + timedelta(minutes=31))
    db.session.expire_all()
    assert first_entry.status is WaitlistStatus.LAPSED
    assert first_entry.offer_booking.status is BookingStatus.EXPIRED
    assert second_entry.status is WaitlistStatus.OFFERED
    with pytest.raises(OfferNotOpen):
        waitlist.accept_offer(first_entry, actor=first, now=utcnow())


def test_declining_an_offer_passes_it_on(kit):
    service = kit.service()
    holder = kit.employee()
    booking = _hold(kit, service, holder)
    first, second = kit.employee(), kit.employee()
    first_entry, second_entry = _join(kit, service, first), _join(kit, service, second)
    services.cancel_booking(booking, actor=holder, now=utcnow())
    waitlist.leave_waitlist(first_entry, actor=first, now=utcnow())
    db.session.commit()
    assert first_entry.status is WaitlistStatus.LEFT
    assert second_entry.status is WaitlistStatus.OFFERED


def test_a_series_preview_shows_which_occurrences_are_free(kit):
    service = kit.service()
    _hold(kit, service, kit.employee(), at=kit.slot(days=10))
    starts = series_services.occurrences(kit.slot(days=3), count=3, every_days=7)
    preview = series_services.preview_series(service, practitioner_id=kit.practitioner.id,
                                             starts=starts, actor=kit.employee(), now=utcnow())
    assert [(o.available, o.problem) for o in preview] == [
        (True, None), (False, "slot_full"), (True, None)]


def test_booking_the_available_subset_and_cancelling_the_rest(kit):
    service = kit.service(price_minor=100)
    user = kit.employee()
    starts = [kit.slot(days=3), kit.slot(days=17)]
    series = series_services.book_series(service, practitioner_id=kit.practitioner.id,
                                         starts=starts, actor=user, now=utcnow())
    db.session.commit()
    bookings = series_services.bookings_of_series(series)
    assert [b.starts_at for b in bookings] == starts
    assert {b.status for b in bookings} == {BookingStatus.HELD}
    services.cancel_booking(bookings[0], actor=user, now=utcnow())
    outcomes = series_services.cancel_rest_of_series(series, actor=user, now=utcnow())
    db.session.commit()
    assert len(outcomes) == 1
    assert {b.status for b in bookings} == {BookingStatus.CANCELLED_BY_CLIENT}


def test_a_series_is_all_or_nothing(kit, client, make):
    service = kit.service()
    _hold(kit, service, kit.employee(), at=kit.slot(days=10))
    user = kit.employee()
    response = client.post("/api/v1/series", json={
        "service_id": service.id, "practitioner_id": kit.practitioner.id,
        "starts": [kit.slot(days=3).isoformat(), kit.slot(days=10).isoformat()]},
        headers={"Authorization": f"Bearer {make.token(user)}"})
    assert response.status_code == 409
    db.session.expire_all()
    assert services.Booking.query.filter_by(client_id=user.id).count() == 0


def test_series_and_waitlist_through_the_api(kit, client, make):
    service = kit.service()
    user = kit.employee()
    headers = {"Authorization": f"Bearer {make.token(user)}"}
    preview = client.post("/api/v1/series/preview", json={
        "service_id": service.id, "practitioner_id": kit.practitioner.id,
        "starts_at": kit.slot(days=2).isoformat(), "count": 4, "every_days": 7},
        headers=headers)
    assert preview.status_code == 200
    starts = [o["starts_at"] for o in preview.get_json()["items"] if o["available"]]
    created = client.post("/api/v1/series", json={
        "service_id": service.id, "practitioner_id": kit.practitioner.id, "starts": starts},
        headers=headers | {"Idempotency-Key": "series-1"})
    assert created.status_code == 201 and len(created.get_json()["bookings"]) == 4
    series_id = created.get_json()["id"]
    assert client.get(f"/api/v1/series/{series_id}", headers=headers).status_code == 200
    cancelled = client.post(f"/api/v1/series/{series_id}/cancel", json={}, headers=headers)
    assert {b["status"] for b in cancelled.get_json()["bookings"]} == {"cancelled_by_client"}

    _hold(kit, service, kit.employee(), at=kit.slot(days=5))
    joined = client.post("/api/v1/waitlist", json={
        "service_id": service.id, "practitioner_id": kit.practitioner.id,
        "starts_at": kit.slot(days=5).isoformat()}, headers=headers)
    assert joined.status_code == 201 and joined.get_json()["position"] == 1
    entry_id = joined.get_json()["id"]
    assert client.post(f"/api/v1/waitlist/{entry_id}/accept", json={},
                       headers=headers).status_code == 409
    assert len(client.get("/api/v1/waitlist", headers=headers).get_json()["items"]) == 1
    left = client.post(f"/api/v1/waitlist/{entry_id}/leave", json={}, headers=headers)
    assert left.status_code == 200 and left.get_json()["status"] == "left"
