"""The health API under /api/v1/me/health."""

from __future__ import annotations

import pytest

from core.accounts.models import Role
from health import sharing


@pytest.fixture
def api(client, make, employee):
    token = make.token(employee)

    def call(method, path, headers=None, **kwargs):
        return client.open(f"/api/v1/me/health{path}", method=method,
                           headers={"Authorization": f"Bearer {token}", **(headers or {})},
                           **kwargs)

    return call


def test_checkups_flags_and_export(api):
    created = api("POST", "/checkups", json={
        "measured_on": "2026-10-12", "source": "Ruijin",
        "readings": {"systolic": {"value": 145}, "diastolic": {"value": 95},
                     "fasting_glucose": {"value": 126, "unit": "mg/dL"}}})
    assert created.status_code == 201
    assert created.get_json()["readings"]["fasting_glucose"] == 7.0
    page = api("GET", "/checkups").get_json()
    assert page["pagination"]["total"] == 1
    flags = api("GET", "/flags").get_json()
    assert flags["crisis"] is None
    bp = next(f for f in flags["flags"] if f["code"] == "bp_grade_1")
    assert "145/95 mmHg" in bp["evidence"] and bp["next_step"] == "intervene"
    export = api("GET", "/export").get_json()
    assert export["checkups"][0]["readings"]["systolic"] == 145
    assert api("DELETE", f"/checkups/{created.get_json()['id']}").status_code == 204


def test_bad_input_gets_a_clear_error_not_a_500(api):
    response = api("POST", "/checkups", json={
        "measured_on": "2026-10-12",
        "readings": {"systolic": {"value": 20}, "diastolic": {"value": 400}}})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_reading"
    assert "systolic" in response.get_json()["error"]["fields"]
    response = api("POST", "/questionnaires", json={"kind": "phq9", "answers": [1, 2]})
    assert response.get_json()["error"]["code"] == "incomplete_questionnaire"
    response = api("POST", "/checkups/import", json={
        "format": "csv", "content": "measured_on,weight\n2026-01-01,70\n2026-01-02,-1\n"})
    assert response.status_code == 422
    assert "row 2: weight" in response.get_json()["error"]["fields"]
    assert api("GET", "/checkups").get_json()["pagination"]["total"] == 0
    assert api("POST", "/checkups", data="x").status_code == 415


def test_questionnaire_definitions_for_apps(api):
    phq9 = api("GET", "/questionnaires/phq9", headers={"Accept-Language": "en"})
    body = phq9.get_json()
    assert body["name"] == "PHQ-9" and len(body["items"]) == 9 and body["max_score"] == 27
    assert body["items"][0]["options"][3] == "Nearly every day"
    assert api("GET", "/questionnaires/unknown").status_code == 404


def test_crisis_in_the_questionnaire_answer_and_recommendations(api):
    response = api("POST", "/questionnaires", json={"kind": "phq9",
                                                    "answers": [0] * 8 + [2]})
    body = response.get_json()
    assert response.status_code == 201
    assert [line["number"] for line in body["crisis"]["lines"]][:2] == ["962525", "12356"]
    recs = api("GET", "/recommendations").get_json()
    assert recs["crisis"] and recs["services"] == [] and recs["advice"] == []


def test_profile_dependants_consents_access_log_and_delete(api, make, employee):
    provider = make.provider(park=employee.active_memberships[0].enterprise.park)
    staff = make.user(Role.PROVIDER_STAFF, provider=provider)
    assert api("GET", "/profile").get_json()["exists"] is False
    saved = api("PUT", "/profile", json={"sex": "male", "sleep_hours": 5, "goals": ["stress"]})
    assert saved.get_json()["exists"] is True
    assert api("PUT", "/profile", json={"sleep_hours": 30}).status_code == 422
    dependant = api("POST", "/dependants", json={
        "name": "Grandma", "birth_date": "1948-02-01", "sex": "female", "relation": "parent",
        "needs": ["eldercare"]})
    assert dependant.status_code == 201 and dependant.get_json()["sex"] == "female"
    assert api("POST", "/dependants", json={
        "name": "Grandpa", "birth_date": "1946-02-01", "sex": "other", "relation": "parent",
    }).status_code == 422
    assert api("GET", f"/recommendations?dependant_id={dependant.get_json()['id']}"
               ).status_code == 200
    consent = api("POST", "/consents", json={"provider_id": provider.id,
                                             "fields": ["lifestyle"], "days": 7})
    assert consent.status_code == 201 and consent.get_json()["status"] == "active"
    sharing.read_shared_health(accessor=staff, provider=provider, owner_id=employee.id,
                               now=sharing.list_consents(employee)[0].valid_from)
    make.commit()
    log = api("GET", "/access-log").get_json()["items"]
    assert log[0]["accessor_name"] == staff.display_name
    revoked = api("POST", f"/consents/{consent.get_json()['id']}/revoke")
    assert revoked.get_json()["status"] == "revoked"
    assert api("POST", f"/consents/{consent.get_json()['id']}/revoke").status_code == 409
    assert api("DELETE", "/profile").status_code == 204
    assert api("GET", "/dependants").get_json()["items"] == []


def test_the_openapi_document_lists_the_health_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/me/health/profile", "/api/v1/me/health/checkups",
                 "/api/v1/me/health/questionnaires", "/api/v1/me/health/flags",
                 "/api/v1/me/health/recommendations", "/api/v1/me/health/dependants",
                 "/api/v1/me/health/consents", "/api/v1/me/health/access-log",
                 "/api/v1/me/health/export"):
        assert path in paths
