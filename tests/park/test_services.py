"""Park services: venues and sessions, the event workflow, registration with waitlists and
family, check-in once only. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.errors import Forbidden, NotFound
from core.jobs import worker
from health.errors import HealthRecordNotFound
from park import checkin, registration, services
from park.errors import (
    AlreadyRegistered,
    CapacityAboveVenue,
    EventHasNoSessions,
    FamilyNotAllowed,
    InvalidTransition,
    NotInAudience,
    OfferNotOpen,
    RegistrationClosed,
    SessionFull,
    SessionTimesInvalid,
    TicketAlreadyUsed,
    TicketNotValid,
    TicketUnknown,
    TicketWrongSession,
    VenueClash,
)
from park.models import EventSession, EventStatus, Registration, RegistrationStatus
from tests.park.factories import ParkKit, at


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


# -- venues and sessions -----------------------------------------------------------------


def test_two_sessions_cannot_hold_one_venue_at_the_same_time(kit):
    event = kit.event(publish=False)
    with pytest.raises(VenueClash):
        services.add_session(event, actor=kit.committee, venue_id=kit.venue.id,
                             starts_at=at(kit.now, 3, 10), ends_at=at(kit.now, 3, 12),
                             capacity=5, now=kit.now)
    db.session.rollback()
    # back to back is fine, and so is another venue at the same time
    services.add_session(event, actor=kit.committee, venue_id=kit.venue.id,
                         starts_at=at(kit.now, 3, 11), ends_at=at(kit.now, 3, 12),
                         capacity=5, now=kit.now)
    other = kit.add_venue(capacity=5)
    services.add_session(event, actor=kit.committee, venue_id=other.id,
                         starts_at=at(kit.now, 3, 9), ends_at=at(kit.now, 3, 11),
                         capacity=5, now=kit.now)


def test_a_cancelled_event_frees_its_venue(kit):
    event = kit.event()
    services.cancel_event(event, actor=kit.committee, reason="", now=kit.now)
    second = kit.event(publish=False)
    assert len(second.sessions) == 1


def test_bad_sessions_are_refused_and_nothing_is_written(kit):
    event = kit.event(publish=False)
    with pytest.raises(SessionTimesInvalid):
        services.add_session(event, actor=kit.committee, venue_id=kit.venue.id,
                             starts_at=at(kit.now, 5, 12), ends_at=at(kit.now, 5, 11),
                             capacity=5, now=kit.now)
    with pytest.raises(CapacityAboveVenue):
        services.add_session(event, actor=kit.committee, venue_id=kit.venue.id,
                             starts_at=at(kit.now, 5, 12), ends_at=at(kit.now, 5, 13),
                             capacity=kit.venue.capacity + 1, now=kit.now)
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(EventSession.id))) == 1


def test_only_the_parks_committee_manages_its_events(kit, make):
    other = ParkKit(make)
    with pytest.raises(Forbidden):
        services.create_venue(kit.park, actor=kit.employee, name_zh="x", name_en="x",
                              location="", capacity=3, now=kit.now)
    with pytest.raises(NotFound):
        services.create_venue(kit.park, actor=other.committee, name_zh="x", name_en="x",
                              location="", capacity=3, now=kit.now)


# -- workflow ----------------------------------------------------------------------------


def test_workflow_draft_published_completed(kit):
    empty = services.create_event(
        kit.park, actor=kit.committee, title_zh="空", title_en="Empty", description_zh="",
        description_en="", kind="talk", family_places=0,
        registration_opens_at=kit.now, registration_closes_at=kit.now + timedelta(days=1),
        now=kit.now)
    with pytest.raises(EventHasNoSessions):
        services.publish_event(empty, actor=kit.committee, now=kit.now)
    event = kit.event()
    assert event.status is EventStatus.PUBLISHED
    with pytest.raises(InvalidTransition):  # not begun yet
        services.complete_event(event, actor=kit.committee, now=kit.now)
    services.complete_event(event, actor=kit.committee, now=kit.now + timedelta(days=10))
    with pytest.raises(InvalidTransition):
        services.cancel_event(event, actor=kit.committee, reason="", now=kit.now)


def test_cancelling_an_event_cancels_everyone_and_mails_them_after_commit(kit, outbox):
    session = kit.session(capacity=1)
    kit.register(session)
    waiting = kit.employee_user()
    kit.register(session, waiting, join_waitlist=True)
    services.cancel_event(session.event, actor=kit.committee, reason="台风", now=kit.now)
    assert outbox == []  # nothing before the commit
    db.session.commit()
    statuses = {r.status for r in db.session.scalars(select(Registration))}
    assert statuses == {RegistrationStatus.CANCELLED}
    assert session.places_taken == 0
    assert sorted(m.to for m in outbox) == sorted([kit.employee.email, waiting.email])
    assert all("台风" in m.body for m in outbox)


# -- registration ------------------------------------------------------------------------


def test_registration_fills_then_refuses_then_waitlists(kit):
    session = kit.session(capacity=2)
    kit.register(session)
    kit.register(session, kit.employee_user())
    third = kit.employee_user()
    with pytest.raises(SessionFull):
        registration.register(session, actor=third, now=kit.now)
    db.session.rollback()
    waiting = kit.register(session, third, join_waitlist=True)
    assert waiting.status is RegistrationStatus.WAITING
    assert registration.waitlist_position(waiting) == 1
    assert session.places_taken == 2


def test_the_same_person_registers_once(kit):
    session = kit.session()
    kit.register(session)
    with pytest.raises(AlreadyRegistered):
        registration.register(session, actor=kit.employee, now=kit.now)


def test_registration_outside_the_window_is_refused(kit):
    session = kit.session()
    with pytest.raises(RegistrationClosed):
        registration.register(session, actor=kit.employee, now=kit.now - timedelta(days=2))
    with pytest.raises(RegistrationClosed):
        registration.register(session, actor=kit.employee, now=kit.now + timedelta(days=3))
    draft = kit.session(publish=False, day=8)
    with pytest.raises(RegistrationClosed):
        registration.register(draft, actor=kit.employee, now=kit.now)


def test_audience_limits_who_may_register(kit, make):
    other_enterprise = make.enterprise(park=kit.park)
    session = kit.session(audience=[kit.enterprise.id])
    with pytest.raises(NotInAudience):
        registration.register(session, actor=kit.employee_user(other_enterprise), now=kit.now)
    assert kit.register(session).status is RegistrationStatus.CONFIRMED


def test_family_members_where_the_event_allows(kit, make):
    child = kit.dependant()
    no_family = kit.session()
    with pytest.raises(FamilyNotAllowed):
        registration.register(no_family, actor=kit.employee, dependant_id=child.id,
                              now=kit.now)
    session = kit.session(family_places=1, day=8)
    mine = kit.register(session, dependant_id=child.id)
    assert mine.dependant_id == child.id
    assert kit.register(session).dependant_id is None  # the employee too
    second = kit.dependant()
    with pytest.raises(FamilyNotAllowed):  # one family member each
        registration.register(session, actor=kit.employee, dependant_id=second.id,
                              now=kit.now)
    stranger = kit.employee_user()
    with pytest.raises(HealthRecordNotFound):
        registration.register(session, actor=stranger, dependant_id=child.id, now=kit.now)


def test_a_cancellation_offers_the_place_to_the_first_waiting(kit, outbox):
    session = kit.session(capacity=1)
    first = kit.register(session)
    waiter = kit.employee_user()
    waiting = kit.register(session, waiter, join_waitlist=True)
    registration.cancel_registration(first, actor=kit.employee, now=kit.now)
    db.session.commit()
    assert waiting.status is RegistrationStatus.OFFERED
    assert session.places_taken == 1
    assert [m.to for m in outbox] == [waiter.email]
    with pytest.raises(OfferNotOpen):
        registration.accept_offer(waiting, actor=kit.employee, now=kit.now)
    registration.accept_offer(waiting, actor=waiter, now=kit.now)
    assert waiting.status is RegistrationStatus.CONFIRMED


def test_an_unanswered_offer_lapses_and_goes_to_the_next_in_the_worker_s_round(kit):
    session = kit.session(capacity=1)
    first = kit.register(session)
    second = kit.register(session, kit.employee_user(), join_waitlist=True)
    third = kit.register(session, kit.employee_user(), join_waitlist=True)
    registration.cancel_registration(first, actor=kit.employee, now=kit.now)
    db.session.commit()
    later = second.offer_expires_at + timedelta(minutes=1)
    assert worker.tick(now=later)["park_expire_offers"] == 1  # what flask worker runs
    assert second.status is RegistrationStatus.LAPSED
    assert third.status is RegistrationStatus.OFFERED
    assert session.places_taken == 1


def test_a_full_session_refuses_without_waiting_for_its_lock(kit, monkeypatch):
    """In a rush most people are refused: they hear it from the committed count, without
    queueing for the session's row lock, and in the same words as under the lock."""
    session = kit.session(capacity=1)
    holder = kit.register(session)
    db.session.commit()
    locks = []
    real_lock = registration.lock_session
    monkeypatch.setattr(registration, "lock_session",
                        lambda s: locks.append(s.id) or real_lock(s))
    with pytest.raises(SessionFull):
        registration.register(session, actor=kit.employee_user(), now=kit.now)
    db.session.rollback()
    with pytest.raises(AlreadyRegistered):
        registration.register(session, actor=kit.employee, now=kit.now)
    db.session.rollback()
    assert locks == []
    # An offer left unanswered gives its place back when it lapses: that needs the lock.
    waiting = kit.register(session, kit.employee_user(), join_waitlist=True)
    registration.cancel_registration(holder, actor=kit.employee, now=kit.now)
    db.session.commit()
    assert waiting.status is RegistrationStatus.OFFERED
    locks.clear()
    late = waiting.offer_expires_at + timedelta(minutes=1)
    taken = registration.register(session, actor=kit.employee_user(), now=late)
    assert taken.status is RegistrationStatus.CONFIRMED
    assert waiting.status is RegistrationStatus.LAPSED
    assert locks == [session.id]


# -- check-in ----------------------------------------------------------------------------


def test_a_ticket_checks_in_once_and_the_second_scan_says_when(kit):
    session = kit.session()
    reg = kit.register(session)
    done = checkin.check_in(session, code=registration.format_code(reg.ticket_code).lower(),
                            actor=kit.committee, now=kit.now)
    db.session.commit()
    assert done.checked_in_at is not None
    with pytest.raises(TicketAlreadyUsed) as used:
        checkin.check_in(session, code=reg.ticket_code, actor=kit.committee, now=kit.now)
    assert str(used.value.message) != str(TicketAlreadyUsed.default_message)  # says when
    assert checkin.attendance(session).checked_in == 1


def test_a_ticket_of_another_session_or_a_forged_code_is_refused(kit):
    event = kit.event(sessions=2)
    first, second = event.sessions
    reg = kit.register(first)
    with pytest.raises(TicketWrongSession):
        checkin.check_in(second, code=reg.ticket_code, actor=kit.committee, now=kit.now)
    with pytest.raises(TicketUnknown):
        checkin.check_in(first, code="ZZZZZ-ZZZZZ", actor=kit.committee, now=kit.now)
    registration.cancel_registration(reg, actor=kit.employee, now=kit.now)
    with pytest.raises(TicketNotValid):
        checkin.check_in(first, code=reg.ticket_code, actor=kit.committee, now=kit.now)
    with pytest.raises(Forbidden):
        checkin.check_in(first, code=reg.ticket_code, actor=kit.employee, now=kit.now)


def test_cancelling_an_event_under_way_keeps_the_tickets_already_used(kit):
    event = kit.event(sessions=2)
    first, second = event.sessions
    used = kit.register(first)
    later = kit.register(second)
    checkin.check_in(first, code=used.ticket_code, actor=kit.committee, now=kit.now)
    assert services.cancel_event(event, actor=kit.committee, reason="", now=kit.now) == 1
    db.session.commit()
    assert used.status is RegistrationStatus.CONFIRMED and used.checked_in_at is not None
    assert later.status is RegistrationStatus.CANCELLED
    assert (first.places_taken, second.places_taken) == (1, 0)
