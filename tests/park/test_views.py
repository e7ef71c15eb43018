"""Park pages: the committee's venue, event and session forms, the employee's registration
and ticket, the door, announcements and the public calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from core.clock import to_zone
from core.db import db
from park import checkin
from park.models import Event, EventKind, EventStatus, Registration, RegistrationStatus, Venue
from park.registration import format_code
from tests.park.factories import ParkKit, at

EN = {"Accept-Language": "en"}


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _local(kit, value) -> str:
    return to_zone(value, kit.park.timezone).strftime("%Y-%m-%dT%H:%M")


def test_committee_builds_and_publishes_an_event_through_the_pages(client, kit):
    _sign_in(client, kit.committee)
    response = client.post(f"/park/{kit.park.id}/venues",
                           data={"name_zh": "报告厅", "name_en": "Auditorium", "capacity": "80"})
    assert response.status_code == 302
    venue = db.session.scalar(select(Venue).where(Venue.name_en == "Auditorium"))
    response = client.post(f"/park/{kit.park.id}/events/new", data={
        "title_zh": "心理健康周", "title_en": "Mental-health week", "kind": "festival_week",
        "family_places": "1", "registration_opens_at": _local(kit, kit.now),
        "registration_closes_at": _local(kit, kit.now + timedelta(days=5))})
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.title_en == "Mental-health week"))
    assert event.status is EventStatus.DRAFT and event.family_places == 1
    session_data = {"venue_id": str(venue.id), "capacity": "90",
                    "starts_at": _local(kit, at(kit.now, 6, 2)),
                    "ends_at": _local(kit, at(kit.now, 6, 3))}
    response = client.post(f"/park/events/{event.id}/sessions", data=session_data,
                           headers=EN)
    assert response.status_code == 422  # above the venue's capacity
    assert "cannot hold more people than its venue" in response.get_data(as_text=True)
    response = client.post(f"/park/events/{event.id}/sessions",
                           data=session_data | {"capacity": "60"})
    assert response.status_code == 302
    assert client.post(f"/park/events/{event.id}/publish").status_code == 302
    db.session.refresh(event)
    assert event.status is EventStatus.PUBLISHED and len(event.sessions) == 1


def test_a_session_ending_before_it_starts_is_refused_in_chinese(client, kit):
    event = kit.event(publish=False)
    _sign_in(client, kit.committee)
    response = client.post(f"/park/events/{event.id}/sessions", data={
        "venue_id": str(kit.venue.id), "capacity": "5",
        "starts_at": _local(kit, at(kit.now, 9, 5)), "ends_at": _local(kit, at(kit.now, 9, 4))},
        headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "结束" in response.get_data(as_text=True)


def test_employee_registers_and_gets_a_qr_ticket(client, kit):
    session = kit.session(capacity=1)
    _sign_in(client, kit.employee)
    page = client.get(f"/events/{session.event_id}")
    assert page.status_code == 200 and "中医药文化周" in page.get_data(as_text=True)
    response = client.post(f"/events/sessions/{session.id}/register",
                           data={"form_token": "abc"})
    assert response.status_code == 302
    again = client.post(f"/events/sessions/{session.id}/register", data={"form_token": "abc"})
    assert again.status_code == 302  # the same form twice: the first answer, once
    reg = db.session.scalar(select(Registration))
    assert db.session.scalar(select(db.func.count(Registration.id))) == 1
    ticket = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<svg" in ticket and format_code(reg.ticket_code) in ticket
    assert client.get("/my-events").status_code == 200


def test_the_door_checks_a_typed_code_in_once(client, kit):
    session = kit.session()
    reg = kit.register(session)
    _sign_in(client, kit.committee)
    assert client.get(f"/park/sessions/{session.id}/checkin").status_code == 200
    first = client.post(f"/park/sessions/{session.id}/checkin",
                        data={"code": format_code(reg.ticket_code)}, headers=EN)
    assert first.status_code == 200 and "checked in" in first.get_data(as_text=True)
    second = client.post(f"/park/sessions/{session.id}/checkin", data={"code": reg.ticket_code},
                         headers=EN)
    assert second.status_code == 409
    assert "already used" in second.get_data(as_text=True)
    forged = client.post(f"/park/sessions/{session.id}/checkin", data={"code": "nonsense"})
    assert forged.status_code == 404
    counts = client.get(f"/park/sessions/{session.id}/attendance.json").get_json()
    assert counts["checked_in"] == 1 and counts["registered"] == 1


def test_cancelling_an_event_from_its_page_mails_registrants(client, kit, outbox):
    session = kit.session()
    kit.register(session)
    _sign_in(client, kit.committee)
    response = client.post(f"/park/events/{session.event_id}/cancel", data={"reason": "Rain"})
    assert response.status_code == 302
    assert [m.to for m in outbox] == [kit.employee.email]
    assert db.session.scalar(select(Registration)).status is RegistrationStatus.CANCELLED


def test_announcements_reach_employees_and_the_events_page(client, kit, outbox):
    _sign_in(client, kit.committee)
    response = client.post(f"/park/{kit.park.id}/announcements",
                           data={"title": "端午健康讲座", "body": "欢迎参加"})
    assert response.status_code == 302
    assert kit.employee.email in [m.to for m in outbox]
    _sign_in(client, kit.employee)
    assert "端午健康讲座" in client.get("/events").get_data(as_text=True)


def test_the_public_calendar_lists_published_sessions_only(client, kit):
    kit.event()
    kit.event(publish=False, day=9)
    response = client.get(f"/parks/{kit.park.code}/events.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["中医药文化周"]
    assert client.get("/parks/nope/events.ics").status_code == 404


def test_attendees_rate_the_event_and_the_committee_sees_reports_and_csv(client, kit):
    session = kit.session(kind=EventKind.COURSE)
    reg = kit.register(session)
    _sign_in(client, kit.employee)
    refused = client.post(f"/events/{session.event_id}/feedback",
                          data={"rating": "4", "comment": "好"})
    assert refused.status_code == 409  # not checked in yet
    assert client.get(f"/tickets/{reg.id}/certificate.pdf").status_code == 409
    checkin.check_in(session, code=reg.ticket_code, actor=kit.committee, now=kit.now)
    db.session.commit()
    assert client.post(f"/events/{session.event_id}/feedback",
                       data={"rating": "4", "comment": "=cmd"}).status_code == 302
    pdf = client.get(f"/tickets/{reg.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    _sign_in(client, kit.committee)
    page = client.get(f"/park/{kit.park.id}/reports").get_data(as_text=True)
    assert "<svg" in page and "4.0" in page
    csv_text = client.get(f"/park/{kit.park.id}/reports.csv").get_data(as_text=True)
    assert "中医药文化周,可获证书的课程,10,1,1,1.00,1,4.00" in csv_text  # the kind in words
