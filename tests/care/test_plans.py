"""Under an agreement the physician sets goals and follow-ups, the employee logs home
measurements (impossible ones refused), readings past the plan's thresholds alert the team,
and nobody writes after the agreement ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from booking import feeds as my_feeds
from care import plans
from care.errors import (
    AgreementNotInForce,
    FollowUpNotOpen,
    ImpossibleMeasurement,
    InvalidCareInput,
    NoCareAccess,
)
from care.models import CareAlert, CareMessage, HomeMeasurement
from core.db import db
from providers import feeds as provider_feeds
from tests.care.factories import CareKit, days
from tests.pages import shows_number


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


BP_GOAL = {"kind": "blood_pressure", "target": [135, 85], "alert_above": [160, 100]}


def _plan(kit, agreement, *goals, now=None):
    now = now or kit.now
    goals = goals or ({**BP_GOAL, "due_on": kit.today() + days(90)},)
    plan = plans.set_plan(agreement, actor=kit.physician, goals=list(goals), now=now,
                          today=kit.today(now))
    db.session.commit()
    return plan


def _bp(kit, agreement, employee, systolic, diastolic, *, now=None):
    row = plans.log_measurement(agreement, actor=employee, kind="blood_pressure",
                                values={"systolic": systolic, "diastolic": diastolic},
                                now=now or kit.now)
    db.session.commit()
    return row


def test_a_reading_above_the_plans_threshold_alerts_the_team_in_app_and_by_mail(kit, outbox):
    kit.physician.email = "dr.li@example.com"
    employee = kit.employee()
    agreement = kit.sign(employee)
    _plan(kit, agreement)

    _bp(kit, agreement, employee, 150, 95)  # above the goal, below the alert threshold
    assert _count(CareAlert) == 0 and outbox == []

    _bp(kit, agreement, employee, 158, 101)  # diastolic crosses 100
    alert = db.session.scalar(select(CareAlert))
    assert alert.agreement_id == agreement.id and alert.acknowledged_at is None
    assert [m.to for m in outbox] == ["dr.li@example.com"]
    assert not shows_number(outbox[0].body, 158)  # no values in the mail

    plans.acknowledge_alert(alert.id, actor=kit.physician, now=kit.now)
    db.session.commit()
    assert plans.open_alerts([agreement.id]) == []


def test_glucose_alerts_below_a_low_threshold_too(kit):
    employee = kit.employee()
    agreement = kit.sign(employee)
    _plan(kit, agreement, {"kind": "glucose", "target": 6.1, "alert_above": 10,
                           "alert_below": 3.9, "due_on": kit.today() + days(60)})
    plans.log_measurement(agreement, actor=employee, kind="glucose", values={"value": 3.5},
                          now=kit.now)
    plans.log_measurement(agreement, actor=employee, kind="glucose", values={"value": 90},
                          unit="mg/dL", now=kit.now)  # 5.0 mmol/L
    db.session.commit()
    assert _count(CareAlert) == 1


def test_an_impossible_measurement_is_refused_naming_the_field_and_nothing_is_saved(kit):
    employee = kit.employee()
    agreement = kit.sign(employee)
    with pytest.raises(ImpossibleMeasurement) as caught:
        plans.log_measurement(agreement, actor=employee, kind="blood_pressure",
                              values={"systolic": 400, "diastolic": 90}, now=kit.now)
    assert "systolic" in caught.value.fields
    with pytest.raises(ImpossibleMeasurement) as caught:
        plans.log_measurement(agreement, actor=employee, kind="blood_pressure",
                              values={"systolic": 80, "diastolic": 120}, now=kit.now)
    assert "diastolic" in caught.value.fields
    with pytest.raises(ImpossibleMeasurement) as caught:
        plans.log_measurement(agreement, actor=employee, kind="glucose",
                              values={"value": 110}, unit="mmol/L", now=kit.now)
    assert "mg/dL" in caught.value.fields["value"]  # the probable unit mix-up is named
    with pytest.raises(ImpossibleMeasurement):
        plans.log_measurement(agreement, actor=employee, kind="activity",
                              values={"value": 20000}, now=kit.now)
    db.session.rollback()
    assert _count(HomeMeasurement) == 0


def test_goals_are_checked_and_progress_follows_the_latest_reading(kit):
    employee = kit.employee()
    agreement = kit.sign(employee)
    with pytest.raises(InvalidCareInput) as caught:
        _plan(kit, agreement, {"kind": "blood_pressure", "target": [135, 85],
                               "alert_above": [120, 80], "due_on": kit.today() + days(90)})
    assert "goals.0.alert_above" in caught.value.fields
    db.session.rollback()
    plan = _plan(kit, agreement, {**BP_GOAL, "due_on": kit.today() + days(90)},
                 {"kind": "activity", "target": 150, "due_on": kit.today() + days(30)})
    _bp(kit, agreement, employee, 140, 88, now=kit.now)
    _bp(kit, agreement, employee, 130, 82, now=kit.now + timedelta(minutes=1))
    progress = plans.progress(plan, plans.measurements_of(agreement))
    assert [(p.kind.value, p.met) for p in progress] == [("blood_pressure", True),
                                                         ("activity", None)]


def test_no_messages_or_measurements_after_the_agreement_ended(kit):
    employee = kit.employee()
    agreement = kit.sign(employee)
    plans.post_message(agreement, actor=employee, body="我最近头晕", now=kit.now)
    plans.post_message(agreement, actor=kit.physician, body="请每天早晚测血压", now=kit.now)
    db.session.commit()
    after = agreement.ends_at
    with pytest.raises(AgreementNotInForce):
        plans.post_message(agreement, actor=employee, body="还在吗？", now=after)
    with pytest.raises(NoCareAccess):
        plans.post_message(agreement, actor=kit.physician, body="…", now=after)
    with pytest.raises(AgreementNotInForce):
        plans.log_measurement(agreement, actor=employee, kind="weight", values={"value": 70},
                              now=after)
    db.session.rollback()
    assert [m.body for m in plans.messages_of(agreement)] == ["我最近头晕", "请每天早晚测血压"]


def test_a_follow_up_appears_on_the_employees_and_the_practitioners_calendars(kit, app):
    employee = kit.employee()
    agreement = kit.sign(employee)
    starts = kit.now + days(14)
    follow_up = plans.schedule_follow_up(agreement, actor=kit.physician, starts_at=starts,
                                         duration_minutes=30, mode="phone", note="复查血压",
                                         now=kit.now)
    db.session.commit()
    text = my_feeds.calendar_for(employee, now=kit.now, locale="en", name="ParkWell")
    assert f"care-follow-up-{follow_up.id}@parkwell" in text
    events = provider_feeds.feed_events([kit.practitioner], now=kit.now, locale="en")
    assert any(e.uid == f"care-follow-up-{follow_up.id}@parkwell" for e in events)
    plans.cancel_follow_up(follow_up.id, actor=kit.physician, now=kit.now)
    db.session.commit()
    text = my_feeds.calendar_for(employee, now=kit.now, locale="en", name="ParkWell")
    assert "STATUS:CANCELLED" in text  # calendar apps remove it
    with pytest.raises(FollowUpNotOpen):
        plans.cancel_follow_up(follow_up.id, actor=kit.physician, now=kit.now)
    with pytest.raises(InvalidCareInput):  # not after the agreement ends
        plans.schedule_follow_up(agreement, actor=kit.physician,
                                 starts_at=agreement.ends_at, duration_minutes=30,
                                 mode="visit", now=kit.now)
    assert current_app  # the feeds ran inside the app


def test_messages_are_encrypted_at_rest(kit):
    employee = kit.employee()
    agreement = kit.sign(employee)
    plans.post_message(agreement, actor=employee, body="血压 150/95", now=kit.now)
    db.session.commit()
    raw = db.session.execute(select(CareMessage.__table__.c.data)).scalar()
    assert "150" not in raw


def test_deleting_the_health_profile_deletes_the_care_health_data(kit):
    from health import sharing

    employee = kit.employee()
    agreement = kit.sign(employee)
    _plan(kit, agreement)
    _bp(kit, agreement, employee, 170, 105)
    plans.post_message(agreement, actor=employee, body="头晕", now=kit.now)
    db.session.commit()
    sharing.delete_profile(employee, now=kit.now)
    db.session.commit()
    assert (_count(HomeMeasurement), _count(CareAlert), _count(CareMessage)) == (0, 0, 0)
    assert plans.plan_of(agreement) is None
