"""API shapes for the catalogue and reviews."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from marketplace.catalogue import CatalogueQuery, ServiceCard
from marketplace.models import Review


class CatalogueSearchQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str = Field("", max_length=3000, description="Words to find (Chinese or English).")
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    time_of_day: str | None = Field(None, description="morning, afternoon or evening")
    price_min_minor: int | None = None
    price_max_minor: int | None = None
    covered_by_budget: bool = False
    delivery_mode: str | None = None
    language: str | None = None
    for_whom: str = Field("me", description="me, child or parent")
    min_rating: int | None = None
    sort: str = Field("recommended",
                      description="recommended, soonest, price_asc, price_desc or rating")
    page: int = 1
    per_page: int = 12

    def to_query(self) -> CatalogueQuery:
        return CatalogueQuery(**self.model_dump())


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
        s = card.service
        return cls(id=s.id, title_zh=s.title_zh, title_en=s.title_en, category=s.category.value,
                   delivery_mode=s.delivery_mode.value, provider_id=s.provider_id,
                   provider_name_zh=s.provider.name_zh, provider_name_en=s.provider.name_en,
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


class CataloguePageOut(BaseModel):
    items: list[ServiceCardOut]
    pagination: PageInfoOut
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
