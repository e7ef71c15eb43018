"""The care pages and API: an employee signs and logs readings, the physician plans and
reads, committees and enterprises see the outcomes page, its chart and CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from care import agreements
from care.models import CareAgreement, CarePlan, HomeMeasurement
from core.accounts.models import Role
from core.db import db
from tests.care.factories import CareKit
from tests.pages import main_of

EN = {"Accept-Language": "en"}


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make)


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _headers(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}", **EN}


def test_employee_signs_through_the_pages_and_logs_a_reading(client, kit):
    employee = kit.employee()
    _sign_in(client, employee)
    page = client.get(f"/care/teams/{kit.team.id}", headers=EN)
    assert page.status_code == 200 and "Family physician service agreement" in page.text
    form = {"starts_on": kit.today().isoformat(), "terms_version": "1",
            "terms_sha256": agreements.terms_digest(kit.team.terms_en),
            "share_fields": ["blood_pressure"]}
    refused = client.post(f"/care/teams/{kit.team.id}/sign", data=form, headers=EN)
    assert refused.status_code == 422 and "accept the terms" in refused.text
    response = client.post(f"/care/teams/{kit.team.id}/sign", data=form | {"accept_terms": "y"},
                           headers=EN)
    assert response.status_code == 302
    agreement = db.session.scalar(select(CareAgreement))
    bad = client.post(f"/care/agreements/{agreement.id}/measurements", headers=EN, data={
        "kind": "blood_pressure", "systolic": "300", "diastolic": "90"})
    assert bad.status_code == 422 and "not a possible value" in bad.text
    assert db.session.scalar(select(func.count()).select_from(HomeMeasurement)) == 0
    ok = client.post(f"/care/agreements/{agreement.id}/measurements", headers=EN, data={
        "kind": "blood_pressure", "systolic": "138", "diastolic": "88"})
    assert ok.status_code == 302
    page = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "<svg" in main_of(page.text) and "<script" not in main_of(page.text)
    again = client.post(f"/care/teams/{kit.team.id}/sign", data=form | {"accept_terms": "y"},
                        headers=EN)
    assert again.status_code == 409 and "already have" in again.text


def test_physician_sets_a_plan_and_loses_the_page_when_the_agreement_ends(client, kit,
                                                                      monkeypatch):
    employee = kit.employee()
    agreement = kit.sign(employee)
    _sign_in(client, kit.physician)
    assert client.get(f"/care/providers/{kit.provider.id}/patients").status_code == 200
    response = client.post(f"/care/agreements/{agreement.id}/plan", data={
        "bp_target_systolic": "135", "bp_target_diastolic": "85",
        "bp_alert_systolic": "160", "bp_alert_diastolic": "100",
        "bp_due_on": (kit.today() + timedelta(days=90)).isoformat(),
        "activity_target": "150", "activity_due_on": (kit.today() + timedelta(days=30))
        .isoformat()})
    assert response.status_code == 302
    assert len(db.session.scalar(select(CarePlan)).goals) == 2
    monkeypatch.setattr("care.views.utcnow", lambda: agreement.ends_at)
    assert client.get(f"/care/agreements/{agreement.id}").status_code == 404


def test_api_sign_measure_and_message_with_clear_errors(client, make, kit):
    employee = kit.employee()
    headers = _headers(make, employee)
    teams = client.get("/api/v1/care/teams", headers=headers).json["items"]
    team = teams[0]
    body = {"starts_on": kit.today().isoformat(), "accept_terms": True,
            "terms_version": team["terms_version"], "terms_sha256": team["terms_sha256"],
            "share_fields": ["blood_pressure", "body"]}
    created = client.post(f"/api/v1/care/teams/{team['id']}/agreements", json=body,
                          headers=headers)
    assert created.status_code == 201, created.json
    agreement_id = created.json["id"]
    twice = client.post(f"/api/v1/care/teams/{team['id']}/agreements", json=body,
                        headers=headers)
    assert twice.status_code == 409
    assert twice.json["error"]["code"] == "care_agreement_overlaps"
    impossible = client.post(f"/api/v1/care/agreements/{agreement_id}/measurements",
                             json={"kind": "weight", "value": 900}, headers=headers)
    assert impossible.status_code == 422
    assert impossible.json["error"]["code"] == "care_impossible_measurement"
    assert "value" in impossible.json["error"]["fields"]
    ok = client.post(f"/api/v1/care/agreements/{agreement_id}/messages",
                     json={"body": "您好"}, headers=headers)
    assert ok.status_code == 201
    physician = _headers(make, kit.physician)
    shared = client.get(f"/api/v1/care/agreements/{agreement_id}/shared-health",
                        headers=physician)
    assert shared.status_code == 200 and shared.json["fields"] == ["blood_pressure", "body"]
    stranger = _headers(make, kit.outsider_staff)
    assert client.get(f"/api/v1/care/agreements/{agreement_id}",
                      headers=stranger).status_code == 404


def test_outcomes_pages_csv_and_api(client, make, kit):
    committee = make.user(Role.COMMITTEE_MEMBER, park=kit.park)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    _sign_in(client, committee)
    page = client.get(f"/care/parks/{kit.park.id}/outcomes", headers=EN)
    assert page.status_code == 200 and "<svg" in page.text and "withheld" in page.text
    csv_response = client.get(f"/care/parks/{kit.park.id}/outcomes.csv", headers=EN)
    assert csv_response.mimetype == "text/csv" and "checkup_completion" in csv_response.text
    assert client.get(f"/care/enterprises/{kit.enterprise.id}/outcomes").status_code == 404
    api = client.get(f"/api/v1/enterprises/{kit.enterprise.id}/care/outcomes?year=2026",
                     headers=_headers(make, admin))
    assert api.status_code == 200 and api.json["min_group"] == 5
    assert api.json["released_at"]
    assert api.json["year"] == 2026


def test_care_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/care/agreements/{agreement_id}/measurements" in paths
    assert "/api/v1/parks/{park_id}/care/outcomes" in paths
