"""A campaign that includes family members: the employee books a check-up for their spouse
or child and ticks that the results may go into that family member's record in the
employee's own health profile; the provider uploads them there, screening runs for an
adult, and the employee reads each value explained in plain words. Nothing of it reaches
the enterprise, and the employee's own record is untouched."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from health import services as health_services
from health import sharing
from health.errors import HealthRecordNotFound
from health.models import CheckUp
from prevention import queries, reports, services
from prevention.errors import NoResultsConsent, PackageDoesNotFit, ResultsAlreadyReceived
from tests.pages import shows_number
from tests.prevention.factories import CampaignKit

RESULTS_CSV = ("source,systolic,diastolic,ldl,ldl_unit,fasting_glucose\n"
               "Kit Lab,146,94,158,mg/dL,5.2\n")
EN = {"Accept-Language": "en"}


@pytest.fixture
def kit(make) -> CampaignKit:
    kit = CampaignKit(make, includes_dependants=True)
    kit.checkup_service.allows_dependants = True
    db.session.commit()
    return kit



def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _family_member(user, *, name: str = "王芳", relation: str = "spouse", age: int = 52,
                   sex: str | None = None):
    today = park_today()
    born = date(today.year - age, today.month, 1) - timedelta(days=1)
    member = health_services.add_dependant(user, name=name, birth_date=born, sex=sex,
                                           relation=relation, needs=[], now=utcnow())
    db.session.commit()
    return member


def _after(checkup, hours: int = 1):
    return checkup.booking.starts_at + timedelta(hours=hours)


def _upload(kit, checkup, content: str = RESULTS_CSV):
    outcome = services.upload_results(checkup, actor=kit.staff, fmt="csv", content=content,
                                      now=_after(checkup))
    db.session.commit()
    return outcome


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def test_a_spouse_s_results_go_to_their_record_in_the_employee_s_profile(kit, outbox):
    employee = kit.person()
    spouse = _family_member(employee)
    checkup = kit.book(employee, dependant_id=spouse.id, consent=True)

    outcome = _upload(kit, checkup)

    record = db.session.get(CheckUp, checkup.health_checkup_id)
    assert (record.dependant_id, record.user_id) == (spouse.id, employee.id)
    assert record.measured_on == checkup.day and record.readings["systolic"] == 146
    assert health_services.list_checkups(employee) == []  # their own record is untouched
    assert health_services.screening_for(employee).flags == ()
    flags = health_services.screening_for_dependant(employee, spouse, today=checkup.day).flags
    assert {f.code for f in flags}  # screening ran on the spouse's values
    assert outcome.abnormal
    explained = {i.key: i for i in services.explained_results(checkup, actor=employee)}
    assert explained["systolic"].level.value == "high" and explained["systolic"].advice
    assert "LDL" in explained["ldl"].what_it_is
    mail = outbox[-1]
    assert "家属" in mail.body and not shows_number(mail.body, 146) and "王芳" not in mail.body
    notices = queries.home_notices(employee, today=checkup.day)
    assert [n.kind for n in notices if n.checkup] == ["family_results"]


def test_without_the_tick_a_family_member_s_results_are_refused(kit):
    employee = kit.person()
    checkup = kit.book(employee, dependant_id=_family_member(employee).id, consent=False)
    with pytest.raises(NoResultsConsent):
        _upload(kit, checkup)
    db.session.rollback()
    assert _count(CheckUp) == 0


def test_the_tick_can_be_given_after_booking_and_withdrawn_until_results_arrive(kit):
    employee = kit.person()
    checkup = kit.book(employee, dependant_id=_family_member(employee).id, consent=False)
    services.set_results_consent(checkup, actor=employee, consent=True, now=utcnow())
    db.session.commit()
    _upload(kit, checkup)
    with pytest.raises(ResultsAlreadyReceived):
        services.set_results_consent(checkup, actor=employee, consent=False, now=utcnow())


def test_a_child_s_results_are_kept_and_explained_without_adult_levels(kit):
    employee = kit.person()
    child = _family_member(employee, name="小明", relation="child", age=8)
    checkup = kit.book(employee, dependant_id=child.id, consent=True)

    outcome = _upload(kit, checkup)

    assert not outcome.abnormal  # adult thresholds do not judge a child
    assert health_services.screening_for_dependant(employee, child, today=checkup.day) is None
    explained = services.explained_results(checkup, actor=employee)
    assert explained and all(item.level is None and item.what_it_is for item in explained)
    assert services.is_child_checkup(checkup)


def test_the_enterprise_never_sees_a_family_member_s_check_up(kit):
    employee = kit.person()
    before = reports.live_completion(kit.campaign)
    checkup = kit.book(employee, dependant_id=_family_member(employee).id, consent=True)
    _upload(kit, checkup)
    eligible, completed = queries.eligible_and_completed_user_ids(
        enterprise_ids=[kit.enterprise.id], year=kit.campaign.year)
    assert employee.id in eligible and employee.id not in completed
    assert reports.live_completion(kit.campaign) == before


def test_the_export_holds_them_and_removing_the_family_member_removes_them(kit, make):
    employee = kit.person()
    aunt = _family_member(employee, name="李姨", relation="parent")
    values = {"systolic": 150.0, "diastolic": 96.0}
    health_services.save_checkup(employee, date(2026, 3, 1), "Clinic", values, utcnow(),
                                 dependant=aunt)
    db.session.commit()
    exported = sharing.export_everything(employee, now=utcnow())["dependant_checkups"]
    assert [(e["dependant_id"], e["readings"]) for e in exported] == [(aunt.id, values)]
    other = kit.person()
    with pytest.raises(HealthRecordNotFound):  # another person's family is not theirs
        health_services.list_checkups(other, dependant_id=aunt.id)
    health_services.delete_dependant(employee, dependant_id=aunt.id)
    db.session.commit()
    assert _count(CheckUp) == 0


def test_the_employee_reads_them_on_the_check_up_and_family_pages_and_the_api(client, kit,
                                                                               make):
    employee = kit.person()
    spouse = _family_member(employee)
    _sign_in(client, employee)
    booking_page = client.get(f"/me/checkups/campaigns/{kit.campaign.id}/book", headers=EN)
    assert "their own record in your health profile" in booking_page.text
    checkup = kit.book(employee, dependant_id=spouse.id, consent=True)
    provider_headers = {"Authorization": f"Bearer {make.token(kit.staff)}", **EN}
    listed = client.get(f"/api/v1/providers/{kit.provider.id}/campaign-checkups",
                        headers=provider_headers).json["items"]
    assert [(i["for_dependant"], i["results_consent"]) for i in listed] == [(True, True)]
    uploaded = client.post(f"/api/v1/campaign-checkups/{checkup.id}/results", json={
        "format": "csv", "content": RESULTS_CSV}, headers=provider_headers)
    assert uploaded.status_code == 409  # not due yet: the check-up is in three days
    _upload(kit, checkup)

    page = client.get(f"/me/checkups/{checkup.id}", headers=EN)
    assert page.status_code == 200
    assert "Results of 王芳, explained" in page.text and "High" in page.text
    family = client.get("/me/health/dependants", headers=EN)
    assert "Check-up results of 王芳" in family.text and "146" in family.text
    assert "王芳&#39;s blood pressure was 146/94" in family.text  # worded for her
    api = client.get(f"/api/v1/me/checkups/{checkup.id}",
                     headers={"Authorization": f"Bearer {make.token(employee)}", **EN}).json
    assert api["dependant_id"] == spouse.id and api["results_received"]
    assert {r["key"]: r["level"] for r in api["results"]}["systolic"] == "high"
    _sign_in(client, kit.admin)
    admin_page = client.get(f"/campaigns/{kit.campaign.id}", headers=EN)
    assert admin_page.status_code == 200
    words = re.sub(r"<[^>]+>", " ", admin_page.text)  # what is shown, not ids in links
    assert not shows_number(words, 146) and "王芳" not in words


def test_a_package_for_women_is_booked_for_a_wife_but_not_a_father_or_someone_whose_sex_is_unknown(
        kit):
    employee = kit.person(sex="male")
    wife = _family_member(employee, sex="female")
    checkup = kit.book(employee, code="enhanced", dependant_id=wife.id)
    assert checkup.package.code == "enhanced"
    father = _family_member(employee, name="王强", relation="parent", age=75, sex="male")
    with force_locale("en"), pytest.raises(PackageDoesNotFit) as refused:
        kit.book(employee, code="enhanced", dependant_id=father.id, days=4)
    assert "only" in str(refused.value.message)
    db.session.rollback()
    unknown = _family_member(employee, name="王敏", relation="parent", age=70)
    with force_locale("en"), pytest.raises(PackageDoesNotFit) as refused:
        kit.book(employee, code="enhanced", dependant_id=unknown.id, days=5)
    assert "Family page" in str(refused.value.message)
    db.session.rollback()
    assert services.fitting_packages(kit.campaign, services.person_on(
        employee, wife, kit.today)) == list(kit.campaign.packages)


def test_a_wife_s_waist_is_judged_by_the_threshold_for_women_once_her_sex_is_given(kit):
    employee = kit.person(sex="male")
    wife = _family_member(employee, sex="female")
    checkup = kit.book(employee, dependant_id=wife.id)
    _upload(kit, checkup, "source,waist\nKit Lab,87\n")  # central obesity for women, not men
    explained = {i.key: i for i in services.explained_results(checkup, actor=employee)}
    assert explained["waist"].level.value == "high"
    flags = health_services.screening_for_dependant(employee, wife, today=checkup.day).flags
    assert any("waist" in flag.code for flag in flags)


def test_without_her_sex_a_waist_gets_no_level(kit):
    employee = kit.person(sex="male")
    member = _family_member(employee)
    checkup = kit.book(employee, dependant_id=member.id)
    _upload(kit, checkup, "source,waist\nKit Lab,87\n")
    explained = {i.key: i for i in services.explained_results(checkup, actor=employee)}
    assert explained["waist"].level is None


def test_a_family_member_s_values_never_count_as_the_employee_s_own(kit):
    """One table holds both: the employee's own lists, screening and what providers may be
    shown read only the employee's rows."""
    employee = kit.person()
    spouse = _family_member(employee, sex="female")
    record = health_services.save_checkup(employee, park_today(), "Lab",
                                          {"systolic": 172.0, "diastolic": 104.0}, utcnow(),
                                          dependant=spouse)
    db.session.commit()
    assert health_services.list_checkups(employee) == []
    assert health_services.screening_for(employee).flags == ()
    assert sharing._checkups_of(employee.id) == []
    with pytest.raises(HealthRecordNotFound):
        health_services.get_checkup(employee, record.id)
    assert health_services.get_checkup(employee, record.id, dependant_id=spouse.id) == record
    assert health_services.list_checkups(employee, dependant_id=spouse.id) == [record]
