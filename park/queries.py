"""Reads: the events a person may see, the ones a committee manages, one's registrations.
Each lookup applies the policy, so that another park's objects are simply not found."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from core.accounts.models import Park, User
from core.db import db
from core.errors import NotFound
from core.policy import Action, can, park_ids_of, require
from park.errors import EventNotFound, RegistrationNotFound, SessionNotFound
from park.models import Event, EventSession, EventStatus, Registration

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.COMPLETED, EventStatus.CANCELLED)


def park_for(user: User, park_id: int, action: Action = Action.MANAGE_PARK_EVENTS) -> Park:
    """Raises NotFound, Forbidden."""
    park = db.session.get(Park, park_id)
    if park is None:
        raise NotFound()
    require(user, action, park)
    return park


def parks_of(user: User) -> list[Park]:
    ids = sorted(park_ids_of(user))
    return list(db.session.scalars(select(Park).where(Park.id.in_(ids)))) if ids else []


def in_audience(user: User, event: Event) -> bool:
    """Whether the event is open to the user: every event is, unless it is restricted to
    some enterprises; then only to people of those (not to providers or another
    enterprise's people, who would otherwise learn of it by its URL)."""
    if not event.is_restricted:
        return True
    return any(m.enterprise is not None and event.is_for(m.enterprise)
               for m in user.active_memberships)


def visible_event(user: User, event_id: int) -> Event:
    """A published (or finished) event of the user's park open to them, or any event of a
    park they manage. Raises EventNotFound (also for an event restricted to other
    enterprises: as if it did not exist, like another park's)."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise EventNotFound()
    if can(user, Action.MANAGE_PARK_EVENTS, event):
        return event
    if event.status in PUBLIC_STATUSES and can(user, Action.VIEW_PARK_EVENTS, event) \
            and in_audience(user, event):
        return event
    raise EventNotFound()


def managed_event(user: User, event_id: int) -> Event:
    """Raises EventNotFound (also another park's), Forbidden."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise EventNotFound()
    try:
        require(user, Action.MANAGE_PARK_EVENTS, event)
    except NotFound:
        raise EventNotFound() from None
    return event


def visible_session(user: User, session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None:
        raise SessionNotFound()
    visible_event(user, session.event_id)
    return session


def managed_session(user: User, session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None:
        raise SessionNotFound()
    managed_event(user, session.event_id)
    return session


def events_of_park(park_ids: list[int], *, statuses=(EventStatus.PUBLISHED,)) -> Select:
    return (select(Event).where(Event.park_id.in_(park_ids), Event.status.in_(statuses))
            .order_by(Event.registration_closes_at.desc(), Event.id.desc()))


def upcoming_events(user: User, *, now: datetime) -> list[Event]:
    """Published events of the user's parks with a session still to come, soonest first;
    for people of an enterprise, those open to it."""
    ids = sorted(park_ids_of(user))
    if not ids:
        return []
    events = db.session.scalars(select(Event).join(EventSession).where(
        Event.park_id.in_(ids), Event.status == EventStatus.PUBLISHED,
        EventSession.ends_at > now, EventSession.cancelled_at.is_(None)).distinct()
        .options(selectinload(Event.sessions), selectinload(Event.audience),
                 selectinload(Event.cover))).all()
    managed = {p for p in ids if can(user, Action.MANAGE_PARK_EVENTS, db.session.get(Park, p))}
    events = [e for e in events if e.park_id in managed or in_audience(user, e)]
    return sorted(events, key=lambda e: (e.starts_at, e.id))


def managed_events(park: Park) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.park_id == park.id)
                                   .order_by(Event.created_at.desc(), Event.id.desc())
                                   .limit(200)))


def own_registration(user: User, registration_id: int) -> Registration:
    """Raises RegistrationNotFound (also for another person's)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or not can(user, Action.OWN_RECORD, registration):
        raise RegistrationNotFound()
    return registration


def registrations_of(user: User) -> Select:
    return (select(Registration).join(EventSession).where(Registration.user_id == user.id)
            .order_by(EventSession.starts_at.desc(), Registration.id.desc()))


def my_registrations_for(user: User, event: Event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).join(EventSession).where(
        Registration.user_id == user.id, EventSession.event_id == event.id)
        .order_by(EventSession.starts_at, Registration.id)))


def session_registrations(session: EventSession) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.session_id == session.id).options(selectinload(Registration.user))
        .order_by(Registration.id).limit(2000)))
