"""JSON endpoints for the catalogue and reviews (the same services as the pages)."""

from __future__ import annotations

from booking.models import Booking
from core.accounts.models import ApiScope, User
from core.api.openapi import ApiBlueprint
from core.clock import today_in, utcnow, zone_of
from core.db import db
from core.errors import NotFound
from core.policy import Action
from marketplace import catalogue, events, ratings, reviews
from marketplace.schemas import (
    CataloguePageOut,
    CatalogueSearchQuery,
    EventCardOut,
    HideIn,
    PageInfoOut,
    RelatedCategoriesOut,
    ReplyIn,
    ReviewIn,
    ReviewList,
    ReviewOut,
    ServiceCardOut,
)
from marketplace.searcher import need_tags_of
from providers import queries as provider_queries

bp = ApiBlueprint("marketplace_api", __name__, tag="catalogue")


@bp.operation("/catalog/search", method="GET", query=CatalogueSearchQuery,
              response=CataloguePageOut, errors=(422,),
              summary="Search what you can book, with filters, order and pages")
def search(user: User, query: CatalogueSearchQuery):
    timezone = zone_of()
    today = today_in()
    page = catalogue.search(user, query.to_query(), now=utcnow(), today=today,
                            timezone=timezone, need_tags=need_tags_of(user, today=today))
    found = events.event_cards_for_search(user, page.query, now=utcnow(), timezone=timezone)
    return CataloguePageOut(
        items=[ServiceCardOut.of(card) for card in page.cards],
        pagination=PageInfoOut(page=page.query.page, per_page=page.query.per_page,
                               total=page.total, pages=page.pages),
        close_to=page.close_to,
        related_categories=[RelatedCategoriesOut(word=word, categories=list(categories))
                            for word, categories in page.related],
        events=[EventCardOut(id=e.id, title_zh=e.title_zh, title_en=e.title_en,
                             kind=e.kind, starts_at=e.starts_at) for e in found])


@bp.operation("/services/<int:service_id>/reviews", method="GET", response=ReviewList,
              errors=(404,), summary="A service's visible reviews, newest first")
def list_reviews(user: User, service_id: int):
    service = provider_queries.service_for(user, service_id, Action.VIEW_PROVIDER)
    rating = ratings.ratings([service.id]).get(service.id)
    return ReviewList(items=[ReviewOut.of(r) for r in reviews.visible_reviews(service.id)],
                      average=rating[0] if rating else None, count=rating[1] if rating else 0)


@bp.operation("/bookings/<int:booking_id>/review", method="POST", scope=ApiScope.WRITE,
              body=ReviewIn, response=ReviewOut, status=201, errors=(404, 409),
              summary="Review an attended booking (once)")
def create_review(user: User, booking_id: int, body: ReviewIn):
    booking = db.session.get(Booking, booking_id) if 0 < booking_id < 2**31 else None
    if booking is None:
        raise NotFound()
    return ReviewOut.of(reviews.write_review(booking, actor=user, stars=body.stars,
                                             text=body.text, now=utcnow()))


@bp.operation("/reviews/<int:review_id>/reply", method="POST", scope=ApiScope.WRITE,
              body=ReplyIn, response=ReviewOut, errors=(404, 409),
              summary="The provider's one reply to a review")
def reply(user: User, review_id: int, body: ReplyIn):
    return ReviewOut.of(reviews.reply(reviews.get_review(review_id), actor=user,
                                      text=body.text, now=utcnow()))


@bp.operation("/reviews/<int:review_id>/hide", method="POST", scope=ApiScope.WRITE,
              body=HideIn, status=204, errors=(404,),
              summary="The park hides a review, with a reason")
def hide(user: User, review_id: int, body: HideIn):
    reviews.hide(reviews.get_review(review_id), actor=user, reason=body.reason, now=utcnow())
