"""The enterprise's view of how its budget is used: aggregates only.

Every figure covers at least ``k`` employees (``REPORT_MIN_GROUP``, ``core.aggregates``):
departments smaller than that are merged into one "other departments" group, padded with
the smallest departments until it has k (so that the period's total minus the departments
shown never isolates a small group), and categories used by fewer than k people are not
shown, nor, then, the smallest one shown. The people counted are the enterprise's adopted
cohort and the report is released once a day (``usage_report``). Nothing here reads
health data; the report never names a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, case, select

from benefits import roster
from benefits.models import (
    AccountKind,
    BudgetProgramme,
    BudgetUsage,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from benefits.periods import period_key, previous_key
from benefits.statements import month_bounds
from core import aggregates
from core.accounts.models import Enterprise, User
from core.db import db, replica_reads, sum_of
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
    groups_withheld: bool  #: everyone together is fewer than k: no department is shown
    categories: list[tuple[str, int, int]]  #: (category, people, spent)
    participation_percent: int | None
    over_time: list[PeriodUse]
    released_at: datetime | None = None  #: when these figures were worked out


def _usage(programme: BudgetProgramme, keys: list[str]) -> Select[*tuple[Any, ...]]:
    """The usage summary rows of the programme's employee budget accounts in those periods
    (one per account and category: ``benefits.usage``), not their ledger entries."""
    return (select().select_from(BudgetUsage)
            .where(BudgetUsage.programme_id == programme.id, BudgetUsage.period_key.in_(keys)))


def _per_user(programme: BudgetProgramme, keys: list[str]) -> Subquery:
    """Per period and employee: what was allocated, how many allocations, and what was
    spent (holds less releases, refunds and reversals): one row per employee, summed by
    the database."""
    return (_usage(programme, keys).add_columns(
        BudgetUsage.period_key.label("period_key"),
        BudgetUsage.user_id.label("user_id"),
        sum_of(BudgetUsage.allocated_minor).label("allocated"),
        sum_of(BudgetUsage.allocations).label("allocations"),
        sum_of(BudgetUsage.spent_minor).label("spent"))
        .group_by(BudgetUsage.period_key, BudgetUsage.user_id).subquery("per_user"))


def _positive(column: ColumnElement[int]) -> ColumnElement[int]:
    return case((column > 0, column), else_=0)


def usage_report(enterprise: Enterprise, programme: BudgetProgramme, *, actor: User,
                 on: date, now: datetime) -> UsageReport:
    """Raises Forbidden/NotFound unless ``actor`` runs this enterprise's benefits.

    Today's release of the report (``core.aggregates``): worked out once a day over the
    enterprise's adopted cohort (active employees by department; it changes only when at
    least k people joined, left or moved) and stored, so that moving, deactivating or
    reactivating one person changes no figure. Later reads that day read one row."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    k = aggregates.min_group()
    key = period_key(programme.period, on)

    def figures() -> dict[str, Any]:
        cohort = aggregates.adopted_cohort(f"enterprise:{enterprise.id}",
                                           roster.active_departments([enterprise.id]),
                                           k=k, now=now)
        with replica_reads():  # aggregates people read: seconds of lag change nothing
            return _figures(programme, key, cohort, k=k)

    stored = aggregates.release(f"benefits-usage:{programme.id}:{key}",
                                period=on.isoformat(), compute=figures, now=now)
    data = stored.figures
    return UsageReport(
        period_key=key, currency=programme.currency, k=data["k"],
        departments=[GroupLine(*line) for line in data["departments"]],
        groups_withheld=data["groups_withheld"],
        categories=[tuple(row) for row in data["categories"]],
        participation_percent=data["participation_percent"],
        over_time=[PeriodUse(*row) for row in data["over_time"]],
        released_at=stored.released_at)


def _figures(programme: BudgetProgramme, key: str, cohort: dict[int, str], *, k: int
             ) -> dict[str, Any]:
    """The report over the people of ``cohort`` (user id → department), suppressed."""
    per_user = _per_user(programme, [key])
    rows = db.session.execute(
        select(per_user.c.user_id, per_user.c.allocated, per_user.c.spent)
        .where(per_user.c.allocations > 0)).all()
    by_name: dict[str, list[GroupLine]] = {}
    participants = 0
    for user_id, allocated, spent in rows:
        if user_id not in cohort:
            continue  # a leaver, or someone not in the adopted cohort yet
        name = cohort[user_id] or OTHER
        participants += spent > 0
        by_name.setdefault(name, []).append(GroupLine(name, 1, allocated, max(spent, 0)))
    everyone = [line for group in by_name.values() for line in group]
    # small departments merged into "other", padded with the smallest until it has k: the
    # period's total (over time) minus the departments shown never isolates a small group
    shown, rest, withheld = aggregates.merge_small_groups(
        by_name, k=k, size=lambda group: sum(line.employees for line in group))
    lines = [_summed(name, group) for name, group in shown if name != OTHER]
    rest += [line for name, group in shown if name == OTHER for line in group]
    if rest and not withheld:
        lines.append(_summed(OTHER, rest))
    total = _summed(key, everyone)
    # the current period over the same people as the departments, earlier ones as they were
    over_time = [p for p in utilisation(programme, key, k=k) if p.period_key != key]
    if aggregates.count_is_shown(total.employees, k=k):
        over_time.append(PeriodUse(key, total.employees, total.allocated_minor,
                                   total.spent_minor))
    shown_participation = (aggregates.count_is_shown(total.employees, k=k)
                           and aggregates.count_is_shown(participants, k=k))
    return {"k": k, "groups_withheld": withheld,
            "departments": [[line.name, line.employees, line.allocated_minor,
                             line.spent_minor] for line in lines],
            "categories": [list(row) for row in _categories(programme, key, cohort, k=k)],
            "participation_percent": (participants * 100 // total.employees
                                      if shown_participation else None),
            "over_time": [[p.period_key, p.employees, p.allocated_minor, p.spent_minor]
                          for p in over_time]}


def _summed(name: str, group: list[GroupLine]) -> GroupLine:
    return GroupLine(name, sum(line.employees for line in group),
                     sum(line.allocated_minor for line in group),
                     sum(line.spent_minor for line in group))


def _categories(programme: BudgetProgramme, key: str, cohort: dict[int, str], *, k: int
                ) -> list[tuple[str, int, int]]:
    """(category, people, spent) of the categories at least k people of ``cohort`` spent
    on, most spent first. When some category is left out, the smallest one shown is left
    out with it, so that the period's spending minus the categories shown always covers at
    least k people (complementary suppression: a category of two people cannot be worked
    out from the total)."""
    per_person = (_usage(programme, [key]).add_columns(
        BudgetUsage.user_id.label("user_id"), BudgetUsage.category.label("category"),
        sum_of(BudgetUsage.spent_minor).label("spent"))
        .where(BudgetUsage.category != "")
        .group_by(BudgetUsage.user_id, BudgetUsage.category).subquery("per_person"))
    totals: dict[str, list[int]] = {}
    for category, user_id, spent in db.session.execute(
            select(per_person.c.category, per_person.c.user_id, per_person.c.spent)
            .where(per_person.c.spent > 0)):
        if user_id in cohort:
            people_spent = totals.setdefault(category, [0, 0])
            people_spent[0] += 1
            people_spent[1] += spent
    shown = sorted(((category, people, spent) for category, (people, spent) in totals.items()
                    if aggregates.count_is_shown(people, k=k)),
                   key=lambda row: (row[1], row[2], row[0]))
    if shown and len(shown) < len(totals):
        shown.pop(0)  # it has k people or more: what is hidden now covers at least k
    return sorted(shown, key=lambda row: (-row[2], row[0]))


def utilisation(programme: BudgetProgramme, key: str, *, k: int,
                periods: int = 6) -> list[PeriodUse]:
    """Allocated and spent over the last few periods, oldest first; periods with fewer
    than k employees are left out."""
    keys = [key]
    while len(keys) < periods:
        keys.insert(0, previous_key(programme.period, keys[0]))
    per_user = _per_user(programme, keys)
    allocated = per_user.c.allocations > 0
    rows = db.session.execute(
        select(per_user.c.period_key, sum_of(case((allocated, 1), else_=0)),
               sum_of(case((allocated, per_user.c.allocated), else_=0)),
               sum_of(_positive(per_user.c.spent)))
        .group_by(per_user.c.period_key)).all()
    found = {period: (employees, allocated_minor, spent_minor)
             for period, employees, allocated_minor, spent_minor in rows}
    return [PeriodUse(period, *found[period]) for period in keys
            if period in found and found[period][0] >= k]


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
