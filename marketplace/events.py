"""Park events beside services: found by the same words and dates, shown on the employee's
home for the coming week. Only published events of the person's parks, for their
enterprise (or for everyone), with a session still to come."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from core.accounts.models import User
from core.db import db
from core.policy import park_ids_of
from marketplace.catalogue import CatalogueQuery
from park.models import Event, EventSession, EventStatus
from park.queries import in_audience

MAX_EVENTS = 6


def _for_person(user: User, events: list[Event]) -> list[Event]:
    """An event restricted to some enterprises only for their people."""
    return [e for e in events if in_audience(user, e)]


def events_between(user: User, *, start: datetime, end: datetime, terms: Sequence[str] = (),
                   limit: int = MAX_EVENTS) -> list[Event]:
    """Published events with a session in [start, end), matching every word, soonest first."""
    statement = (select(Event).where(
        Event.park_id.in_(park_ids_of(user)), Event.status == EventStatus.PUBLISHED,
        exists().where(EventSession.event_id == Event.id, EventSession.starts_at >= start,
                       EventSession.starts_at < end))
        .options(selectinload(Event.sessions), selectinload(Event.audience)))
    for term in terms:
        pattern = f"%{term}%"
        statement = statement.where(or_(
            func.lower(Event.title_zh).like(pattern), func.lower(Event.title_en).like(pattern),
            func.lower(Event.description_zh).like(pattern),
            func.lower(Event.description_en).like(pattern)))
    events = _for_person(user, list(db.session.scalars(statement)))
    events.sort(key=lambda e: (min(s.starts_at for s in e.sessions if s.starts_at >= start),
                               e.id))
    return events[:limit]


def events_for_search(user: User, query: CatalogueQuery, *, now: datetime,
                      timezone: str) -> list[Event]:
    """The events a catalogue search shows beside services: none when the search is about
    something events are not (another category, a price, a delivery mode)."""
    if (query.category not in (None, "culture") or query.delivery_mode
            or query.price_min_minor or query.covered_by_budget or query.page > 1):
        return []
    tz = ZoneInfo(timezone)
    start = (datetime.combine(query.date_from, time(), tzinfo=tz).astimezone(UTC)
             if query.date_from else now)
    end = (datetime.combine(query.date_to + timedelta(days=1), time(), tzinfo=tz)
           .astimezone(UTC) if query.date_to else start + timedelta(days=60))
    return events_between(user, start=max(start, now), end=end, terms=query.terms)


def this_week(user: User, *, now: datetime) -> list[Event]:
    return events_between(user, start=now, end=now + timedelta(days=7))
