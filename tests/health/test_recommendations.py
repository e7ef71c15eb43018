"""Ranking candidate services against flags and goals (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from health.recommendations import CandidateService, RankingContext, rank
from health.screening import Screening, screen

NOW = datetime(2026, 11, 20, 2, tzinfo=UTC)


def _service(id_, tags, **kw):
    return CandidateService(id=id_, title=f"S{id_}", tags=frozenset(tags), category="tcm",
                            **kw)


def _screening(**readings):
    return screen(checkups=[(date(2026, 10, 12), readings)], questionnaires=[], profile={})


def test_services_meeting_serious_flags_rank_first_with_their_reason():
    screening = _screening(systolic=165, diastolic=100, weight=26, height=100)
    services = [_service(1, {"overweight"}), _service(2, {"hypertension"}),
                _service(3, {"childcare"})]
    ranked = rank(services, RankingContext(now=NOW, screening=screening))
    assert [r.service.id for r in ranked] == [2, 1]
    assert ranked[0].reasons[0].kind == "flag"
    assert ranked[0].reasons[0].flag.value == "165/100 mmHg"


def test_goals_count_availability_budget_language_and_eligibility():
    screening = Screening((), False)
    soon = NOW + timedelta(days=3)
    services = [
        _service(1, {"back_pain"}, next_start=soon, price_minor=10000),
        _service(2, {"back_pain"}, next_start=NOW + timedelta(days=30), price_minor=10000),
        _service(3, {"back_pain"}, next_start=soon, price_minor=90000),
        _service(4, {"back_pain"}, next_start=soon, is_eligible=False),
        _service(5, {"back_pain"}, next_start=soon, price_minor=10000,
                 languages=frozenset({"en"})),
    ]
    ranked = rank(services, RankingContext(now=NOW, screening=screening,
                                           goals=frozenset({"back_pain"}),
                                           budget_left_minor=50000))
    assert [r.service.id for r in ranked] == [1, 5, 2, 3]


def test_a_series_comes_with_a_care_plan():
    ranked = rank([_service(1, {"back_pain"}, series_sessions=8)],
                  RankingContext(now=NOW, screening=Screening((), False),
                                 goals=frozenset({"back_pain"})))
    assert ranked[0].care_plan.sessions == 8


def test_nothing_is_offered_in_crisis():
    ranked = rank([_service(1, {"depression"})],
                  RankingContext(now=NOW, screening=Screening((), True)))
    assert ranked == []
