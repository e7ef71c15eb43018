"""The budget usage summary (``BudgetUsage``): one row per employee budget account and
service category, kept by every posting, so that reports read thousands of rows instead
of every ledger entry. The summary is derived data: the entries stay the truth, and
``check`` and ``rebuild`` compare and recompute it from them in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, insert, literal, select

from benefits.models import (
    AccountKind,
    BudgetUsage,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from core.db import db, sum_of, upsert_insert

#: Movements that count as spending a budget (a hold, less what comes back).
SPENDING = (TransactionKind.HOLD, TransactionKind.RELEASE, TransactionKind.REFUND,
            TransactionKind.REVERSAL)


def record(kind: TransactionKind, category: str | None,
           legs: Iterable[tuple[LedgerAccount, int]]) -> None:
    """Add one transaction's legs on employee budget accounts to the summary. Called by
    ``ledger.post`` inside its transaction, after it has locked the accounts, so that two
    postings to one account never race on its row."""
    totals: dict[int, tuple[int, int, int]] = {}
    accounts: dict[int, LedgerAccount] = {}
    for account, amount in legs:
        if account.kind is not AccountKind.EMPLOYEE_BUDGET:
            continue
        accounts[account.id] = account
        allocated, allocations, spent = totals.get(account.id, (0, 0, 0))
        if kind is TransactionKind.ALLOCATION and amount > 0:
            allocated, allocations = allocated + amount, allocations + 1
        elif kind in SPENDING:
            spent -= amount
        totals[account.id] = (allocated, allocations, spent)
    for account_id, (allocated, allocations, spent) in sorted(totals.items()):
        if not (allocated or allocations or spent):
            continue
        account = accounts[account_id]
        statement = upsert_insert(BudgetUsage).values(
            account_id=account_id, category=category or "", programme_id=account.programme_id,
            period_key=account.period_key, user_id=account.user_id, allocated_minor=allocated,
            allocations=allocations, spent_minor=spent)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["account_id", "category"],
            set_={"allocated_minor": BudgetUsage.allocated_minor + allocated,
                  "allocations": BudgetUsage.allocations + allocations,
                  "spent_minor": BudgetUsage.spent_minor + spent}))


def derived_from_entries() -> Select[*tuple[Any, ...]]:
    """The summary as the entries say it should be: (account, category, allocated,
    allocations, spent), one row per account and category with any movement."""
    allocation = and_(LedgerTransaction.kind == TransactionKind.ALLOCATION,
                      LedgerEntry.amount_minor > 0)
    category = func.coalesce(LedgerTransaction.category, literal(""))
    return (select(LedgerEntry.account_id.label("account_id"), category.label("category"),
                   func.min(LedgerAccount.programme_id).label("programme_id"),
                   func.min(LedgerAccount.period_key).label("period_key"),
                   func.min(LedgerAccount.user_id).label("user_id"),
                   sum_of(case((allocation, LedgerEntry.amount_minor), else_=0))
                   .label("allocated_minor"),
                   sum_of(case((allocation, 1), else_=0)).label("allocations"),
                   sum_of(case((LedgerTransaction.kind.in_(SPENDING), -LedgerEntry.amount_minor),
                               else_=0)).label("spent_minor"))
            .join(LedgerEntry.transaction).join(LedgerEntry.account)
            .where(LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
                   LedgerTransaction.kind.in_((TransactionKind.ALLOCATION, *SPENDING)))
            .group_by(LedgerEntry.account_id, category))


def rebuild() -> int:
    """Write the summary afresh from the entries (after a bulk load that bypassed
    ``ledger.post``); returns the rows written. Run it inside one transaction."""
    db.session.execute(delete(BudgetUsage))
    derived = derived_from_entries().subquery()
    kept = select(derived).where((derived.c.allocated_minor != 0) | (derived.c.allocations != 0)
                                 | (derived.c.spent_minor != 0))
    db.session.execute(insert(BudgetUsage).from_select(
        ["account_id", "category", "programme_id", "period_key", "user_id", "allocated_minor",
         "allocations", "spent_minor"], kept))
    return db.session.scalar(select(func.count()).select_from(BudgetUsage)) or 0


def _no_movement(row: tuple[Any, ...] | None) -> bool:
    return row is None or not any(row[3:])


def check() -> list[str]:
    """Where the summary and the entries disagree (nothing, when all is well)."""
    derived = {(row.account_id, row.category): tuple(row)[2:]
               for row in db.session.execute(derived_from_entries())}
    kept = {(row.account_id, row.category): (row.programme_id, row.period_key, row.user_id,
                                             row.allocated_minor, row.allocations,
                                             row.spent_minor)
            for row in db.session.scalars(select(BudgetUsage))}
    problems = []
    for key in sorted(derived.keys() | kept.keys()):
        should, has = derived.get(key), kept.get(key)
        if _no_movement(should) and _no_movement(has):
            continue
        if should != has:
            problems.append(f"budget usage of account {key[0]} category {key[1] or '-'}: "
                            f"summary {has} but entries say {should}")
    return problems
