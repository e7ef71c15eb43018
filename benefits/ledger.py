"""The double-entry ledger: accounts, balanced transactions, reversals and the checks.

Every movement is one transaction of entries that sum to zero per currency. Accounts are
locked in id order (``SELECT ... FOR UPDATE`` on PostgreSQL) before their balances are read,
and the balance is then moved with an atomic ``UPDATE ... SET balance = balance + delta``
under a CHECK constraint, so that no budget goes below zero whatever runs in parallel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import URL, Engine, create_engine, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from benefits import usage
from benefits.errors import AlreadyReversed, InsufficientFunds, UnbalancedTransaction
from benefits.models import (
    NEGATIVE_KINDS,
    AccountKind,
    CategoryCap,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from core.db import db, sum_of, upsert_insert
from core.money import share

#: Nothing in ParkWell moves more than a million yuan at once; larger is a typo or an attack.
MAX_AMOUNT_MINOR = 100_000_000


@dataclass(frozen=True)
class Leg:
    account: LedgerAccount
    amount_minor: int


def account_key(kind: AccountKind, **scope: object) -> str:
    parts = [kind.value] + [f"{name}={value}" for name, value in sorted(scope.items())
                            if value is not None]
    return ":".join(parts)


def get_account(kind: AccountKind, *, currency: str, now: datetime,
                enterprise_id: int | None = None, programme_id: int | None = None,
                user_id: int | None = None, provider_id: int | None = None,
                period_key: str | None = None, pot: str | None = None,
                park_id: int | None = None) -> LedgerAccount:
    """The account for this scope, created on first use (safely under concurrency)."""
    key = account_key(kind, currency=currency, e=enterprise_id, p=programme_id, u=user_id,
                      v=provider_id, period=period_key, pot=pot, park=park_id)
    existing = db.session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))
    if existing is not None:
        return existing
    values = {"key": key, "kind": kind, "currency": currency, "enterprise_id": enterprise_id,
              "programme_id": programme_id, "user_id": user_id, "provider_id": provider_id,
              "park_id": park_id, "period_key": period_key, "pot": pot,
              "allows_negative": kind in NEGATIVE_KINDS,
              "balance_minor": 0, "created_at": now}
    if not _create_committed(values):
        db.session.execute(upsert_insert(LedgerAccount).values(**values)
                           .on_conflict_do_nothing(index_elements=["key"]))
    return db.session.scalars(select(LedgerAccount).where(LedgerAccount.key == key)).one()


def _create_committed(values: dict[str, Any]) -> bool:
    """On PostgreSQL, create a new account in a short transaction of its own, committed at
    once: an account inserted inside a long transaction holds its key until that commits,
    and two checkouts creating two new accounts in opposite orders would deadlock on them.
    An empty account left behind by a transaction that rolls back is harmless. False when
    this is not possible (SQLite, or what the account refers to was created in this very
    transaction and is not committed yet): the caller then inserts it in its own session."""
    if db.engine.dialect.name != "postgresql":
        return False
    try:
        with _account_engine().begin() as connection:
            connection.execute(pg_insert(LedgerAccount).values(**values)
                               .on_conflict_do_nothing(index_elements=["key"]))
    except IntegrityError:
        return False
    return True


def _account_engine() -> Engine:
    """An engine of its own, without a pool, for creating accounts: borrowing a second
    connection from the request's pool could starve it (every thread holding one and waiting
    for another), and a connection kept open here would outlive its app. A new account is
    rare (a person's or a provider's first payment), so connecting afresh costs little."""
    engines: dict[URL, Engine] = current_app.extensions.setdefault("ledger_account_engine", {})
    if db.engine.url not in engines:
        engines[db.engine.url] = create_engine(db.engine.url, poolclass=NullPool)
    return engines[db.engine.url]


def lock_accounts(accounts: Iterable[LedgerAccount]) -> list[LedgerAccount]:
    """Lock the accounts in id order (so that two movements never deadlock) and read their
    current balances. ``FOR NO KEY UPDATE``: writers still queue, but the key-share locks
    that inserting rows which refer to an account take (its entries) do not wait on it."""
    ids = sorted({a.id for a in accounts})
    return list(db.session.scalars(
        select(LedgerAccount).where(LedgerAccount.id.in_(ids)).order_by(LedgerAccount.id)
        .with_for_update(key_share=True).execution_options(populate_existing=True)))


def find_by_reference(reference: str) -> LedgerTransaction | None:
    return db.session.scalar(select(LedgerTransaction).where(
        LedgerTransaction.reference == reference))


def post(kind: TransactionKind, legs: Sequence[Leg], *, now: datetime,
         reference: str | None = None, memo: str = "", actor_id: int | None = None,
         reverses_id: int | None = None, category: str | None = None) -> LedgerTransaction:
    """Record one balanced movement. With a ``reference`` it happens once: posting it again
    returns the first transaction.

    Raises UnbalancedTransaction (a programming error) and InsufficientFunds.
    """
    if reference is not None and (done := find_by_reference(reference)) is not None:
        return done
    _check_balanced(legs)
    locked = {a.id: a for a in lock_accounts(leg.account for leg in legs)}
    deltas: dict[int, int] = defaultdict(int)
    for leg in legs:
        deltas[leg.account.id] += leg.amount_minor
    for account_id, delta in deltas.items():
        account = locked[account_id]
        if not account.allows_negative and account.balance_minor + delta < 0:
            raise InsufficientFunds(fields={"account": account.key})
    transaction = LedgerTransaction(kind=kind, reference=reference, memo=memo[:300],
                                    actor_id=actor_id, reverses_id=reverses_id,
                                    category=category, created_at=now)
    transaction.entries = [LedgerEntry(account_id=leg.account.id, amount_minor=leg.amount_minor,
                                       currency=leg.account.currency) for leg in legs]
    try:
        with db.session.begin_nested():
            db.session.add(transaction)
            for account_id, delta in sorted(deltas.items()):
                db.session.execute(update(LedgerAccount).where(LedgerAccount.id == account_id)
                                   .values(balance_minor=LedgerAccount.balance_minor + delta))
            usage.record(kind, category, [(locked[leg.account.id], leg.amount_minor)
                                          for leg in legs])
    except IntegrityError as exc:  # the CHECK constraint caught a race the lock did not
        raise InsufficientFunds() from exc
    for account in locked.values():
        db.session.refresh(account)
    return transaction


def _check_balanced(legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise UnbalancedTransaction()
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        if leg.amount_minor == 0 or abs(leg.amount_minor) > MAX_AMOUNT_MINOR:
            raise UnbalancedTransaction()
        totals[leg.account.currency] += leg.amount_minor
    if any(totals.values()):
        raise UnbalancedTransaction()


def transfer(kind: TransactionKind, *, source: LedgerAccount, target: LedgerAccount,
             amount_minor: int, now: datetime, reference: str | None = None, memo: str = "",
             actor_id: int | None = None, category: str | None = None) -> LedgerTransaction:
    """Move ``amount_minor`` from ``source`` to ``target``."""
    return post(kind, [Leg(source, -amount_minor), Leg(target, amount_minor)], now=now,
                reference=reference, memo=memo, actor_id=actor_id, category=category)


def reverse(transaction: LedgerTransaction, *, now: datetime, actor_id: int | None,
            memo: str = "") -> LedgerTransaction:
    """Undo a transaction by posting its mirror image. Raises AlreadyReversed,
    InsufficientFunds (when the money has since been spent)."""
    if db.session.scalar(select(LedgerTransaction.id).where(
            LedgerTransaction.reverses_id == transaction.id)) is not None:
        raise AlreadyReversed()
    legs = [Leg(entry.account, -entry.amount_minor) for entry in transaction.entries]
    return post(TransactionKind.REVERSAL, legs, now=now, actor_id=actor_id,
                reverses_id=transaction.id, memo=memo or f"reverses #{transaction.id}",
                category=transaction.category)


def balance_from_entries(account: LedgerAccount) -> int:
    return db.session.scalar(select(sum_of(LedgerEntry.amount_minor))
                             .where(LedgerEntry.account_id == account.id)) or 0


def check_ledger() -> list[str]:
    """Every invariant of the ledger; returns what is wrong (nothing, when all is well)."""
    problems = []
    unbalanced = db.session.execute(
        select(LedgerEntry.transaction_id, LedgerEntry.currency)
        .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
        .having(func.sum(LedgerEntry.amount_minor) != 0)).all()
    problems += [f"transaction {t} does not sum to zero in {c}" for t, c in unbalanced]
    thin = db.session.execute(
        select(LedgerEntry.transaction_id).group_by(LedgerEntry.transaction_id)
        .having(func.count() < 2)).scalars().all()
    problems += [f"transaction {t} has fewer than two entries" for t in thin]
    sums = dict(db.session.execute(
        select(LedgerEntry.account_id, sum_of(LedgerEntry.amount_minor))
        .group_by(LedgerEntry.account_id)).all())
    for account in db.session.scalars(select(LedgerAccount).order_by(LedgerAccount.id)):
        derived = sums.get(account.id, 0)
        if account.balance_minor != derived:
            problems.append(f"account {account.key}: balance {account.balance_minor} but "
                            f"entries sum to {derived}")
        if not account.allows_negative and derived < 0:
            problems.append(f"account {account.key} is below zero ({derived})")
    mismatched = db.session.execute(
        select(LedgerEntry.id).join(LedgerAccount)
        .where(LedgerEntry.currency != LedgerAccount.currency)).scalars().all()
    problems += [f"entry {e} is in another currency than its account" for e in mismatched]
    return problems + check_caps() + usage.check()


def check_caps() -> list[str]:
    """Every category capped by a share of the allocation: what it took from each period
    account (holds less releases, refunds and corrections) is at most the cap's share of
    that account's allocations. Checked against the caps as they are now."""
    share_caps = (CategoryCap.cap_basis_points.is_not(None)
                  & CategoryCap.pot_amount_minor.is_(None))
    spent = db.session.execute(
        select(LedgerEntry.account_id, CategoryCap.category, CategoryCap.cap_basis_points,
               sum_of(LedgerEntry.amount_minor))
        .join(LedgerEntry.transaction).join(LedgerEntry.account)
        .join(CategoryCap, (CategoryCap.programme_id == LedgerAccount.programme_id)
              & (CategoryCap.category == LedgerTransaction.category))
        .where(share_caps, LedgerAccount.kind == AccountKind.EMPLOYEE_BUDGET,
               LedgerAccount.pot.is_(None), LedgerTransaction.kind.in_(usage.SPENDING))
        .group_by(LedgerEntry.account_id, CategoryCap.category, CategoryCap.cap_basis_points)
        .having(func.sum(LedgerEntry.amount_minor) < 0)).all()
    if not spent:
        return []
    allocated = dict(db.session.execute(
        select(LedgerEntry.account_id, sum_of(LedgerEntry.amount_minor))
        .join(LedgerEntry.transaction)
        .where(LedgerEntry.account_id.in_({row[0] for row in spent}),
               LedgerTransaction.kind == TransactionKind.ALLOCATION,
               LedgerEntry.amount_minor > 0)
        .group_by(LedgerEntry.account_id)).all())
    problems = []
    for account_id, category, basis_points, net in sorted(spent):
        assert basis_points is not None  # only capped categories are selected
        limit = share(allocated.get(account_id, 0), basis_points)
        if -net > limit:
            problems.append(f"account {account_id}: {category} spent {-net} beyond its cap "
                            f"{limit} ({basis_points} basis points of the allocation)")
    return problems
