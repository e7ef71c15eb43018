"""Reviews: only the person who attended may review, once per booking; the provider may
reply once; the park's committee (or a platform admin) may hide a review with a reason.
Text is stored as typed and escaped when shown."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from booking.models import Booking, BookingStatus
from core.accounts.models import Role, User
from core.db import db
from core.errors import Forbidden, InvalidInput, NotFound
from core.policy import Action, can, is_platform_admin, require
from marketplace import ratings
from marketplace.errors import AlreadyReplied, ReviewNotAllowed, ReviewNotFound
from marketplace.models import Review
from providers.models import Service

MAX_TEXT = 2000


def _check_text(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(fields={field: _("Write at most %(count)s characters.",
                                            count=MAX_TEXT)})
    return text


def write_review(booking: Booking, *, actor: User, stars: int, text: str,
                 now: datetime) -> Review:
    """Raises NotFound (not the actor's booking), ReviewNotAllowed (not attended, or
    already reviewed), InvalidInput."""
    require(actor, Action.OWN_RECORD, booking)
    if booking.status is not BookingStatus.ATTENDED:
        raise ReviewNotAllowed()
    if db.session.scalar(select(Review.id).where(Review.booking_id == booking.id)):
        raise ReviewNotAllowed()
    if not 1 <= stars <= 5:
        raise InvalidInput(fields={"stars": _("Give from 1 to 5 stars.")})
    review = Review(booking_id=booking.id, service_id=booking.service_id,
                    provider_id=booking.provider_id, author_id=actor.id, stars=stars,
                    text=_check_text(text, "text"), created_at=now)
    db.session.add(review)
    db.session.flush()
    ratings.count_in(review)
    return review


def get_review(review_id: int) -> Review:
    review = db.session.get(Review, review_id) if 0 < review_id < 2**31 else None
    if review is None:
        raise ReviewNotFound()
    return review


def reply(review: Review, *, actor: User, text: str, now: datetime) -> Review:
    """The provider's one reply. Raises NotFound/Forbidden, AlreadyReplied, InvalidInput."""
    provider = review.service_provider
    if not any(m.role is Role.PROVIDER_STAFF and m.provider_id == provider.id
               for m in actor.active_memberships):
        raise NotFound() if not is_platform_admin(actor) else Forbidden()
    if review.reply_text is not None:
        raise AlreadyReplied()
    text = _check_text(text, "text")
    if not text:
        raise InvalidInput(fields={"text": _("This field is required.")})
    review.reply_text, review.replied_at, review.replied_by_id = text, now, actor.id
    return review


def hide(review: Review, *, actor: User, reason: str, now: datetime) -> Review:
    """The park hides a review (it then shows and counts nowhere). Raises NotFound,
    InvalidInput."""
    if not can(actor, Action.MODERATE_REVIEWS, review.service_provider):
        raise NotFound()
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise InvalidInput(fields={"reason": _("Give a reason of at most 300 characters.")})
    if review.hidden_at is None:
        ratings.count_out(review)
    review.hidden_at, review.hidden_reason, review.hidden_by_id = now, reason, actor.id
    return review


def visible_reviews(service_id: int, *, limit: int = 20) -> list[Review]:
    return list(db.session.scalars(
        select(Review).where(Review.service_id == service_id, Review.hidden_at.is_(None))
        .order_by(Review.id.desc()).limit(limit)))


def reviewable_booking(booking: Booking, user: User) -> bool:
    return (can(user, Action.OWN_RECORD, booking) and booking.status is BookingStatus.ATTENDED
            and db.session.scalar(select(Review.id).where(
                Review.booking_id == booking.id)) is None)


def provider_reviews(provider_id: int, *, limit: int = 5) -> list[Review]:
    """The provider's latest visible reviews of services it still offers."""
    return list(db.session.scalars(
        select(Review).join(Service, Service.id == Review.service_id)
        .where(Review.provider_id == provider_id, Review.hidden_at.is_(None),
               Service.is_active.is_(True))
        .order_by(Review.id.desc()).limit(limit)))
