"""Editing a session after it is added: the same rules as adding one, never below the places
already taken, and everyone registered is told when the time or the venue moves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from park import registration, services
from park.errors import (
    CapacityAboveVenue,
    CapacityBelowTaken,
    EventNotEditable,
    SessionTimesInvalid,
    VenueClash,
    VenueNotFound,
)
from park.models import Registration, RegistrationStatus
from tests.park.factories import ParkKit, at


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def edit(kit: ParkKit, session, **changes):
    values = {"venue_id": session.venue_id, "starts_at": session.starts_at,
              "ends_at": session.ends_at, "capacity": session.capacity,
              "title_zh": session.title_zh, "title_en": session.title_en} | changes
    result = services.update_session(session, actor=kit.committee, now=kit.now, **values)
    db.session.commit()
    return result


def test_moving_a_session_tells_everyone_registered_after_the_commit(kit, outbox):
    session = kit.session(capacity=1)
    waiting = kit.employee_user()
    kit.register(session)
    kit.register(session, waiting, join_waitlist=True)
    hall = kit.add_venue(capacity=30, name="Garden")
    later = session.starts_at + timedelta(hours=3)

    edit(kit, session, venue_id=hall.id, starts_at=later, ends_at=later + timedelta(hours=1))

    assert (session.venue_id, session.starts_at) == (hall.id, later)
    assert sorted(m.to for m in outbox) == sorted([kit.employee.email, waiting.email])
    assert all("Garden" in m.body for m in outbox)


def test_only_the_capacity_changing_tells_nobody_and_offers_the_new_places(kit, outbox):
    session = kit.session(capacity=1)
    kit.register(session)
    waiting = kit.register(session, kit.employee_user(), join_waitlist=True)

    edit(kit, session, capacity=2)

    assert outbox[0].to == waiting.user.email and len(outbox) == 1  # the offer, not a move
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.OFFERED
    assert session.places_taken == 2


def test_capacity_below_the_people_registered_is_refused(kit):
    session = kit.session(capacity=3)
    kit.register(session)
    kit.register(session, kit.employee_user())
    with pytest.raises(CapacityBelowTaken):
        edit(kit, session, capacity=1)
    db.session.rollback()
    assert session.capacity == 3


def test_the_rules_of_adding_hold_when_editing(kit):
    session = kit.session()
    other = kit.session(day=5)
    with pytest.raises(SessionTimesInvalid):
        edit(kit, session, ends_at=session.starts_at - timedelta(minutes=1))
    db.session.rollback()
    with pytest.raises(CapacityAboveVenue):
        edit(kit, session, capacity=kit.venue.capacity + 1)
    db.session.rollback()
    with pytest.raises(VenueClash):
        edit(kit, session, starts_at=other.starts_at, ends_at=other.ends_at)
    db.session.rollback()
    with pytest.raises(VenueNotFound):
        edit(kit, session, venue_id=10**6)
    db.session.rollback()
    # its own slot does not clash with itself
    edit(kit, session, ends_at=session.ends_at + timedelta(minutes=30))


def test_a_cancelled_events_sessions_cannot_be_edited(kit):
    session = kit.session()
    services.cancel_event(session.event, actor=kit.committee, reason="", now=kit.now)
    db.session.commit()
    with pytest.raises(EventNotEditable):
        edit(kit, session, capacity=2)


def test_moving_into_a_free_slot_of_another_venue_is_fine(kit):
    session = kit.session()
    hall = kit.add_venue(capacity=10)
    edit(kit, session, venue_id=hall.id, starts_at=at(kit.now, 9, 8), ends_at=at(kit.now, 9, 9))
    assert registration.lock_session(session).venue_id == hall.id
