"""The enterprise admin runs the roster and programmes; the employee reads their budget."""

from __future__ import annotations

import io
import re

from benefits import budgets
from benefits.models import BudgetProgramme, RosterEntry
from booking import services as booking_services
from booking.models import Booking, BookingStatus
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import programme, roster_employee
from tests.booking.factories import BookingKit


def test_admin_imports_a_roster_with_a_bad_row_reads_the_error_then_fixes_it(client, make,
                                                                              auth):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    auth.login(admin.email)
    bad = "employee_no,name,email,department,grade\nE1,张伟,zhang@example.com,研发部,P5\n" \
          "E2,李娜,not-an-email,市场部,P6\n"
    response = client.post(f"/enterprises/{enterprise.id}/roster", data={
        "file": (io.BytesIO(bad.encode()), "roster.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303  # to the import's page (the import is a job)
    response = client.get(response.headers["Location"])
    assert "请输入有效的邮箱地址" in response.text and re.search(r"<td[^>]*>3</td>", response.text)
    assert db.session.scalar(db.select(db.func.count()).select_from(RosterEntry)) == 0

    good = bad.replace("not-an-email", "li.na@example.com")
    response = client.post(f"/enterprises/{enterprise.id}/roster", data={
        "file": (io.BytesIO(good.encode()), "roster.csv")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "名册已导入" in response.text
    assert "李娜" in client.get(f"/enterprises/{enterprise.id}/roster").text


def test_admin_creates_a_programme_and_the_platform_funds_it(client, make, auth):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    roster_employee(make, enterprise)
    auth.login(admin.email)
    response = client.post(f"/enterprises/{enterprise.id}/programmes", data={
        "name": "2026 健康福利", "period": "monthly", "amount": "800.50",
        "starts_on": "2026-01-01", "travel_cap_percent": "30", "childcare_pot": "1000"})
    assert response.status_code == 302
    plan = db.session.scalar(db.select(BudgetProgramme))
    assert plan.amount_minor == 80050
    assert {c.category for c in plan.category_caps} == {"travel_wellness", "childcare"}

    page = client.get(response.headers["Location"])
    assert "¥800.50" in page.text and "记录银行转账" not in page.text  # only the platform funds

    platform = make.user(Role.PLATFORM_ADMIN)
    auth.logout()
    auth.login(platform.email)
    client.post(f"/enterprises/{enterprise.id}/programmes/{plan.id}/funding",
                data={"amount": "5000", "bank_reference": "ICBC-001"})
    page = client.post(f"/enterprises/{enterprise.id}/programmes/{plan.id}/allocate",
                       follow_redirects=True)
    assert "已发放给 1 名员工" in page.text


def test_a_cap_above_100_percent_is_refused_with_a_message(client, make, auth):
    enterprise = make.enterprise()
    auth.login(make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise).email)
    response = client.post(f"/enterprises/{enterprise.id}/programmes", data={
        "name": "x", "period": "monthly", "amount": "100", "starts_on": "2026-01-01",
        "travel_cap_percent": "130"})
    assert response.status_code == 400 and "请输入 0 到 100 之间的百分比" in response.text


def test_employee_sees_their_budget_and_history(client, make, auth):
    enterprise = make.enterprise()
    employee = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=123_450)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    auth.login(employee.email)
    page = client.get("/me/budget")
    assert "¥1,234.50" in page.text and "预算已发放" in page.text


def test_admin_marks_a_leaver(client, make, auth):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    leaver = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=10_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    entry = db.session.scalar(db.select(RosterEntry).filter_by(user_id=leaver.id))
    auth.login(admin.email)
    page = client.post(f"/enterprises/{enterprise.id}/roster/{entry.id}/deactivate",
                       follow_redirects=True)
    assert "¥100.00" in page.text and "已离职" in page.text


def test_employee_pays_a_booking_from_the_budget_on_the_checkout_page(client, make, auth):
    kit = BookingKit(make)
    employee = roster_employee(make, kit.enterprise)
    plan = programme(make, kit.enterprise, amount_minor=50_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    booking = booking_services.hold_slot(kit.service(price_minor=30_000),
                                         practitioner_id=kit.practitioner.id,
                                         starts_at=kit.slot(), actor=employee, now=utcnow())
    db.session.commit()
    auth.login(employee.email)
    page = client.get(f"/bookings/{booking.id}/checkout")
    assert "¥300.00" in page.text and "您的预算支付" in page.text
    client.post(f"/bookings/{booking.id}/checkout")
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED


def test_a_held_priced_booking_links_to_its_checkout(client, make, auth):
    kit = BookingKit(make)
    employee = roster_employee(make, kit.enterprise)
    booking = booking_services.hold_slot(kit.service(price_minor=30_000),
                                         practitioner_id=kit.practitioner.id,
                                         starts_at=kit.slot(), actor=employee, now=utcnow())
    db.session.commit()
    auth.login(employee.email)
    page = client.get(f"/bookings/{booking.id}")
    assert f"/bookings/{booking.id}/checkout" in page.text
