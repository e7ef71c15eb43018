"""Budget programmes: creating them, funding them, allocating each period to the roster,
expiry and rollover, and what an employee can spend.

Money moves only through ``benefits.ledger``; every movement carries a reference, so that
running an allocation or an expiry twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from benefits import entitlements, ledger
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
from core import freshness
from core.accounts.models import Enterprise, Membership, Role, User
from core.copies import remembered_copy
from core.db import db, sum_of
from core.errors import InvalidInput
from core.i18n import format_money
from core.money import FULL, share
from core.policy import Action, require
from providers.models import ProviderCategory


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
    prorate_joiners: bool = True
    amount_rules: list[AmountRuleInput] = field(default_factory=list)
    caps: list[CapInput] = field(default_factory=list)


#: The categories a cap or pot can be for (the providers' service categories).
CATEGORY_KEYS = tuple(c.value for c in ProviderCategory)


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
    if not data.name.strip():
        raise InvalidInput(fields={"name": _("This field is required.")})
    conditions = set()
    for rule in data.amount_rules:
        check_amount(rule.amount_minor, "amount_rules")
        if not (rule.grade or "").strip() and not (rule.department or "").strip():
            raise InvalidInput(fields={"amount_rules": _(
                "Each amount rule needs a grade or a department.")})
        condition = ((rule.grade or "").strip(), (rule.department or "").strip())
        if condition in conditions:
            raise InvalidInput(fields={"amount_rules": _(
                "Two rules are for the same grade and department; keep one.")})
        conditions.add(condition)
    seen = set()
    for cap in data.caps:
        if cap.category not in CATEGORY_KEYS:
            raise InvalidInput(fields={"caps": _("Choose a category from the list.")})
        if cap.category in seen:
            raise InvalidInput(fields={"caps": _("Each category can have one cap only.")})
        seen.add(cap.category)
        if cap.cap_basis_points is None and cap.pot_amount_minor is None:
            raise InvalidInput(fields={"caps": _("Give a cap or a pot amount.")})
        if cap.cap_basis_points is not None and not 0 <= cap.cap_basis_points <= FULL:
            raise InvalidInput(fields={"caps": _("A cap is a share between 0% and 100%.")})
        if cap.pot_amount_minor is not None:
            check_amount(cap.pot_amount_minor, "caps")


def _rules(data: ProgrammeInput) -> list[ProgrammeAmountRule]:
    return [ProgrammeAmountRule(grade=(r.grade or "").strip() or None,
                                department=(r.department or "").strip() or None,
                                amount_minor=r.amount_minor) for r in data.amount_rules]


def _caps(data: ProgrammeInput) -> list[CategoryCap]:
    return [CategoryCap(category=c.category, cap_basis_points=c.cap_basis_points,
                        pot_amount_minor=c.pot_amount_minor) for c in data.caps]


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
        starts_on=data.starts_on, prorate_joiners=data.prorate_joiners, is_active=True,
        created_at=now, amount_rules=_rules(data), category_caps=_caps(data))
    db.session.add(programme)
    db.session.flush()
    return programme


def programme_input(programme: BudgetProgramme) -> ProgrammeInput:
    """A programme's rules as they stand, to change some and save them all."""
    return ProgrammeInput(
        name=programme.name, period=programme.period, amount_minor=programme.amount_minor,
        starts_on=programme.starts_on, currency=programme.currency,
        dependants_allowed=programme.dependants_allowed,
        rollover_limit_minor=programme.rollover_limit_minor,
        expiry_days=programme.expiry_days, prorate_joiners=programme.prorate_joiners,
        amount_rules=[AmountRuleInput(r.amount_minor, r.grade, r.department)
                      for r in programme.amount_rules],
        caps=[CapInput(c.category, c.cap_basis_points, c.pot_amount_minor)
              for c in programme.category_caps])


def update_programme(programme: BudgetProgramme, data: ProgrammeInput, *,
                     actor: User) -> BudgetProgramme:
    """Replace a programme's rules with ``data`` (all of them: base amount, grade and
    department rules, caps and pots, rollover, expiry, proration). Everything is checked
    before anything changes, so a refused edit writes nothing. The period and currency
    stay as they are (periods already given are named by them). Budgets already given
    keep their amounts; the new rules apply to every allocation from now on.

    Raises Forbidden/NotFound, InvalidInput (naming the field).
    """
    require(actor, Action.MANAGE_BENEFITS, programme.enterprise)
    if data.period != programme.period or data.currency != programme.currency:
        raise InvalidInput(fields={"period": _(
            "The period and currency of a programme cannot change; create a new programme.")})
    _validate(data)
    programme.name = data.name.strip()
    programme.amount_minor = data.amount_minor
    programme.dependants_allowed = data.dependants_allowed
    programme.rollover_limit_minor = data.rollover_limit_minor
    programme.expiry_days = data.expiry_days
    programme.starts_on = data.starts_on
    programme.prorate_joiners = data.prorate_joiners
    programme.amount_rules = _rules(data)
    programme.category_caps = []
    db.session.flush()  # the old caps go before the new ones (one cap per category)
    programme.category_caps = _caps(data)
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


class SkipReason(StrEnum):
    NO_ACCOUNT = "no_account"  #: on the roster, invitation not accepted yet
    ALREADY_ALLOCATED = "already_allocated"  #: this period was already given
    NOTHING_DUE = "nothing_due"  #: the rules give this person nothing

    @property
    def label(self) -> str:
        return str(SKIP_LABELS[self])


SKIP_LABELS = {
    SkipReason.NO_ACCOUNT: _l("No account yet: the invitation has not been accepted. "
                              "They get this period's budget when they accept it."),
    SkipReason.ALREADY_ALLOCATED: _l("Already allocated for this period."),
    SkipReason.NOTHING_DUE: _l("The rules give nothing to this department and grade."),
}


@dataclass(frozen=True)
class Member:
    """Someone the programme gives budgets to: an active roster entry, or an employee who
    signed up with the invite code and is not on the roster."""
    name: str
    user_id: int | None
    entry: RosterEntry | None
    role_began: datetime | None

    @property
    def department(self) -> str | None:
        return self.entry.department if self.entry else None

    @property
    def grade(self) -> str | None:
        return self.entry.grade if self.entry else None


def members(enterprise_id: int) -> list[Member]:
    """The active roster (with or without an account yet), then the enterprise's active
    employees who are not on it (self sign-ups)."""
    entries = list(db.session.scalars(select(RosterEntry).where(
        RosterEntry.enterprise_id == enterprise_id, RosterEntry.is_active.is_(True))
        .order_by(RosterEntry.id)))
    found = [Member(e.name, e.user_id, e, None) for e in entries]
    on_roster = {e.user_id for e in entries if e.user_id is not None}
    left = set(db.session.scalars(select(RosterEntry.user_id).where(
        RosterEntry.enterprise_id == enterprise_id, RosterEntry.is_active.is_(False),
        RosterEntry.user_id.is_not(None))))
    for membership, user in db.session.execute(
            select(Membership, User).join(User, User.id == Membership.user_id).where(
                Membership.enterprise_id == enterprise_id, Membership.role == Role.EMPLOYEE,
                Membership.is_active.is_(True), User.is_active.is_(True))
            .order_by(Membership.id)).all():
        if user.id not in on_roster and user.id not in left:
            on_roster.add(user.id)
            found.append(Member(user.display_name, user.id, None, membership.created_at))
    return found


def member_of(enterprise_id: int, user_id: int) -> Member | None:
    return next((m for m in members(enterprise_id) if m.user_id == user_id), None)


def entitlement_of(programme: BudgetProgramme, member: Member, key: str, *,
                   launched: date | None) -> entitlements.Entitlement:
    return entitlements.entitlement(
        programme, key=key, department=member.department, grade=member.grade,
        joined_on=entitlements.joined_on(member.entry, member.role_began), launched=launched)


@dataclass(frozen=True)
class AllocatedLine:
    name: str
    user_id: int
    amount_minor: int  #: all parts together
    prorated: bool


@dataclass(frozen=True)
class SkippedLine:
    name: str
    user_id: int | None
    reason: SkipReason


@dataclass(frozen=True)
class AllocationResult:
    period_key: str
    employees: int  #: newly allocated by this run
    total_minor: int  #: newly allocated by this run
    allocated: list[AllocatedLine] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)


def allocation_for(programme: BudgetProgramme, entry: RosterEntry) -> list[tuple[str | None, int]]:
    """(pot, amount) pairs one employee gets per period (not prorated): the general budget
    and each pot."""
    parts: list[tuple[str | None, int | None]] = [
        (None, programme.amount_for(department=entry.department, grade=entry.grade))]
    parts += [(cap.category, cap.pot_amount_minor) for cap in programme.category_caps
              if cap.is_own_pot]
    return [(pot, amount) for pot, amount in parts if amount]


def _already(programme: BudgetProgramme, user_id: int, key: str) -> bool:
    """Whether this period was already given to the person (any part of it)."""
    return db.session.scalar(select(LedgerTransaction.id).where(
        LedgerTransaction.reference.like(f"allocation:p{programme.id}:u{user_id}:{key}:%"))
        .limit(1)) is not None


def allocate_period(programme: BudgetProgramme, *, on: date, actor: User | None,
                    now: datetime) -> AllocationResult:
    """Give every active employee (the roster, and self sign-ups who are not on it) their
    budget for the period that contains ``on``, carrying over what the rollover rule allows;
    say whom it gave what, and whom it skipped and why. Safe to run again, and alongside
    joiners' allocations (the programme's pot is locked before anything is read).

    Raises Forbidden/NotFound, InsufficientFunds (with how much is missing).
    """
    if actor is not None:
        require(actor, Action.MANAGE_BENEFITS, programme.enterprise)
    key = period_key(programme.period, on)
    funds = funds_account(programme, now=now)
    ledger.lock_accounts([funds])
    launched = entitlements.launched_on(programme)
    pending: list[tuple[Member, int, entitlements.Entitlement]] = []  # (member, user id, ...)
    skipped: list[SkippedLine] = []
    for member in members(programme.enterprise_id):
        if member.user_id is None:
            skipped.append(SkippedLine(member.name, None, SkipReason.NO_ACCOUNT))
        elif _already(programme, member.user_id, key):
            skipped.append(SkippedLine(member.name, member.user_id,
                                       SkipReason.ALREADY_ALLOCATED))
        else:
            ent = entitlement_of(programme, member, key, launched=launched)
            if ent.to_allocate():
                pending.append((member, member.user_id, ent))
            else:
                skipped.append(SkippedLine(member.name, member.user_id,
                                           SkipReason.NOTHING_DUE))
    needed = sum(amount for _m, _u, ent in pending for _pot, amount in ent.to_allocate())
    if needed > funds.balance_minor:
        raise InsufficientFunds(_(
            "The programme holds %(have)s but this period needs %(need)s. Top it up first.",
            have=format_money(funds.balance_minor, programme.currency),
            need=format_money(needed, programme.currency)))
    amounts = [_give(programme, user_id, ent, funds=funds, actor=actor, now=now)
               for _m, user_id, ent in pending]
    allocated = [AllocatedLine(m.name, user_id, amount, ent.prorated)
                 for (m, user_id, ent), amount in zip(pending, amounts, strict=True)]
    return AllocationResult(period_key=key, employees=len(allocated),
                            total_minor=sum(a.amount_minor for a in allocated),
                            allocated=allocated, skipped=skipped)


def _give(programme: BudgetProgramme, user_id: int, ent: entitlements.Entitlement, *,
          funds: LedgerAccount, actor: User | None, now: datetime) -> int:
    total = 0
    for pot, amount in ent.to_allocate():
        ledger.transfer(TransactionKind.ALLOCATION, source=funds,
                        target=budget_account(programme, user_id, ent.period_key, now=now,
                                              pot=pot),
                        amount_minor=amount, now=now,
                        reference=f"allocation:p{programme.id}:u{user_id}:{ent.period_key}:"
                                  f"{pot or 'general'}",
                        actor_id=actor.id if actor else None, category=pot,
                        memo="prorated" if ent.prorated else "")
        total += amount
        if pot is None:
            _roll_over(programme, user_id, ent.period_key, now=now)
    return total


@dataclass(frozen=True)
class JoinOutcome:
    programme: BudgetProgramme
    allocated_minor: int
    #: why nothing was given: None (given), a SkipReason, "not_launched" or "no_funds"
    reason: str | None = None


def allocate_joiner(enterprise_id: int, user_id: int, *, today: date,
                    now: datetime) -> list[JoinOutcome]:
    """Someone joined the enterprise (accepted an invitation, signed up with the invite
    code, or was added to the roster with an account): give them the current period's
    budget of every active programme that has begun giving budgets, prorated by the days
    left (``benefits.entitlements``). Once per person and period: the programme's pot is
    locked before the person's allocation is looked for, so two joins at once (or a join
    and HR's run) give it once. A programme without enough funds gives nothing now (HR's
    run shows the person as still to allocate); nothing else is refused."""
    member = member_of(enterprise_id, user_id)
    if member is None:
        return []
    outcomes = []
    for programme in programmes_of(enterprise_id):
        key = period_key(programme.period, today)
        if programme.starts_on > today:
            continue
        funds = funds_account(programme, now=now)
        ledger.lock_accounts([funds])
        launched = entitlements.launched_on(programme)
        if launched is None:
            outcomes.append(JoinOutcome(programme, 0, "not_launched"))
            continue
        if _already(programme, user_id, key):
            outcomes.append(JoinOutcome(programme, 0, SkipReason.ALREADY_ALLOCATED.value))
            continue
        ent = entitlement_of(programme, member, key, launched=launched)
        if not ent.to_allocate():
            outcomes.append(JoinOutcome(programme, 0, SkipReason.NOTHING_DUE.value))
            continue
        if sum(a for _p, a in ent.to_allocate()) > funds.balance_minor:
            outcomes.append(JoinOutcome(programme, 0, "no_funds"))
            continue
        outcomes.append(JoinOutcome(programme, _give(programme, user_id, ent, funds=funds,
                                                     actor=None, now=now)))
    return outcomes


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
        assert account.period_key is not None  # an employee's budget is for one period
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


def programmes_of(enterprise_id: int, *, remembered: bool = False) -> list[BudgetProgramme]:
    """The enterprise's active programmes. ``remembered``: copies kept per process, with
    their category caps, while the programmes' rules stay (``core.copies``; every attempt
    to book a priced place reads them for its quote)."""
    statement = select(BudgetProgramme).where(
        BudgetProgramme.enterprise_id == enterprise_id,
        BudgetProgramme.is_active.is_(True)).order_by(BudgetProgramme.id)
    if not remembered:
        return list(db.session.scalars(statement))
    with_caps = statement.options(selectinload(BudgetProgramme.category_caps))
    return remembered_copy("benefits.enterprise_programmes", ENTERPRISES_SIZE, enterprise_id,
                           [freshness.BUDGETS],
                           lambda session: list(session.scalars(with_caps)),
                           shared=True) or []


#: Enterprises whose programmes are remembered per process.
ENTERPRISES_SIZE = 512


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
    assert cap.cap_basis_points is not None  # a share cap (is_share_cap)
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
    assert cap is not None and category is not None  # is_share_cap
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


def _in_window(programme: BudgetProgramme, accounts: Iterable[LedgerAccount],
               today: date) -> list[LedgerAccount]:
    """The accounts whose period has begun and is still in its spending window."""
    return [a for a in accounts if a.period_key is not None
            and spendable_until(programme, a.period_key) >= today
            and period_bounds(programme.period, a.period_key)[0] <= today]
