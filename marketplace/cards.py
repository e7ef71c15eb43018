"""Service cards outside the catalogue's search (a provider's page): the same
``catalogue.ServiceCard`` (rating, next start, what the budget pays), with each provider's
cover photo. What the budget pays comes from ``searcher.budget_by_category`` (the
benefits package's ``available_by_category``), as in the catalogue; nothing is recomputed
here."""

from __future__ import annotations

from datetime import date, datetime

from core.accounts.models import User
from core.db import replica_reads
from marketplace import catalogue, ratings, searcher
from marketplace.availability import next_starts
from providers.models import Service
from providers.photos import first_photo_ids


def cards_for(user: User, services: list[Service], *, now: datetime, today: date,
              timezone: str) -> list[catalogue.ServiceCard]:
    if not services:
        return []
    budget = searcher.budget_by_category(user, today=today)
    rated = ratings.ratings([s.id for s in services])
    with replica_reads():  # shown, not promised
        starts = next_starts(services, start=now, end=now + catalogue.DEFAULT_WINDOW, now=now,
                             timezone=timezone)
    loaded = catalogue.PageServices([s.id for s in services], {s.id: s for s in services})
    cards = []
    for service in services:
        listing = catalogue.Listing.of(service)
        cards.append(catalogue.ServiceCard(
            listing=listing, rating=rated[service.id][0] if service.id in rated else None,
            reviews=rated[service.id][1] if service.id in rated else 0,
            next_start=starts.get(service.id),
            budget_covers_minor=catalogue.covered_part(listing, budget), services=loaded))
    return cards


def covers(cards: list[catalogue.ServiceCard]) -> dict[int, int]:
    """Each card's provider's cover photo id, by provider id."""
    return first_photo_ids(sorted({c.listing.provider_id for c in cards}))
