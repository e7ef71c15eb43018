"""Park events beside services: found by the same words and dates, shown on the employee's
home for the coming week. Only published events of the person's parks, for their
enterprise (or for everyone), with a session still to come."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from core.accounts.models import Enterprise, User
from core.db import db
from core.memo import memo
from core.policy import park_ids_of
from marketplace import freshness
from marketplace.catalogue import CatalogueQuery
from park.models import Event, EventSession, EventStatus
from park.queries import in_audience

MAX_EVENTS = 6


def _for_person(user: User, events: list[Event]) -> list[Event]:
    """An event restricted to some enterprises only for their people."""
    return [e for e in events if in_audience(user, e)]


def _matching(park_ids: set[int], *, start: datetime, end: datetime,
              terms: Sequence[str]) -> list[Event]:
    """Published events of these parks with a session in [start, end), matching every
    word (for anyone: the audience is the caller's to check)."""
    statement = (select(Event).where(
        Event.park_id.in_(park_ids), Event.status == EventStatus.PUBLISHED,
        exists().where(EventSession.event_id == Event.id, EventSession.starts_at >= start,
                       EventSession.starts_at < end))
        .options(selectinload(Event.sessions), selectinload(Event.audience)))
    for term in terms:
        pattern = f"%{term}%"
        statement = statement.where(or_(
            func.lower(Event.title_zh).like(pattern), func.lower(Event.title_en).like(pattern),
            func.lower(Event.description_zh).like(pattern),
            func.lower(Event.description_en).like(pattern)))
    return list(db.session.scalars(statement))


def events_between(user: User, *, start: datetime, end: datetime, terms: Sequence[str] = (),
                   limit: int = MAX_EVENTS) -> list[Event]:
    """Published events with a session in [start, end), matching every word, soonest first."""
    events = _for_person(user, _matching(park_ids_of(user), start=start, end=end, terms=terms))
    events.sort(key=lambda e: (min(s.starts_at for s in e.sessions if s.starts_at >= start),
                               e.id))
    return events[:limit]


@dataclass(frozen=True)
class EventCard:
    """What a search shows of an event, as plain values: remembered per events counter
    (``marketplace.freshness``), so that a search answered from memory reads no event."""

    id: int
    park_id: int
    title_zh: str
    title_en: str
    kind: str
    starts_at: datetime | None  #: its first session
    audience: frozenset[int]  #: enterprise ids; empty: everyone of the park
    session_starts: tuple[datetime, ...]  #: all of its sessions, in order (read cut to a window)

    @classmethod
    def of(cls, event: Event) -> EventCard:
        return cls(event.id, event.park_id, event.title_zh, event.title_en, event.kind.value,
                   event.starts_at, frozenset(e.id for e in event.audience),
                   tuple(sorted(s.starts_at for s in event.sessions)))

    @property
    def is_restricted(self) -> bool:
        return bool(self.audience)

    def is_for(self, enterprise: Enterprise) -> bool:
        """As ``Event.is_for``."""
        return enterprise.park_id == self.park_id and (
            not self.audience or enterprise.id in self.audience)


#: How far ahead a search without dates looks for events.
SEARCH_WINDOW = timedelta(days=60)
#: How far past the search window a remembered list reaches, and so how long it is
#: believed: an event with a session in [t, t + window) for any t up to ``CARDS_REACH``
#: after the list was made has one in [made, made + window + reach), so it is in the list.
#: (With a list of exactly the window, the window's far end moving on with the clock made
#: every process read the events again each minute.)
CARDS_REACH = timedelta(days=1)
CARDS_SIZE = 1024


def event_cards_for_search(user: User, query: CatalogueQuery, *, now: datetime,
                           timezone: str) -> list[EventCard]:
    """``events_for_search`` as plain values; without dates, remembered while no event or
    session is written (``events`` counter) and for at most ``CARDS_REACH``."""
    if not _shows_events(query):
        return []
    if query.date_from or query.date_to:
        return [EventCard.of(e) for e in events_for_search(user, query, now=now,
                                                          timezone=timezone)]
    parks = park_ids_of(user)
    key = (freshness.versions([freshness.EVENTS])[freshness.EVENTS], tuple(sorted(parks)),
           tuple(query.terms))
    remembered = memo("events.search", CARDS_SIZE, shared=True)
    writing = freshness.writing()  # this transaction's own writes are not for others
    entry = None if writing else remembered.get(key)
    if entry is None or not entry[1] <= now < entry[1] + CARDS_REACH:
        cards = tuple(EventCard.of(e) for e in _matching(
            parks, start=now, end=now + SEARCH_WINDOW + CARDS_REACH, terms=query.terms))
        if not writing:
            remembered.put(key, (cards, now))
    else:
        cards = entry[0]
    end = now + SEARCH_WINDOW
    coming = {c.id: [s for s in c.session_starts if now <= s < end] for c in cards}
    visible = [c for c in cards if coming[c.id] and in_audience(user, cast(Event, c))]
    visible.sort(key=lambda c: (coming[c.id][0], c.id))
    return visible[:MAX_EVENTS]


def _shows_events(query: CatalogueQuery) -> bool:
    """Events show beside a search unless it is about something events are not."""
    return not (query.category not in (None, "culture") or query.delivery_mode
                or query.price_min_minor or query.covered_by_budget or query.page > 1)


def events_for_search(user: User, query: CatalogueQuery, *, now: datetime,
                      timezone: str) -> list[Event]:
    """The events a catalogue search shows beside services: none when the search is about
    something events are not (another category, a price, a delivery mode)."""
    if not _shows_events(query):
        return []
    tz = ZoneInfo(timezone)
    start = (datetime.combine(query.date_from, time(), tzinfo=tz).astimezone(UTC)
             if query.date_from else now)
    end = (datetime.combine(query.date_to + timedelta(days=1), time(), tzinfo=tz)
           .astimezone(UTC) if query.date_to else start + SEARCH_WINDOW)
    return events_between(user, start=max(start, now), end=end, terms=query.terms)


def this_week(user: User, *, now: datetime) -> list[Event]:
    return events_between(user, start=now, end=now + timedelta(days=7))
