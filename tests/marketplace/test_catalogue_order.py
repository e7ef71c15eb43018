"""The catalogue's order, counted and paged by the database: stars (rounded half up to one
decimal, the same on SQLite and PostgreSQL), then the number of reviews; the employee's
health needs first in the recommended order; budget and rating filters; and a page that
reads only its own services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking import services as booking_services
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from core.memo import clear_all
from marketplace import catalogue, ratings, reviews
from marketplace.catalogue import CatalogueQuery
from providers.models import ProviderCategory
from tests.benefits.factories import put_on_roster
from tests.booking.factories import BookingKit
from tests.querycount import count_queries


@pytest.fixture
def rated(make):
    """Four services: two averaging 4.5 stars (from 2 and from 4 reviews), one at 4.25
    (shown as 4.3), and one without reviews."""
    kit = BookingKit(make)
    kit.user = put_on_roster(kit.enterprise, kit.employee())
    kit.few = kit.service(title_en="Few reviews", health_needs=["stress"])
    kit.many = kit.service(title_en="Many reviews", health_needs=["back_pain"])
    kit.quarter = kit.service(title_en="Quarter star", category=ProviderCategory.COUNSELLING,
                              delivery_mode="online", health_needs=["sleep"])
    kit.unrated = kit.service(title_en="Not reviewed yet", health_needs=["back_pain"])
    hour = iter(range(8, 20))
    for service, stars in ((kit.few, [4, 5]), (kit.many, [5, 4, 5, 4]),
                           (kit.quarter, [4, 4, 4, 5])):
        for value in stars:
            booking = booking_services.hold_slot(
                service, practitioner_id=kit.practitioner.id, starts_at=kit.slot(hour=next(hour)),
                actor=kit.user, now=utcnow())
            booking_services.mark_attendance(booking, actor=kit.owner, attended=True,
                                             now=booking.starts_at + timedelta(minutes=5))
            reviews.write_review(booking, actor=kit.user, stars=value, text="", now=utcnow())
    db.session.commit()
    return kit


def search(kit, *, need_tags=frozenset(), **filters):
    return catalogue.search(kit.user, CatalogueQuery(**filters), now=utcnow(),
                            today=park_today(), timezone="Asia/Shanghai", need_tags=need_tags)


def titles(page) -> list[str]:
    return [card.service.title_en for card in page.cards]


def test_the_rating_order_is_stars_then_how_many_reviews(app, rated):
    page = search(rated, sort="rating")
    assert titles(page) == ["Many reviews", "Few reviews", "Quarter star", "Not reviewed yet"]
    assert [(card.rating, card.reviews) for card in page.cards] == [
        (4.5, 4), (4.5, 2), (4.3, 4), (None, 0)]
    assert ratings.ratings([rated.quarter.id]) == {rated.quarter.id: (4.3, 4)}


def test_the_recommended_order_puts_the_persons_needs_first_then_stars(app, rated):
    assert titles(search(rated)) == [
        "Few reviews", "Many reviews", "Quarter star", "Not reviewed yet"]  # stars, then id
    back = search(rated, need_tags=frozenset({"back_pain"}))
    assert titles(back) == ["Many reviews", "Not reviewed yet", "Few reviews", "Quarter star"]
    assert [card.relevance for card in back.cards] == [1, 1, 0, 0]
    # "stress" is served by services for stress and for mental wellbeing alike
    both = search(rated, need_tags=frozenset({"back_pain", "stress", "poor_sleep"}))
    assert [card.relevance for card in both.cards] == [1, 1, 1, 1]


def test_rating_and_budget_filters_are_applied_by_the_database(app, rated):
    assert titles(search(rated, min_rating=5)) == []
    assert titles(search(rated, min_rating=4, sort="price_asc")) == [
        "Few reviews", "Many reviews", "Quarter star"]
    assert search(rated, covered_by_budget=True).total == 0  # no programme, no budget


def test_a_page_reads_only_its_own_services_and_counts_all(app, rated):
    """Worked out, not remembered (``clear_all``): tests/marketplace/test_search_memory.py
    is about the memory."""
    search(rated, per_page=1)  # once-per-process lookups out of the way
    clear_all()
    with count_queries() as one:
        first = search(rated, per_page=1, sort="price_desc")
    clear_all()
    with count_queries() as two:
        second = search(rated, per_page=2, page=2, sort="price_desc")
    assert (first.total, second.total, len(first.cards), len(second.cards)) == (4, 4, 1, 2)
    assert one.count == two.count, two.report()
    pages = [s for s in two.statements if s.lstrip().startswith("SELECT services.id,")]
    assert pages and all("LIMIT" in s for s in pages), two.report()
    past_the_end = search(rated, per_page=2, page=3)
    assert (past_the_end.cards, past_the_end.total) == ([], 4)
