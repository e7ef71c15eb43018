"""Recommendations: rank services for a person (or a dependant) by how well they meet the
person's risk flags and goals.

Health knows no provider models. The composition root plugs a *candidate source* in with
``set_candidate_source``: a function that, for a person, returns the services that could be
booked (as ``CandidateService`` plain data) and the budget left. With no source set,
recommendations are the need-based advice alone (the next step on the five-early ladder).

Ranking is a pure function: ``rank(candidates, context)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app

from health.screening import Flag, Screening
from health.vocabulary import NeedTag

AVAILABILITY_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class CandidateService:
    """A bookable service as health sees it."""

    id: int
    title: str  #: already in the reader's language
    tags: frozenset[str]  #: NeedTag values the service serves
    category: str
    languages: frozenset[str] = frozenset({"zh_CN"})
    delivery_modes: frozenset[str] = frozenset({"in_person"})  #: in_person, online, ...
    price_minor: int = 0
    currency: str = "CNY"
    next_start: datetime | None = None  #: the next bookable start, if any
    is_eligible: bool = True  #: the person's enterprise programme covers it
    series_sessions: int = 1  #: >1: the provider suggests a course (a care plan)
    series_interval_days: int = 7


@dataclass(frozen=True)
class CandidatePool:
    services: Sequence[CandidateService]
    budget_left_minor: int | None = None  #: None: no budget information


@dataclass(frozen=True)
class RankingContext:
    now: datetime
    screening: Screening
    goals: frozenset[str] = frozenset()
    language: str = "zh_CN"
    delivery_mode: str | None = None  #: preferred, if any
    budget_left_minor: int | None = None


@dataclass(frozen=True)
class Reason:
    """Why a service is recommended; turned into words at the edge (``health.texts``)."""

    kind: str  #: flag, goal, soon, budget, over_budget, language, delivery, no_slot
    flag: Flag | None = None
    tag: str | None = None
    when: datetime | None = None


@dataclass(frozen=True)
class CarePlan:
    """A suggested series the booking engine can book in one step."""

    sessions: int
    interval_days: int


@dataclass(frozen=True)
class Recommendation:
    service: CandidateService
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    care_plan: CarePlan | None = None


#: A source gets (user_id, dependant_id or None, now) and returns what could be booked.
CandidateSource = Callable[[int, int | None, datetime], CandidatePool]
_SOURCE_KEY = "health.candidate_source"


def set_candidate_source(app: Flask, source: CandidateSource | None) -> None:
    """Plug into ``app`` (or remove, with None) where candidate services come from."""
    app.extensions[_SOURCE_KEY] = source


def candidate_source() -> CandidateSource | None:
    """The current app's source of candidate services (None: no catalogue to rank)."""
    source: CandidateSource | None = current_app.extensions.get(_SOURCE_KEY)
    return source


def rank(candidates: Sequence[CandidateService], context: RankingContext,
         *, limit: int = 10) -> list[Recommendation]:
    """The services worth booking, best first. Nothing at all while the crisis path is open:
    a person in crisis gets help, not offers."""
    if context.screening.crisis:
        return []
    needs = context.screening.needs()
    results = []
    for service in candidates:
        if not service.is_eligible:
            continue
        score, reasons = 0.0, []
        for tag in sorted(service.tags):
            try:
                need = NeedTag(tag)
            except ValueError:
                continue
            if need in needs:
                score += 2 + needs[need].next_step.weight
                reasons.append(Reason("flag", flag=needs[need]))
            elif tag in context.goals:
                score += 2
                reasons.append(Reason("goal", tag=tag))
        if score == 0:
            continue
        if service.next_start and context.now <= service.next_start <= (
                context.now + AVAILABILITY_WINDOW):
            score += 1.5
            reasons.append(Reason("soon", when=service.next_start))
        else:
            score -= 1
            reasons.append(Reason("no_slot"))
        if context.budget_left_minor is not None:
            if service.price_minor <= context.budget_left_minor:
                score += 1
                reasons.append(Reason("budget"))
            else:
                score -= 2
                reasons.append(Reason("over_budget"))
        if context.language in service.languages:
            score += 0.5
            reasons.append(Reason("language"))
        if context.delivery_mode and context.delivery_mode in service.delivery_modes:
            score += 0.5
            reasons.append(Reason("delivery", tag=context.delivery_mode))
        plan = (CarePlan(service.series_sessions, service.series_interval_days)
                if service.series_sessions > 1 else None)
        results.append(Recommendation(service, score, tuple(reasons), plan))
    results.sort(key=lambda r: (-r.score, r.service.price_minor, r.service.id))
    return results[:limit]
