"""After the event: attendees rate it (1–5) and may leave a comment, once per event (a
second answer replaces the first); the committee reads the answers on the event's page,
exports them as CSV or reads them over the API. Answers are shown without their authors'
names: people say more when the committee cannot tell who said it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

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


@dataclass(frozen=True)
class Summary:
    count: int
    average_rating: float | None
    #: How many answers gave each rating, 5 down to 1.
    by_rating: tuple[int, int, int, int, int]


def feedback_for(event: Event) -> Select:
    """The event's answers, newest first (a statement: the API pages it)."""
    return (select(Feedback).where(Feedback.event_id == event.id)
            .order_by(Feedback.created_at.desc(), Feedback.id.desc()))


def summary_of(event: Event) -> Summary:
    counts = dict(db.session.execute(select(Feedback.rating, func.count(Feedback.id)).where(
        Feedback.event_id == event.id).group_by(Feedback.rating)).all())
    count = sum(counts.values())
    total = sum(rating * n for rating, n in counts.items())
    return Summary(count=count, average_rating=total / count if count else None,
                   by_rating=tuple(counts.get(r, 0) for r in range(5, 0, -1)))


def to_csv(rows: list[Feedback], headers: list[str], *, when) -> str:
    """The answers as CSV for Excel: UTF-8 with a BOM (so that Excel reads the Chinese),
    comments neutralised against spreadsheet formulas. ``when`` formats a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([when(row.created_at), row.rating, _safe(row.comment)])
    return "\ufeff" + out.getvalue()


def _safe(text: str) -> str:
    """A cell starting with = + - @ (or a tab or carriage return) is a formula to Excel."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
