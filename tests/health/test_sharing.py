"""Consent windows, the provider's read, the access log, export and deletion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, func, select

from core.accounts.models import ProviderLevel, Role
from core.db import db
from core.errors import Forbidden, NotFound
from health import services, sharing
from health.errors import (
    ConsentAlreadyRevoked,
    ConsentNotFound,
    InvalidConsent,
    NoConsent,
    StillReferenced,
)
from health.models import (
    AccessLogEntry,
    CheckUp,
    Consent,
    Dependant,
    HealthProfile,
    QuestionnaireResponse,
)
from health.signals import dependant_deleting, profile_deleting


@pytest.fixture
def provider(make, employee):
    return make.provider(park=employee.active_memberships[0].enterprise.park)


@pytest.fixture
def staff(make, provider):
    return make.user(Role.PROVIDER_STAFF, provider=provider)


@pytest.fixture
def record(employee, now):
    services.record_checkup(employee, measured_on=date(2026, 10, 12), source="Ruijin",
                            readings={"systolic": (145, None), "diastolic": (95, None),
                                      "fasting_glucose": (6.5, None), "weight": (80, "kg"),
                                      "height": (175, "cm")}, now=now)
    services.update_profile(employee, sex="male", birth_year=1985, smoking="current",
                            activity_minutes_per_week=60, sleep_hours=6, goals=["back_pain"],
                            now=now)
    services.submit_questionnaire(employee, kind="phq9", answers=[1] * 8 + [0], now=now)
    services.add_dependant(employee, name="王奶奶", birth_date=date(1950, 3, 3),
                           relation="parent", needs=["eldercare"], now=now)


def _read(staff, provider, employee, at):
    return sharing.read_shared_health(accessor=staff, provider=provider,
                                      owner_id=employee.id, now=at)


def test_provider_reads_only_shared_fields_within_the_window(employee, provider, staff,
                                                             record, now):
    starts, ends = now + timedelta(days=2), now + timedelta(days=2, hours=1)
    consent = sharing.consent_for_booking(employee, provider_id=provider.id, category="tcm",
                                          booking_starts_at=starts, booking_ends_at=ends,
                                          now=now, purpose="booking:1")
    assert consent.valid_until == ends + timedelta(days=sharing.BOOKING_GRACE_DAYS)
    shared = _read(staff, provider, employee, now + timedelta(days=1))
    assert set(shared.readings) == {"systolic", "diastolic", "weight", "height", "bmi"}
    assert "fasting_glucose" not in shared.readings
    assert shared.questionnaires == {}
    assert shared.lifestyle["smoking"] == "current"
    # after the window
    with pytest.raises(NoConsent):
        _read(staff, provider, employee, consent.valid_until)
    # before the window
    later = sharing.grant_consent(employee, provider_id=provider.id, fields=["glucose"],
                                  valid_from=now + timedelta(days=30),
                                  valid_until=now + timedelta(days=40), now=now)
    with pytest.raises(NoConsent):
        _read(staff, provider, employee, consent.valid_until + timedelta(days=1))
    assert "fasting_glucose" in _read(staff, provider, employee,
                                      later.valid_from).readings


def test_a_revoked_consent_ends_access_at_once(employee, provider, staff, record, now):
    consent = sharing.share_for_days(employee, provider_id=provider.id,
                                     fields=["mental_health"], days=7, now=now)
    assert _read(staff, provider, employee, now).questionnaires["phq9"][0] == 8
    sharing.revoke_consent(employee, consent_id=consent.id, now=now + timedelta(hours=1))
    with pytest.raises(NoConsent):
        _read(staff, provider, employee, now + timedelta(hours=1))
    with pytest.raises(ConsentAlreadyRevoked):
        sharing.revoke_consent(employee, consent_id=consent.id, now=now)


def test_a_provider_without_consent_and_others_are_refused(make, employee, provider, staff,
                                                           record, now):
    sharing.share_for_days(employee, provider_id=provider.id, fields=["body"], days=7,
                           now=now)
    other_provider = make.provider(park=provider.park)
    other_staff = make.user(Role.PROVIDER_STAFF, provider=other_provider,
                            provider_level=ProviderLevel.OWNER)
    with pytest.raises(NoConsent):
        _read(other_staff, other_provider, employee, now)
    with pytest.raises(NotFound):  # staff of another provider asking for this one
        _read(other_staff, provider, employee, now)
    admin = make.user(Role.ENTERPRISE_ADMIN,
                      enterprise=employee.active_memberships[0].enterprise)
    with pytest.raises(NotFound):
        _read(admin, provider, employee, now)
    with pytest.raises(Forbidden):
        _read(make.user(Role.PLATFORM_ADMIN), provider, employee, now)
    with pytest.raises(Forbidden):
        sharing.list_consents(admin)
    with pytest.raises(Forbidden):
        sharing.export_everything(admin, now=now)


def test_every_read_by_someone_else_is_in_the_owner_access_log(employee, provider, staff,
                                                               record, now):
    sharing.share_for_days(employee, provider_id=provider.id, fields=["body", "lifestyle"],
                           days=7, now=now)
    _read(staff, provider, employee, now)
    _read(staff, provider, employee, now + timedelta(minutes=5))
    services.list_checkups(employee)  # the owner's own reads are not logged
    log = sharing.access_log(employee)
    assert len(log) == 2
    assert log[0].accessor_id == staff.id and log[0].provider_id == provider.id
    assert log[0].fields == "body lifestyle"


def test_consents_are_checked(make, employee, provider, now):
    with pytest.raises(InvalidConsent):
        sharing.share_for_days(employee, provider_id=provider.id, fields=[], days=7, now=now)
    with pytest.raises(InvalidConsent):
        sharing.share_for_days(employee, provider_id=provider.id, fields=["bogus"], days=7,
                               now=now)
    with pytest.raises(InvalidConsent):
        sharing.share_for_days(employee, provider_id=provider.id, fields=["body"], days=91,
                               now=now)
    elsewhere = make.provider(park=make.park())
    with pytest.raises(InvalidConsent):
        sharing.share_for_days(employee, provider_id=elsewhere.id, fields=["body"], days=7,
                               now=now)
    other = make.user(Role.EMPLOYEE)
    consent = sharing.share_for_days(employee, provider_id=provider.id, fields=["body"],
                                     days=7, now=now)
    with pytest.raises(ConsentNotFound):
        sharing.revoke_consent(other, consent_id=consent.id, now=now)
    assert sharing.consent_for_booking(
        employee, provider_id=provider.id, category="culture", booking_starts_at=now,
        booking_ends_at=now + timedelta(hours=1), now=now) is None


def test_export_holds_everything(employee, provider, staff, record, now):
    sharing.share_for_days(employee, provider_id=provider.id, fields=["body"], days=7,
                           now=now)
    _read(staff, provider, employee, now)
    data = sharing.export_everything(employee, now=now)
    assert data["profile"]["smoking"] == "current"
    assert data["checkups"][0]["readings"]["systolic"] == 145
    assert data["checkups"][0]["bmi"] == 26.1
    assert data["questionnaires"][0]["score"] == 8
    assert {f["code"] for f in data["risk_flags"]} >= {"bp_grade_1", "glucose_impaired"}
    assert data["dependants"][0]["name"] == "王奶奶"
    assert data["consents"][0]["fields"] == ["body"]
    assert len(data["access_log"]) == 1


def test_deleting_the_profile_deletes_everything(make, employee, provider, staff, record,
                                                 now):
    other = make.user(Role.EMPLOYEE)
    services.record_checkup(other, measured_on=date(2026, 1, 1), source="",
                            readings={"weight": (60, "kg")}, now=now)
    sharing.share_for_days(employee, provider_id=provider.id, fields=["body"], days=7,
                           now=now)
    _read(staff, provider, employee, now)
    sharing.delete_profile(employee, now=now)
    db.session.commit()
    for model in (HealthProfile, CheckUp, QuestionnaireResponse, Dependant, Consent,
                  AccessLogEntry):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.user_id == employee.id)) == 0
    assert len(services.list_checkups(other)) == 1
    with pytest.raises(NoConsent):
        _read(staff, provider, employee, now)


def test_deletion_tells_other_packages_first_and_refuses_while_still_referenced(
        employee, now):
    child = services.add_dependant(employee, name="小明", birth_date=date(2020, 1, 1),
                                   relation="child", needs=[], now=now)
    heard = []

    def receiver(sender, **kwargs):
        heard.append(sender)

    with dependant_deleting.connected_to(receiver), profile_deleting.connected_to(receiver):
        services.delete_dependant(employee, dependant_id=child.id)
        sharing.delete_profile(employee, now=now)
    assert heard == [child, employee]

    child = services.add_dependant(employee, name="小红", birth_date=date(2021, 1, 1),
                                   relation="child", needs=[], now=now)
    bookings = Table("test_bookings", MetaData(), Column("id", Integer, primary_key=True),
                     Column("dependant_id", ForeignKey(Dependant.__table__.c.id)))
    bookings.create(db.session.connection())
    try:
        db.session.execute(bookings.insert().values(id=1, dependant_id=child.id))
        with pytest.raises(StillReferenced):
            services.ensure_unreferenced(Dependant, [child.id], tables=[bookings])
        services.ensure_unreferenced(Dependant, [child.id + 1], tables=[bookings])
    finally:
        bookings.drop(db.session.connection())
