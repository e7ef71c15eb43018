"""On PostgreSQL: two processes spending one budget 100 times each, in parallel, never
overspend it, and the ledger stays whole."""

from __future__ import annotations

import multiprocessing

from benefits import ledger
from benefits.errors import InsufficientFunds
from benefits.models import AccountKind, TransactionKind
from core.clock import utcnow
from core.db import db
from tests.concurrency.conftest import app_for

BUDGET = 5_000
SPEND = 70  # 71 spends fit; 200 are attempted


def _accounts():
    now = utcnow()
    budget = ledger.get_account(AccountKind.EMPLOYEE_BUDGET, currency="CNY", now=now,
                                user_id=None, period_key="race")
    payable = ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency="CNY", now=now,
                                 period_key="race")
    return budget, payable


def _spend_many(url: str, attempts: int, results) -> None:
    app = app_for(url)
    spent = refused = 0
    with app.app_context():
        for _ in range(attempts):
            budget, payable = _accounts()
            try:
                ledger.transfer(TransactionKind.HOLD, source=budget, target=payable,
                                amount_minor=SPEND, now=utcnow())
                db.session.commit()
                spent += 1
            except InsufficientFunds:
                db.session.rollback()
                refused += 1
        db.engine.dispose()
    results.put((spent, refused))


def test_two_processes_never_overspend_one_budget(pg_app, pg_url):
    source = ledger.get_account(AccountKind.EXTERNAL_FUNDING, currency="CNY", now=utcnow())
    budget, _payable = _accounts()
    ledger.transfer(TransactionKind.FUNDING, source=source, target=budget, amount_minor=BUDGET,
                    now=utcnow())
    db.session.commit()

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_spend_many, args=(pg_url, 100, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    spent = sum(s for s, _r in outcomes)
    assert spent == BUDGET // SPEND
    assert sum(r for _s, r in outcomes) == 200 - spent
    db.session.expire_all()
    budget, _payable = _accounts()
    assert budget.balance_minor == BUDGET - spent * SPEND >= 0
    assert ledger.check_ledger() == []
