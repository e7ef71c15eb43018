"""Budget from day one: whoever joins mid-period (accepting an invitation, signing up with
the invite code, or being imported onto the roster with an account) gets that period's
budget at once, by the programme's rules, prorated by the days left; once only. HR's
allocation run says whom it gave what and whom it skipped, and why."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from benefits import budgets, ledger, roster
from benefits.models import AccountKind, BudgetPeriod, LedgerAccount, RosterEntry
from benefits.periods import period_bounds, period_key
from core import security
from core.accounts import services as accounts
from core.accounts.models import Invitation, Role
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from core.money import prorate
from tests.benefits.factories import programme, put_on_roster, roster_employee

CSV_HEAD = "employee_no,name,email,department,grade\n"


def _this_month():
    today = park_today()
    start, end = period_bounds(BudgetPeriod.MONTHLY, period_key(BudgetPeriod.MONTHLY, today))
    return today, start, end


def _launched_on_the_first(plan) -> None:
    """HR gave the month's budgets on its first day (the programme has begun)."""
    _today, start, _end = _this_month()
    budgets.allocate_period(plan, on=start, actor=None,
                            now=datetime(start.year, start.month, start.day, 1, tzinfo=UTC))
    db.session.commit()


def _expected(amount: int) -> int:
    """The days left of the month from today (today counted), rounded down to the fen;
    on the month's first day nobody is prorated."""
    today, start, end = _this_month()
    if today == start:
        return amount
    return prorate(amount, (end - today).days + 1, (end - start).days + 1)


def _general_balance(plan, user_id: int) -> int:
    return sum(db.session.scalars(select(LedgerAccount.balance_minor).where(
        LedgerAccount.programme_id == plan.id, LedgerAccount.user_id == user_id,
        LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET, LedgerAccount.pot.is_(None))))


def _p7_programme(make, enterprise, **overrides):
    return programme(make, enterprise, amount_minor=80_000, amount_rules=[
        budgets.AmountRuleInput(120_000, grade="P7")], **overrides)


def test_an_invited_p7_who_accepts_mid_month_gets_the_days_left_of_the_p7_amount(make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    roster_employee(make, enterprise)  # already there when the programme began
    plan = _p7_programme(make, enterprise)
    _launched_on_the_first(plan)

    parsed = roster.parse_roster((CSV_HEAD + "N1,新同事,new.p7@example.com,研发部,P7\n").encode())
    roster.import_roster(enterprise, parsed, actor=admin, now=utcnow(),
                         link_builder=lambda token: f"https://x/{token}")
    db.session.commit()
    invitation = db.session.scalar(select(Invitation).filter_by(email="new.p7@example.com"))
    raw = "known-token"
    invitation.token_hash = security.token_digest(raw)
    db.session.commit()

    joiner = accounts.accept_invitation(raw, now=utcnow(), display_name="新同事",
                                        password="correct horse battery")
    db.session.commit()

    assert _general_balance(plan, joiner.id) == _expected(120_000)
    # HR's run later gives them nothing more: they already have this month
    result = budgets.allocate_period(plan, on=park_today(), actor=admin, now=utcnow())
    assert joiner.id not in {line.user_id for line in result.allocated}
    assert _general_balance(plan, joiner.id) == _expected(120_000)
    assert ledger.check_ledger() == []


def test_a_self_sign_up_gets_the_base_amount_for_the_days_left(make):
    enterprise = make.enterprise()
    roster_employee(make, enterprise)
    plan = _p7_programme(make, enterprise)
    _launched_on_the_first(plan)

    user = accounts.sign_up_with_invite_code(
        invite_code=enterprise.invite_code, login="self.signup@example.com",
        password="correct horse battery", display_name="自助注册", now=utcnow())
    db.session.commit()

    assert _general_balance(plan, user.id) == _expected(80_000)


def test_a_roster_import_of_someone_with_an_account_allocates_them_once(make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    roster_employee(make, enterprise)
    plan = _p7_programme(make, enterprise, caps=[
        budgets.CapInput("childcare", pot_amount_minor=31_000)])
    _launched_on_the_first(plan)
    existing = make.user(email="has.account@example.com")
    csv = (CSV_HEAD + "N2,老用户,has.account@example.com,市场部,P7\n").encode()

    for _ in range(2):  # imported twice: allocated once
        roster.import_roster(enterprise, roster.parse_roster(csv), actor=admin, now=utcnow(),
                             link_builder=lambda token: token)
        db.session.commit()

    assert _general_balance(plan, existing.id) == _expected(120_000)
    pot = db.session.scalar(select(LedgerAccount.balance_minor).where(
        LedgerAccount.user_id == existing.id, LedgerAccount.pot == "childcare"))
    assert pot == _expected(31_000)


def test_with_proration_off_a_joiner_gets_the_whole_month(make):
    enterprise = make.enterprise()
    roster_employee(make, enterprise)
    plan = _p7_programme(make, enterprise, prorate_joiners=False)
    _launched_on_the_first(plan)
    user = accounts.sign_up_with_invite_code(
        invite_code=enterprise.invite_code, login="whole@example.com",
        password="correct horse battery", display_name="全额", now=utcnow())
    db.session.commit()
    assert _general_balance(plan, user.id) == 80_000


def test_before_the_programme_first_allocates_a_joiner_waits_for_hrs_first_run(make):
    enterprise = make.enterprise()
    plan = _p7_programme(make, enterprise)
    user = accounts.sign_up_with_invite_code(
        invite_code=enterprise.invite_code, login="early@example.com",
        password="correct horse battery", display_name="早到", now=utcnow())
    db.session.commit()
    assert _general_balance(plan, user.id) == 0

    result = budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    assert [(line.name, line.amount_minor) for line in result.allocated] == [("早到", 80_000)]


def test_a_joiner_joins_even_when_the_programme_cannot_afford_their_budget(make):
    enterprise = make.enterprise()
    roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=80_000, funded_minor=80_000)
    _launched_on_the_first(plan)  # the pot is now empty
    user = accounts.sign_up_with_invite_code(
        invite_code=enterprise.invite_code, login="broke@example.com",
        password="correct horse battery", display_name="没钱", now=utcnow())
    db.session.commit()
    assert user.id is not None and _general_balance(plan, user.id) == 0
    assert ledger.check_ledger() == []


def test_hrs_run_says_whom_it_allocated_and_whom_it_skipped_and_why(make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    given = roster_employee(make, enterprise, grade="P7")
    intern = roster_employee(make, enterprise, grade="实习")
    db.session.add(RosterEntry(enterprise=enterprise, employee_no="X1", name="未激活",
                               email="pending@example.com", department="d", grade="P5",
                               created_at=utcnow()))
    db.session.commit()
    plan = programme(make, enterprise, amount_minor=80_000, amount_rules=[
        budgets.AmountRuleInput(120_000, grade="P7"), budgets.AmountRuleInput(0, grade="实习")])

    first = budgets.allocate_period(plan, on=park_today(), actor=admin, now=utcnow())
    assert [(a.user_id, a.amount_minor) for a in first.allocated] == [(given.id, 120_000)]
    reasons = {s.name: s.reason for s in first.skipped}
    assert reasons == {intern.display_name: budgets.SkipReason.NOTHING_DUE,
                       "未激活": budgets.SkipReason.NO_ACCOUNT}

    again = budgets.allocate_period(plan, on=park_today(), actor=admin, now=utcnow())
    assert again.allocated == [] and again.employees == 0
    assert {s.name: s.reason for s in again.skipped}[given.display_name] \
        is budgets.SkipReason.ALREADY_ALLOCATED


def test_the_allocation_page_lists_who_got_what_and_who_was_skipped(client, make, auth):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    put_on_roster(enterprise, make.user(Role.EMPLOYEE, enterprise=enterprise,
                                        display_name="王芳"), grade="P7")
    db.session.add(RosterEntry(enterprise=enterprise, employee_no="X1", name="未激活",
                               email="pending@example.com", department="d", grade="P5",
                               created_at=utcnow()))
    db.session.commit()
    plan = _p7_programme(make, enterprise)
    auth.login(admin.email)
    page = client.post(f"/enterprises/{enterprise.id}/programmes/{plan.id}/allocate")
    assert page.status_code == 200
    assert "王芳" in page.text and "¥1,200.00" in page.text
    assert "未激活" in page.text and "尚未接受邀请" in page.text

    api = client.post(f"/api/v1/enterprises/{enterprise.id}/programmes/{plan.id}/allocations",
                      headers={"Authorization": f"Bearer {make.token(admin)}"})
    body = api.get_json()
    assert body["allocated"] == []
    assert {s["name"]: s["reason"] for s in body["skipped"]} == {
        "王芳": "already_allocated", "未激活": "no_account"}
