"""The committee's reports, certificates and a draft's sessions through the API (issue 19's
parity): what the reports page, the ticket's certificate link, the public verification page
and the event editor's "remove" button do."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.accounts.models import Role
from core.db import db
from park import certificates, checkin
from park.models import EventKind, EventSession
from tests.core.test_api import assert_error, bearer
from tests.park.factories import ParkKit

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _attended_course(kit):
    event = kit.event(kind=EventKind.COURSE, day=1)
    user = kit.employee_user()
    user.display_name = "王小明"
    reg = kit.register(event.sessions[0], user)
    checkin.check_in(event.sessions[0], code=reg.ticket_code, actor=kit.committee, now=kit.now)
    db.session.commit()
    return reg


def test_the_committee_reads_attendance_and_ratings_by_event_and_by_kind(client, make, kit):
    reg = _attended_course(kit)
    kit.register(kit.event(kind=EventKind.TALK).sessions[0])
    report = client.get(f"/api/v1/parks/{kit.park.id}/reports",
                        headers=bearer(make.token(kit.committee)))
    assert report.status_code == 200
    body = report.get_json()
    course = next(r for r in body["events"] if r["kind"] == "course")
    assert (course["registered"], course["checked_in"], course["attendance_rate"]) == (1, 1, 1.0)
    assert {k["kind"] for k in body["kinds"]} == {"course", "talk"}
    talks = next(k for k in body["kinds"] if k["kind"] == "talk")
    assert (talks["registered"], talks["checked_in"]) == (1, 0)
    assert reg.event.park_id == kit.park.id


def test_employees_and_other_parks_do_not_read_the_report(client, make, kit):
    assert_error(client.get(f"/api/v1/parks/{kit.park.id}/reports",
                            headers=bearer(make.token(kit.employee))), 403, "forbidden")
    stranger = make.user(Role.COMMITTEE_MEMBER, park=make.park())
    assert client.get(f"/api/v1/parks/{kit.park.id}/reports",
                      headers=bearer(make.token(stranger))).status_code == 404


def test_an_attendee_downloads_the_certificate_and_anyone_verifies_its_number(
        client, make, kit):
    reg = _attended_course(kit)
    pdf = client.get(f"/api/v1/registrations/{reg.id}/certificate.pdf",
                     headers=bearer(make.token(reg.user)) | ZH)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and b"/FontFile2" in pdf.data
    number = certificates.certificate_number(reg)
    check = client.get(f"/api/v1/certificates/{number}", headers=ZH)  # no token: public
    assert check.status_code == 200
    assert check.get_json() | {"day": None} == {
        "number": number, "valid": True, "holder_initials": "王**", "event_id": reg.event.id,
        "course": "中医药文化周", "day": None, "park": kit.park.name("zh_CN")}
    assert "王小明" not in check.get_data(as_text=True)


def test_a_forged_number_and_a_talk_have_no_certificate(client, make, kit):
    reg = _attended_course(kit)
    number = certificates.certificate_number(reg)
    forged = number[:-1] + ("A" if number[-1] != "A" else "B")
    assert_error(client.get(f"/api/v1/certificates/{forged}"), 404, "certificate_invalid")
    talk = kit.register(kit.event(kind=EventKind.TALK).sessions[0])
    assert_error(client.get(f"/api/v1/registrations/{talk.id}/certificate.pdf",
                            headers=bearer(make.token(talk.user))),
                 409, "certificate_not_available")
    assert client.get(f"/api/v1/registrations/{reg.id}/certificate.pdf",
                      headers=bearer(make.token(kit.employee))).status_code == 404


def _sessions() -> int:
    return db.session.scalar(select(func.count(EventSession.id)))


def test_the_committee_removes_a_drafts_session_but_not_a_published_events(client, make, kit):
    draft = kit.event(sessions=2, publish=False)
    published = kit.event(day=6)
    headers = bearer(make.token(kit.committee))
    before = _sessions()
    assert client.delete(f"/api/v1/sessions/{draft.sessions[0].id}",
                         headers=headers).status_code == 204
    assert _sessions() == before - 1
    assert_error(client.delete(f"/api/v1/sessions/{published.sessions[0].id}", headers=headers),
                 409, "event_not_editable")
    assert_error(client.delete(f"/api/v1/sessions/{draft.sessions[-1].id}",
                               headers=bearer(make.token(kit.employee))), 403, "forbidden")
    assert _sessions() == before - 1
