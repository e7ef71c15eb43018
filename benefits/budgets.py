"""Budget programmes: creating them, funding them, allocating each period to the roster,
expiry and rollover, and what an employee can spend.

Money moves only through ``benefits.ledger``; every movement carries a reference, so that
running an allocation or an expiry twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from benefits import ledger
from benefits.errors import InsufficientFunds, InvalidAmount
from benefits.models import (
    AccountKind,
    BudgetPeriod,
    BudgetProgramme,
    CategoryCap,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    ProgrammeAmountRule,
    RosterEntry,
    TransactionKind,
)
from benefits.periods import period_bounds, period_key, previous_key
from benefits.usage import SPENDING
from core.accounts.models import Enterprise, User
from core.db import db, sum_of
from core.errors import InvalidInput
from core.i18n import format_money
from core.money import FULL, share
from core.policy import Action, require


@dataclass(frozen=True)
class AmountRuleInput:
    amount_minor: int
    grade: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class CapInput:
    category: str
    cap_basis_points: int | None = None
    pot_amount_minor: int | None = None


@dataclass
class ProgrammeInput:
    name: str
    period: BudgetPeriod
    amount_minor: int
    starts_on: date
    currency: str = "CNY"
    dependants_allowed: bool = True
    rollover_limit_minor: int = 0
    expiry_days: int = 0
    amount_rules: list[AmountRuleInput] = field(default_factory=list)
    caps: list[CapInput] = field(default_factory=list)


def check_amount(value: int, field_name: str, *, allow_zero: bool = True) -> None:
    """Refuse negative, zero (when not allowed) and absurd amounts, naming the field."""
    if value < 0 or (value == 0 and not allow_zero) or value > ledger.MAX_AMOUNT_MINOR:
        raise InvalidAmount(fields={field_name: _(
            "Enter an amount greater than zero and not absurdly large.")})


def _validate(data: ProgrammeInput) -> None:
    check_amount(data.amount_minor, "amount_minor")
    check_amount(data.rollover_limit_minor, "rollover_limit_minor")
    if not 0 <= data.expiry_days <= 366:
        raise InvalidInput(fields={"expiry_days": _("Choose between 0 and 366 days.")})
    for rule in data.amount_rules:
        check_amount(rule.amount_minor, "amount_rules")
        if not rule.grade and not rule.department:
            raise InvalidInput(fields={"amount_rules": _(
                "Each amount rule needs a grade or a department.")})
    seen = set()
    for cap in data.caps:
        if cap.category in seen:
            raise InvalidInput(fields={"caps": _("Each category can have one cap only.")})
        seen.add(cap.category)
        if cap.cap_basis_points is None and cap.pot_amount_minor is None:
            raise InvalidInput(fields={"caps": _("Give a cap or a pot amount.")})
        if cap.cap_basis_points is not None and not 0 <= cap.cap_basis_points <= FULL:
            raise InvalidInput(fields={"caps": _("A cap is a share between 0% and 100%.")})
        if cap.pot_amount_minor is not None:
            check_amount(cap.pot_amount_minor, "caps")


def create_programme(enterprise: Enterprise, data: ProgrammeInput, *, actor: User,
                     now: datetime) -> BudgetProgramme:
    """A new programme for ``enterprise``. Raises Forbidden/NotFound, InvalidInput."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    _validate(data)
    programme = BudgetProgramme(
        enterprise=enterprise, name=data.name.strip(), period=data.period,
        amount_minor=data.amount_minor, currency=data.currency,
        dependants_allowed=data.dependants_allowed,
        rollover_limit_minor=data.rollover_limit_minor, expiry_days=data.expiry_days,
        starts_on=data.starts_on, is_active=True, created_at=now,
        amount_rules=[ProgrammeAmountRule(grade=r.grade or None, department=r.department or None,
                                          amount_minor=r.amount_minor)
                      for r in data.amount_rules],
        category_caps=[CategoryCap(category=c.category, cap_basis_points=c.cap_basis_points,
                                   pot_amount_minor=c.pot_amount_minor) for c in data.caps])
    db.session.add(programme)
    db.session.flush()
    return programme


# -- accounts of a programme -------------------------------------------------------------


def funds_account(programme: BudgetProgramme, *, now: datetime) -> LedgerAccount:
    return ledger.get_account(AccountKind.PROGRAMME_FUNDS, currency=programme.currency,
                              now=now, enterprise_id=programme.enterprise_id,
                              programme_id=programme.id)


def budget_account(programme: BudgetProgramme, user_id: int, key: str, *, now: datetime,
                   pot: str | None = None) -> LedgerAccount:
    return ledger.get_account(AccountKind.EMPLOYEE_BUDGET, currency=programme.currency, now=now,
                              enterprise_id=programme.enterprise_id, programme_id=programme.id,
                              user_id=user_id, period_key=key, pot=pot)


def record_bank_transfer(programme: BudgetProgramme, *, amount_minor: int, bank_reference: str,
                         actor: User, now: datetime) -> LedgerTransaction:
    """Money the enterprise paid by bank transfer arrives in the programme's pot.
    Only platform admins record it; the bank reference makes it happen once."""
    require(actor, Action.RECORD_FUNDING)
    check_amount(amount_minor, "amount_minor", allow_zero=False)
    source = ledger.get_account(AccountKind.EXTERNAL_FUNDING, currency=programme.currency,
                                now=now)
    return ledger.transfer(TransactionKind.FUNDING, source=source,
                           target=funds_account(programme, now=now), amount_minor=amount_minor,
                           now=now, reference=f"bank:{bank_reference.strip()}",
                           memo=f"bank transfer {bank_reference.strip()}", actor_id=actor.id)


# -- allocation, rollover, expiry --------------------------------------------------------


def active_roster(enterprise_id: int) -> list[RosterEntry]:
    return list(db.session.scalars(
        select(RosterEntry).where(RosterEntry.enterprise_id == enterprise_id,
                                  RosterEntry.is_active.is_(True),
                                  RosterEntry.user_id.is_not(None))
        .order_by(RosterEntry.id)))


@dataclass(frozen=True)
class AllocationResult:
    period_key: str
    employees: int
    total_minor: int


def allocation_for(programme: BudgetProgramme, entry: RosterEntry) -> list[tuple[str | None, int]]:
    """(pot, amount) pairs one employee gets per period: the general budget and each pot."""
    parts = [(None, programme.amount_for(department=entry.department, grade=entry.grade))]
    parts += [(cap.category, cap.pot_amount_minor) for cap in programme.category_caps
              if cap.is_own_pot]
    return [(pot, amount) for pot, amount in parts if amount]


def allocate_period(programme: BudgetProgramme, *, on: date, actor: User | None,
                    now: datetime) -> AllocationResult:
    """Give every active employee on the roster their budget for the period that contains
    ``on``, carrying over what the rollover rule allows. Safe to run again.

    Raises Forbidden/NotFound, InsufficientFunds (with how much is missing).
    """
    if actor is not None:
        require(actor, Action.MANAGE_BENEFITS, programme.enterprise)
    key = period_key(programme.period, on)
    funds = funds_account(programme, now=now)
    plan = [(entry, pot, amount) for entry in active_roster(programme.enterprise_id)
            for pot, amount in allocation_for(programme, entry)]
    pending = [(entry, pot, amount) for entry, pot, amount in plan
               if ledger.find_by_reference(_allocation_ref(programme, entry, key, pot)) is None]
    needed = sum(amount for _entry, _pot, amount in pending)
    ledger.lock_accounts([funds])
    if needed > funds.balance_minor:
        raise InsufficientFunds(_(
            "The programme holds %(have)s but this period needs %(need)s. Top it up first.",
            have=format_money(funds.balance_minor, programme.currency),
            need=format_money(needed, programme.currency)))
    for entry, pot, amount in pending:
        ledger.transfer(TransactionKind.ALLOCATION, source=funds,
                        target=budget_account(programme, entry.user_id, key, now=now, pot=pot),
                        amount_minor=amount, now=now,
                        reference=_allocation_ref(programme, entry, key, pot),
                        actor_id=actor.id if actor else None, category=pot)
        if pot is None:
            _roll_over(programme, entry.user_id, key, now=now)
    return AllocationResult(period_key=key, employees=len({e.id for e, _p, _a in plan}),
                            total_minor=sum(a for _e, _p, a in plan))


def _allocation_ref(programme: BudgetProgramme, entry: RosterEntry, key: str,
                    pot: str | None) -> str:
    return f"allocation:p{programme.id}:u{entry.user_id}:{key}:{pot or 'general'}"


def _roll_over(programme: BudgetProgramme, user_id: int, key: str, *, now: datetime) -> None:
    """Carry the previous period's unspent general budget forward, up to the limit."""
    if programme.rollover_limit_minor <= 0:
        return
    previous = budget_account(programme, user_id, previous_key(programme.period, key), now=now)
    amount = min(previous.balance_minor, programme.rollover_limit_minor)
    if amount > 0:
        ledger.transfer(TransactionKind.ALLOCATION, source=previous,
                        target=budget_account(programme, user_id, key, now=now),
                        amount_minor=amount, now=now,
                        reference=f"rollover:p{programme.id}:u{user_id}:{key}",
                        memo="rollover")


def spendable_until(programme: BudgetProgramme, key: str) -> date:
    """The last day a period's budget can be spent."""
    _start, end = period_bounds(programme.period, key)
    return end + timedelta(days=programme.expiry_days)


def expire_budgets(programme: BudgetProgramme, *, today: date, now: datetime) -> int:
    """Return what is left of every period past its spending window to the programme's pot.
    Returns how much was returned. Safe to run again."""
    funds = funds_account(programme, now=now)
    returned = 0
    accounts = db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.programme_id == programme.id,
        LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
        LedgerAccount.balance_minor > 0).order_by(LedgerAccount.id)).all()
    for account in accounts:
        if spendable_until(programme, account.period_key) >= today:
            continue
        amount = account.balance_minor
        ledger.transfer(TransactionKind.EXPIRY, source=account, target=funds,
                        amount_minor=amount, now=now, category=account.pot,
                        reference=f"expiry:a{account.id}:{today.isoformat()}")
        returned += amount
    return returned


def return_unspent(programme: BudgetProgramme, user_id: int, *, now: datetime,
                   reason: str) -> int:
    """A leaver's unspent budget goes back to the programme's pot at once."""
    funds = funds_account(programme, now=now)
    returned = 0
    for account in db.session.scalars(select(LedgerAccount).where(
            LedgerAccount.programme_id == programme.id, LedgerAccount.user_id == user_id,
            LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
            LedgerAccount.balance_minor > 0).order_by(LedgerAccount.id)).all():
        amount = account.balance_minor
        ledger.transfer(TransactionKind.RETURN, source=account, target=funds,
                        amount_minor=amount, now=now, memo=reason, category=account.pot)
        returned += amount
    return returned


# -- what an employee can spend ----------------------------------------------------------


@dataclass(frozen=True)
class SpendableBudget:
    programme: BudgetProgramme
    accounts: list[LedgerAccount]  #: spendable accounts, oldest period first
    #: What each of ``accounts`` may give to the category: its balance, bounded by the cap.
    room: list[int]
    available_minor: int  #: bounded by the category's cap or pot


def programmes_of(enterprise_id: int) -> list[BudgetProgramme]:
    return list(db.session.scalars(select(BudgetProgramme).where(
        BudgetProgramme.enterprise_id == enterprise_id,
        BudgetProgramme.is_active.is_(True)).order_by(BudgetProgramme.id)))


def spendable(user_id: int, programme: BudgetProgramme, *, category: str | None,
              today: date) -> SpendableBudget:
    """What ``user_id`` may spend from ``programme`` on ``category`` today: the balances of
    every period still in its spending window (oldest first), each bounded by the cap."""
    cap = programme.cap_for(category) if category else None
    pot = category if cap is not None and cap.is_own_pot else None
    accounts = _in_window(programme, db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.programme_id == programme.id, LedgerAccount.user_id == user_id,
        LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
        (LedgerAccount.pot == pot) if pot else LedgerAccount.pot.is_(None),
        LedgerAccount.balance_minor > 0).order_by(LedgerAccount.period_key)), today)
    room = _room(category, cap, accounts)
    return SpendableBudget(programme=programme, accounts=accounts, room=room,
                           available_minor=sum(room))


def available_by_category(user_id: int, programme: BudgetProgramme, *,
                          categories: list[str], today: date) -> dict[str, int]:
    """``spendable(...).available_minor`` for each category, with the employee's accounts
    read once rather than once per category (the catalogue shows every category's)."""
    held = list(db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.programme_id == programme.id, LedgerAccount.user_id == user_id,
        LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
        LedgerAccount.balance_minor > 0).order_by(LedgerAccount.period_key)))
    available = {}
    for category in categories:
        cap = programme.cap_for(category) if category else None
        pot = category if cap is not None and cap.is_own_pot else None
        accounts = _in_window(programme, (a for a in held if a.pot == pot), today)
        available[category] = sum(_room(category, cap, accounts))
    return available


def is_share_cap(cap: CategoryCap | None) -> bool:
    """A cap that is a share of each period's allocation (not a pot of its own)."""
    return cap is not None and cap.cap_basis_points is not None and not cap.is_own_pot


def cap_limit(allocated_minor: int, cap: CategoryCap) -> int:
    """What a period's allocation lets its category spend: the cap's share of it."""
    return share(allocated_minor, cap.cap_basis_points)


def _room(category: str | None, cap: CategoryCap | None,
          accounts: list[LedgerAccount]) -> list[int]:
    """What each account may give to ``category``: its balance, and for a category capped by
    a share, no more than that share of the account's period allocation less what the
    category has already taken from it. The cap is kept per period account, so that the
    leftover of a period still in its spending window cannot be spent on the category
    beyond that period's own cap (``ledger.check_ledger`` checks exactly this)."""
    if not is_share_cap(cap) or not accounts:
        return [a.balance_minor for a in accounts]
    ids = [a.id for a in accounts]
    allocated, spent = allocated_by_account(ids), spent_by_account(ids, category)
    return [max(0, min(a.balance_minor, cap_limit(allocated.get(a.id, 0), cap)
                       - spent.get(a.id, 0))) for a in accounts]


def allocated_by_account(account_ids: list[int]) -> dict[int, int]:
    """Each account's allocations (rollover in included): the base of its period's caps."""
    return dict(db.session.execute(
        select(LedgerEntry.account_id, sum_of(LedgerEntry.amount_minor))
        .join(LedgerTransaction)
        .where(LedgerEntry.account_id.in_(account_ids),
               LedgerTransaction.kind == TransactionKind.ALLOCATION,
               LedgerEntry.amount_minor > 0)
        .group_by(LedgerEntry.account_id)).all())


def spent_by_account(account_ids: list[int], category: str) -> dict[int, int]:
    """Net budget that left each account for ``category`` (holds and captures, less
    releases, refunds and corrections)."""
    return {account_id: -net for account_id, net in db.session.execute(
        select(LedgerEntry.account_id, sum_of(LedgerEntry.amount_minor))
        .join(LedgerTransaction)
        .where(LedgerEntry.account_id.in_(account_ids),
               LedgerTransaction.category == category,
               LedgerTransaction.kind.in_(SPENDING))
        .group_by(LedgerEntry.account_id)).all()}


def _in_window(programme: BudgetProgramme, accounts, today: date) -> list[LedgerAccount]:
    """The accounts whose period has begun and is still in its spending window."""
    return [a for a in accounts if spendable_until(programme, a.period_key) >= today
            and period_bounds(programme.period, a.period_key)[0] <= today]
