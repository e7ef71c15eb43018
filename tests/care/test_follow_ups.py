"""The physician moves or cancels a follow-up from the agreement's page (or the API): the
employee's calendar feed and the practitioner's show the change (same UID, a higher
SEQUENCE), and the employee is told by mail. Nothing moves outside the agreement, into the
past, or once the follow-up is over."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import feeds as my_feeds
from care import feeds as care_feeds
from care import plans
from care.errors import AgreementNotFound, FollowUpNotOpen, InvalidCareInput
from care.models import FollowUp
from core.db import db
from providers import feeds as provider_feeds
from tests.care.factories import CareKit, days
from tests.querycount import count_queries

SHANGHAI = ZoneInfo("Asia/Shanghai")
EN = {"Accept-Language": "en"}


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make)


def _follow_up(kit: CareKit, *, in_days: int = 7):
    employee = kit.employee()
    agreement = kit.sign(employee)
    at = datetime.combine(kit.today() + days(in_days), datetime.min.time().replace(hour=10),
                          tzinfo=SHANGHAI)
    follow_up = plans.schedule_follow_up(agreement, actor=kit.physician, starts_at=at,
                                         duration_minutes=30, mode="phone", now=kit.now)
    db.session.commit()
    return employee, agreement, follow_up


def _employee_feed(employee, kit) -> str:
    return my_feeds.calendar_for(employee, now=kit.now, locale="en", name="ParkWell")


def _practitioner_event(kit, follow_up):
    events = provider_feeds.feed_events([kit.practitioner], now=kit.now, locale="en")
    return next(e for e in events if e.uid == f"care-follow-up-{follow_up.id}@parkwell")


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def test_the_physician_moves_a_follow_up_and_both_calendars_show_the_new_time(kit, outbox):
    employee, _agreement, follow_up = _follow_up(kit)
    new_time = follow_up.starts_at + days(2) + timedelta(hours=4)  # 14:00 two days later

    plans.move_follow_up(follow_up.id, actor=kit.physician, starts_at=new_time,
                         duration_minutes=45, now=kit.now)
    db.session.commit()

    row = db.session.get(FollowUp, follow_up.id)
    assert (row.starts_at, row.duration_minutes, row.sequence) == (new_time, 45, 1)
    feed = _employee_feed(employee, kit)
    assert f"care-follow-up-{follow_up.id}@parkwell" in feed and "SEQUENCE:1" in feed
    assert new_time.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%S") in feed
    event = _practitioner_event(kit, follow_up)
    assert (event.starts_at, event.sequence) == (new_time, 1)
    mail = outbox[-1]
    assert mail.to == employee.email and "随访时间已调整" in mail.subject  # in her language
    local = new_time.astimezone(SHANGHAI)  # in the park's zone, as Chinese writes it
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in mail.body


def test_a_cancelled_follow_up_stays_on_both_calendars_as_cancelled(kit, outbox):
    employee, _agreement, follow_up = _follow_up(kit)

    plans.cancel_follow_up(follow_up.id, actor=kit.physician, now=kit.now)
    db.session.commit()

    assert "STATUS:CANCELLED" in _employee_feed(employee, kit)
    assert _practitioner_event(kit, follow_up).cancelled
    assert "随访已取消" in outbox[-1].subject
    with pytest.raises(FollowUpNotOpen):
        plans.move_follow_up(follow_up.id, actor=kit.physician,
                             starts_at=follow_up.starts_at + days(1), now=kit.now)


def test_a_follow_up_moves_only_into_the_future_and_within_the_agreement(kit):
    _employee, agreement, follow_up = _follow_up(kit)
    for when in (kit.now - timedelta(hours=1), agreement.ends_at - timedelta(minutes=10)):
        with pytest.raises(InvalidCareInput) as refused:
            plans.move_follow_up(follow_up.id, actor=kit.physician, starts_at=when,
                                 now=kit.now)
        assert "starts_at" in refused.value.fields
    db.session.rollback()
    assert db.session.get(FollowUp, follow_up.id).sequence == 0  # nothing moved


def test_a_follow_up_that_has_started_cannot_be_moved(kit):
    _employee, _agreement, follow_up = _follow_up(kit)
    with pytest.raises(FollowUpNotOpen):
        plans.move_follow_up(follow_up.id, actor=kit.physician,
                             starts_at=follow_up.starts_at + days(3),
                             now=follow_up.starts_at + timedelta(minutes=1))


def test_only_the_team_moves_or_cancels_its_follow_ups(kit):
    employee, _agreement, follow_up = _follow_up(kit)
    for someone in (employee, kit.outsider_staff, kit.owner):
        with pytest.raises(AgreementNotFound):
            plans.move_follow_up(follow_up.id, actor=someone,
                                 starts_at=follow_up.starts_at + days(1), now=kit.now)
        with pytest.raises(AgreementNotFound):
            plans.cancel_follow_up(follow_up.id, actor=someone, now=kit.now)


def test_the_physician_moves_and_cancels_from_the_agreement_page(client, kit):
    _employee, agreement, follow_up = _follow_up(kit)
    _sign_in(client, kit.physician)
    page = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert page.status_code == 200 and "Move the follow-up" in page.text
    prefix = f"move{follow_up.id}-"
    target = kit.today() + days(9)

    moved = client.post(f"/care/follow-ups/{follow_up.id}/move", headers=EN, data={
        f"{prefix}on": target.isoformat(), f"{prefix}at": "15:30"})

    assert moved.status_code == 302
    row = db.session.get(FollowUp, follow_up.id)
    assert row.starts_at == datetime.combine(target, datetime.min.time().replace(
        hour=15, minute=30), tzinfo=SHANGHAI)
    assert row.duration_minutes == 30  # unchanged when left empty
    refused = client.post(f"/care/follow-ups/{follow_up.id}/move", headers=EN, data={
        f"{prefix}on": (agreement.ends_on + days(5)).isoformat(), f"{prefix}at": "09:00"})
    assert refused.status_code == 422 and "before the agreement ends" in refused.text
    cancelled = client.post(f"/care/follow-ups/{follow_up.id}/cancel", headers=EN)
    assert cancelled.status_code == 302
    again = client.post(f"/care/follow-ups/{follow_up.id}/cancel", headers=EN)
    assert again.status_code == 409 and "already cancelled" in again.text


def test_the_api_moves_a_follow_up_with_clear_errors(client, make, kit):
    _employee, _agreement, follow_up = _follow_up(kit)
    headers = {"Authorization": f"Bearer {make.token(kit.physician)}", **EN}
    new_time = (follow_up.starts_at + days(1)).isoformat()

    ok = client.post(f"/api/v1/care/follow-ups/{follow_up.id}/move", headers=headers,
                     json={"starts_at": new_time, "duration_minutes": 20})

    assert ok.status_code == 200
    assert ok.get_json()["duration_minutes"] == 20 and not ok.get_json()["cancelled"]
    past = client.post(f"/api/v1/care/follow-ups/{follow_up.id}/move", headers=headers,
                       json={"starts_at": (kit.now - days(1)).isoformat()})
    assert past.status_code == 422 and past.get_json()["error"]["code"] == "care_invalid_input"
    naive = client.post(f"/api/v1/care/follow-ups/{follow_up.id}/move", headers=headers,
                        json={"starts_at": "2030-01-01T10:00:00"})
    assert naive.status_code == 422
    client.post(f"/api/v1/care/follow-ups/{follow_up.id}/cancel", headers=headers, json={})
    closed = client.post(f"/api/v1/care/follow-ups/{follow_up.id}/move", headers=headers,
                         json={"starts_at": new_time})
    assert closed.status_code == 409
    assert closed.get_json()["error"]["code"] == "care_follow_up_not_open"
    other = {"Authorization": f"Bearer {make.token(kit.outsider_staff)}"}
    assert client.post(f"/api/v1/care/follow-ups/{follow_up.id}/move", headers=other,
                       json={"starts_at": new_time}).status_code == 404


def test_the_physicians_feed_reads_every_patients_follow_ups_in_one_statement(kit):
    first = _follow_up(kit)[2].id
    for in_days in (8, 9, 10):
        _follow_up(kit, in_days=in_days)
    practitioner_id = kit.practitioner.id
    db.session.expunge_all()  # a poll starts with nothing at hand
    with count_queries() as log:
        events = list(care_feeds.provider_events([practitioner_id], kit.now))
    assert len(events) == 4 and log.count == 1

    patient = db.session.get(FollowUp, first).agreement.user
    patient.display_name = "Lin Mei"  # a follow-up names its patient, read on every poll
    db.session.commit()
    events = care_feeds.provider_events([practitioner_id], kit.now)
    assert "Lin Mei" in next(e for e in events if e.uid.endswith(f"-{first}@parkwell")).summary


def test_a_physicians_feed_rendered_anew_reads_the_follow_ups_once(kit, client):
    """The follow-ups are read to make the feed's ETag (they name the patient); a poll
    that must render the body uses what that read found."""
    _follow_up(kit)
    _follow_up(kit, in_days=9)
    raw = provider_feeds.issue_practitioner_feed(kit.practitioner, actor=kit.owner)
    db.session.commit()
    db.session.expunge_all()
    with count_queries() as log:
        answer = client.get(f"/feeds/practitioners/{raw}.ics")
    assert answer.status_code == 200 and answer.data.count(b"BEGIN:VEVENT") == 2
    follow_up_reads = [s for s in log.statements if "FROM care_follow_ups" in s]
    assert len(follow_up_reads) == 1, log.report()
