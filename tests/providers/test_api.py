"""The providers API: catalogue reads, slots, and the provider side's writes."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from core.accounts.models import ProviderStatus, Role
from core.clock import utcnow
from core.db import db
from providers.holidays import DayKind, day_kind
from tests.providers.conftest import NOW


@pytest.fixture
def employee(make, kit):
    return make.user(Role.EMPLOYEE, enterprise=make.enterprise(park=kit.park))


def bearer(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}"}


def test_employees_list_verified_providers_of_their_park_filtered_by_category(
        client, make, kit, employee):
    from providers import services
    from providers.schemas import ProfileData
    services.update_profile(kit.provider, ProfileData(categories=["tcm"]), actor=kit.owner,
                            now=NOW)
    make.provider(park=kit.park, status=ProviderStatus.PENDING)
    make.provider(park=make.park())
    make.commit()
    headers = bearer(make, employee)
    body = client.get("/api/v1/providers", headers=headers).get_json()
    assert [p["id"] for p in body["items"]] == [kit.provider.id]
    assert body["items"][0]["categories"] == ["tcm"]
    assert client.get("/api/v1/providers?category=counselling",
                      headers=headers).get_json()["items"] == []
    bad = client.get("/api/v1/providers?category=astrology", headers=headers)
    assert bad.status_code == 422
    assert "category" in bad.get_json()["error"]["fields"]


def test_provider_detail_hides_unverified_practitioners_from_employees(client, make, kit,
                                                                       employee):
    kit.add_practitioner("Dr Li").status = "pending"
    make.commit()
    employee_view = client.get(f"/api/v1/providers/{kit.provider.id}",
                               headers=bearer(make, employee)).get_json()
    owner_view = client.get(f"/api/v1/providers/{kit.provider.id}",
                            headers=bearer(make, kit.owner)).get_json()
    assert [p["name_en"] for p in employee_view["practitioners"]] == ["Dr Wang"]
    assert len(owner_view["practitioners"]) == 2


def test_slots_of_a_service_within_a_window(client, make, kit, employee):
    kit.rule(rrule="FREQ=WEEKLY;BYDAY=MO", start=time(9), end=time(11))
    service = kit.service(min_notice_minutes=0)
    make.commit()
    monday = utcnow().date() + timedelta(days=7 - utcnow().weekday())
    while day_kind(monday) is DayKind.HOLIDAY:  # next Monday may be in National Day
        monday += timedelta(days=7)
    url = (f"/api/v1/services/{service.id}/slots?from={monday}T00:00:00%2B08:00"
           f"&to={monday + timedelta(days=1)}T00:00:00%2B08:00")
    response = client.get(url, headers=bearer(make, employee))
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [(i["starts_at"][:16], i["remaining"]) for i in items] == [
        (f"{monday}T01:00", 1),
        (f"{monday}T02:00", 1)]
    assert items[0]["practitioner_id"] == kit.practitioner.id


@pytest.mark.parametrize("query", [
    "from=2030-01-08&to=2030-01-07", "from=2030-01-01&to=2030-06-01", "from=yesterday&to=x",
    "to=2030-01-01",
])
def test_bad_slot_windows_are_422(client, make, kit, employee, query):
    service = kit.service()
    make.commit()
    response = client.get(f"/api/v1/services/{service.id}/slots?{query}",
                          headers=bearer(make, employee))
    assert response.status_code == 422


def test_the_owner_manages_services_rules_and_exceptions(client, make, kit):
    headers = bearer(make, kit.owner)
    created = client.post(f"/api/v1/providers/{kit.provider.id}/services", headers=headers,
                          json=kit.service_data().model_dump(mode="json"))
    assert created.status_code == 201, created.get_json()
    service_id = created.get_json()["id"]
    changed = client.put(f"/api/v1/services/{service_id}", headers=headers,
                         json=kit.service_data(capacity=4).model_dump(mode="json"))
    assert changed.get_json()["capacity"] == 4

    rule = client.post(f"/api/v1/practitioners/{kit.practitioner.id}/rules", headers=headers,
                       json={"rrule": "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231",
                             "starts_on": "2026-09-01", "start_time": "09:00",
                             "end_time": "12:00"})
    assert rule.status_code == 201, rule.get_json()
    assert rule.get_json()["timezone"] == "Asia/Shanghai"
    overlap = client.post(f"/api/v1/practitioners/{kit.practitioner.id}/rules",
                          headers=headers,
                          json={"rrule": "FREQ=WEEKLY;BYDAY=TH", "starts_on": "2026-09-01",
                                "start_time": "11:00", "end_time": "13:00"})
    assert overlap.status_code == 409
    assert overlap.get_json()["error"]["code"] == "rules_overlap"
    listed = client.get(f"/api/v1/practitioners/{kit.practitioner.id}/rules", headers=headers)
    assert len(listed.get_json()["items"]) == 1

    exception = client.post(f"/api/v1/practitioners/{kit.practitioner.id}/exceptions",
                            headers=headers, json={"kind": "closed", "happens_on": "2026-09-03"})
    assert exception.status_code == 201
    exception_id = exception.get_json()["id"]
    assert client.delete(f"/api/v1/exceptions/{exception_id}",
                         headers=headers).status_code == 204
    items = client.get(f"/api/v1/practitioners/{kit.practitioner.id}/exceptions",
                       headers=headers).get_json()["items"]
    assert items[0]["cancelled"] is True and items[0]["sequence"] == 1
    assert client.delete(f"/api/v1/rules/{rule.get_json()['id']}",
                         headers=headers).status_code == 204


@pytest.mark.parametrize(("body", "field"), [
    ({"rrule": "FREQ=WEEKLY", "starts_on": "2026-09-01", "start_time": "12:00",
      "end_time": "09:00"}, "end_time"),
    ({"rrule": "FREQ=WEEKLY", "starts_on": "2026-09-01", "start_time": "09:00",
      "end_time": "12:00", "timezone": "Nowhere/Land"}, "timezone"),
    ({"rrule": "FREQ=WEEKLY", "starts_on": "not a date", "start_time": "09:00",
      "end_time": "12:00"}, "starts_on"),
    ({"rrule": "FREQ=WEEKLY;BYHOUR=9", "starts_on": "2026-09-01", "start_time": "09:00",
      "end_time": "12:00"}, "rrule"),
])
def test_bad_rules_get_clear_field_errors(client, make, kit, body, field):
    response = client.post(f"/api/v1/practitioners/{kit.practitioner.id}/rules",
                           headers=bearer(make, kit.owner), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(("change", "field"), [
    ({"capacity": 0}, "capacity"), ({"price_minor": -100}, "price_minor"),
    ({"category": "astrology"}, "category"),
])
def test_bad_services_are_422(client, make, kit, change, field):
    body = kit.service_data().model_dump(mode="json") | change
    response = client.post(f"/api/v1/providers/{kit.provider.id}/services",
                           headers=bearer(make, kit.owner), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_the_committee_verifies_a_practitioner(client, make, kit):
    pending = kit.add_practitioner("Dr Zhao")
    pending.status = "pending"
    committee = make.user(Role.COMMITTEE_MEMBER, park=kit.park)
    make.commit()
    response = client.post(f"/api/v1/practitioners/{pending.id}/review",
                           headers=bearer(make, committee), json={"decision": "approve"})
    assert response.get_json()["status"] == "verified"
    db.session.refresh(pending)


def test_every_providers_operation_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/providers", "/api/v1/providers/{provider_id}",
                 "/api/v1/services/{service_id}", "/api/v1/services/{service_id}/slots",
                 "/api/v1/practitioners/{practitioner_id}/rules",
                 "/api/v1/practitioners/{practitioner_id}/exceptions"):
        assert path in paths
    params = [p["name"] for p in paths["/api/v1/services/{service_id}/slots"]["get"][
        "parameters"]]
    assert {"from", "to"} <= set(params)


@pytest.mark.parametrize("path", [
    "/api/v1/services/99999999999999999999", "/api/v1/providers/99999999999999999999",
    "/api/v1/practitioners/99999999999999999999/rules",
])
def test_ids_beyond_any_row_are_404_not_500(client, make, kit, path):
    make.commit()
    assert client.get(path, headers=bearer(make, kit.owner)).status_code == 404


@pytest.mark.parametrize("query", ["from=9999-12-30&to=9999-12-31",
                                   "from=0001-01-01&to=0001-01-02"])
def test_windows_at_the_ends_of_the_calendar_are_422(client, make, kit, query):
    service = kit.service()
    make.commit()
    response = client.get(f"/api/v1/services/{service.id}/slots?{query}",
                          headers=bearer(make, kit.owner))
    assert response.status_code == 422


@pytest.mark.parametrize("body", [
    {"rrule": "FREQ=WEEKLY", "starts_on": "9999-12-31", "start_time": "09:00",
     "end_time": "12:00"},
    {"rrule": "FREQ=WEEKLY", "starts_on": "2026-09-01", "start_time": "09:00+08:00",
     "end_time": "12:00+08:00"},
    {"rrule": "FREQ=WEEKLY;UNTIL=99999999", "starts_on": "2026-09-01", "start_time": "09:00",
     "end_time": "12:00"},
    {"rrule": "FREQ=WEEKLY", "starts_on": "2026-09-01", "start_time": "09:00",
     "end_time": "12:00", "timezone": "\u0000"},
    {"rrule": "FREQ=WEEKLY", "starts_on": "2026-09-01", "start_time": "09:00",
     "end_time": "12:00", "timezone": "../../../etc/passwd"},
])
def test_hostile_rules_are_refused_without_a_500(client, make, kit, body):
    response = client.post(f"/api/v1/practitioners/{kit.practitioner.id}/rules",
                           headers=bearer(make, kit.owner), json=body)
    assert response.status_code == 422


def test_a_huge_practitioner_id_in_a_service_is_a_field_error(client, make, kit):
    body = kit.service_data().model_dump(mode="json") | {"practitioner_ids": [2**40]}
    response = client.post(f"/api/v1/providers/{kit.provider.id}/services",
                           headers=bearer(make, kit.owner), json=body)
    assert response.status_code == 422
