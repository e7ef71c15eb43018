"""Reads for budgets and rosters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from benefits import budgets, entitlements
from benefits.models import (
    AccountKind,
    BudgetProgramme,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    RosterEntry,
    TransactionKind,
)
from benefits.periods import period_key
from core import freshness
from core.accounts.models import Enterprise, User
from core.copies import remembered_copy
from core.db import db, sum_of
from core.i18n import format_money, format_period


@dataclass(frozen=True)
class BudgetLine:
    programme: BudgetProgramme
    pot: str | None
    available_minor: int


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    kind: TransactionKind
    amount_minor: int
    currency: str
    category: str | None


def employee_enterprise_ids(user: User) -> list[int]:
    return sorted({m.enterprise_id for m in user.active_memberships if m.enterprise_id})


def employee_budget(user: User, *, today: date) -> list[BudgetLine]:
    """What the employee can spend today, per programme and pot."""
    lines = []
    for enterprise_id in employee_enterprise_ids(user):
        for programme in budgets.programmes_of(enterprise_id):
            lines.append(BudgetLine(programme, None, budgets.spendable(
                user.id, programme, category=None, today=today).available_minor))
            for cap in programme.category_caps:
                if cap.is_own_pot:
                    lines.append(BudgetLine(programme, cap.category, budgets.spendable(
                        user.id, programme, category=cap.category, today=today).available_minor))
    return lines


@dataclass(frozen=True)
class Explained:
    entitlement: entitlements.Entitlement
    allocated_minor: int | None  #: what this period gave, None when not yet
    lines: list[str]


def employee_explanations(user: User, *, today: date) -> list[Explained]:
    """How each of the employee's amounts is worked out from their programme's rules (their
    own roster entry's grade and department), and what the current period gave."""
    found = []
    for enterprise_id in employee_enterprise_ids(user):
        member = budgets.member_of(enterprise_id, user.id)
        if member is None:
            continue
        for programme in budgets.programmes_of(enterprise_id):
            key = period_key(programme.period, today)
            ent = budgets.entitlement_of(programme, member, key,
                                         launched=entitlements.launched_on(programme))
            allocated = db.session.scalar(
                select(sum_of(LedgerEntry.amount_minor)).join(LedgerEntry.transaction)
                .where(LedgerTransaction.reference.like(
                    f"allocation:p{programme.id}:u{user.id}:{key}:%"),
                    LedgerEntry.amount_minor > 0)) or None
            lines = entitlements.explanation_lines(ent)
            due = sum(amount for _pot, amount in ent.to_allocate())
            if allocated is None:
                lines.append(_("Period %(period)s has not been given yet.",
                                  period=format_period(key)))
            elif allocated != due:
                lines.append(_("Period %(period)s gave %(amount)s under the rules of the day "
                               "it was given; changed rules apply from the next period.",
                               period=format_period(key), amount=format_money(allocated,
                                                               programme.currency)))
            found.append(Explained(ent, allocated, lines))
    return found


def held_minor(user: User) -> int:
    return db.session.scalar(select(sum_of(LedgerAccount.balance_minor))
                             .where(LedgerAccount.user_id == user.id,
                                    LedgerAccount.kind == AccountKind.BUDGET_HOLD)) or 0


def employee_history(user: User, *, limit: int = 50) -> list[HistoryLine]:
    """Movements on the employee's budget accounts, newest first, netted per movement."""
    rows = db.session.execute(
        select(LedgerTransaction.created_at, LedgerTransaction.kind,
               sum_of(LedgerEntry.amount_minor), LedgerEntry.currency,
               LedgerTransaction.category)
        .join(LedgerEntry.transaction).join(LedgerEntry.account)
        .where(LedgerAccount.user_id == user.id,
               LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET)
        .group_by(LedgerTransaction.id, LedgerTransaction.created_at, LedgerTransaction.kind,
                  LedgerEntry.currency, LedgerTransaction.category)
        .order_by(LedgerTransaction.id.desc()).limit(limit)).all()
    return [HistoryLine(*row) for row in rows if row[2]]


def roster(enterprise: Enterprise, *, include_leavers: bool = True) -> list[RosterEntry]:
    query = select(RosterEntry).where(RosterEntry.enterprise_id == enterprise.id)
    if not include_leavers:
        query = query.where(RosterEntry.is_active.is_(True))
    return list(db.session.scalars(query.order_by(RosterEntry.is_active.desc(),
                                                  RosterEntry.employee_no)))


def roster_query(enterprise: Enterprise) -> Select[RosterEntry]:
    return select(RosterEntry).where(RosterEntry.enterprise_id == enterprise.id).order_by(
        RosterEntry.employee_no)


def programme_of(enterprise: Enterprise, programme_id: int, *,
                 remembered: bool = False) -> BudgetProgramme | None:
    """The enterprise's programme. ``remembered``: from a copy kept per process while the
    programmes' rules stay (``core.copies``; the reports, read far more than written)."""
    if remembered:
        programme = remembered_copy("benefits.programmes", PROGRAMMES_SIZE, programme_id,
                                    [freshness.BUDGETS],
                                    lambda session: session.get(BudgetProgramme, programme_id))
    else:
        programme = db.session.get(BudgetProgramme, programme_id)
    return programme if programme and programme.enterprise_id == enterprise.id else None


#: Programmes remembered per process.
PROGRAMMES_SIZE = 512


@dataclass(frozen=True)
class ProgrammeSummary:
    programme: BudgetProgramme
    funds_minor: int
    current_period: str
    allocated_minor: int
    employees_allocated: int


def programme_summary(programme: BudgetProgramme, *, today: date) -> ProgrammeSummary:
    key = period_key(programme.period, today)
    funds = db.session.scalar(select(LedgerAccount.balance_minor).where(
        LedgerAccount.programme_id == programme.id,
        LedgerAccount.kind == AccountKind.PROGRAMME_FUNDS)) or 0
    allocated, employees = db.session.execute(
        select(sum_of(LedgerEntry.amount_minor),
               func.count(func.distinct(LedgerAccount.user_id)))
        .join(LedgerEntry.account).join(LedgerEntry.transaction)
        .where(LedgerAccount.programme_id == programme.id, LedgerAccount.period_key == key,
               LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
               LedgerTransaction.kind == TransactionKind.ALLOCATION,
               LedgerEntry.amount_minor > 0)).one()
    return ProgrammeSummary(programme, funds, key, allocated, employees)
