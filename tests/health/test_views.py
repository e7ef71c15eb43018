"""The health pages, through the real login."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import current_app

from core.accounts.models import Role
from core.clock import utcnow
from health import services, sharing
from health.recommendations import CandidatePool, CandidateService, set_candidate_source
from tests.factories import PASSWORD


@pytest.fixture
def signed_in(auth, employee):
    auth.login(employee.email, PASSWORD)
    return employee


def _checkup_form(**overrides):
    return {"measured_on": "2026-10-12", "source": "Ruijin", "systolic": "145",
            "diastolic": "95", "fasting_glucose": "126", "fasting_glucose_unit": "mg/dL",
            "hba1c_unit": "%", "lipid_unit": "mmol/L", "uric_acid_unit": "µmol/L",
            "weight": "80", "height": "175"} | overrides


def test_a_checkup_entered_by_hand_shows_flags_and_trends(client, signed_in):
    response = client.post("/me/health/checkups", data=_checkup_form())
    assert response.status_code == 302
    page = client.get("/me/health/").get_data(as_text=True)
    assert "145/95 mmHg" in page
    assert "<svg" in page and "<title" in page
    assert "中国高血压防治指南（2024年修订版）" in page


def test_impossible_values_are_shown_next_to_the_field(client, signed_in):
    response = client.post("/me/health/checkups",
                           data=_checkup_form(systolic="20", diastolic="400", weight="-5"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="field-error"') >= 2
    assert services.list_checkups(signed_in) == []


def test_phq9_item_9_shows_crisis_help_and_no_services(client, signed_in):
    set_candidate_source(current_app, lambda user_id, dependant_id, now: CandidatePool([
        CandidateService(1, "Counselling", frozenset({"depression"}), "counselling")]))
    try:
        data = {f"q{n}": "1" for n in range(1, 10)}
        page = client.post("/me/health/questionnaires/phq9", data=data).get_data(as_text=True)
        assert "962525" in page and "12356" in page
        recs = client.get("/me/health/recommendations").get_data(as_text=True)
        assert "962525" in recs and "Counselling" not in recs
    finally:
        set_candidate_source(current_app, None)


def test_an_incomplete_questionnaire_is_refused(client, signed_in):
    response = client.post("/me/health/questionnaires/gad7", data={"q1": "1"})
    assert response.status_code == 422
    assert client.get("/me/health/questionnaires/unknown").status_code == 404


def test_recommendations_without_a_catalogue_show_the_next_steps(client, signed_in, now):
    services.record_checkup(signed_in, measured_on=date(2026, 10, 12), source="",
                            readings={"systolic": (145, None), "diastolic": (95, None)},
                            now=now)
    page = client.get("/me/health/recommendations").get_data(as_text=True)
    assert "145/95 mmHg" in page


def test_recommendations_rank_services_from_the_source(client, signed_in, now):
    services.record_checkup(signed_in, measured_on=date(2026, 10, 12), source="",
                            readings={"systolic": (145, None), "diastolic": (95, None)},
                            now=now)
    set_candidate_source(current_app, lambda user_id, dependant_id, now: CandidatePool([
        CandidateService(1, "Tuina for neck", frozenset({"back_pain"}), "tcm"),
        CandidateService(2, "BP clinic", frozenset({"hypertension"}), "tcm", price_minor=8800,
                         series_sessions=8)]))
    try:
        page = client.get("/me/health/recommendations").get_data(as_text=True)
    finally:
        set_candidate_source(current_app, None)
    assert "BP clinic" in page and "Tuina for neck" not in page


def test_a_report_file_is_imported_or_refused_as_a_whole(client, signed_in):
    bad = b"measured_on,weight\n2026-01-01,70\n2026-02-01,-70\n"
    response = client.post("/me/health/checkups/import",
                           data={"file": (io.BytesIO(bad), "report.csv")},
                           content_type="multipart/form-data",
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Row 2" in response.get_data(as_text=True)
    assert services.list_checkups(signed_in) == []
    good = b'{"checkups": [{"measured_on": "2026-01-01", "weight": 70}]}'
    response = client.post("/me/health/checkups/import",
                           data={"file": (io.BytesIO(good), "report.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(services.list_checkups(signed_in)) == 1


def test_profile_dependants_sharing_export_and_delete_pages(client, signed_in, make, now):
    provider = make.provider(park=signed_in.active_memberships[0].enterprise.park)
    assert client.post("/me/health/profile", data={
        "sex": "female", "birth_year": "1990", "smoking": "never",
        "activity_minutes_per_week": "60", "sleep_hours": "5.5",
        "goals": ["stress"]}).status_code == 302
    assert client.post("/me/health/dependants", data={
        "name": "小明", "birth_date": "2019-06-01", "sex": "male", "relation": "child",
        "needs": ["childcare"]}).status_code == 302
    family = client.get("/me/health/dependants", headers={"Accept-Language": "en"})
    assert "小明" in family.get_data(as_text=True) and " · Male · " in family.get_data(as_text=True)
    assert client.post("/me/health/dependants", data={
        "name": "小红", "birth_date": "2019-06-01", "sex": "x", "relation": "child"}
    ).status_code == 400
    assert client.post("/me/health/sharing", data={
        "provider_id": str(provider.id), "fields": ["lifestyle"], "days": "7"}
    ).status_code == 302
    consent = sharing.list_consents(signed_in)[0]
    assert client.post(f"/me/health/sharing/{consent.id}/revoke").status_code == 302
    export = client.get("/me/health/export")
    assert export.mimetype == "application/json"
    assert export.get_json()["dependants"][0]["name"] == "小明"
    assert client.post("/me/health/delete", data={}).status_code == 400
    assert client.post("/me/health/delete", data={"confirm": "y"}).status_code == 302
    assert services.get_profile(signed_in) is None


def test_provider_staff_see_shared_fields_and_the_read_is_logged(client, auth, make,
                                                                 employee, now):
    provider = make.provider(park=employee.active_memberships[0].enterprise.park)
    staff = make.user(Role.PROVIDER_STAFF, provider=provider)
    services.record_checkup(employee, measured_on=date(2026, 10, 12), source="",
                            readings={"systolic": (145, None), "diastolic": (95, None),
                                      "fasting_glucose": (7.4, None)}, now=now)
    sharing.share_for_days(employee, provider_id=provider.id, fields=["blood_pressure"],
                           days=7, now=utcnow())
    make.commit()
    auth.login(staff.email, PASSWORD)
    listing = client.get(f"/providers/{provider.id}/health-clients").get_data(as_text=True)
    assert employee.display_name in listing
    page = client.get(f"/providers/{provider.id}/health-clients/{employee.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "145" in text and "7.4" not in text
    assert len(sharing.access_log(employee)) == 1


def test_enterprise_admins_never_reach_health_pages(client, auth, make):
    admin = make.user(Role.ENTERPRISE_ADMIN)
    auth.login(admin.email, PASSWORD)
    for path in ("/me/health/", "/me/health/checkups", "/me/health/export",
                 "/me/health/sharing"):
        assert client.get(path).status_code == 403


def test_health_pages_speak_chinese(client, signed_in, now):
    services.record_checkup(signed_in, measured_on=date(2026, 10, 12), source="",
                            readings={"systolic": (145, None), "diastolic": (95, None)},
                            now=now)
    page = client.get("/me/health/", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True)
    assert "我的健康" in page
    assert "血压处于1级高血压范围" in page
    assert "的血压为 145/95 mmHg" in page
