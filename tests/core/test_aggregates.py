"""The rules every aggregate shown to an employer follows: no count under k, no hidden cell
that the total gives away, cohorts that move only when k people change, and releases that
are written once."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from core import aggregates
from core.aggregates import AggregateRelease, AggregateReleaseIsFinal
from core.clock import utcnow
from core.db import db


def test_no_count_under_k_is_shown_zero_included():
    assert not aggregates.count_is_shown(0, k=5)
    assert not aggregates.count_is_shown(1, k=5) and not aggregates.count_is_shown(4, k=5)
    assert aggregates.count_is_shown(5, k=5)


def test_one_hidden_cell_takes_another_with_it_so_the_total_cannot_give_it_away():
    shown, total = aggregates.suppress_column([12, 2, 30], 44, k=5)
    assert shown == [None, None, 30] and total == 44  # 44 - 30 = 14: two cells, at least k


def test_hidden_cells_that_add_up_to_less_than_k_are_joined_by_more_or_the_total_goes():
    # 0 and 1 hidden: 44 - 43 would say they add up to 1, so the next smallest goes too
    shown, total = aggregates.suppress_column([0, 1, 6, 37], 44, k=5)
    assert shown == [None, None, None, 37] and total == 44
    # nothing left to hide: the total goes instead
    shown, total = aggregates.suppress_column([0, 3], 3, k=5)
    assert shown == [None, None] and total is None


def test_a_column_with_nothing_small_is_shown_whole():
    assert aggregates.suppress_column([5, 9], 14, k=5) == ([5, 9], 14)


def test_in_any_table_the_total_never_reveals_a_hidden_cell():
    """Differencing: total minus the cells shown is never a single hidden cell, nor a sum
    under k (which would say each of them is small, or zero)."""
    rng = random.Random(20)
    for _ in range(2000):
        k = rng.choice([2, 3, 5, 10])
        cells = [rng.choice([0, 1, 2, rng.randint(0, 3 * k), rng.randint(0, 40)])
                 for _ in range(rng.randint(1, 7))]
        shown, total = aggregates.suppress_column(cells, sum(cells), k=k)
        assert all(v is None or v >= k for v in shown)
        assert all(v is None or v == c for v, c in zip(shown, cells, strict=True))
        if total is None:
            continue
        assert total >= k
        hidden = [c for v, c in zip(shown, cells, strict=True) if v is None]
        if hidden:
            assert len(hidden) >= 2
            assert total - sum(v for v in shown if v is not None) >= k


def test_small_groups_are_merged_and_padded_until_the_rest_is_at_least_k():
    groups = {"A": list(range(6)), "B": list(range(5)), "C": [1]}
    shown, other, withheld = aggregates.merge_small_groups(groups, k=5)
    assert [name for name, _p in shown] == ["A"] and len(other) == 6 and not withheld
    shown, other, withheld = aggregates.merge_small_groups({"A": [1, 2], "B": [3]}, k=5)
    assert shown == [] and withheld


def test_a_cohort_moves_only_when_no_one_or_at_least_k_people_changed(app):
    now, k = utcnow(), 3
    first = {1: "A", 2: "A", 3: "B", 4: "B"}
    assert aggregates.adopted_cohort("enterprise:1", first, k=k, now=now) == first
    # one leaver, one moved department: the adopted cohort stays
    assert aggregates.adopted_cohort("enterprise:1", {1: "A", 2: "B", 3: "B"}, k=k,
                                     now=now + timedelta(days=1)) == first
    # three people changed: adopted
    third = {1: "A", 2: "A", 5: "C", 6: "C", 7: "C"}
    assert aggregates.adopted_cohort("enterprise:1", third, k=k,
                                     now=now + timedelta(days=2)) == third
    # a roster one person away from the first adopted one is never adopted
    back = {1: "A", 2: "A", 3: "B", 4: "B", 5: "C", 6: "C", 7: "C", 8: "C"}
    assert aggregates.adopted_cohort("enterprise:1", dict(list(back.items())[:3]), k=k,
                                     now=now + timedelta(days=3)) == third
    # other scopes have cohorts of their own
    assert aggregates.adopted_cohort("park:1", {9: ""}, k=k, now=now) == {9: ""}


def test_a_release_is_computed_once_per_period_and_never_changed(app):
    now = utcnow()
    calls = []

    def compute() -> dict:
        calls.append(1)
        return {"value": len(calls)}

    first = aggregates.release("report:1", period="2026-12", compute=compute, now=now)
    again = aggregates.release("report:1", period="2026-12", compute=compute, now=now)
    assert first.figures == again.figures == {"value": 1} and len(calls) == 1
    later = aggregates.release("report:1", period="2027-01", compute=compute, now=now)
    assert later.figures == {"value": 2}
    db.session.commit()
    first.figures = {"value": 99}
    with pytest.raises(AggregateReleaseIsFinal):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AggregateRelease, first.id))
    with pytest.raises(AggregateReleaseIsFinal):
        db.session.flush()
    db.session.rollback()
