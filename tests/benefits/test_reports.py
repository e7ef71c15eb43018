"""The enterprise's usage report: aggregates over at least k employees, never a person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from benefits import budgets, reports, roster, usage
from benefits.models import AccountKind, LedgerAccount, RosterEntry, TransactionKind
from benefits.periods import period_key
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

    report = reports.usage_report(enterprise, plan, actor=admin, on=park_today(),
                                  now=utcnow())
    # the two small departments are too few on their own, and the period's total minus
    # 研发部 would give them away: 研发部 joins them
    assert [(line.name, line.employees) for line in report.departments] == [
        (reports.OTHER, 7)]
    assert not report.groups_withheld
    assert report.departments[0].allocated_minor == 70_000
    assert sum(line.allocated_minor for line in report.departments) == \
        report.over_time[-1].allocated_minor

    auth.login(admin.email)
    page = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/report")
    assert page.status_code == 200 and "法务部" not in page.text and "研发部" not in page.text
    assert "<svg" in page.text
    # Use over time: a chart with its unit, a Babel period (not the ledger's key) and the
    # share of that period's own allocation (nothing spent yet: 0%), legend below.
    departments = page.text.split('id="chart-departments-title"')[1].split("</svg>")[0]
    assert "class=\"chart-legend\"" in departments and ">0%<" in departments
    assert "法务部" not in departments  # merged below k, as in the table
    chart = page.text.split('id="chart-over-time-title"')[1].split("</svg>")[0]
    assert 'class="chart-axis-label"' in chart and ("金额（¥）" in chart or "Amount (" in chart)
    assert ">0%<" in chart and 'class="chart-legend"' in chart
    assert f">{park_today().year}-{park_today().month:02d}<" not in chart
    csv_text = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/report.csv").text
    assert csv_text.splitlines()[1].split(",")[2:5] == ["7", "70000", "0"]


def test_departments_shown_always_add_up_to_the_total_over_groups_of_k(make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    for department, size in (("研发部", 6), ("销售部", 5), ("法务部", 2)):
        for _ in range(size):
            roster_employee(make, enterprise, department=department)
    plan = programme(make, enterprise, amount_minor=10_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    report = reports.usage_report(enterprise, plan, actor=admin, on=park_today(),
                                  now=utcnow())
    assert [(line.name, line.employees) for line in report.departments] == [
        ("研发部", 6), (reports.OTHER, 7)]  # 法务部 padded with 销售部, the smallest
    assert sum(line.employees for line in report.departments) == report.over_time[-1].employees


def test_a_category_too_few_spent_on_cannot_be_worked_out_from_the_total(make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    staff = [roster_employee(make, enterprise) for _ in range(12)]
    plan = programme(make, enterprise, amount_minor=10_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.flush()

    def spend(user, category: str, amount: int) -> None:
        account = db.session.scalar(select(LedgerAccount).where(
            LedgerAccount.user_id == user.id, LedgerAccount.programme_id == plan.id,
            LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET))
        usage.record(TransactionKind.HOLD, category, [(account, -amount)])

    for user in staff[:8]:
        spend(user, "physio", 1_000)
    for user in staff[:6]:
        spend(user, "dental", 500)
    for user in staff[8:10]:
        spend(user, "psychology", 3_000)  # two people: never shown
    db.session.commit()
    report = reports.usage_report(enterprise, plan, actor=admin, on=park_today(),
                                  now=utcnow())
    # psychology alone would be the total minus what is shown; dental goes with it
    assert [(c, n) for c, n, _spent in report.categories] == [("physio", 8)]


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
    report = reports.usage_report(enterprise, plan, actor=admin, on=park_today(),
                                  now=utcnow())
    assert [(p.employees, p.allocated_minor) for p in report.over_time] == [(5, 50_000)]
    funds = reports.funds_statement(enterprise, plan, month=park_today().strftime("%Y-%m"),
                                    actor=admin)
    assert funds.net_minor == 1_000_000 - 50_000
    auth.login(admin.email)
    page = client.get(f"/enterprises/{enterprise.id}/programmes/{plan.id}/report")
    assert "¥9,500.00" in page.text


def test_moving_or_deactivating_one_person_changes_nothing_in_the_report(make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    research = [roster_employee(make, enterprise, department="研发部") for _ in range(6)]
    for _ in range(6):
        roster_employee(make, enterprise, department="销售部")
    plan = programme(make, enterprise, amount_minor=10_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    now = utcnow()
    before = reports.usage_report(enterprise, plan, actor=admin, on=park_today(), now=now)
    assert [(line.name, line.employees) for line in before.departments] == [
        ("研发部", 6), ("销售部", 6)]
    db.session.commit()

    entry = db.session.scalar(select(RosterEntry).where(RosterEntry.user_id == research[0].id))
    roster.update_entry(entry, department="销售部", grade="P5", actor=admin)
    db.session.commit()
    # The releases of two other days of the period, after a move and after a leaver: the
    # next two, or the two before when the period ends tomorrow (31 December).
    today = park_today()
    step = 1 if period_key(plan.period, today + timedelta(days=2)) == period_key(
        plan.period, today) else -1
    for day in (step, 2 * step):
        after = reports.usage_report(enterprise, plan, actor=admin,
                                     on=today + timedelta(days=day),
                                     now=now + timedelta(days=day))
        db.session.commit()
        assert (after.departments, after.over_time) == (before.departments, before.over_time)
        roster.deactivate_leaver(entry, actor=admin, now=now + timedelta(days=day))
        db.session.commit()
