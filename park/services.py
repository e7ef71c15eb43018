"""Committee use-cases: venues, events and their sessions, and the event's workflow
(draft → published → completed, or cancelled; or one session of a published event
cancelled on its own).

Two sessions never hold one venue at the same time: a session is written only under the
venue row's lock (``SELECT ... FOR UPDATE``; the row always exists), and the overlap is
checked under it, so that two committee members adding sessions at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.accounts.models import Enterprise, Membership, Park, Role, User
from core.clock import today_in
from core.db import db
from core.policy import Action, require
from park import announcement_mail, notifications, payments
from park.errors import (
    AnnouncementEventInvalid,
    AudienceInvalid,
    CapacityAboveVenue,
    CapacityBelowTaken,
    EventHasNoSessions,
    EventNotEditable,
    InvalidTransition,
    LastSessionOfEvent,
    PriceInvalid,
    PriceLocked,
    RegistrationWindowInvalid,
    SessionCancelled,
    SessionNotCancellable,
    SessionNotCancelled,
    SessionNotRestorable,
    SessionTimesInvalid,
    VenueCapacityBelowSessions,
    VenueClash,
    VenueNameTaken,
    VenueNotFound,
)
from park.models import (
    LIVE_STATUSES,
    Announcement,
    Event,
    EventKind,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    Venue,
)
from park.registration import lapse_offers, lock_session, offer_next

#: Who may move an event from one state to another.
TRANSITIONS = {
    EventStatus.DRAFT: {EventStatus.PUBLISHED, EventStatus.CANCELLED},
    EventStatus.PUBLISHED: {EventStatus.COMPLETED, EventStatus.CANCELLED},
    EventStatus.COMPLETED: set(),
    EventStatus.CANCELLED: set(),
}


# -- venues ------------------------------------------------------------------------------


def create_venue(park: Park, *, actor: User, name_zh: str, name_en: str, location: str,
                 capacity: int, now: datetime) -> Venue:
    """Raises NotFound, Forbidden, VenueNameTaken."""
    require(actor, Action.MANAGE_PARK_EVENTS, park)
    if db.session.scalar(select(Venue.id).where(Venue.park_id == park.id,
                                                Venue.name_en == name_en.strip())) is not None:
        raise VenueNameTaken()
    venue = Venue(park_id=park.id, name_zh=name_zh.strip(), name_en=name_en.strip(),
                  location=location.strip(), capacity=capacity, created_at=now)
    db.session.add(venue)
    db.session.flush()
    return venue


def update_venue(venue: Venue, *, actor: User, name_zh: str, name_en: str, location: str,
                 capacity: int, now: datetime) -> Venue:
    """Rename, move or resize a venue. Its row is locked first (as adding a session does),
    so that no session can be added above the new capacity meanwhile. Raises NotFound,
    Forbidden, VenueNameTaken, VenueCapacityBelowSessions (a session still to come there
    holds more people)."""
    require(actor, Action.MANAGE_PARK_EVENTS, venue.park)
    lock_venue(venue.id)
    if db.session.scalar(select(Venue.id).where(
            Venue.park_id == venue.park_id, Venue.name_en == name_en.strip(),
            Venue.id != venue.id)) is not None:
        raise VenueNameTaken()
    largest = db.session.scalar(select(func.max(EventSession.capacity)).join(Event).where(
        EventSession.venue_id == venue.id, EventSession.ends_at > now,
        EventSession.cancelled_at.is_(None), Event.status.in_(
            [EventStatus.DRAFT, EventStatus.PUBLISHED])))
    if largest is not None and capacity < largest:
        raise VenueCapacityBelowSessions()
    venue.name_zh, venue.name_en = name_zh.strip(), name_en.strip()
    venue.location, venue.capacity = location.strip(), capacity
    db.session.flush()
    return venue


def change_venue(venue: Venue, *, actor: User, now: datetime, **changes) -> Venue:
    """Change only the fields given (the API's PATCH), with ``update_venue``'s rules."""
    fields = {"name_zh": venue.name_zh, "name_en": venue.name_en, "location": venue.location,
              "capacity": venue.capacity}
    return update_venue(venue, actor=actor, now=now, **(fields | changes))


def venues_of(park: Park) -> list[Venue]:
    return list(db.session.scalars(select(Venue).where(Venue.park_id == park.id)
                                   .order_by(Venue.name_en)))


# -- events ------------------------------------------------------------------------------


def _audience(park: Park, enterprise_ids: Iterable[int]) -> list[Enterprise]:
    ids = sorted(set(enterprise_ids))
    if not ids:
        return []
    found = list(db.session.scalars(select(Enterprise).where(
        Enterprise.id.in_(ids), Enterprise.park_id == park.id).order_by(Enterprise.id)))
    if len(found) != len(ids):
        raise AudienceInvalid()
    return found


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise RegistrationWindowInvalid()


def _check_price(price_minor: int, currency: str) -> None:
    if not 0 <= price_minor <= payments.MAX_PRICE_MINOR:
        raise PriceInvalid(fields={"price_minor": _(
            "Enter a price of zero (free) or more, up to ¥100,000.")})
    if currency not in payments.CURRENCIES:
        raise PriceInvalid(fields={"currency": _("The park accepts prices in CNY only.")})


def create_event(park: Park, *, actor: User, title_zh: str, title_en: str,
                 description_zh: str, description_en: str, kind: EventKind,
                 family_places: int, registration_opens_at: datetime,
                 registration_closes_at: datetime, audience_ids: Iterable[int] = (),
                 price_minor: int = 0, currency: str = "CNY", now: datetime) -> Event:
    """A draft event, free (``price_minor`` 0) or paid at the benefits checkout. Raises
    NotFound, Forbidden, RegistrationWindowInvalid, AudienceInvalid, PriceInvalid."""
    require(actor, Action.MANAGE_PARK_EVENTS, park)
    _check_window(registration_opens_at, registration_closes_at)
    _check_price(price_minor, currency)
    event = Event(park_id=park.id, park=park, title_zh=title_zh.strip(),
                  price_minor=price_minor, currency=currency,
                  title_en=title_en.strip(), description_zh=description_zh.strip(),
                  description_en=description_en.strip(), kind=kind, status=EventStatus.DRAFT,
                  family_places=family_places, registration_opens_at=registration_opens_at,
                  registration_closes_at=registration_closes_at, created_by_id=actor.id,
                  created_at=now, updated_at=now, audience=_audience(park, audience_ids))
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, *, actor: User, title_zh: str, title_en: str,
                 description_zh: str, description_en: str, kind: EventKind,
                 family_places: int, registration_opens_at: datetime,
                 registration_closes_at: datetime, audience_ids: Iterable[int] = (),
                 price_minor: int | None = None, currency: str | None = None,
                 now: datetime) -> Event:
    """Raises NotFound, Forbidden, EventNotEditable, RegistrationWindowInvalid,
    PriceInvalid, PriceLocked (the price changes only while a draft: people may have paid
    the old one). ``price_minor``/``currency`` None keep the event's."""
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    _check_editable(event)
    _check_window(registration_opens_at, registration_closes_at)
    price_minor = event.price_minor if price_minor is None else price_minor
    currency = event.currency if currency is None else currency
    _check_price(price_minor, currency)
    if (price_minor, currency) != (event.price_minor, event.currency):
        if event.status is not EventStatus.DRAFT:
            raise PriceLocked()
        event.price_minor, event.currency = price_minor, currency
    event.title_zh, event.title_en = title_zh.strip(), title_en.strip()
    event.description_zh, event.description_en = description_zh.strip(), description_en.strip()
    event.kind, event.family_places = kind, family_places
    event.registration_opens_at = registration_opens_at
    event.registration_closes_at = registration_closes_at
    event.audience = _audience(event.park, audience_ids)
    event.updated_at = now
    db.session.flush()
    return event


def change_event(event: Event, *, actor: User, now: datetime, **changes) -> Event:
    """Change only the fields given (the API's PATCH), with ``update_event``'s rules; the
    others keep their values. ``audience`` is a list of enterprise ids."""
    fields = {"title_zh": event.title_zh, "title_en": event.title_en,
              "description_zh": event.description_zh, "description_en": event.description_en,
              "kind": event.kind, "family_places": event.family_places,
              "registration_opens_at": event.registration_opens_at,
              "registration_closes_at": event.registration_closes_at,
              "audience_ids": [e.id for e in event.audience],
              "price_minor": event.price_minor, "currency": event.currency}
    if "audience" in changes:
        changes["audience_ids"] = changes.pop("audience")
    if "kind" in changes:
        changes["kind"] = EventKind(changes["kind"])
    return update_event(event, actor=actor, now=now, **(fields | changes))


def _check_editable(event: Event) -> None:
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise EventNotEditable()


# -- sessions ----------------------------------------------------------------------------


def lock_venue(venue_id: int) -> None:
    db.session.execute(select(Venue.id).where(Venue.id == venue_id).with_for_update())


def venue_clash(venue_id: int, starts_at: datetime, ends_at: datetime, *,
                excluding: int | None = None) -> EventSession | None:
    """A session going ahead, of a live event, holding the venue during [starts_at,
    ends_at) (a cancelled session frees its venue)."""
    statement = (select(EventSession).join(Event).where(
        EventSession.venue_id == venue_id, EventSession.starts_at < ends_at,
        EventSession.ends_at > starts_at, EventSession.cancelled_at.is_(None),
        Event.status != EventStatus.CANCELLED)
        .order_by(EventSession.starts_at).limit(1))
    if excluding is not None:
        statement = statement.where(EventSession.id != excluding)
    return db.session.scalar(statement)


def add_session(event: Event, *, actor: User, venue_id: int, starts_at: datetime,
                ends_at: datetime, capacity: int, title_zh: str = "", title_en: str = "",
                now: datetime) -> EventSession:
    """Raises NotFound, Forbidden, EventNotEditable, VenueNotFound, SessionTimesInvalid,
    CapacityAboveVenue, VenueClash."""
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    _check_editable(event)
    venue = db.session.get(Venue, venue_id)
    if venue is None or venue.park_id != event.park_id:
        raise VenueNotFound()
    if ends_at <= starts_at:
        raise SessionTimesInvalid()
    if capacity > venue.capacity:
        raise CapacityAboveVenue()
    lock_venue(venue.id)
    if venue_clash(venue.id, starts_at, ends_at) is not None:
        raise VenueClash()
    session = EventSession(event=event, venue=venue, starts_at=starts_at, ends_at=ends_at,
                           capacity=capacity, places_taken=0, title_zh=title_zh.strip(),
                           title_en=title_en.strip())
    db.session.add(session)
    event.updated_at = now
    db.session.flush()
    return session


def update_session(session: EventSession, *, actor: User, venue_id: int, starts_at: datetime,
                   ends_at: datetime, capacity: int, title_zh: str = "", title_en: str = "",
                   now: datetime) -> EventSession:
    """Change a session's time, venue, capacity or titles, with the rules of
    ``add_session``, and never below the places already taken. The venue's row is locked
    (the new venue's, and the old one's when it changes, in id order) and then the
    session's, the same order as adding sessions and registering. When the time or the
    venue changes, everyone registered, offered or waiting is told by e-mail after the
    commit; a larger capacity is offered to the waitlist at once. Raises NotFound,
    Forbidden, EventNotEditable, VenueNotFound, SessionTimesInvalid, CapacityAboveVenue,
    VenueClash, CapacityBelowTaken, SessionCancelled."""
    event = session.event
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    _check_editable(event)
    if session.is_cancelled:
        raise SessionCancelled()
    venue = db.session.get(Venue, venue_id)
    if venue is None or venue.park_id != event.park_id:
        raise VenueNotFound()
    if ends_at <= starts_at:
        raise SessionTimesInvalid()
    if capacity > venue.capacity:
        raise CapacityAboveVenue()
    for locked_venue in sorted({venue.id, session.venue_id}):
        lock_venue(locked_venue)
    if venue_clash(venue.id, starts_at, ends_at, excluding=session.id) is not None:
        raise VenueClash()
    session = lock_session(session)
    if session.is_cancelled:
        raise SessionCancelled()
    lapse_offers(session, now=now)
    if capacity < session.places_taken:
        raise CapacityBelowTaken()
    moved = (session.venue_id, session.starts_at, session.ends_at) != (venue.id, starts_at,
                                                                       ends_at)
    session.venue, session.venue_id = venue, venue.id
    session.starts_at, session.ends_at, session.capacity = starts_at, ends_at, capacity
    session.title_zh, session.title_en = title_zh.strip(), title_en.strip()
    event.updated_at = now
    db.session.flush()
    if moved:
        people = db.session.scalars(select(User).join(Registration, Registration.user_id ==
                                                      User.id).where(
            Registration.session_id == session.id, Registration.status.in_(LIVE_STATUSES))
            .distinct().order_by(User.id)).all()
        notifications.session_changed(session, recipients=people)
    offer_next(session, now=now)
    return session


def change_session(session: EventSession, *, actor: User, now: datetime,
                   **changes) -> EventSession:
    """Change only the fields given (the API's PATCH), with ``update_session``'s rules
    (registrants told of a move, never below the places taken)."""
    fields = {"venue_id": session.venue_id, "starts_at": session.starts_at,
              "ends_at": session.ends_at, "capacity": session.capacity,
              "title_zh": session.title_zh, "title_en": session.title_en}
    return update_session(session, actor=actor, now=now, **(fields | changes))


def remove_session(session: EventSession, *, actor: User, now: datetime) -> None:
    """Only a draft's sessions can go (nobody can have registered yet). Raises
    NotFound, Forbidden, EventNotEditable."""
    event = session.event
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    if event.status is not EventStatus.DRAFT:
        raise EventNotEditable()
    event.sessions.remove(session)
    event.updated_at = now
    db.session.flush()


# -- workflow ----------------------------------------------------------------------------


def _move(event: Event, to: EventStatus) -> None:
    if to not in TRANSITIONS[event.status]:
        raise InvalidTransition()


def publish_event(event: Event, *, actor: User, now: datetime) -> Event:
    """Raises NotFound, Forbidden, InvalidTransition, EventHasNoSessions."""
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    _move(event, EventStatus.PUBLISHED)
    if not event.sessions:
        raise EventHasNoSessions()
    event.status, event.updated_at = EventStatus.PUBLISHED, now
    db.session.flush()
    return event


def complete_event(event: Event, *, actor: User, now: datetime) -> Event:
    """Close a published event once it has begun. Raises NotFound, Forbidden,
    InvalidTransition."""
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    _move(event, EventStatus.COMPLETED)
    if event.starts_at is None or event.starts_at > now:
        raise InvalidTransition()
    event.status, event.updated_at = EventStatus.COMPLETED, now
    db.session.flush()
    return event


def _lock_sessions(session_ids: Iterable[int]) -> list[EventSession]:
    """Lock these sessions' rows in id order (the order registration takes them in) and
    read them again: another writer may have changed them since they were loaded."""
    ids = sorted(set(session_ids))
    if not ids:
        return []
    return list(db.session.scalars(select(EventSession).where(EventSession.id.in_(ids))
                                   .order_by(EventSession.id).with_for_update()
                                   .execution_options(populate_existing=True)))


def _cancel_live_registrations(sessions: list[EventSession], *, event: Event,
                               now: datetime) -> list[Registration]:
    """Cancel every live registration of ``sessions`` not yet checked in (a ticket used at
    the door stays as the record that its holder attended, and its payment stands), and
    give back in full what each paid through the ledger (a pending payment is released).
    The caller holds the sessions' locks; the registrations' rows are locked here, after
    them, as every other path does."""
    by_id = {s.id: s for s in sessions}
    registrations = list(db.session.scalars(select(Registration).where(
        Registration.session_id.in_(by_id), Registration.status.in_(LIVE_STATUSES),
        Registration.checked_in_at.is_(None))
        .order_by(Registration.id).with_for_update())) if by_id else []
    for registration in registrations:
        if registration.status.holds_place:
            by_id[registration.session_id].places_taken -= 1
        registration.status, registration.live_key = RegistrationStatus.CANCELLED, None
        registration.offer_expires_at, registration.updated_at = None, now
        registration.hold_expires_at = None
    db.session.flush()
    today = today_in(event.park, now=now)
    for registration in registrations:
        payments.give_back(registration, basis_points=payments.FULL, now=now, today=today)
    return registrations


def _people(registrations: list[Registration]) -> list[User]:
    """Each registrant once (one may have registered family members too)."""
    return list({r.user_id: r.user for r in registrations}.values())


def cancel_event(event: Event, *, actor: User, reason: str, now: datetime) -> int:
    """Cancel the event and every live registration not yet checked in (a ticket used at
    the door stays as the record that its holder attended, and its payment stands); what
    each cancelled registration paid comes back in full through the ledger (budget to its
    period or pot, card through Stripe after the commit), and a payment still pending is
    released. Each person registered or waiting is told by e-mail once the cancellation
    has committed. Returns how many registrations were cancelled. Raises NotFound,
    Forbidden, InvalidTransition."""
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    _move(event, EventStatus.CANCELLED)
    sessions = _lock_sessions(s.id for s in event.sessions)
    registrations = _cancel_live_registrations(sessions, event=event, now=now)
    event.status, event.cancelled_at = EventStatus.CANCELLED, now
    event.cancel_reason, event.updated_at = reason.strip()[:500], now
    db.session.flush()
    notifications.event_cancelled(event, recipients=_people(registrations))
    return len(registrations)


def cancel_session(session: EventSession, *, actor: User, reason: str,
                   now: datetime) -> int:
    """Cancel one session of a published event on its own; the event and its other
    sessions go ahead. As for a cancelled event, every live registration of the session
    not yet checked in is cancelled and what it paid comes back in full through the
    ledger; everyone registered, offered a place or waiting is told by e-mail after the
    commit, and the public calendar shows the session cancelled.

    Every session of the event is locked, in id order (as ``cancel_event`` and
    registration lock them), so that a registration racing the cancellation either commits
    first and is cancelled with the rest, or waits and then finds the session cancelled;
    and so that two committee members cannot cancel the last two sessions at once. Returns
    how many registrations were cancelled. Raises NotFound, Forbidden, SessionCancelled
    (already), SessionNotCancellable (the event is not published, or the session has
    ended), LastSessionOfEvent (cancel the event instead)."""
    event = session.event
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    sessions = _lock_sessions(s.id for s in event.sessions)
    db.session.refresh(event)  # a whole-event cancellation may have committed meanwhile
    session = next(s for s in sessions if s.id == session.id)
    if session.is_cancelled:
        raise SessionCancelled()
    if event.status is not EventStatus.PUBLISHED or session.ends_at <= now:
        raise SessionNotCancellable()
    if all(s.is_cancelled for s in sessions if s.id != session.id):
        raise LastSessionOfEvent()
    registrations = _cancel_live_registrations([session], event=event, now=now)
    session.cancelled_at, session.cancel_reason = now, reason.strip()[:500]
    event.updated_at = now
    db.session.flush()
    notifications.session_cancelled(session, recipients=_people(registrations))
    return len(registrations)


def restore_session(session: EventSession, *, actor: User, now: datetime) -> EventSession:
    """Put a cancelled session back on (a cancellation made by mistake, or a speaker found
    again): it must belong to a published event, not have started, and its venue must still
    be free then. The registrations cancelled with it stay cancelled (their money went back
    in full); the people who held them are told by e-mail after the commit that they may
    register again. The venue's row is locked first, then the event's sessions, as adding
    and moving sessions do. Raises NotFound, Forbidden, SessionNotCancelled,
    SessionNotRestorable, VenueClash."""
    event = session.event
    require(actor, Action.MANAGE_PARK_EVENTS, event)
    lock_venue(session.venue_id)
    sessions = _lock_sessions(s.id for s in event.sessions)
    db.session.refresh(event)
    session = next(s for s in sessions if s.id == session.id)
    if not session.is_cancelled:
        raise SessionNotCancelled()
    if event.status is not EventStatus.PUBLISHED or session.starts_at <= now:
        raise SessionNotRestorable()
    if venue_clash(session.venue_id, session.starts_at, session.ends_at,
                   excluding=session.id) is not None:
        raise VenueClash()
    # Those cancelled by the session's cancellation: stamped at its very moment.
    cancelled_with_it = list(db.session.scalars(select(Registration).where(
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.CANCELLED,
        Registration.updated_at == session.cancelled_at).order_by(Registration.id)))
    session.cancelled_at, session.cancel_reason = None, ""
    event.updated_at = now
    db.session.flush()
    notifications.session_restored(session, recipients=_people(cancelled_with_it))
    return session


# -- announcements -----------------------------------------------------------------------


def park_employees(park: Park) -> list[User]:
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                   .join(Enterprise, Membership.enterprise_id == Enterprise.id)
                                   .where(Enterprise.park_id == park.id,
                                          Membership.role == Role.EMPLOYEE,
                                          Membership.is_active.is_(True),
                                          User.is_active.is_(True))
                                   .distinct().order_by(User.id)))


def post_announcement(park: Park, *, actor: User, title: str, body: str, now: datetime,
                      event: Event | None = None) -> Announcement:
    """Shown to the park's people in-app, and e-mailed to its employees: a job writes one
    outbox message per employee and the worker delivers them, so the request returns at
    once whatever the park's size (``park.announcement_mail``). Raises NotFound,
    Forbidden, AnnouncementEventInvalid (an event of another park)."""
    require(actor, Action.MANAGE_PARK_EVENTS, park)
    if event is not None and event.park_id != park.id:
        raise AnnouncementEventInvalid()
    announcement = Announcement(park_id=park.id, event=event, title=title.strip(),
                                body=body.strip(), created_by_id=actor.id, created_at=now)
    db.session.add(announcement)
    db.session.flush()
    announcement_mail.queue(announcement, actor=actor, park=park, now=now)
    return announcement


def announcements_of(park_ids: Iterable[int], *, limit: int = 20) -> list[Announcement]:
    ids = sorted(set(park_ids))
    if not ids:
        return []
    return list(db.session.scalars(select(Announcement).where(Announcement.park_id.in_(ids))
                                   .order_by(Announcement.created_at.desc(),
                                             Announcement.id.desc()).limit(limit)))
