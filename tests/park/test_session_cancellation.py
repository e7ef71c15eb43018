"""The committee cancels one session of a published event (the rain-soaked Baduanjin morning
of the TCM week) and the rest of the week goes ahead: the session's people are told in
their language and see it in the app, what they paid comes back in full through the
ledger, its tickets no longer open the door, and the public calendar shows it cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from benefits import ledger
from benefits.models import Payment, PaymentStatus
from core.db import db
from core.errors import DomainError
from park import checkin, registration, services
from park.errors import (
    LastSessionOfEvent,
    SessionCancelled,
    SessionNotCancellable,
    TicketAlreadyUsed,
    TicketSessionCancelled,
)
from park.models import EventSession, EventStatus, Registration, RegistrationStatus
from tests.benefits.factories import deliver
from tests.fakes.stripe_events import intent_event
from tests.park.factories import ParkKit
from tests.park.test_paid_events import PRICE, available, fund, income, pay

REASON = "场地积水"


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _headers(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}"}


def _statuses(session: EventSession) -> list[RegistrationStatus]:
    return [r.status for r in db.session.scalars(select(Registration).where(
        Registration.session_id == session.id).order_by(Registration.id))]


# -- the service ---------------------------------------------------------------------------


def test_cancelling_one_session_tells_its_people_and_the_week_goes_on(kit, outbox):
    event = kit.event(sessions=2, capacity=1)
    rainy, sunny = event.sessions
    english = kit.employee_user()
    english.locale = "en"
    kit.register(rainy)  # the Chinese-speaking employee has the one place
    kit.register(rainy, english, join_waitlist=True)
    elsewhere = kit.register(sunny, kit.employee_user())

    cancelled = services.cancel_session(rainy, actor=kit.committee, reason=REASON,
                                        now=kit.now)
    assert outbox == []  # nothing is sent before the commit
    db.session.commit()

    assert cancelled == 2
    assert _statuses(rainy) == [RegistrationStatus.CANCELLED] * 2
    assert rainy.places_taken == 0 and rainy.places_left == 0
    assert (rainy.cancelled_at, rainy.cancel_reason) == (kit.now, REASON)
    assert event.status is EventStatus.PUBLISHED  # the rest of the week goes ahead
    assert db.session.get(Registration, elsewhere.id).status is RegistrationStatus.CONFIRMED
    mails = {m.to: m for m in outbox}
    assert sorted(mails) == sorted([kit.employee.email, english.email])
    assert "中医药文化周" in mails[kit.employee.email].subject
    assert "TCM week" in mails[english.email].subject
    assert "other sessions go ahead" in mails[english.email].body
    assert all(REASON in m.body for m in outbox)


def test_cancelling_a_paid_session_refunds_everyone_through_the_ledger(kit, make, client,
                                                                       stripe, outbox):
    by_budget = kit.employee
    plan = fund(kit, make, budget_minor=20_000, users=[by_budget])
    # Added after the period's run (not through a sign-up): no budget, so one pays by card.
    by_card, unpaid = kit.employee_user(), kit.employee_user()
    by_card.locale = "en"
    event = kit.event(sessions=2, price_minor=PRICE)
    session, other = event.sessions
    first = kit.register(session, by_budget)
    pay(kit, first, by_budget)
    second = kit.register(session, by_card)
    card = pay(kit, second, by_card)
    intent = stripe.intents[card.payment.stripe_payment_intent_id]
    deliver(client, intent_event("evt_card_ok", "payment_intent.succeeded", intent))
    pending = kit.register(session, unpaid)
    staying = kit.register(other, by_budget)
    pay(kit, staying, by_budget)
    assert income(kit) == 3 * PRICE

    assert services.cancel_session(session, actor=kit.committee, reason="", now=kit.now) == 3
    db.session.commit()

    assert income(kit) == PRICE  # only the session that goes ahead keeps its money
    assert available(kit, by_budget, plan) == 20_000 - PRICE
    refunded = {p.subject_id: (p.status, p.refunded_budget_minor, p.refunded_card_minor)
                for p in db.session.scalars(select(Payment))}
    assert refunded[first.id] == (PaymentStatus.REFUNDED, PRICE, 0)
    assert refunded[second.id] == (PaymentStatus.REFUNDED, 0, PRICE)
    assert refunded[staying.id] == (PaymentStatus.PAID, 0, 0)
    assert pending.id not in refunded  # never paid: nothing to give back
    assert [(r.params["payment_intent"], r.params["amount"])
            for r in stripe.writes("/v1/refunds")] == [(intent["id"], str(PRICE))]
    assert "refunded in full" in next(m.body for m in outbox if m.to == by_card.email)
    assert ledger.check_ledger() == []


def test_its_tickets_no_longer_open_the_door_but_a_used_one_stays(kit):
    event = kit.event(sessions=2)
    session = event.sessions[0]
    early = kit.register(session, kit.employee_user())
    checkin.check_in(session, code=early.ticket_code, actor=kit.committee, now=kit.now)
    late = kit.register(session)
    db.session.commit()

    assert services.cancel_session(session, actor=kit.committee, reason="",
                                   now=kit.now) == 1
    db.session.commit()

    with pytest.raises(TicketSessionCancelled) as refused:
        checkin.check_in(session, code=late.ticket_code, actor=kit.committee, now=kit.now)
    assert refused.value.code == "ticket_session_cancelled"
    # the one who had already come in keeps the record of it
    assert db.session.get(Registration, early.id).status is RegistrationStatus.CONFIRMED
    with pytest.raises(TicketAlreadyUsed):
        checkin.check_in(session, code=early.ticket_code, actor=kit.committee, now=kit.now)


def test_nobody_registers_for_a_cancelled_session_and_it_frees_its_venue(kit):
    event = kit.event(sessions=2)
    session = event.sessions[0]
    services.cancel_session(session, actor=kit.committee, reason="", now=kit.now)
    db.session.commit()

    with pytest.raises(SessionCancelled):
        registration.register(session, actor=kit.employee_user(), now=kit.now)
    with pytest.raises(SessionCancelled):
        services.update_session(session, actor=kit.committee, venue_id=kit.venue.id,
                                starts_at=session.starts_at, ends_at=session.ends_at,
                                capacity=5, now=kit.now)
    # another event may now use the hall at that time
    other = kit.event(publish=False, day=9)
    services.add_session(other, actor=kit.committee, venue_id=kit.venue.id,
                         starts_at=session.starts_at, ends_at=session.ends_at, capacity=5,
                         now=kit.now)


def test_what_cannot_be_cancelled_on_its_own(kit):
    event = kit.event(sessions=2)
    first, second = event.sessions
    services.cancel_session(first, actor=kit.committee, reason="", now=kit.now)
    db.session.commit()

    with pytest.raises(SessionCancelled):  # twice
        services.cancel_session(first, actor=kit.committee, reason="", now=kit.now)
    with pytest.raises(LastSessionOfEvent):  # the last one going ahead: cancel the event
        services.cancel_session(second, actor=kit.committee, reason="", now=kit.now)
    two = kit.event(sessions=2, day=5)
    with pytest.raises(SessionNotCancellable):  # over already
        services.cancel_session(two.sessions[0], actor=kit.committee, reason="",
                                now=two.sessions[0].ends_at)
    draft = kit.event(sessions=2, publish=False, day=8)
    with pytest.raises(SessionNotCancellable):  # a draft's sessions are simply removed
        services.cancel_session(draft.sessions[0], actor=kit.committee, reason="",
                                now=kit.now)
    with pytest.raises(DomainError) as refused:  # only the park's committee
        services.cancel_session(two.sessions[1], actor=kit.employee, reason="", now=kit.now)
    assert refused.value.status == 403


def test_the_public_calendar_shows_the_session_cancelled(client, kit):
    event = kit.event(sessions=2)
    cancelled, going_ahead = event.sessions
    services.cancel_session(cancelled, actor=kit.committee, reason="", now=kit.now)
    db.session.commit()

    calendar = Calendar.from_ical(client.get(f"/parks/{kit.park.code}/events.ics").data)

    status = {str(e["UID"]): str(e.get("STATUS", "")) for e in calendar.walk("VEVENT")}
    assert status == {f"park-session-{cancelled.id}@parkwell": "CANCELLED",
                      f"park-session-{going_ahead.id}@parkwell": ""}
    assert "STATUS:CANCELLED" in client.get(f"/parks/{kit.park.code}/events.ics").text


# -- the pages -----------------------------------------------------------------------------


def test_the_committee_confirms_on_the_event_page_and_the_employee_sees_it(client, kit, auth,
                                                                          outbox):
    event = kit.event(sessions=2)
    session = event.sessions[0]
    reg = kit.register(session)
    auth.login(kit.committee.email)
    page = client.get(f"/park/events/{event.id}")
    assert f'action="/park/sessions/{session.id}/cancel"' in page.text
    field = f"cancel-{session.id}"

    unconfirmed = client.post(f"/park/sessions/{session.id}/cancel",
                              data={f"{field}-reason": REASON})
    assert unconfirmed.status_code == 400
    assert db.session.get(EventSession, session.id).cancelled_at is None
    assert f'id="{field}-confirm-error"' in unconfirmed.text  # said next to the box

    done = client.post(f"/park/sessions/{session.id}/cancel",
                       data={f"{field}-reason": REASON, f"{field}-confirm": "y"},
                       follow_redirects=True)
    assert done.status_code == 200
    assert 'data-testid="session-cancelled"' in done.text
    assert [m.to for m in outbox] == [kit.employee.email]

    auth.logout()
    auth.login(kit.employee.email)
    ticket = client.get(f"/tickets/{reg.id}")
    assert 'data-testid="session-cancelled"' in ticket.text and REASON in ticket.text
    assert 'class="pk-qr"' not in ticket.text  # no QR code to show at the door
    assert 'data-testid="session-cancelled"' in client.get(f"/events/{event.id}").text
    assert client.get(f"/events/{event.id}").text.count('class="pk-register"') == 1


def test_the_door_page_says_the_session_was_cancelled(client, kit, auth):
    event = kit.event(sessions=2)
    session = event.sessions[0]
    reg = kit.register(session)
    services.cancel_session(session, actor=kit.committee, reason="", now=kit.now)
    kit.committee.locale = "en"
    db.session.commit()
    auth.login(kit.committee.email)

    scan = client.post(f"/park/sessions/{session.id}/checkin", data={"code": reg.ticket_code})

    assert scan.status_code == 409
    assert "the ticket is no longer valid" in scan.text
    assert "its tickets are no longer valid" in scan.text  # the page's own notice


# -- the API -------------------------------------------------------------------------------


def test_the_api_cancels_a_session_once_with_stable_error_codes(client, make, kit):
    event = kit.event(sessions=2)
    session, other = event.sessions
    kit.register(session)
    committee = _headers(make, kit.committee)

    employee = client.post(f"/api/v1/sessions/{session.id}/cancel",
                           headers=_headers(make, kit.employee), json={})
    assert employee.status_code == 403
    stranger = ParkKit(make).committee  # another park's committee: not even found
    assert client.post(f"/api/v1/sessions/{session.id}/cancel",
                       headers=_headers(make, stranger), json={}).status_code == 404
    assert client.post(f"/api/v1/sessions/{session.id}/cancel", headers=committee,
                       json={"reason": "x" * 501}).status_code == 422

    done = client.post(f"/api/v1/sessions/{session.id}/cancel", headers=committee,
                       json={"reason": REASON})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["registrations_cancelled"] == 1
    assert body["session"]["cancelled_at"] and body["session"]["cancel_reason"] == REASON
    assert body["session"]["places_left"] == 0

    again = client.post(f"/api/v1/sessions/{session.id}/cancel", headers=committee, json={})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "session_cancelled")
    last = client.post(f"/api/v1/sessions/{other.id}/cancel", headers=committee, json={})
    assert last.get_json()["error"]["code"] == "last_session_of_event"
    register = client.post(f"/api/v1/sessions/{session.id}/registrations",
                           headers=_headers(make, kit.employee_user()), json={})
    assert register.get_json()["error"]["code"] == "session_cancelled"
    shown = client.get(f"/api/v1/events/{event.id}", headers=committee).get_json()
    assert [s["cancelled_at"] is not None for s in shown["sessions"]] == [True, False]


def test_the_cancel_operation_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/sessions/{session_id}/cancel"]["post"]
    assert {"403", "404", "409"} <= set(operation["responses"])


def test_a_session_under_way_can_still_be_called_off(kit):
    event = kit.event(sessions=2)
    session = event.sessions[0]
    came = kit.register(session)
    checkin.check_in(session, code=came.ticket_code, actor=kit.committee, now=kit.now)
    during = session.starts_at + timedelta(minutes=30)  # a storm in the middle of it

    assert services.cancel_session(session, actor=kit.committee, reason="",
                                   now=during) == 0
    assert session.cancelled_at == during
    assert db.session.get(Registration, came.id).checked_in_at is not None
