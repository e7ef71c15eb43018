"""The budget usage summary that reports read: every posting keeps it equal to what the
ledger entries say, a drift is caught by ``flask ledger check``, and a rebuild from the
entries gives the same rows."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from benefits import ledger, usage
from benefits.errors import AlreadyReversed, InsufficientFunds
from benefits.models import AccountKind, BudgetUsage, TransactionKind
from core.clock import utcnow
from core.db import db
from tests.benefits.factories import bare_accounts


def budget_world():
    now = utcnow()
    source, pot, budget = bare_accounts()
    provider = ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency="CNY", now=now,
                                  provider_id=None, period_key="p")
    ledger.transfer(TransactionKind.FUNDING, source=source, target=pot,
                    amount_minor=1_000_000, now=now)
    return pot, budget, provider


def summary_rows() -> set[tuple]:
    """The summary's rows with any movement (a category whose holds were all released nets
    to zero, which is as good as no row)."""
    return {(r.account_id, r.category, r.allocated_minor, r.allocations, r.spent_minor)
            for r in db.session.scalars(select(BudgetUsage))
            if r.allocated_minor or r.allocations or r.spent_minor}


def test_an_employee_sees_allocations_and_spending_per_category_in_the_summary(app):
    pot, budget, provider = budget_world()
    now = utcnow()
    ledger.transfer(TransactionKind.ALLOCATION, source=pot, target=budget,
                    amount_minor=50_000, now=now)
    held = ledger.transfer(TransactionKind.HOLD, source=budget, target=provider,
                           amount_minor=12_000, now=now, category="tcm")
    ledger.transfer(TransactionKind.HOLD, source=budget, target=provider,
                    amount_minor=3_000, now=now, category="counselling")
    ledger.transfer(TransactionKind.REFUND, source=provider, target=budget,
                    amount_minor=2_000, now=now, category="tcm")
    ledger.reverse(held, now=now, actor_id=None)
    db.session.commit()
    assert summary_rows() == {(budget.id, "", 50_000, 1, 0),
                              (budget.id, "tcm", 0, 0, 12_000 - 2_000 - 12_000),
                              (budget.id, "counselling", 0, 0, 3_000)}
    assert ledger.check_ledger() == []


def test_the_pot_and_the_provider_have_no_summary_only_employee_budgets_do(app):
    pot, budget, provider = budget_world()
    ledger.transfer(TransactionKind.ALLOCATION, source=pot, target=budget,
                    amount_minor=100, now=utcnow())
    ledger.transfer(TransactionKind.HOLD, source=budget, target=provider, amount_minor=60,
                    now=utcnow(), category="tcm")
    db.session.commit()
    assert {row[0] for row in summary_rows()} == {budget.id}


def test_a_summary_that_drifted_from_the_entries_fails_the_ledger_check_and_a_rebuild_fixes_it(
        app):
    pot, budget, _provider = budget_world()
    ledger.transfer(TransactionKind.ALLOCATION, source=pot, target=budget,
                    amount_minor=8_000, now=utcnow())
    db.session.commit()
    db.session.execute(update(BudgetUsage).values(allocated_minor=9_999))
    db.session.commit()
    problems = ledger.check_ledger()
    assert len(problems) == 1 and f"account {budget.id}" in problems[0]
    assert usage.rebuild() == 1
    db.session.commit()
    assert ledger.check_ledger() == []
    assert summary_rows() == {(budget.id, "", 8_000, 1, 0)}


MOVES = st.lists(st.tuples(
    st.sampled_from(["allocate", "hold", "release", "refund", "reverse", "capture"]),
    st.integers(min_value=1, max_value=30_000),
    st.sampled_from([None, "tcm", "rehabilitation", "childcare"])), max_size=20)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_any_sequence_of_budget_movements_keeps_the_summary_equal_to_the_entries(app, moves):
    pot, budget, provider = budget_world()
    kinds = {"allocate": (TransactionKind.ALLOCATION, pot, budget),
             "hold": (TransactionKind.HOLD, budget, provider),
             "release": (TransactionKind.RELEASE, provider, budget),
             "refund": (TransactionKind.REFUND, provider, budget),
             "capture": (TransactionKind.CAPTURE, provider, pot)}
    done = []
    for move, amount, category in moves:
        try:
            with db.session.begin_nested():
                if move == "reverse":
                    if done:
                        ledger.reverse(done.pop(), now=utcnow(), actor_id=None)
                    continue
                kind, source, target = kinds[move]
                done.append(ledger.transfer(kind, source=source, target=target,
                                            amount_minor=amount, now=utcnow(),
                                            category=category))
        except (InsufficientFunds, AlreadyReversed):
            continue
    assert ledger.check_ledger() == []
    kept = summary_rows()
    usage.rebuild()
    assert summary_rows() == kept
    db.session.rollback()
