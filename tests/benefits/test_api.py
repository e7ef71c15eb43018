"""Budgets, rosters and programmes through the API."""

from __future__ import annotations

from benefits.models import BudgetProgramme
from core.accounts.models import Role
from core.db import db
from tests.benefits.factories import programme, roster_employee
from tests.querycount import count_queries


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_enterprise_admin_imports_creates_funds_and_allocates_through_the_api(client, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    token = make.token(admin)
    bad = "employee_no,name,email,department,grade\nE1,张伟,zhang@example.com,研发部,\n"
    refused = client.post(f"/api/v1/enterprises/{enterprise.id}/roster",
                          json={"csv": bad}, headers=bearer(token))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"row 2.grade": "此项为必填项。"}

    created = client.post(f"/api/v1/enterprises/{enterprise.id}/programmes", headers=bearer(
        token), json={"name": "福利", "period": "quarterly", "amount_minor": 300_000,
                      "starts_on": "2026-10-01",
                      "caps": [{"category": "travel_wellness", "cap_basis_points": 3000}]})
    assert created.status_code == 201
    plan_id = created.get_json()["id"]

    funding = client.post(f"/api/v1/enterprises/{enterprise.id}/programmes/{plan_id}/funding",
                          json={"amount_minor": 1_000_000, "bank_reference": "B1"},
                          headers=bearer(token))
    assert funding.status_code == 403  # only the platform records money that arrived

    roster_employee(make, enterprise)
    short = client.post(f"/api/v1/enterprises/{enterprise.id}/programmes/{plan_id}/allocations",
                        headers=bearer(token))
    assert short.status_code == 409
    assert short.get_json()["error"]["code"] == "insufficient_funds"


def test_employee_reads_their_budget(client, make):
    enterprise = make.enterprise()
    employee = roster_employee(make, enterprise)
    programme(make, enterprise)
    body = client.get("/api/v1/me/budget", headers=bearer(make.token(employee))).get_json()
    assert body["budgets"][0]["available_minor"] == 0 and body["held_minor"] == 0


def test_another_enterprises_roster_does_not_exist_for_an_admin(client, make):
    mine, theirs = make.enterprise(), make.enterprise()
    token = make.token(make.user(Role.ENTERPRISE_ADMIN, enterprise=mine))
    response = client.get(f"/api/v1/enterprises/{theirs.id}/roster", headers=bearer(token))
    assert response.status_code == 404


def test_absurd_amounts_are_refused(client, make):
    enterprise = make.enterprise()
    token = make.token(make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise))
    response = client.post(f"/api/v1/enterprises/{enterprise.id}/programmes",
                           headers=bearer(token),
                           json={"name": "x", "period": "monthly", "amount_minor": -5,
                                 "starts_on": "2026-01-01"})
    assert response.status_code == 422 and "amount_minor" in response.get_json()["error"][
        "fields"]


def test_a_programme_s_report_is_read_without_reading_the_programme_again_until_it_changes(
        client, make):
    """The usage report is read far more than its programme is written: a known programme
    costs no statement, and a change to its rules is seen by the very next report."""
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    plan_id = programme(make, enterprise).id
    path = f"/api/v1/enterprises/{enterprise.id}/programmes/{plan_id}/report"
    headers = bearer(make.token(admin))
    assert client.get(path, headers=headers).status_code == 200

    def programme_read() -> bool:
        db.session.expunge_all()  # as in a new request: no object of the last one at hand
        with count_queries() as queries:
            assert client.get(path, headers=headers).status_code == 200
        return any("FROM budget_programmes" in " ".join(s.split())
                   for s in queries.statements)

    assert not programme_read()
    changed = db.session.get(BudgetProgramme, plan_id)
    changed.amount_minor += 10_000
    db.session.commit()
    assert programme_read()
    assert not programme_read()
