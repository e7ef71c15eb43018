"""The catalogue: what an employee can really book, found in Chinese or English, filtered,
ordered and paged, with no query per card."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from benefits import budgets
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from marketplace import catalogue
from marketplace.catalogue import CatalogueQuery
from marketplace.errors import InvalidSearch
from tests.benefits.factories import programme
from tests.booking.factories import BookingKit


def search(kit, **filters):
    return catalogue.search(kit.user, CatalogueQuery(**filters), now=utcnow(),
                            today=park_today(), timezone="Asia/Shanghai")


def titles(page) -> list[str]:
    return [card.service.title_en for card in page.cards]


@pytest.mark.parametrize(("words", "expected"), [
    ("推拿", ["TCM tuina therapy"]),
    ("TUINA", ["TCM tuina therapy"]),
    ("心理", ["Counselling session"]),
    ("back_pain", ["TCM tuina therapy"]),
    ("massage nothing-like-it", []),
])
def test_search_finds_chinese_and_english(app, shop, words, expected):
    assert titles(search(shop, q=words)) == expected


def test_filters_by_category_price_mode_and_budget(app, make, shop):
    assert titles(search(shop, category="counselling")) == ["Counselling session"]
    assert titles(search(shop, price_max_minor=20_000, sort="price_asc")) == [
        "Baduanjin morning class", "TCM tuina therapy"]
    assert titles(search(shop, delivery_mode="online")) == ["Counselling session"]
    plan = programme(make, shop.enterprise, amount_minor=30_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
    db.session.commit()
    covered = search(shop, covered_by_budget=True, sort="price_desc")
    assert titles(covered) == ["TCM tuina therapy", "Baduanjin morning class"]
    assert covered.cards[0].covered_in_full


def test_sorts_and_real_availability(app, shop):
    assert titles(search(shop, sort="price_desc"))[0] == "Counselling session"
    soonest = search(shop, sort="soonest")
    assert all(card.next_start for card in soonest.cards)
    starts = [card.next_start for card in soonest.cards]
    assert starts == sorted(starts)
    evening = search(shop, time_of_day="evening")
    assert evening.total == 3  # the practitioner works until 20:00
    far = park_today() + timedelta(days=80)
    assert search(shop, date_from=far, date_to=far + timedelta(days=2)).total == 0  # horizon


def test_pages_and_a_page_past_the_end(app, shop):
    first = search(shop, per_page=2, sort="price_asc")
    assert (len(first.cards), first.total, first.pages) == (2, 3, 2)
    assert search(shop, per_page=2, page=9).cards == []


@pytest.mark.parametrize("filters", [
    {"q": "x" * 3000}, {"category": "astrology"}, {"price_min_minor": -1},
    {"price_min_minor": 500, "price_max_minor": 100}, {"sort": "random"},
    {"date_from": date(2026, 11, 23), "date_to": date(2026, 11, 22)},
    {"min_rating": 9}, {"per_page": 500},
])
def test_nonsense_filters_are_refused_clearly(app, shop, filters):
    with pytest.raises(InvalidSearch):
        search(shop, **filters)


def test_other_parks_and_unverified_providers_are_never_offered(app, make, shop):
    elsewhere = BookingKit(make, park=make.park())
    elsewhere.service(title_en="Far away massage")
    shop.provider.status = shop.provider.status.__class__("suspended")
    db.session.commit()
    assert search(shop).total == 0


@contextmanager
def counted_queries():
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_search_page_runs_the_same_number_of_queries_whatever_its_size(app, shop):
    """Measured twice: worked out (the remembered pages and next starts forgotten first),
    and answered from memory."""
    from core.memo import clear_all

    for n in range(6):
        shop.service(title_en=f"Extra {n}", price_minor=1000 + n)
    search(shop, per_page=1)  # warm up caches of lookups that happen once
    search(shop, per_page=9)
    counts = {}
    for per_page in (1, 9):
        clear_all()
        with counted_queries() as statements:
            search(shop, per_page=per_page)
        counts["worked out", per_page] = len(statements)
    for per_page in (1, 9):
        search(shop, per_page=per_page)
        with counted_queries() as statements:
            search(shop, per_page=per_page)
        counts["remembered", per_page] = len(statements)
    assert counts["worked out", 1] == counts["worked out", 9]
    assert counts["remembered", 1] == counts["remembered", 9] < counts["worked out", 1]


def test_a_service_first_free_in_five_days_still_shows_when(app, shop):
    """Next starts look two days ahead first; a service with nothing there is looked up
    again over the rest of the window, and the card says the real day."""
    from providers import services as provider_services
    from providers.models import VerificationStatus
    from providers.schemas import PractitionerData, RuleData
    from tests.booking.factories import SHANGHAI

    later = provider_services.add_practitioner(
        shop.provider, PractitionerData(name_zh="李医生", name_en="Dr Li"), actor=shop.owner,
        now=utcnow())
    later.status = VerificationStatus.VERIFIED
    first_day = park_today() + timedelta(days=5)
    provider_services.add_rule(later, RuleData(
        rrule="FREQ=DAILY", starts_on=first_day, start_time="09:00", end_time="12:00",
        timezone="Asia/Shanghai"), actor=shop.owner, now=utcnow())
    shop.service(title_zh="艾灸", title_en="Moxibustion", practitioners=[later])
    page = search(shop, q="moxibustion")
    assert titles(page) == ["Moxibustion"]
    start = page.cards[0].next_start.astimezone(SHANGHAI)
    assert (start.date(), start.hour) == (first_day, 9)
    assert search(shop, q="tuina").cards[0].next_start < utcnow() + timedelta(days=1)
