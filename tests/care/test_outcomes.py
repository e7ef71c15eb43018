"""Committees and enterprises see outcome indicators as k-anonymous aggregates: this year
against last year, computed from seeded check-ups, agreements, plans and readings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from benefits import roster
from benefits.models import RosterEntry
from care import outcomes, plans
from care.outcomes import Share
from core.accounts.models import Role
from core.db import db
from health import services as health_services
from tests.benefits.factories import put_on_roster
from tests.care.factories import CareKit, days

HIGH_BP = {"systolic": 145, "diastolic": 95}
NORMAL = {"systolic": 115, "diastolic": 75}
HIGH_GLUCOSE = {"systolic": 115, "diastolic": 75, "fasting_glucose": 7.5}


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make)


def _checkup(kit, user, on: date, values: dict) -> None:
    health_services.save_checkup(user, on, "clinic", values, kit.now)


def _by_key(result) -> dict[str, outcomes.Indicator]:
    return {i.key: i for i in result.indicators}


def test_a_share_is_withheld_when_its_group_its_count_or_the_rest_is_below_k():
    assert Share(3, 4, 5).suppressed  # group too small
    assert Share(2, 20, 5).suppressed  # too few people counted
    assert Share(0, 20, 5).suppressed and Share(0, 20, 5).rate is None  # "nobody" is a fact
    assert Share(18, 20, 5).suppressed  # and so is "all but two"
    assert Share(5, 20, 5).rate == 0.25
    assert Share(2, 20, 5).public() == {"suppressed": True, "rate": None, "numerator": None,
                                        "denominator": None}


def test_year_on_year_indicators_on_seeded_data(kit, monkeypatch):
    year = kit.today().year
    staff = [kit.employee() for _ in range(10)]
    # last year: all ten screened, six with raised blood pressure
    for n, user in enumerate(staff):
        _checkup(kit, user, date(year - 1, 6, 1), HIGH_BP if n < 6 else NORMAL)
    # this year: eight screened; five raised BP, two raised glucose, one normal
    for n, user in enumerate(staff[:8]):
        _checkup(kit, user, date(year, 1, 2),
                 HIGH_BP if n < 5 else HIGH_GLUCOSE if n < 7 else NORMAL)
    db.session.commit()
    # four of the five with raised BP have a plan; three meet it
    for n, user in enumerate(staff[:4]):
        agreement = kit.sign(user)
        plans.set_plan(agreement, actor=kit.physician, goals=[{
            "kind": "blood_pressure", "target": [135, 85], "alert_above": [170, 105],
            "due_on": kit.today() + days(90)}], now=kit.now, today=kit.today())
        plans.log_measurement(agreement, actor=user, kind="blood_pressure",
                              values={"systolic": 128 if n < 3 else 150, "diastolic": 80},
                              now=kit.now)
    db.session.commit()
    ids = {u.id for u in staff}
    completed = {u.id for u in staff[:7]}
    monkeypatch.setattr(outcomes.prevention_queries, "eligible_and_completed_user_ids",
                        lambda *, enterprise_ids, year: (ids, completed) if year == kit.today().year
                        else (ids, set(list(completed)[:4])))

    result = outcomes.for_enterprise(kit.enterprise, year=year, k=3)
    by = _by_key(result)
    assert by["checkup_completion"].this_year.rate == pytest.approx(0.7)
    assert by["checkup_completion"].last_year.rate == pytest.approx(0.4)
    assert by["flag_hypertension"].this_year.rate == pytest.approx(5 / 8)
    assert by["flag_hypertension"].last_year.rate == pytest.approx(6 / 10)
    assert by["flag_high_glucose"].this_year.suppressed  # two people: below k
    assert by["flag_high_glucose"].last_year.suppressed  # nobody: never shown as 0
    assert (by["flagged_under_care_plan"].this_year.numerator,
            by["flagged_under_care_plan"].this_year.denominator) == (4, 7)
    assert by["meeting_goals"].this_year.suppressed  # 3 of 4: the one who does not is known
    assert by["event_participation"].this_year.suppressed  # nobody took part

    # with the park's k of 5, the same data withholds more
    strict = _by_key(outcomes.for_enterprise(kit.enterprise, year=year, k=5))
    assert strict["flag_hypertension"].this_year.suppressed  # 5 of 8: three without
    assert strict["flag_hypertension"].last_year.suppressed  # 6 of 10: four without


def test_a_group_smaller_than_k_shows_nothing(kit, monkeypatch):
    monkeypatch.setattr(outcomes.prevention_queries, "eligible_and_completed_user_ids",
                        lambda *, enterprise_ids, year: (set(), set()))
    staff = [kit.employee() for _ in range(4)]
    for user in staff:
        _checkup(kit, user, date(kit.today().year, 1, 2), HIGH_BP)
    db.session.commit()
    result = outcomes.for_enterprise(kit.enterprise, year=kit.today().year, k=5)
    assert result.employees == 0
    assert all(i.this_year.suppressed for i in result.indicators)
    csv_text = outcomes.to_csv(result, ["code", "label"] + ["x"] * 8)
    assert "suppressed" in csv_text and "/4" not in csv_text


# -- what an employer can learn by changing its roster: nothing -----------------------------


def _staffed(kit, *, flagged: int, normal: int) -> list:
    """Employees on the roster with a check-up this year: the first ``flagged`` have raised
    blood pressure."""
    staff = [put_on_roster(kit.enterprise, kit.employee(), department="研发部")
             for _ in range(flagged + normal)]
    for n, user in enumerate(staff):
        _checkup(kit, user, date(kit.today().year, 1, 2), HIGH_BP if n < flagged else NORMAL)
    db.session.commit()
    return staff


def _shown(result) -> dict:
    return {i.key: (i.this_year.public(), i.last_year.public() if i.last_year else None)
            for i in result.indicators}


def test_deactivating_and_reactivating_one_person_reveals_nothing_about_them(kit, make):
    staff = _staffed(kit, flagged=6, normal=6)
    victim = staff[0]  # raised blood pressure
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    year, now = kit.today().year, kit.now
    before = outcomes.published_for_enterprise(kit.enterprise, year=year, now=now)
    assert before.indicators[1].key == "flag_hypertension"
    assert before.indicators[1].this_year.numerator == 6  # shown: 6 of 12
    live_before = _shown(outcomes.for_enterprise(kit.enterprise, year=year, k=5))
    db.session.commit()

    entry = db.session.scalar(select(RosterEntry).where(RosterEntry.user_id == victim.id))
    roster.deactivate_leaver(entry, actor=admin, now=now + timedelta(hours=1))
    db.session.commit()
    # live figures would have given them away (6 of 12, then 5 of 11)...
    assert _shown(outcomes.for_enterprise(kit.enterprise, year=year, k=5)) != live_before
    # ...what the employer reads does not move: the same day, next month, nor for good
    for later in (now + timedelta(hours=2), now + timedelta(days=35),
                  now + timedelta(days=400)):
        after = outcomes.published_for_enterprise(kit.enterprise, year=year, now=later)
        db.session.commit()
        assert _shown(after) == _shown(before)

    # reactivated: still the same figures
    entry.is_active = True
    for membership in victim.memberships:
        membership.is_active = True
    db.session.commit()
    again = outcomes.published_for_enterprise(kit.enterprise, year=year,
                                              now=now + timedelta(days=70))
    assert _shown(again) == _shown(before)


def test_figures_change_when_k_people_have_left_and_a_published_month_never_changes(kit, make):
    staff = _staffed(kit, flagged=6, normal=10)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    year, now = kit.today().year, kit.now
    before = outcomes.published_for_enterprise(kit.enterprise, year=year, now=now)
    db.session.commit()
    for user in staff[-5:]:  # five leavers: k of them
        entry = db.session.scalar(select(RosterEntry).where(RosterEntry.user_id == user.id))
        roster.deactivate_leaver(entry, actor=admin, now=now)
    db.session.commit()
    # Minutes later, still in this month in the park (the instant may be 23:50 on 31 December).
    month_ends = datetime.combine(
        (kit.today().replace(day=28) + timedelta(days=4)).replace(day=1), datetime.min.time(),
        tzinfo=ZoneInfo("Asia/Shanghai")) - timedelta(seconds=1)

    def minutes_later(minutes: int) -> datetime:
        return min(now + timedelta(minutes=minutes), month_ends)

    same_month = outcomes.published_for_enterprise(kit.enterprise, year=year,
                                                   now=minutes_later(5))
    assert _shown(same_month) == _shown(before)
    later = datetime(year + 1, 3, 1, tzinfo=UTC)
    final = outcomes.published_for_enterprise(kit.enterprise, year=year, now=later)
    screened = final.indicators[1].this_year
    assert (screened.numerator, screened.denominator) == (6, 11)  # leavers no longer count
    db.session.commit()
    # the month already published still reads as it was
    assert _shown(outcomes.published_for_enterprise(
        kit.enterprise, year=year, now=minutes_later(10))) == _shown(before)


def test_leavers_do_not_make_a_small_group_large_enough(kit, make):
    staff = _staffed(kit, flagged=5, normal=0)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    entry = db.session.scalar(select(RosterEntry).where(RosterEntry.user_id == staff[0].id))
    roster.deactivate_leaver(entry, actor=admin, now=kit.now)
    db.session.commit()
    result = outcomes.published_for_enterprise(kit.enterprise, year=kit.today().year,
                                               now=kit.now)
    assert result.employees == 0
    assert all(i.this_year.suppressed for i in result.indicators)


def test_the_outcomes_page_shows_when_the_figures_were_released_in_chinese(client, make, kit):
    _staffed(kit, flagged=6, normal=6)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    page = client.get(f"/care/enterprises/{kit.enterprise.id}/outcomes",
                      headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert "数据截至" in page.text and "少于 5 人" in page.text
