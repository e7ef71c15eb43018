"""Each employee's secret, revocable iCalendar feed of their bookings. Only the SHA-256 of
the secret in the feed's address is stored; issuing a new one ends the old address. The
same bookings give the same body (stable UIDs, DTSTAMP = last change), so the view answers
a calendar app's conditional poll with 304 (``my_calendar``'s ETag and Last-Modified)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from icalendar import Calendar, Event
from sqlalchemy import select

from booking import notifications
from booking.models import Booking, BookingStatus, CalendarFeed
from core.accounts.models import User
from core.clock import as_utc
from core.db import db

#: How far back the feed goes.
FEED_PAST_DAYS = 90
MAX_TOKEN_LENGTH = 100


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def issue_calendar_feed(user: User, *, now: datetime) -> str:
    """A new secret feed address for ``user`` (the old one stops working). Returns the
    secret, shown once."""
    raw = secrets.token_urlsafe(24)
    feed = feed_of(user) or CalendarFeed(user_id=user.id)
    feed.token_hash, feed.created_at = _digest(raw), now
    db.session.add(feed)
    db.session.flush()
    return raw


def revoke_calendar_feed(user: User) -> None:
    feed = feed_of(user)
    if feed is not None:
        feed.token_hash = None
        db.session.flush()


def feed_owner(raw: str) -> User | None:
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _digest(raw)))
    if feed is None:
        return None
    return db.session.get(User, feed.user_id)


@dataclass(frozen=True)
class MyCalendar:
    """The feed's body and what a calendar app's next poll is compared with."""

    body: str
    etag: str  #: the body's hash: the same bookings give the same body
    last_modified: datetime | None  #: the latest change of any event in it


def calendar_for(user: User, *, now: datetime, locale: str, name: str) -> str:
    """The person's confirmed, attended and cancelled bookings (cancelled ones say so, so
    that calendar apps remove them) from ``FEED_PAST_DAYS`` ago on."""
    return my_calendar(user, now=now, locale=locale, name=name).body


def my_calendar(user: User, *, now: datetime, locale: str, name: str) -> MyCalendar:
    """``calendar_for`` with its ETag and Last-Modified. The calendar's UID is the same on
    every fetch (one per person), and each event's UID one per booking."""
    bookings = list(db.session.scalars(select(Booking).where(
        Booking.client_id == user.id, Booking.starts_at >= now - timedelta(days=FEED_PAST_DAYS),
        Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.ATTENDED,
                            BookingStatus.CANCELLED_BY_CLIENT,
                            BookingStatus.CANCELLED_BY_PROVIDER])).order_by(Booking.starts_at)))
    text = notifications.bookings_ics(bookings, locale=locale, name=name,
                                      uid=f"my-bookings-{user.id}@parkwell", now=now)
    since = now - timedelta(days=FEED_PAST_DAYS)
    extra = [event for source in current_app.extensions.get(_SOURCES_KEY, ())
             for event in source(user.id, since, locale)]
    changes = [as_utc(b.updated_at) for b in bookings]
    if extra:
        calendar = Calendar.from_ical(text)
        for event in extra:
            calendar.add_component(event)
            if event.get("DTSTAMP") is not None:
                changes.append(as_utc(event["DTSTAMP"].dt))
        text = calendar.to_ical().decode()
    return MyCalendar(body=text, etag=hashlib.sha256(text.encode()).hexdigest()[:32],
                      last_modified=max(changes).replace(microsecond=0) if changes else None)


_SOURCES_KEY = "booking.my_feed_sources"
MyFeedSource = Callable[[int, datetime, str], Iterable[Event]]


def register_feed_source(app: Flask, source: MyFeedSource) -> None:
    """Let a package above booking add events to each employee's own calendar feed:
    ``source(user_id, since, locale)`` gives iCalendar VEVENTs (e.g. care follow-ups)."""
    app.extensions.setdefault(_SOURCES_KEY, []).append(source)
