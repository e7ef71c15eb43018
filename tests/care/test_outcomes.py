"""Committees and enterprises see outcome indicators as k-anonymous aggregates: this year
against last year, computed from seeded check-ups, agreements, plans and readings."""

from __future__ import annotations

from datetime import date

import pytest

from care import outcomes, plans
from care.outcomes import Share
from core.db import db
from health import services as health_services
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
    assert strict["flag_hypertension"].last_year.rate == pytest.approx(6 / 10)


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
