"""A session cancelled by mistake (the rain stopped) is put back on: it takes places again,
those whose registration went with it are told they may register again (their money is
back already), and it cannot come back onto a venue taken meanwhile, after it started, or
for an event no longer published."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from park import registration, services
from park.errors import SessionNotCancelled, SessionNotRestorable, VenueClash
from park.models import RegistrationStatus
from tests.park.factories import ParkKit


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _cancel(kit, session):
    services.cancel_session(session, actor=kit.committee, reason="下雨", now=kit.now)
    db.session.commit()


def test_a_session_put_back_on_takes_registrations_and_tells_those_who_were_cancelled(
        kit, outbox):
    rainy, _sunny = kit.event(sessions=2, capacity=2).sessions
    english = kit.employee_user()
    english.locale = "en"
    kit.register(rainy, english)
    left_before = kit.register(rainy, kit.employee_user())
    registration.cancel_registration(left_before, actor=left_before.user,
                                     now=kit.now - timedelta(hours=1))
    db.session.commit()
    _cancel(kit, rainy)
    outbox.clear()

    services.restore_session(rainy, actor=kit.committee, now=kit.now + timedelta(hours=1))
    assert outbox == []  # nothing is sent before the commit
    db.session.commit()

    assert not rainy.is_cancelled and rainy.cancel_reason == ""
    assert rainy.places_left == 2
    assert [m.to for m in outbox] == [english.email]  # not the one who had left already
    assert "Back on" in outbox[0].subject and "register again" in outbox[0].body
    again = kit.register(rainy, english)
    assert again.status is RegistrationStatus.CONFIRMED


def test_a_session_going_ahead_has_nothing_to_restore(kit):
    session, _other = kit.event(sessions=2).sessions
    with pytest.raises(SessionNotCancelled):
        services.restore_session(session, actor=kit.committee, now=kit.now)


def test_its_venue_taken_meanwhile_keeps_it_cancelled(kit):
    rainy, _sunny = kit.event(sessions=2).sessions
    _cancel(kit, rainy)
    other = kit.event(sessions=0, publish=False)
    services.add_session(other, actor=kit.committee, venue_id=kit.venue.id,
                         starts_at=rainy.starts_at, ends_at=rainy.ends_at, capacity=5,
                         now=kit.now)
    db.session.commit()
    with pytest.raises(VenueClash):
        services.restore_session(rainy, actor=kit.committee, now=kit.now)
    db.session.rollback()
    assert db.session.get(type(rainy), rainy.id).is_cancelled


def test_a_session_that_has_started_or_an_event_cancelled_cannot_come_back(kit):
    event = kit.event(sessions=2)
    rainy, _sunny = event.sessions
    _cancel(kit, rainy)
    with pytest.raises(SessionNotRestorable):
        services.restore_session(rainy, actor=kit.committee,
                                 now=rainy.starts_at + timedelta(minutes=1))
    services.cancel_event(event, actor=kit.committee, reason="", now=kit.now)
    db.session.commit()
    with pytest.raises(SessionNotRestorable):
        services.restore_session(rainy, actor=kit.committee, now=kit.now)


def test_the_committee_puts_it_back_on_from_the_event_page_and_the_api(kit, client, auth,
                                                                        make):
    event = kit.event(sessions=3)
    first, second, _third = event.sessions
    _cancel(kit, first)
    _cancel(kit, second)
    auth.login(kit.committee.email)
    page = client.get(f"/park/events/{event.id}", headers={"Accept-Language": "en"})
    assert "Put this session back on" in page.text
    assert client.post(f"/park/sessions/{first.id}/restore").status_code == 302
    token = make.token(kit.committee)
    restored = client.post(f"/api/v1/sessions/{second.id}/restore",
                           headers={"Authorization": f"Bearer {token}"})
    assert restored.status_code == 200 and restored.get_json()["cancelled_at"] is None
    again = client.post(f"/api/v1/sessions/{second.id}/restore",
                        headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "session_not_cancelled"
