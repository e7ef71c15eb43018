"""Benefits in the demo park: every employee on their enterprise's roster (department and
grade), one funded monthly programme per enterprise with a travel cap and a childcare pot,
and this month's budget allocated. Idempotent: found by natural keys before it is created,
and money moves only with references."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from benefits import budgets
from benefits.models import BudgetPeriod, BudgetProgramme, RosterEntry
from core.accounts.models import Enterprise, Park, Role, User
from core.db import db
from core.i18n import park_today

DEPARTMENTS = ["研发部", "市场部", "运营部", "人事行政部"]
GRADES = ["P4", "P5", "P6", "P7"]
PROGRAMME_NAME = "2026 员工健康福利"


def _roster(enterprise: Enterprise, *, now: datetime) -> None:
    employees = db.session.scalars(
        select(User).join(User.memberships)
        .where(User.memberships.any(enterprise_id=enterprise.id, role=Role.EMPLOYEE))
        .order_by(User.id).distinct()).all()
    known = {e.user_id for e in db.session.scalars(
        select(RosterEntry).where(RosterEntry.enterprise_id == enterprise.id))}
    for index, user in enumerate(employees):
        if user.id in known:
            continue
        db.session.add(RosterEntry(
            enterprise=enterprise, user=user, employee_no=f"{enterprise.invite_code[:2]}"
            f"{user.id:05d}", name=user.display_name, email=user.email, mobile=user.mobile,
            department=DEPARTMENTS[index % len(DEPARTMENTS)], grade=GRADES[index % len(GRADES)],
            is_active=True, created_at=now))
    db.session.flush()


def _programme(enterprise: Enterprise, admin: User, *, now: datetime) -> BudgetProgramme:
    programme = db.session.scalar(select(BudgetProgramme).where(
        BudgetProgramme.enterprise_id == enterprise.id,
        BudgetProgramme.name == PROGRAMME_NAME))
    if programme is None:
        programme = budgets.create_programme(enterprise, budgets.ProgrammeInput(
            name=PROGRAMME_NAME, period=BudgetPeriod.MONTHLY, amount_minor=80_000,
            starts_on=date(2026, 1, 1), rollover_limit_minor=40_000, expiry_days=7,
            amount_rules=[budgets.AmountRuleInput(amount_minor=120_000, grade="P7")],
            caps=[budgets.CapInput("travel_wellness", cap_basis_points=3000),
                  budgets.CapInput("childcare", pot_amount_minor=50_000)]),
            actor=admin, now=now)
    budgets.record_bank_transfer(programme, amount_minor=20_000_000,
                                 bank_reference=f"DEMO-FUNDING-{enterprise.id}", actor=admin,
                                 now=now)
    return programme


def seed_benefits(park: Park, *, now: datetime) -> None:
    admin = db.session.scalar(select(User).where(User.email == "admin@parkwell.demo"))
    for enterprise in park.enterprises:
        _roster(enterprise, now=now)
        programme = _programme(enterprise, admin, now=now)
        budgets.allocate_period(programme, on=park_today(), actor=None, now=now)
