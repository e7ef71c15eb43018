"""The enterprise's usage report: aggregates over at least k employees, never a person."""

from __future__ import annotations

from benefits import budgets, reports
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import programme, roster_employee


def test_small_departments_are_merged_and_tiny_groups_left_out(client, make, auth):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    for _ in range(5):
        roster_employee(make, enterprise, department="研发部")
    for department in ("法务部", "财务部"):
        roster_employee(make, enterprise, department=department)
    plan = programme(make, enterprise, amount_minor=10_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()

    report = reports.usage_report(enterprise, plan, actor=admin, on=park_today())
    assert [(line.name, line.employees) for line in report.departments] == [("研发部", 5)]
    assert report.suppressed_employees == 2
    assert report.departments[0].allocated_minor == 50_000

    auth.login(admin.email)
    page = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/report")
    assert page.status_code == 200 and "研发部" in page.text and "法务部" not in page.text
    assert "<svg" in page.text
    csv_text = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/report.csv").text
    assert csv_text.splitlines()[1].split(",")[1:5] == ["研发部", "5", "50000", "0"]


def test_employees_cannot_read_the_report(client, make, auth):
    enterprise = make.enterprise()
    employee = roster_employee(make, enterprise)
    plan = programme(make, enterprise)
    auth.login(employee.email)
    response = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/report")
    assert response.status_code == 403


def test_the_report_shows_use_over_time_and_the_months_pot_movements(client, make, auth):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    for _ in range(5):
        roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=10_000, funded_minor=1_000_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    report = reports.usage_report(enterprise, plan, actor=admin, on=park_today())
    assert [(p.employees, p.allocated_minor) for p in report.over_time] == [(5, 50_000)]
    funds = reports.funds_statement(enterprise, plan, month=park_today().strftime("%Y-%m"),
                                    actor=admin)
    assert funds.net_minor == 1_000_000 - 50_000
    auth.login(admin.email)
    page = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/report")
    assert "¥9,500.00" in page.text
