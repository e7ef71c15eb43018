"""The ledger: balanced, append-only, never below zero, corrected by reversals."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits import ledger
from benefits.errors import AlreadyReversed, InsufficientFunds, UnbalancedTransaction
from benefits.models import AccountKind, LedgerEntry, LedgerIsAppendOnly, TransactionKind
from core.clock import utcnow
from core.db import db
from tests.benefits.factories import bare_accounts


def test_money_moves_in_balanced_transactions_and_balances_follow(app):
    source, pot, budget = bare_accounts()
    ledger.transfer(TransactionKind.FUNDING, source=source, target=pot, amount_minor=50_000,
                    now=utcnow())
    ledger.transfer(TransactionKind.ALLOCATION, source=pot, target=budget, amount_minor=20_000,
                    now=utcnow())
    db.session.commit()
    assert (source.balance_minor, pot.balance_minor, budget.balance_minor) == (
        -50_000, 30_000, 20_000)
    assert ledger.balance_from_entries(pot) == 30_000
    assert ledger.check_ledger() == []


def test_an_account_that_may_not_go_negative_refuses_to(app):
    _source, pot, budget = bare_accounts()
    with pytest.raises(InsufficientFunds):
        ledger.transfer(TransactionKind.ALLOCATION, source=pot, target=budget,
                        amount_minor=1, now=utcnow())


def test_unbalanced_or_empty_movements_are_refused(app):
    source, pot, _budget = bare_accounts()
    with pytest.raises(UnbalancedTransaction):
        ledger.post(TransactionKind.FUNDING, [ledger.Leg(source, -5), ledger.Leg(pot, 4)],
                    now=utcnow())
    with pytest.raises(UnbalancedTransaction):
        ledger.post(TransactionKind.FUNDING, [ledger.Leg(pot, 0), ledger.Leg(source, 0)],
                    now=utcnow())


def test_a_reference_makes_a_movement_happen_once(app):
    source, pot, _budget = bare_accounts()
    first = ledger.transfer(TransactionKind.FUNDING, source=source, target=pot,
                            amount_minor=100, now=utcnow(), reference="bank:42")
    again = ledger.transfer(TransactionKind.FUNDING, source=source, target=pot,
                            amount_minor=100, now=utcnow(), reference="bank:42")
    assert again.id == first.id and pot.balance_minor == 100


def test_history_cannot_be_edited_only_reversed(app):
    source, pot, _budget = bare_accounts()
    transaction = ledger.transfer(TransactionKind.FUNDING, source=source, target=pot,
                                  amount_minor=700, now=utcnow())
    db.session.commit()
    entry = db.session.scalar(db.select(LedgerEntry))
    entry.amount_minor = 1
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    ledger.reverse(transaction, now=utcnow(), actor_id=None)
    assert pot.balance_minor == 0
    with pytest.raises(AlreadyReversed):
        ledger.reverse(transaction, now=utcnow(), actor_id=None)
    assert ledger.check_ledger() == []


MOVES = st.lists(st.tuples(st.sampled_from(["fund", "allocate", "spend", "refund", "reverse"]),
                           st.integers(min_value=1, max_value=50_000)), max_size=25)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_any_sequence_of_movements_keeps_every_invariant(app, moves):
    source, pot, budget = bare_accounts()
    provider = ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency="CNY", now=utcnow(),
                                  provider_id=None, period_key="p")
    done = []
    for move, amount in moves:
        routes = {"fund": (source, pot), "allocate": (pot, budget), "spend": (budget, provider),
                  "refund": (provider, budget)}
        try:
            with db.session.begin_nested():
                if move == "reverse":
                    if done:
                        ledger.reverse(done.pop(), now=utcnow(), actor_id=None)
                    continue
                src, dst = routes[move]
                done.append(ledger.transfer(TransactionKind.CAPTURE, source=src, target=dst,
                                            amount_minor=amount, now=utcnow()))
        except (InsufficientFunds, AlreadyReversed):
            continue
        assert budget.balance_minor >= 0 and pot.balance_minor >= 0
    assert ledger.check_ledger() == []
    db.session.rollback()
