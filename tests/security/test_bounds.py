"""Bounds everywhere (issue 20): page numbers past 2^63, ids past 2^31, JSON nested 5,000
deep, NUL characters, days in year 1 or 9999 and months 0000/9999 are refused with a
stable JSON code (API) or a translated page (HTML), never a 500; and the OpenAPI
document declares every bound the server holds requests to."""

from __future__ import annotations

import pytest

from core.accounts.models import Role
from core.accounts.models import User as UserModel
from core.api.validation import DATE_PATTERN, DATETIME_PATTERN, TEXT_PATTERN
from core.bounds import MAX_ID, MAX_PAGE
from core.db import db
from tests.benefits.factories import programme, put_on_roster
from tests.booking.factories import BookingKit

PAST_2_63 = str(2**63 + 5)
PAST_2_31 = str(2**31 + 5)
CHINESE = {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(make):
    kit = BookingKit(make)
    service = kit.service()
    employee = put_on_roster(kit.enterprise, kit.employee())
    hr = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    pot = programme(make, kit.enterprise)
    return {"kit": kit, "service": service, "employee": employee, "hr": hr,
            "owner": kit.owner, "provider": kit.provider, "practitioner": kit.practitioner,
            "enterprise": kit.enterprise, "programme": pot}


def bearer(make, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {make.token(user)}", **CHINESE}


def error_of(response) -> dict:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.is_json, response.get_data(as_text=True)[:300]
    return response.get_json()["error"]


# -- the API -------------------------------------------------------------------------------

#: (who, path, status, code, field): each a value past its bound.
API_REFUSALS = [
    ("employee", f"/api/v1/bookings?page={PAST_2_63}", 422, "invalid_input", "page"),
    ("employee", f"/api/v1/providers?page={PAST_2_63}", 422, "invalid_input", "page"),
    ("employee", f"/api/v1/events?page={PAST_2_63}", 422, "invalid_input", "page"),
    ("employee", f"/api/v1/registrations?page={PAST_2_63}", 422, "invalid_input", "page"),
    ("employee", f"/api/v1/tokens?page={PAST_2_63}", 422, "invalid_input", "page"),
    ("employee", f"/api/v1/me/health/checkups?page={PAST_2_63}", 422, "invalid_input", "page"),
    ("employee", f"/api/v1/catalog/search?page={PAST_2_63}", 422, "invalid_search", "page"),
    ("hr", "/api/v1/enterprises/{enterprise}/roster?page=" + PAST_2_63, 422, "invalid_input",
     "page"),
    ("employee", f"/api/v1/bookings/{PAST_2_31}", 404, "not_found", None),
    ("employee", f"/api/v1/services/{PAST_2_31}/slots", 404, "not_found", None),
    ("owner", f"/api/v1/providers/{PAST_2_31}/bookings", 404, "not_found", None),
    ("employee", f"/api/v1/me/health/recommendations?dependant_id={PAST_2_31}", 422,
     "invalid_input", "dependant_id"),
    ("employee", "/api/v1/catalog/search?q=%00", 422, "invalid_search", "q"),
    ("employee", "/api/v1/catalog/search?q=tuina%00", 422, "invalid_search", "q"),
    ("employee", "/api/v1/catalog/search?date_from=0001-01-01", 422, "invalid_search",
     "date_from"),
    ("employee", "/api/v1/catalog/search?date_to=9999-12-31", 422, "invalid_search",
     "date_to"),
    ("employee", "/api/v1/catalog/search?date_from=9999-12-31&date_to=9999-12-31", 422,
     "invalid_search", "date_from"),
    ("owner", "/api/v1/providers/{provider}/bookings?on=0001-01-01", 422, "invalid_input",
     "on"),
    ("owner", "/api/v1/providers/{provider}/bookings?on=9999-12-31", 422, "invalid_input",
     "on"),
    ("owner", "/api/v1/providers/{provider}/statements/0000-01", 422, "invalid_input",
     "month"),
    ("owner", "/api/v1/providers/{provider}/statements/9999-12", 422, "invalid_input",
     "month"),
    ("employee", "/api/v1/services/{service}/slots?from=0001-01-01T00:00:00Z"
                 "&to=0001-01-02T00:00:00Z", 422, "invalid_input", "from"),
    ("employee", "/api/v1/services/{service}/slots?from=9999-12-30T00:00:00Z"
                 "&to=9999-12-31T00:00:00Z", 422, "invalid_input", "from"),
]


@pytest.mark.parametrize(("who", "path", "status", "code", "field"), API_REFUSALS,
                         ids=[f"{r[0]}:{r[1][:70]}" for r in API_REFUSALS])
def test_a_value_past_its_bound_is_refused_with_a_stable_code(
        client, make, world, who, path, status, code, field):
    response = client.get(path.format(**{k: getattr(v, "id", v) for k, v in world.items()}),
                          headers=bearer(make, world[who]))
    error = error_of(response)
    assert response.status_code == status
    assert error["code"] == code
    if field:
        assert field in error["fields"], error
        assert error["fields"][field] and error["message"]


def test_json_nested_five_thousand_deep_is_refused_and_changes_nothing(client, make, world):
    employee = world["employee"]
    name = employee.display_name
    deep = '{"display_name": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.patch("/api/v1/me", data=deep, content_type="application/json",
                            headers=bearer(make, employee))
    assert response.status_code == 400
    assert error_of(response)["code"] == "json_too_deep"
    db.session.expire_all()
    assert db.session.get(UserModel, employee.id).display_name == name


@pytest.mark.parametrize("body", ['{"display_name": NaN}', '{"display_name": Infinity}'])
def test_json_that_is_not_json_is_malformed(client, make, world, body):
    response = client.patch("/api/v1/me", data=body, content_type="application/json",
                            headers=bearer(make, world["employee"]))
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_a_nul_character_in_any_text_field_is_refused_and_nothing_is_written(
        client, make, world):
    employee = world["employee"]
    name = employee.display_name
    response = client.patch("/api/v1/me", json={"display_name": "王\x00伟"},
                            headers=bearer(make, employee))
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "invalid_input"
    assert error["fields"]["display_name"] == "此文本包含不允许的字符。"
    db.session.expire_all()
    assert db.session.get(UserModel, employee.id).display_name == name


@pytest.mark.parametrize(("field", "value"), [
    ("service_id", 2**31 + 5), ("practitioner_id", 2**63 + 5),
    ("starts_at", "0001-01-01T00:00:00Z"), ("starts_at", "9999-12-31T23:59:59+08:00"),
    ("starts_at", "2026-02-30T10:00:00+08:00"),
    ("service_id", True), ("service_id", "12"),
])
def test_a_booking_body_past_its_bounds_is_refused_before_anything_is_held(
        client, make, world, field, value):
    kit = world["kit"]
    body = {"service_id": world["service"].id, "practitioner_id": kit.practitioner.id,
            "starts_at": kit.slot().isoformat()} | {field: value}
    response = client.post("/api/v1/bookings", json=body, headers=bearer(make, world["employee"]))
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "invalid_input"
    assert field in error["fields"]


def test_a_method_a_path_does_not_have_says_which_it_has(client, make, world):
    response = client.put("/api/v1/me/budget", headers=bearer(make, world["employee"]))
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    page = client.delete("/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]


# -- pages ---------------------------------------------------------------------------------

#: (who, path, what the page says in Chinese): each a translated 400/404/422, never 500.
PAGE_REFUSALS = [
    ("employee", f"/catalogue?page={PAST_2_63}", "搜索条件"),
    ("employee", "/catalogue?q=%00", "不允许的字符"),
    ("employee", "/catalogue?date_from=0001-01-01", "搜索条件"),
    ("employee", "/catalogue?date_to=9999-12-31", "搜索条件"),
    ("employee", f"/me/health/recommendations?dependant={PAST_2_31}", "之间的整数"),
    ("employee", f"/bookings/{PAST_2_31}", "找不到"),
    ("owner", "/providers/{provider}/bookings?on=0001-01-01", "1900 年至 2200 年"),
    ("owner", "/providers/{provider}/bookings?on=9999-12-31", "1900 年至 2200 年"),
    ("owner", "/providers/{provider}/statement?month=0000-01", "1900-01 至 2200-12"),
    ("owner", "/providers/{provider}/statement?month=9999-12", "1900-01 至 2200-12"),
    ("owner", "/providers/{provider}/statement.csv?month=9999-12", "1900-01 至 2200-12"),
    ("owner", "/providers/practitioners/{practitioner}/schedule?week=0001-01-01",
     "1900 年至 2200 年"),
    ("owner", "/providers/practitioners/{practitioner}/schedule?week=9999-12-31",
     "1900 年至 2200 年"),
    ("hr", "/enterprises/{enterprise}/programmes/{programme}/report?month=0000-01",
     "1900-01 至 2200-12"),
    ("hr", "/enterprises/{enterprise}/programmes/{programme}/report?month=9999-12",
     "1900-01 至 2200-12"),
    ("hr", "/enterprises/{enterprise}/programmes/{programme}/report.csv?month=9999-12",
     "1900-01 至 2200-12"),
]


@pytest.mark.parametrize(("who", "path", "says"), PAGE_REFUSALS,
                         ids=[f"{r[0]}:{r[1][:70]}" for r in PAGE_REFUSALS])
def test_a_page_asked_for_a_value_past_its_bound_says_so_in_the_readers_language(
        client, auth, world, who, path, says):
    auth.login(world[who].email)
    response = client.get(path.format(**{k: getattr(v, "id", v) for k, v in world.items()}),
                          headers=CHINESE)
    assert response.status_code in (400, 404, 422), response.status_code
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert says in body, body[:500]


def test_a_nul_character_in_a_form_is_refused_before_the_page_runs(client, auth, world):
    auth.login(world["employee"].email)
    response = client.post("/me/health/dependants", data={"name": "小\x00明"},
                           headers=CHINESE)
    assert response.status_code == 400
    assert "不允许的字符" in response.get_data(as_text=True)


# -- the document --------------------------------------------------------------------------


def _params(document, path, method="get"):
    return {p["name"]: p for p in document["paths"][path][method]["parameters"]}


def test_the_openapi_document_declares_the_bounds_the_server_enforces(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]

    booking_path = _params(document, "/api/v1/bookings/{booking_id}")["booking_id"]["schema"]
    assert booking_path["maximum"] == MAX_ID
    page = _params(document, "/api/v1/bookings")["page"]["schema"]
    assert (page["minimum"], page["maximum"]) == (1, MAX_PAGE)

    slots = _params(document, "/api/v1/services/{service_id}/slots")
    assert slots["from"]["required"] and slots["to"]["required"]
    assert slots["from"]["schema"]["pattern"] == DATETIME_PATTERN

    search = _params(document, "/api/v1/catalog/search")
    assert search["date_from"]["schema"]["pattern"] == DATE_PATTERN
    assert search["q"]["schema"]["pattern"] == TEXT_PATTERN
    assert set(search["sort"]["schema"]["enum"]) == {"recommended", "soonest", "price_asc",
                                                     "price_desc", "rating"}
    assert search["min_rating"]["schema"]["maximum"] == 5
    assert "anyOf" not in search["category"]["schema"], "a query string cannot say null"

    hold = schemas["HoldCreate"]["properties"]
    assert hold["service_id"]["maximum"] == MAX_ID
    assert hold["share"]["maxItems"] == 10
    assert hold["starts_at"]["pattern"] == DATETIME_PATTERN
    assert schemas["CancelData"]["properties"]["reason"]["pattern"] == TEXT_PATTERN
    assert schemas["TokenCreate"]["properties"]["scopes"]["items"]["enum"] == ["read", "write"]

    create_booking = document["paths"]["/api/v1/bookings"]["post"]["responses"]
    assert "429" in create_booking, "bookings are rate-limited"
    assert "Allow" in document["components"]["responses"]["MethodNotAllowed"]["headers"]


@pytest.mark.parametrize(("text", "valid"), [
    ("2026-12-01", True), ("1900-01-01", True), ("2200-12-31", True), ("2000-02-29", True),
    ("2024-02-29", True), ("2100-02-29", False), ("1900-02-29", False), ("2026-02-30", False),
    ("0001-01-01", False), ("9999-12-31", False), ("2201-01-01", False), ("1899-12-31", False),
    ("2026-13-01", False), ("20261201", False),
])
def test_the_date_pattern_is_the_calendar_between_1900_and_2200(text, valid):
    import re
    from datetime import date
    assert bool(re.search(DATE_PATTERN, text)) is valid
    if valid:
        date.fromisoformat(text)


def test_a_health_report_nested_five_thousand_deep_is_no_report(client, make, world):
    deep = '{"checkups": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post("/api/v1/me/health/checkups/import",
                           json={"format": "json", "content": deep},
                           headers=bearer(make, world["employee"]))
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "import_rejected"


def test_each_body_is_held_to_the_very_schema_the_document_publishes(client):
    from core.api.openapi import REF_TEMPLATE, registry
    from core.api.validation import bounded_schema

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    bodies = {op.body for op in registry.operations if op.body is not None}
    assert len(bodies) > 50
    for model in bodies:
        served = bounded_schema(model.model_json_schema(ref_template=REF_TEMPLATE))
        served.pop("$defs", None)
        assert schemas[model.__name__] == served, model.__name__
