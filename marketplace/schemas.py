"""API shapes for the catalogue and reviews."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from flask import has_request_context, request
from pydantic import BaseModel, ConfigDict, Field

from core.api.validation import PageNumber, SafeDate
from marketplace.catalogue import (
    MAX_PRICE_MINOR,
    MAX_QUERY,
    CatalogueQuery,
    ServiceCard,
    query_too_long_message,
)
from marketplace.errors import QUERY_TOO_LONG, InvalidSearch
from marketplace.models import Review
from providers.models import LANGUAGE_LABELS, DeliveryMode, ProviderCategory


class InvalidSearchQuery(InvalidSearch):
    """A query string the schema refuses: when the words alone are refused for their
    length, the refusal has its own code and says the limit (a NUL, say, stays
    ``invalid_search``)."""

    def __init__(self, message: object | None = None, *, code: str | None = None,
                 fields: dict[str, str] | None = None) -> None:
        typed = request.args.get("q", "") if has_request_context() else ""
        if code is None and fields and fields.keys() == {"q"} and len(typed) > MAX_QUERY:
            code, fields = QUERY_TOO_LONG, {"q": query_too_long_message()}
        super().__init__(message, code=code, fields=fields)


class CatalogueSearchQuery(BaseModel):
    """The catalogue's filters. Each bound is declared here; what a schema cannot say
    (an end before its start, a window over 90 days) ``catalogue.check`` refuses, with the
    same code."""

    model_config = ConfigDict(extra="ignore")
    refusal: ClassVar[type[InvalidSearch]] = InvalidSearchQuery
    q: str = Field("", max_length=MAX_QUERY, description=(
        "Words to find, in Chinese, English or pinyin (full or initials); synonyms, "
        "symptoms and near misses count. Refused with code query_too_long when longer, "
        "and query_without_words when it holds only punctuation; empty finds everything."))
    category: ProviderCategory | None = None
    date_from: SafeDate | None = None
    date_to: SafeDate | None = Field(None, description="At most 90 days after date_from.")
    time_of_day: Literal["morning", "afternoon", "evening"] | None = None
    price_min_minor: int | None = Field(None, ge=0, le=MAX_PRICE_MINOR)
    price_max_minor: int | None = Field(None, ge=0, le=MAX_PRICE_MINOR,
                                        description="At least price_min_minor.")
    covered_by_budget: bool = False
    delivery_mode: DeliveryMode | None = None
    language: Literal[tuple(LANGUAGE_LABELS)] | None = None  # type: ignore[valid-type]
    for_whom: Literal["me", "child", "parent"] = "me"
    min_rating: int | None = Field(None, ge=1, le=5)
    sort: Literal["recommended", "soonest", "price_asc", "price_desc", "rating"] = "recommended"
    page: PageNumber = 1
    per_page: int = Field(12, ge=1, le=50)

    def to_query(self) -> CatalogueQuery:
        data = self.model_dump()
        for name in ("category", "delivery_mode"):
            data[name] = data[name] and data[name].value
        return CatalogueQuery(**data)


class ServiceCardOut(BaseModel):
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
    budget_covers_minor: int | None
    rating: float | None
    reviews: int
    next_start: datetime | None

    @classmethod
    def of(cls, card: ServiceCard) -> ServiceCardOut:
        s = card.listing  # plain values: the API never loads the page's services
        return cls(id=s.id, title_zh=s.title_zh, title_en=s.title_en, category=s.category,
                   delivery_mode=s.delivery_mode, provider_id=s.provider_id,
                   provider_name_zh=s.provider_name_zh, provider_name_en=s.provider_name_en,
                   price_minor=s.price_minor, currency=s.currency,
                   budget_covers_minor=card.budget_covers_minor, rating=card.rating,
                   reviews=card.reviews, next_start=card.next_start)


class PageInfoOut(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int


class EventCardOut(BaseModel):
    id: int
    title_zh: str
    title_en: str
    kind: str
    starts_at: datetime | None


class RelatedCategoriesOut(BaseModel):
    word: str = Field(description="A symptom the search holds, as typed (normalised).")
    categories: list[ProviderCategory]


class CataloguePageOut(BaseModel):
    items: list[ServiceCardOut]
    pagination: PageInfoOut
    close_to: str | None = Field(None, description=(
        "When nothing matched the words as typed: the words searched instead (a typo "
        "corrected, a Chinese word matched by its sound)."))
    related_categories: list[RelatedCategoriesOut] = Field(
        default_factory=list, description="Categories that help with symptoms typed.")
    events: list[EventCardOut] = Field(default_factory=list,
                                       description="Park events the same search finds "
                                                   "(first page only).")


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stars: int = Field(ge=1, le=5)
    text: str = Field("", max_length=2000)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)


class HideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=300)


class ReviewOut(BaseModel):
    id: int
    service_id: int
    stars: int
    text: str
    author: str = Field(description="First character of the author's name only.")
    created_at: datetime
    reply_text: str | None
    replied_at: datetime | None

    @classmethod
    def of(cls, review: Review) -> ReviewOut:
        return cls(id=review.id, service_id=review.service_id, stars=review.stars,
                   text=review.text, author=review.author_display,
                   created_at=review.created_at, reply_text=review.reply_text,
                   replied_at=review.replied_at)


class ReviewList(BaseModel):
    items: list[ReviewOut]
    average: float | None
    count: int
