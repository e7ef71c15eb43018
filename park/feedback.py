"""After the event: attendees rate it (1–5) and may leave a comment, once per event (a
second answer replaces the first)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from park.errors import FeedbackNotAllowed
from park.models import Event, EventSession, EventStatus, Feedback, Registration


def has_attended(user: User, event: Event) -> bool:
    """Whether one of the user's tickets for the event was checked in."""
    return db.session.scalar(select(Registration.id).join(EventSession).where(
        EventSession.event_id == event.id, Registration.user_id == user.id,
        Registration.checked_in_at.is_not(None)).limit(1)) is not None


def feedback_of(user: User, event: Event) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.event_id == event.id,
                                                    Feedback.user_id == user.id))


def give_feedback(event: Event, *, actor: User, rating: int, comment: str,
                  now: datetime) -> Feedback:
    """Raises FeedbackNotAllowed (not checked in, or the event was cancelled)."""
    if event.status is EventStatus.CANCELLED or not has_attended(actor, event) \
            or not 1 <= rating <= 5:
        raise FeedbackNotAllowed()
    feedback = feedback_of(actor, event)
    if feedback is None:
        feedback = Feedback(event_id=event.id, user_id=actor.id, created_at=now)
        db.session.add(feedback)
    feedback.rating, feedback.comment, feedback.created_at = rating, comment.strip()[:1000], now
    db.session.flush()
    return feedback
