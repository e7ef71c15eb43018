"""On PostgreSQL: a ledger account created in the middle of a long transaction is committed
at once, so that another checkout needing the same new account (a provider's first payable,
a person's first hold) does not wait on it, and two of them cannot deadlock."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from benefits import ledger
from benefits.models import AccountKind, LedgerAccount
from core.clock import utcnow
from core.db import db


def test_a_new_account_is_visible_to_others_before_its_creator_commits(pg_app):
    payable = ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency="CNY", now=utcnow(),
                                 period_key="first-sale")
    # This transaction is still open; another connection sees the account and can lock it
    # without waiting for it.
    with db.engine.connect() as other:
        other.execute(text("SET lock_timeout = '2s'"))
        seen = other.execute(
            select(LedgerAccount.id).where(LedgerAccount.key == payable.key)
            .with_for_update(key_share=True)).scalar_one()
        other.rollback()
    assert seen == payable.id
    db.session.rollback()
    # An empty account is what a rolled-back checkout leaves behind, and the books balance.
    assert db.session.get(LedgerAccount, payable.id).balance_minor == 0
    assert ledger.check_ledger() == []


def test_two_transactions_creating_the_same_accounts_in_opposite_orders_do_not_deadlock(
        pg_app):
    now = utcnow()
    keys = [("first", "second"), ("second", "first")]
    started, errors = threading.Barrier(2), []

    def create(order):
        with pg_app.app_context():
            try:
                started.wait(timeout=10)
                for period in order:
                    ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency="CNY", now=now,
                                       period_key=period)
                    started_between.wait(timeout=10)
                db.session.rollback()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    started_between = threading.Barrier(2)
    threads = [threading.Thread(target=create, args=(order,)) for order in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert all(not thread.is_alive() for thread in threads)
    assert len(db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.period_key.in_(["first", "second"]))).all()) == 2
