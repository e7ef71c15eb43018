"""Profile, check-ups, questionnaires, dependants; encryption at rest and key rotation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from core.accounts.models import Role
from core.db import db
from core.errors import Forbidden, InvalidInput
from health import services
from health.cli import rotate_keys
from health.crypto import HealthKeyError, Keyring, development_key, init_keyring
from health.errors import HealthRecordNotFound, IncompleteQuestionnaire, InvalidReading
from health.models import Sex


def _checkup(user, now, **readings):
    return services.record_checkup(
        user, measured_on=date(2026, 10, 12), source="Ruijin Hospital",
        readings={k: (v, None) for k, v in readings.items()}, now=now)


def test_a_checkup_is_recorded_in_canonical_units_and_screened(employee, now):
    services.record_checkup(employee, measured_on=date(2026, 10, 12), source=" Ruijin ",
                            readings={"fasting_glucose": ("126", "mg/dL"),
                                      "systolic": ("145", None), "diastolic": ("95", None)},
                            now=now)
    [checkup] = services.list_checkups(employee)
    assert checkup.readings == {"fasting_glucose": 7.0, "systolic": 145, "diastolic": 95}
    assert checkup.source == "Ruijin"
    codes = {f.code for f in services.screening_for(employee).flags}
    assert codes == {"glucose_diabetes", "bp_grade_1"}


def _words(raw: str) -> list[str]:
    return [raw[i:i + n] for n in (6, 7, 8) for i in range(len(raw) - n + 1)]


def test_health_values_are_encrypted_at_rest(employee, now):
    _checkup(employee, now, systolic=145, diastolic=95)
    services.update_profile(employee, sex="female", birth_year=1990, smoking="never",
                            activity_minutes_per_week=90, sleep_hours=5.5,
                            goals=["stress"], now=now)
    db.session.commit()
    raw_checkup = db.session.execute(text("SELECT data FROM health_checkups")).scalar_one()
    raw_profile = db.session.execute(text("SELECT data FROM health_profiles")).scalar_one()
    for raw in (raw_checkup, raw_profile):
        assert raw.startswith("gAAAAA")  # a Fernet token
        assert not {"systolic", "Ruijin", "female", "stress"} & set(_words(raw))
        assert Keyring([development_key("test-secret")]).decrypt(raw)
    db.session.expire_all()
    assert services.list_checkups(employee)[0].readings["systolic"] == 145


def test_key_rotation_re_encrypts_with_the_new_key(app, employee, now):
    old_key = app.extensions["parkwell_health_keyring"]
    _checkup(employee, now, systolic=130, diastolic=85)
    db.session.commit()
    before = db.session.execute(text("SELECT data FROM health_checkups")).scalar_one()
    new_key = Fernet.generate_key().decode()
    assert app.config.get("HEALTH_DATA_KEYS") is None  # tests run on the development key
    app.config["HEALTH_DATA_KEYS"] = f"{new_key},{development_key(app.config['SECRET_KEY'])}"
    ring = init_keyring(app)
    assert not ring.is_current(before)
    assert rotate_keys() == 1
    db.session.commit()
    after = db.session.execute(text("SELECT data FROM health_checkups")).scalar_one()
    assert after != before
    assert Keyring([new_key]).decrypt(after)  # readable with the new key alone
    app.config["HEALTH_DATA_KEYS"] = new_key
    init_keyring(app)
    db.session.expire_all()
    assert services.list_checkups(employee)[0].readings["systolic"] == 130
    assert rotate_keys() == 0
    assert old_key is not ring


def test_production_refuses_to_start_without_a_key(app):
    app.config["ENV_NAME"] = "production"
    with pytest.raises(HealthKeyError):
        init_keyring(app)


def test_impossible_values_and_future_dates_are_refused(employee, now):
    with pytest.raises(InvalidReading) as caught:
        services.record_checkup(employee, measured_on=date(2026, 11, 21), source="",
                                readings={"systolic": (20, None), "diastolic": (400, None),
                                          "weight": (-3, "kg")}, now=now)
    assert {"measured_on", "systolic", "weight"} <= set(caught.value.fields)
    with pytest.raises(InvalidReading) as caught:
        services.record_checkup(employee, measured_on=date(2026, 11, 1), source="",
                                readings={}, now=now)
    assert "readings" in caught.value.fields
    assert services.list_checkups(employee) == []


def test_today_in_shanghai_is_not_the_future(employee, now):
    late = now.replace(hour=17)  # 01:00 on 21 November in Shanghai
    _ok = services.record_checkup(employee, measured_on=date(2026, 11, 21), source="",
                                  readings={"weight": (60, "kg")}, now=late)
    assert _ok.measured_on == date(2026, 11, 21)


def test_a_questionnaire_is_scored_and_item_9_is_a_crisis(employee, now):
    _row, result = services.submit_questionnaire(employee, kind="phq9",
                                                 answers=[1] * 8 + [1], now=now)
    assert result.score == 9 and result.crisis
    assert services.screening_for(employee).crisis
    suggestions = services.suggest(employee, dependant_id=None, now=now, language="zh_CN")
    assert suggestions.crisis and not suggestions.services and not suggestions.advice
    services.submit_questionnaire(employee, kind="phq9", answers=[0] * 9,
                                  now=now + timedelta(minutes=1))
    assert not services.screening_for(employee).crisis


def test_an_incomplete_questionnaire_saves_nothing(employee, now):
    with pytest.raises(IncompleteQuestionnaire):
        services.submit_questionnaire(employee, kind="gad7", answers=[1, 2], now=now)
    assert services.list_questionnaires(employee) == []


def test_dependants_belong_to_their_owner(make, employee, now):
    child = services.add_dependant(employee, name="小明", birth_date=date(2020, 5, 1),
                                   relation="child", needs=["childcare"], now=now)
    other = make.user(Role.EMPLOYEE)
    with pytest.raises(HealthRecordNotFound):
        services.get_dependant(other, child.id)
    with pytest.raises(HealthRecordNotFound):
        services.delete_checkup(other, checkup_id=_checkup(employee, now, weight=60).id)
    suggestions = services.suggest(employee, dependant_id=child.id, now=now, language="en")
    assert suggestions.dependant == child


@pytest.mark.parametrize("role", [Role.ENTERPRISE_ADMIN, Role.PROVIDER_STAFF,
                                  Role.COMMITTEE_MEMBER, Role.PLATFORM_ADMIN])
def test_only_employees_keep_a_health_profile(make, role):
    with pytest.raises(Forbidden):
        services.list_checkups(make.user(role))


def test_a_family_member_s_sex_is_optional_and_checked(make, employee, now):
    grandma = services.add_dependant(employee, name="外婆", birth_date=date(1950, 5, 1),
                                     relation="parent", needs=[], sex="female", now=now)
    child = services.add_dependant(employee, name="乐乐", birth_date=date(2020, 5, 1),
                                   relation="child", needs=[], now=now)
    assert (grandma.sex, child.sex) == (Sex.FEMALE, None)
    with pytest.raises(InvalidInput) as refused:
        services.add_dependant(employee, name="某人", birth_date=date(1950, 5, 1),
                               relation="parent", needs=[], sex="unknown", now=now)
    assert "sex" in refused.value.fields
