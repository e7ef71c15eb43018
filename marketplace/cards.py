"""Service cards outside the catalogue's search (a provider's page): the same
``catalogue.ServiceCard`` (rating, next start, what the budget pays), with each provider's
cover photo. What the budget pays comes from ``catalogue.budget_by_category`` (the
benefits package's ``available_by_category``), as in the catalogue; nothing is recomputed
here."""

from __future__ import annotations

from datetime import date, datetime

from core.accounts.models import User
from core.db import replica_reads
from marketplace import catalogue, ratings
from marketplace.availability import next_starts
from providers.models import Service
from providers.photos import first_photo_ids


def cards_for(user: User, services: list[Service], *, now: datetime, today: date,
              timezone: str) -> list[catalogue.ServiceCard]:
    if not services:
        return []
    budget = catalogue.budget_by_category(user, today=today)
    rated = ratings.ratings([s.id for s in services])
    with replica_reads():  # shown, not promised
        starts = next_starts(services, start=now, end=now + catalogue.DEFAULT_WINDOW, now=now,
                             timezone=timezone)
    return [catalogue.ServiceCard(
        service=s, rating=rated[s.id][0] if s.id in rated else None,
        reviews=rated[s.id][1] if s.id in rated else 0, next_start=starts.get(s.id),
        budget_covers_minor=None if budget is None
        else min(s.price_minor, budget.get(s.category.value, 0))) for s in services]


def covers(cards: list[catalogue.ServiceCard]) -> dict[int, int]:
    """Each card's provider's cover photo id, by provider id."""
    return first_photo_ids(sorted({c.service.provider_id for c in cards}))
