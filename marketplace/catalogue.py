"""The catalogue: every service an employee can really book (a verified provider in their
park, an active service, a listed practitioner), searched, filtered, sorted and paged.

Search (``marketplace.search_terms``) matches each word of the query, or one of its
synonyms, as a substring of the titles, descriptions, provider names and health-need tags in
both languages, or of the title's pinyin (``services.search_keys``). Chinese needs no
segmentation this way: 推拿 is found in 中医推拿理疗 on SQLite and PostgreSQL alike. A search
that finds nothing tries the nearest words (typos, homophones) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from core.accounts.models import ProviderOrganisation, ProviderStatus, User
from core.bounds import MAX_PAGE, date_in_bounds
from core.db import db, replica_reads
from core.memo import memo
from core.policy import park_ids_of
from marketplace import freshness, ratings, search_terms
from marketplace.availability import Offer, next_starts
from marketplace.errors import QUERY_TOO_LONG, QUERY_WITHOUT_WORDS, InvalidSearch
from marketplace.models import ServiceRating
from marketplace.searcher import budget_by_category
from providers.models import (
    LANGUAGE_LABELS,
    DeliveryMode,
    Practitioner,
    ProviderCategory,
    ProviderProfile,
    Service,
    ServicePractitioner,
    VerificationStatus,
    search_text,
)

SORTS = ("recommended", "soonest", "price_asc", "price_desc", "rating")
TIMES_OF_DAY = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 23)}
FOR_WHOM = ("me", "child", "parent")
MAX_QUERY = 100
MAX_PRICE_MINOR = 100_000_000
DEFAULT_WINDOW = timedelta(days=14)
MAX_WINDOW = timedelta(days=90)

#: Providers describe services with their own need tags; health speaks of risks. The
#: composition root translates between the two vocabularies.
PROVIDER_NEEDS_TO_HEALTH = {
    "hypertension": {"hypertension"},
    "back_pain": {"back_pain"},
    "neck_shoulder": {"back_pain"},
    "stress": {"stress", "anxiety"},
    "mental_wellbeing": {"depression", "anxiety", "stress"},
    "sleep": {"poor_sleep"},
    "weight": {"overweight", "fitness"},
    "diabetes": {"high_glucose"},
    "child_development": {"childcare"},
    "elderly_mobility": {"eldercare"},
    "checkup_results": {"hypertension", "high_glucose", "dyslipidaemia", "overweight",
                        "hyperuricaemia"},
}


def health_tags(service: Service) -> frozenset[str]:
    return frozenset(tag for need in service.health_needs
                     for tag in PROVIDER_NEEDS_TO_HEALTH.get(need, ()))


@dataclass(frozen=True)
class CatalogueQuery:
    q: str = ""
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    time_of_day: str | None = None
    price_min_minor: int | None = None
    price_max_minor: int | None = None
    covered_by_budget: bool = False
    delivery_mode: str | None = None
    language: str | None = None
    for_whom: str = "me"
    min_rating: int | None = None
    sort: str = "recommended"
    page: int = 1
    per_page: int = 12

    @property
    def terms(self) -> list[str]:
        """The words as typed, normalised (lower case, punctuation dropped)."""
        return [t.typed for t in search_terms.parse(self.q)]

    @property
    def needs_availability(self) -> bool:
        return bool(self.date_from or self.date_to or self.time_of_day or self.sort == "soonest")


def check(query: CatalogueQuery) -> CatalogueQuery:
    """The query, or InvalidSearch naming each filter that is not valid."""
    fields: dict[str, str] = {}
    code = None
    if len(query.q) > MAX_QUERY:
        fields["q"] = query_too_long_message()
        code = QUERY_TOO_LONG
    elif query.q.strip() and not search_terms.parse(query.q):
        fields["q"] = _("Type a word to search for: punctuation alone finds nothing.")
        code = QUERY_WITHOUT_WORDS
    if query.category and query.category not in {c.value for c in ProviderCategory}:
        fields["category"] = _("Unknown category.")
    if query.delivery_mode and query.delivery_mode not in {m.value for m in DeliveryMode}:
        fields["delivery_mode"] = _("Unknown way of delivery.")
    if query.language and query.language not in LANGUAGE_LABELS:
        fields["language"] = _("Unknown language.")
    if query.time_of_day and query.time_of_day not in TIMES_OF_DAY:
        fields["time_of_day"] = _("Choose morning, afternoon or evening.")
    if query.for_whom not in FOR_WHOM:
        fields["for_whom"] = _("Choose me, my child or my parent.")
    if query.sort not in SORTS:
        fields["sort"] = _("Unknown sort order.")
    for name in ("price_min_minor", "price_max_minor"):
        value = getattr(query, name)
        if value is not None and not 0 <= value <= MAX_PRICE_MINOR:
            fields[name] = _("Enter a price between 0 and 1,000,000 yuan.")
    if (query.price_min_minor is not None and query.price_max_minor is not None
            and query.price_min_minor > query.price_max_minor):
        fields["price_max_minor"] = _("The highest price is below the lowest.")
    for name in ("date_from", "date_to"):
        if not date_in_bounds(getattr(query, name)):
            fields[name] = _("Choose a day between 1900 and 2200.")
    if query.date_from and query.date_to and not fields.keys() & {"date_from", "date_to"}:
        if query.date_to < query.date_from:
            fields["date_to"] = _("The end date is before the start date.")
        elif query.date_to - query.date_from > MAX_WINDOW:
            fields["date_to"] = _("Search at most 90 days at a time.")
    if query.min_rating is not None and not 1 <= query.min_rating <= 5:
        fields["min_rating"] = _("Choose a rating from 1 to 5.")
    if not 1 <= query.page <= MAX_PAGE or not 1 <= query.per_page <= 50:
        fields["page"] = _("Pages start at 1 and hold at most 50 results.")
    if fields:
        # The query's own refusal has its own code when it is the only problem.
        raise InvalidSearch(fields=fields, code=code if fields.keys() == {"q"} else None)
    return query


def query_too_long_message() -> str:
    return _("Search with at most %(count)s characters; shorten your search.",
             count=MAX_QUERY)


@dataclass(frozen=True)
class Listing:
    """What a card shows of a service, as plain values: a remembered catalogue page keeps
    its listings, so that answering it from memory loads no service (the JSON API reads
    nothing else; a page template that needs the service loads the page's at once)."""

    id: int
    title_zh: str
    title_en: str
    category: str
    delivery_mode: str
    provider_id: int
    provider_name_zh: str
    provider_name_en: str
    price_minor: int
    currency: str
    offer: Offer

    @classmethod
    def of(cls, service: Service) -> Listing:
        return cls(service.id, service.title_zh, service.title_en, service.category.value,
                   service.delivery_mode.value, service.provider_id, service.provider.name_zh,
                   service.provider.name_en, service.price_minor, service.currency,
                   Offer.of(service))


class PageServices:
    """The services of one page of cards, loaded together the first time one is asked for
    (or given, when they were loaded anyway)."""

    def __init__(self, ids: list[int], known: dict[int, Service] | None = None) -> None:
        self._ids = ids
        self._services = known

    def get(self, service_id: int) -> Service:
        if self._services is None:
            self._services = _services_in_order(self._ids)
        return self._services[service_id]


@dataclass(frozen=True)
class ServiceCard:
    listing: Listing
    rating: float | None
    reviews: int
    next_start: datetime | None
    budget_covers_minor: int | None  #: what the employee's budget pays; None: no budget
    services: PageServices
    relevance: int = 0

    @property
    def service(self) -> Service:
        return self.services.get(self.listing.id)

    @property
    def own_minor(self) -> int | None:
        """What is left for the employee to pay once the budget has paid its part."""
        if self.budget_covers_minor is None:
            return None
        return self.listing.price_minor - self.budget_covers_minor

    @property
    def covered_in_full(self) -> bool:
        return self.budget_covers_minor is not None and (
            self.budget_covers_minor >= self.listing.price_minor)


def covered_part(listing: Listing, budget: dict[str, int] | None) -> int | None:
    """What the budget pays of a service: None without a budget."""
    if budget is None:
        return None
    return min(listing.price_minor, budget.get(listing.category, 0))


@dataclass(frozen=True)
class CataloguePage:
    cards: list[ServiceCard]
    total: int
    query: CatalogueQuery
    need_tags: frozenset[str] = field(default_factory=frozenset)
    #: When nothing matched the words as typed: what was searched instead ("massage").
    close_to: str | None = None
    #: Symptoms typed and the categories that help with them: [("失眠", ("counselling", …))].
    related: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def bookable_services():
    """Services of verified providers with at least one listed practitioner."""
    listed = exists().where(ServicePractitioner.service_id == Service.id,
                            ServicePractitioner.practitioner_id == Practitioner.id,
                            Practitioner.status == VerificationStatus.VERIFIED,
                            Practitioner.is_active.is_(True))
    return (select(Service).join(Service.provider)
            .where(Service.is_active.is_(True),
                   ProviderOrganisation.status == ProviderStatus.VERIFIED, listed))


def _has_need(need: str):
    """The service's provider-side need tags (a JSON list) include ``need``."""
    return cast(Service.health_needs, String).like(f'%"{need}"%')


def _matching(term: search_terms.Term):
    """A service matches ``term`` when its own text holds the word or a synonym, or its
    title's pinyin the letters typed (pg_trgm's indexes help on PostgreSQL), or its
    provider's name holds the word or a synonym. Words hold letters, digits and Chinese
    only, so no LIKE wildcard comes from what was typed.

    One condition on the services row rather than ``id IN (…)``: SQLite would probe the
    list of matching ids once per provider of the park."""
    patterns = [f"%{text}%" for text in term.texts]
    own = [search_text().like(p) for p in patterns]
    own += [Service.search_keys.like(f"%{key}%") for key in term.keys]
    # The providers are matched on their own (a tenth as many rows as services).
    named = select(ProviderOrganisation.id).where(or_(false(), *(
        like for p in patterns for like in (func.lower(ProviderOrganisation.name_zh).like(p),
                                            func.lower(ProviderOrganisation.name_en).like(p)))))
    return or_(*own, Service.provider_id.in_(named.correlate(None)))


def _filtered(user: User, query: CatalogueQuery, budget: dict[str, int] | None,
              terms: list[search_terms.Term]):
    """Every filter that the database can apply, as one statement (no loader options)."""
    statement = bookable_services().where(ProviderOrganisation.park_id.in_(park_ids_of(user)))
    for term in terms:
        statement = statement.where(_matching(term))
    if query.category:
        statement = statement.where(Service.category == ProviderCategory(query.category))
    if query.delivery_mode:
        statement = statement.where(Service.delivery_mode == DeliveryMode(query.delivery_mode))
    if query.price_min_minor is not None:
        statement = statement.where(Service.price_minor >= query.price_min_minor)
    if query.price_max_minor is not None:
        statement = statement.where(Service.price_minor <= query.price_max_minor)
    if query.language:
        spoken = f'%"{query.language}"%'
        statement = statement.where(or_(
            exists().where(ProviderProfile.provider_id == Service.provider_id,
                           cast(ProviderProfile.languages, String).like(spoken)),
            exists().where(ServicePractitioner.service_id == Service.id,
                           ServicePractitioner.practitioner_id == Practitioner.id,
                           cast(Practitioner.languages, String).like(spoken))))
    if query.for_whom == "child":
        statement = statement.where(Service.allows_dependants.is_(True),
                                    or_(Service.min_age.is_(None), Service.min_age < 18))
    elif query.for_whom == "parent":
        statement = statement.where(Service.allows_dependants.is_(True),
                                    or_(Service.max_age.is_(None), Service.max_age >= 60))
    if query.covered_by_budget:
        statement = statement.where(or_(*[
            and_(Service.category == ProviderCategory(category), Service.price_minor <= left)
            for category, left in sorted((budget or {}).items())]) if budget else false())
    return statement


def _rated():
    """Each service's kept rating (``marketplace.ratings``): visible reviews and average
    stars in tenths, one row per service, joined rather than summed per search."""
    return (select(ServiceRating.service_id.label("service_id"),
                   ratings.stars_tenths(ServiceRating.stars_sum, ServiceRating.reviews)
                   .label("tenths"), ServiceRating.reviews.label("reviews"))
            .where(ServiceRating.reviews > 0).subquery("rated"))


def _relevance(need_tags: frozenset[str]):
    """How many of the person's health needs the service serves (``health_tags`` in SQL);
    None when none of them is a need that services serve."""
    terms = []
    for tag in sorted(need_tags):
        needs = sorted(n for n, tags in PROVIDER_NEEDS_TO_HEALTH.items() if tag in tags)
        if needs:
            terms.append(case((or_(*[_has_need(n) for n in needs]), 1), else_=0))
    return sum(terms[1:], terms[0]) if terms else None


def _window(query: CatalogueQuery, *, now: datetime, timezone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(timezone)
    start = (datetime.combine(query.date_from, time(), tzinfo=tz).astimezone(UTC)
             if query.date_from else now)
    end = (datetime.combine(query.date_to + timedelta(days=1), time(), tzinfo=tz)
           .astimezone(UTC) if query.date_to else max(start, now) + DEFAULT_WINDOW)
    return max(start, now), end


@dataclass(frozen=True)
class _Found:
    listing: Listing
    relevance: int
    tenths: int  #: average stars in tenths; 0 without reviews
    reviews: int
    service: Service | None = None  #: when it was loaded to find it


def _found(statement) -> list[_Found]:
    rows = db.session.execute(statement.options(
        selectinload(Service.provider), selectinload(Service.practitioners))).all()
    return [_Found(Listing.of(service), int(relevance), int(tenths or 0), int(reviews or 0),
                   service) for service, relevance, tenths, reviews in rows]


def _page(asked: _Statements, query: CatalogueQuery, *, start: datetime, end: datetime,
          now: datetime, timezone: str):
    """Count, order and page the matches by their availability: (total, the page's found
    services, their next starts)."""
    first = (query.page - 1) * query.per_page
    if query.needs_availability:
        found = _found(asked.statement)
        starts = next_starts([f.listing.offer for f in found], start=start, end=end, now=now,
                             timezone=timezone, hours=TIMES_OF_DAY.get(query.time_of_day or ""))
        found = [f for f in found if starts.get(f.listing.id)]
        far = datetime.max.replace(tzinfo=UTC)
        orders = {
            "recommended": lambda f: (-f.relevance, -f.tenths,
                                      starts.get(f.listing.id) or far, f.listing.id),
            "soonest": lambda f: (starts.get(f.listing.id) or far, f.listing.id),
            "price_asc": lambda f: (f.listing.price_minor, f.listing.id),
            "price_desc": lambda f: (-f.listing.price_minor, f.listing.id),
            "rating": lambda f: (-f.tenths, -f.reviews, f.listing.id),
        }
        found.sort(key=orders[query.sort])
        return len(found), found[first:first + query.per_page], starts
    total, page = _ordered_page(asked, query)
    return total, page, (next_starts([f.listing.offer for f in page], start=start, end=end,
                                     now=now, timezone=timezone) if page else {})


def _ordered_page(asked: _Statements, query: CatalogueQuery):
    """The database counts, orders and pages: (total, the page's found services)."""
    statement, filtered, relevance, tenths, rated = (
        asked.statement, asked.filtered, asked.relevance, asked.tenths, asked.rated)
    by_relevance = () if relevance is None else (relevance.desc(),)
    first = (query.page - 1) * query.per_page
    # Counted without the ratings unless they filter: the join cannot change the count.
    total = db.session.scalar((statement if query.min_rating else filtered)
                              .with_only_columns(func.count(Service.id)).order_by(None))
    orders = {
        "recommended": (*by_relevance, tenths.desc(), Service.id),
        "price_asc": (Service.price_minor, Service.id),
        "price_desc": (Service.price_minor.desc(), Service.id),
        "rating": (tenths.desc(), func.coalesce(rated.c.reviews, 0).desc(), Service.id),
    }
    page = (_found(statement.order_by(*orders[query.sort])
                   .limit(query.per_page).offset(first)) if first < total else [])
    return total, page


#: Pages of results per catalogue version (``marketplace.freshness``): the count and the
#: page's services in order with their relevance and rating, without anything that depends
#: on the clock or the person's budget (unless the search filters on the budget, which is
#: then part of the key). Bounded: the least recently used page goes first.
RESULTS_SIZE = 2048


def _result_key(user: User, query: CatalogueQuery, terms: list[search_terms.Term],
                budget: dict[str, int] | None, need_tags: frozenset[str]):
    return (tuple(sorted(park_ids_of(user))), query,
            tuple((t.texts, t.keys) for t in terms),
            tuple(sorted((budget or {}).items())) if query.covered_by_budget else None,
            tuple(sorted(need_tags)))


def _services_in_order(ids: list[int]) -> dict[int, Service]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Service).where(Service.id.in_(ids))
                                                .options(selectinload(Service.provider),
                                                         selectinload(Service.practitioners)))}


def search(user: User, query: CatalogueQuery, *, now: datetime, today: date, timezone: str,
           need_tags: frozenset[str] = frozenset()) -> CataloguePage:
    """One page of what ``user`` can book, as ``query`` asks. Raises InvalidSearch.

    The database filters, counts, orders and pages; only the page's services are loaded.
    Filters on availability (dates, time of day, the soonest order) need the next start of
    every match, so those searches read every match (with a fixed number of queries)."""
    check(query)
    budget = budget_by_category(user, today=today)
    terms = search_terms.parse(query.q)
    close = None
    total, page, starts = _run(user, query, terms, budget=budget, need_tags=need_tags,
                               now=now, timezone=timezone)
    if not total and terms and (close := search_terms.close_terms(terms)):
        total, page, starts = _run(user, query, close.terms, budget=budget,
                                   need_tags=need_tags, now=now, timezone=timezone)
    loaded = {f.listing.id: f.service for f in page if f.service is not None}
    services = PageServices([f.listing.id for f in page],
                            loaded if len(loaded) == len(page) else None)
    cards = [ServiceCard(listing=f.listing, rating=f.tenths / 10 if f.reviews else None,
                         reviews=f.reviews, next_start=starts.get(f.listing.id),
                         budget_covers_minor=covered_part(f.listing, budget),
                         services=services, relevance=f.relevance) for f in page]
    return CataloguePage(cards=cards, total=total, query=query, need_tags=need_tags,
                         close_to=close.shown_as if close and total else None,
                         related=search_terms.related_categories(terms))


def _run(user: User, query: CatalogueQuery, terms: list[search_terms.Term], *,
         budget: dict[str, int] | None, need_tags: frozenset[str], now: datetime,
         timezone: str):
    """Count, order and page what matches ``terms`` and every filter. A search without an
    availability filter is answered from ``RESULTS`` when the catalogue has not changed
    since the same search was made in this process; the page's next starts are then
    added (``marketplace.availability``, with its own memory)."""
    start, end = _window(query, now=now, timezone=timezone)
    with replica_reads():  # what is on offer, shown: booking re-checks on the primary
        if query.needs_availability:
            return _page(_statements(user, query, terms, budget, need_tags), query,
                         start=start, end=end, now=now, timezone=timezone)
        # The counter is read before the data: see marketplace.freshness. A transaction
        # that has itself written the catalogue neither reads nor fills the memory. The
        # statements are not even built for a remembered page.
        results = memo("catalogue.results", RESULTS_SIZE, shared=True)
        key = (freshness.catalogue_version(),
               _result_key(user, query, terms, budget, need_tags))
        cached = None if freshness.writing() else results.get(key)
        if cached is None:
            total, page = _ordered_page(_statements(user, query, terms, budget, need_tags),
                                        query)
            if not freshness.writing():
                results.put(key, (total, tuple(replace(f, service=None) for f in page)))
        else:
            total, page = cached
            page = list(page)
        starts = next_starts([f.listing.offer for f in page], start=start, end=end, now=now,
                             timezone=timezone) if page else {}
        return total, page, starts


@dataclass(frozen=True)
class _Statements:
    """What a search asks the database: the matches with their relevance and rating
    (``statement``), the same without the rating join (``filtered``, for the count)."""

    statement: Any
    filtered: Any
    relevance: Any
    tenths: Any
    rated: Any


def _statements(user: User, query: CatalogueQuery, terms: list[search_terms.Term],
                budget: dict[str, int] | None, need_tags: frozenset[str]) -> _Statements:
    rated = _rated()
    relevance = _relevance(need_tags)
    tenths = func.coalesce(rated.c.tenths, 0)
    filtered = _filtered(user, query, budget, terms)
    statement = (filtered.outerjoin(rated, rated.c.service_id == Service.id)
                 .add_columns(literal(0) if relevance is None else relevance, rated.c.tenths,
                              rated.c.reviews))
    if query.min_rating:
        statement = statement.where(tenths >= query.min_rating * 10)
    return _Statements(statement, filtered, relevance, tenths, rated)


def with_page(query: CatalogueQuery, page: int) -> CatalogueQuery:
    return replace(query, page=page)
