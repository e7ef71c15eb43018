"""The enterprise's view of how its budget is used: aggregates only.

Every figure covers at least ``k`` employees (``REPORT_MIN_GROUP``, 5 by default):
departments smaller than that are merged into one "other departments" group, which is
itself suppressed when still too small, and categories used by fewer than k people are not
shown. Nothing here reads health data; the report never names a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from benefits.models import (
    AccountKind,
    BudgetProgramme,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    RosterEntry,
    TransactionKind,
)
from benefits.periods import period_key, previous_key
from benefits.statements import month_bounds
from core.accounts.models import Enterprise, User
from core.db import db, sum_of
from core.policy import Action, require

OTHER = "__other__"


@dataclass(frozen=True)
class GroupLine:
    name: str  #: a department, or OTHER
    employees: int
    allocated_minor: int
    spent_minor: int

    @property
    def remaining_minor(self) -> int:
        return self.allocated_minor - self.spent_minor


@dataclass(frozen=True)
class PeriodUse:
    period_key: str
    employees: int
    allocated_minor: int
    spent_minor: int

    @property
    def percent(self) -> int:
        return self.spent_minor * 100 // self.allocated_minor if self.allocated_minor else 0


@dataclass(frozen=True)
class UsageReport:
    period_key: str
    currency: str
    k: int
    departments: list[GroupLine]
    suppressed_employees: int
    categories: list[tuple[str, int, int]]  #: (category, people, spent)
    participation_percent: int | None
    over_time: list[PeriodUse]


def _per_user(programme: BudgetProgramme, key: str) -> tuple[dict[int, int], dict[int, int],
                                                             dict[tuple[int, str], int]]:
    """Allocated and spent per employee, and spent per employee and category."""
    rows = db.session.execute(
        select(LedgerAccount.user_id, LedgerTransaction.kind, LedgerTransaction.category,
               LedgerEntry.amount_minor)
        .join(LedgerEntry.account).join(LedgerEntry.transaction)
        .where(LedgerAccount.programme_id == programme.id,
               LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
               LedgerAccount.period_key == key)).all()
    allocated: dict[int, int] = defaultdict(int)
    spent: dict[int, int] = defaultdict(int)
    by_category: dict[tuple[int, str], int] = defaultdict(int)
    spending = {TransactionKind.HOLD, TransactionKind.RELEASE, TransactionKind.REFUND,
                TransactionKind.REVERSAL}
    for user_id, kind, category, amount in rows:
        if kind is TransactionKind.ALLOCATION and amount > 0:
            allocated[user_id] += amount
        elif kind in spending:
            spent[user_id] -= amount
            if category:
                by_category[(user_id, category)] -= amount
    return allocated, spent, by_category


def usage_report(enterprise: Enterprise, programme: BudgetProgramme, *, actor: User,
                 on) -> UsageReport:
    """Raises Forbidden/NotFound unless ``actor`` runs this enterprise's benefits."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    k = int(current_app.config.get("REPORT_MIN_GROUP", 5))
    key = period_key(programme.period, on)
    allocated, spent, by_category = _per_user(programme, key)
    departments = dict(db.session.execute(
        select(RosterEntry.user_id, RosterEntry.department)
        .where(RosterEntry.enterprise_id == enterprise.id,
               RosterEntry.user_id.in_(list(allocated)))).all())
    groups: dict[str, list[int]] = defaultdict(list)
    for user_id in allocated:
        groups[departments.get(user_id, OTHER)].append(user_id)
    lines, other = [], []
    for name, members in sorted(groups.items()):
        (lines.append(_line(name, members, allocated, spent)) if len(members) >= k
         and name != OTHER else other.extend(members))
    suppressed = 0
    if other:
        if len(other) >= k:
            lines.append(_line(OTHER, other, allocated, spent))
        else:
            suppressed = len(other)
    people_per_category: dict[str, set[int]] = defaultdict(set)
    spent_per_category: dict[str, int] = defaultdict(int)
    for (user_id, category), amount in by_category.items():
        if amount > 0:
            people_per_category[category].add(user_id)
            spent_per_category[category] += amount
    categories = sorted(((c, len(people), spent_per_category[c])
                         for c, people in people_per_category.items() if len(people) >= k),
                        key=lambda row: -row[2])
    participants = sum(1 for user_id in allocated if spent.get(user_id, 0) > 0)
    participation = (participants * 100 // len(allocated)
                     if len(allocated) >= k else None)
    return UsageReport(period_key=key, currency=programme.currency, k=k, departments=lines,
                       suppressed_employees=suppressed, categories=categories,
                       participation_percent=participation,
                       over_time=utilisation(programme, key, k=k))


def utilisation(programme: BudgetProgramme, key: str, *, k: int,
                periods: int = 6) -> list[PeriodUse]:
    """Allocated and spent over the last few periods, oldest first; periods with fewer
    than k employees are left out."""
    keys = [key]
    while len(keys) < periods:
        keys.insert(0, previous_key(programme.period, keys[0]))
    result = []
    for period in keys:
        allocated, spent, _by_category = _per_user(programme, period)
        if len(allocated) >= k:
            result.append(PeriodUse(period, len(allocated), sum(allocated.values()),
                                    sum(max(0, v) for v in spent.values())))
    return result


@dataclass(frozen=True)
class FundsStatement:
    programme: BudgetProgramme
    month: str
    totals: dict[TransactionKind, int]  #: net movement of the programme's pot, per kind

    @property
    def net_minor(self) -> int:
        return sum(self.totals.values())


def funds_statement(enterprise: Enterprise, programme: BudgetProgramme, *, month: str,
                    actor: User) -> FundsStatement:
    """The enterprise's monthly statement of its programme's pot: money in (funding,
    expiry, leavers' returns) and out (allocations). Raises InvalidInput for a bad month."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    start, end = month_bounds(month, enterprise.park.timezone)
    rows = db.session.execute(
        select(LedgerTransaction.kind, sum_of(LedgerEntry.amount_minor))
        .join(LedgerEntry.transaction).join(LedgerEntry.account)
        .where(LedgerAccount.programme_id == programme.id,
               LedgerAccount.kind == AccountKind.PROGRAMME_FUNDS,
               LedgerTransaction.created_at >= start, LedgerTransaction.created_at < end)
        .group_by(LedgerTransaction.kind)).all()
    return FundsStatement(programme=programme, month=month, totals=dict(rows))


def _line(name: str, members: list[int], allocated: dict[int, int],
          spent: dict[int, int]) -> GroupLine:
    return GroupLine(name=name, employees=len(members),
                     allocated_minor=sum(allocated[m] for m in members),
                     spent_minor=sum(max(0, spent.get(m, 0)) for m in members))


def report_csv_rows(report: UsageReport, *, other_label: str) -> list[list[str]]:
    rows = [["period", "department", "employees", "allocated_minor", "spent_minor",
             "remaining_minor", "currency"]]
    for line in report.departments:
        rows.append([report.period_key, other_label if line.name == OTHER else line.name,
                     str(line.employees), str(line.allocated_minor), str(line.spent_minor),
                     str(line.remaining_minor), report.currency])
    return rows


def funds_csv_rows(statement: FundsStatement) -> list[list[str]]:
    rows = [[], ["month", "movement", "amount_minor", "currency"]]
    rows += [[statement.month, kind.value, str(amount), statement.programme.currency]
             for kind, amount in sorted(statement.totals.items())]
    rows.append([statement.month, "net", str(statement.net_minor), statement.programme.currency])
    return rows
