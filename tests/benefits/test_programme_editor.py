"""HR sees and edits every rule of a programme (page and API); a refused save writes
nothing and says why in the reader's language; the employee reads how their own amount
was worked out."""

from __future__ import annotations

from benefits import budgets
from benefits.models import BudgetProgramme
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import programme, roster_employee


def _bearer(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}"}


def _hr_programme(make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    plan = programme(make, enterprise, amount_minor=80_000, amount_rules=[
        budgets.AmountRuleInput(120_000, grade="P7"),
        budgets.AmountRuleInput(90_000, department="销售部")], caps=[
        budgets.CapInput("travel_wellness", cap_basis_points=3000),
        budgets.CapInput("childcare", pot_amount_minor=50_000)])
    return enterprise, admin, plan


def _rules(plan_id: int) -> list[tuple]:
    db.session.expire_all()
    plan = db.session.get(BudgetProgramme, plan_id)
    return [plan.amount_minor, [(r.grade, r.department, r.amount_minor)
                                for r in plan.amount_rules],
            [(c.category, c.cap_basis_points, c.pot_amount_minor) for c in plan.category_caps]]


def test_the_programme_page_shows_every_rule_with_category_names_not_keys(client, make, auth):
    enterprise, admin, plan = _hr_programme(make)
    auth.login(admin.email)
    page = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}").text
    assert "¥800.00" in page and "¥1,200.00" in page and "P7" in page and "销售部" in page
    assert "康养旅行" in page and "30%" in page and "托育" in page and "¥500.00" in page
    assert "travel_wellness" not in page and "childcare" not in page

    editor = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/edit").text
    assert 'value="P7"' in editor and 'value="1200.00"' in editor
    assert "中医" in editor and "康养旅行" in editor and "托育" in editor
    assert "travel_wellness</legend>" not in editor


def test_hr_raises_the_p7_rule_on_the_page(client, make, auth):
    enterprise, admin, plan = _hr_programme(make)
    auth.login(admin.email)
    url = f"/enterprises/{enterprise.id}/programmes/{plan.id}/edit"
    form = {"name": "健康福利", "amount": "800", "starts_on": "2026-01-01",
            "dependants_allowed": "y", "rollover_limit": "0", "expiry_days": "0",
            "prorate_joiners": "y",
            "rules-0-grade": "P7", "rules-0-amount": "1500",
            "rules-1-department": "销售部", "rules-1-amount": "900",
            "categories-0-category": "travel_wellness", "categories-0-cap_percent": "30",
            "categories-1-category": "childcare", "categories-1-pot": "500"}
    saved = client.post(url, data=form)
    assert saved.status_code == 303
    assert _rules(plan.id) == [80_000, [("P7", None, 150_000), (None, "销售部", 90_000)],
                               [("travel_wellness", 3000, None), ("childcare", None, 50_000)]]


def test_a_refused_save_writes_nothing_and_says_why_in_chinese(client, make, auth):
    enterprise, admin, plan = _hr_programme(make)
    before = _rules(plan.id)
    auth.login(admin.email)
    url = f"/enterprises/{enterprise.id}/programmes/{plan.id}/edit"
    refused = client.post(url, data={
        "name": "改名了", "amount": "999", "starts_on": "2026-01-01",
        "rules-0-grade": "P7", "rules-0-amount": "1500",
        "rules-1-grade": "P7", "rules-1-amount": "1600"})
    assert refused.status_code == 422
    assert "未保存任何更改" in refused.text and "同一职级和部门" in refused.text
    assert _rules(plan.id) == before
    assert db.session.get(BudgetProgramme, plan.id).name == "健康福利"


def test_the_api_reads_every_rule_and_edits_them_with_put_and_patch(client, make):
    enterprise, admin, plan = _hr_programme(make)
    url = f"/api/v1/enterprises/{enterprise.id}/programmes/{plan.id}"
    read = client.get(url, headers=_bearer(make, admin)).get_json()
    assert read["amount_rules"] == [
        {"grade": "P7", "department": None, "amount_minor": 120_000},
        {"grade": None, "department": "销售部", "amount_minor": 90_000}]
    assert read["caps"][0]["category_name"] == "康养旅行" and read["prorate_joiners"] is True

    patched = client.patch(url, json={"amount_minor": 85_000}, headers=_bearer(make, admin))
    assert patched.status_code == 200 and patched.get_json()["amount_rules"] == \
        read["amount_rules"]
    assert _rules(plan.id)[0] == 85_000

    put = client.put(url, headers=_bearer(make, admin), json={
        "name": "新规则", "amount_minor": 70_000, "starts_on": "2026-01-01",
        "prorate_joiners": False, "amount_rules": [{"grade": "P8", "amount_minor": 200_000}]})
    assert put.status_code == 200
    assert _rules(plan.id) == [70_000, [("P8", None, 200_000)], []]

    refused = client.patch(url, headers=_bearer(make, admin), json={
        "amount_minor": 1, "caps": [{"category": "astrology", "cap_basis_points": 10}]})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"caps": "请从列表中选择一个类别。"}
    assert _rules(plan.id)[0] == 70_000

    too_big = client.patch(url, headers=_bearer(make, admin),
                           json={"amount_minor": 100_000_001})
    assert too_big.status_code == 422


def test_the_openapi_document_bounds_the_programme_edits(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = document["paths"]["/api/v1/enterprises/{enterprise_id}/programmes/"
                                   "{programme_id}"]
    assert {"get", "put", "patch"} <= set(operations)
    schema = document["components"]["schemas"]["ProgrammeUpdateIn"]["properties"]
    assert schema["amount_minor"]["maximum"] == 100_000_000
    assert schema["expiry_days"]["maximum"] == 366


def test_a_p7_employee_reads_how_their_amount_is_worked_out(client, make, auth):
    enterprise, _admin, plan = _hr_programme(make)
    employee = roster_employee(make, enterprise, grade="P7", department="研发部")
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    auth.login(employee.email)
    page = client.get("/me/budget").text
    assert "基础额度 ¥800.00 + P7 职级 ¥400.00 = ¥1,200.00" in page
    assert "托育服务：单独额度，每期 ¥500.00" in page

    api = client.get("/api/v1/me/budget", headers=_bearer(make, employee)).get_json()
    explained = api["explanations"][0]
    assert (explained["base_minor"], explained["rule_grade"], explained["amount_minor"],
            explained["allocated_minor"]) == (80_000, "P7", 120_000, 170_000)
    assert explained["lines"][0].startswith("基础额度 ¥800.00 + P7 职级")
    assert {b["pot_name"] for b in api["budgets"]} == {"通用预算", "托育服务"}
