"""Registration for event sessions, with the booking engine's guarantees and techniques.

Event sessions are not a provider's services with practitioners, so ``booking.Booking``
does not fit them; this module applies the same rules to ``Registration``:

- Never over capacity: every writer locks the session row (``SELECT ... FOR UPDATE``, rows
  always exist; sessions in id order when there are several) and only then reads and
  changes ``places_taken``. The CHECK ``places_taken <= capacity`` is the backstop, and a
  unique index on ``(session_id, live_key)`` refuses a second live registration of the
  same person. On SQLite the single writer does the lock's job.
- Waitlists with offers: a full session can be joined in line; when a place frees, the
  first person waiting gets it as an offer kept for ``PARK_OFFER_MINUTES`` (e-mailed after
  the commit). Offers left unanswered lapse (on the next write to the session, or the
  ``flask park expire-offers`` sweep) and the next person gets one.
- Cancellation frees the place for the waitlist under the same lock. The committee
  cancelling a session (``park.services.cancel_session``) takes the same lock, so that a
  registration waiting behind it finds the session cancelled and is refused.
- Paid events (``park.payments``): a place is first *held* (counted in ``places_taken``)
  until ``hold_expires_at`` while the registrant pays at the benefits checkout; payment
  confirms it (``park.paying``). A hold not paid in time expires like an offer (on the next
  write to the session, or the sweep) and its budget hold is released; an accepted offer
  of a paid event becomes such a hold. Cancelling refunds by the policy in
  ``park.payments``, under the session's lock.
- Idempotency: the API and the forms run writes through ``core.api.idempotency.run_once``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from core.accounts.models import Role, User
from core.clock import today_in
from core.db import db
from core.policy import Action, can, require
from health.services import dependant_of
from park import notifications, payments
from park.errors import (
    AlreadyRegistered,
    FamilyNotAllowed,
    NotInAudience,
    OfferNotOpen,
    RegistrationClosed,
    RegistrationNotCancellable,
    SessionCancelled,
    SessionFull,
    SessionStarted,
)
from park.models import (
    LIVE_STATUSES,
    EventSession,
    Registration,
    RegistrationStatus,
)

DEFAULT_OFFER_MINUTES = 120
#: Ticket codes: short enough to type at the door, from an alphabet without look-alikes
#: (Crockford's base 32). Ten characters are 50 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def new_ticket_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What a person typed or a camera read, as stored: upper case, no spaces or dashes,
    look-alikes mapped as Crockford's base 32 does."""
    cleaned = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))[:40]


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def offer_minutes() -> int:
    return int(current_app.config.get("PARK_OFFER_MINUTES", DEFAULT_OFFER_MINUTES))


def lock_session(session: EventSession) -> EventSession:
    """Lock the session row and read its current count (another writer may have changed
    it since this transaction first loaded it)."""
    return db.session.scalars(select(EventSession).where(EventSession.id == session.id)
                              .with_for_update().execution_options(populate_existing=True)
                              ).one()


def _check_audience(session: EventSession, actor: User) -> None:
    event = session.event
    enterprises = [m.enterprise for m in actor.active_memberships
                   if m.role is Role.EMPLOYEE and m.enterprise is not None]
    if not any(event.is_for(e) for e in enterprises):
        raise NotInAudience()


def register(session: EventSession, *, actor: User, now: datetime,
             dependant_id: int | None = None, join_waitlist: bool = False) -> Registration:
    """Take a place at ``session`` for the employee or one of their family members; when
    it is full, join its waitlist if ``join_waitlist``. Raises NotFound, Forbidden,
    RegistrationClosed, SessionCancelled, SessionStarted, NotInAudience, FamilyNotAllowed,
    HealthRecordNotFound (not one's own dependant), AlreadyRegistered, SessionFull."""
    event = session.event
    require(actor, Action.REGISTER_FOR_EVENTS, event)
    if not event.is_open_for_registration(now=now):
        raise RegistrationClosed()
    if session.is_cancelled:
        raise SessionCancelled()
    if session.starts_at <= now:
        raise SessionStarted()
    _check_audience(session, actor)
    if dependant_id is not None:
        if not event.allows_family:
            raise FamilyNotAllowed()
        dependant_of(actor, dependant_id)
    elif not join_waitlist and _full_for_good(session, now=now):
        # A rush: once the places are gone, most people are refused, and they need not
        # queue for the session's lock to hear it. The count just read was committed, so
        # the session was full at that instant (a place freed later is anyone's again).
        _refuse(session, actor, key=f"u{actor.id}")
    session = lock_session(session)
    db.session.refresh(event)  # a cancellation may have committed while we waited
    if not event.is_open_for_registration(now=now):
        raise RegistrationClosed()
    if session.is_cancelled:  # so may the session's own
        raise SessionCancelled()
    lapse_offers(session, now=now)
    live = list(db.session.scalars(select(Registration).where(
        Registration.session_id == session.id, Registration.user_id == actor.id,
        Registration.status.in_(LIVE_STATUSES))))
    key = f"d{dependant_id}" if dependant_id is not None else f"u{actor.id}"
    if any(r.live_key == key for r in live):
        raise AlreadyRegistered()
    if dependant_id is not None and sum(
            1 for r in live if r.dependant_id is not None) >= event.family_places:
        raise FamilyNotAllowed()
    hold_expires_at = None
    if session.places_left > 0:
        status = RegistrationStatus.CONFIRMED
        if event.is_paid:
            status = RegistrationStatus.HELD
            hold_expires_at = payments.hold_until(session.starts_at, now=now)
        session.places_taken += 1
    elif join_waitlist:
        status = RegistrationStatus.WAITING
    else:
        raise SessionFull()
    registration = Registration(session=session, user_id=actor.id, dependant_id=dependant_id,
                                status=status, live_key=key, ticket_code=new_ticket_code(),
                                hold_expires_at=hold_expires_at, created_at=now,
                                updated_at=now)
    db.session.add(registration)
    db.session.flush()
    return registration


def _full_for_good(session: EventSession, *, now: datetime) -> bool:
    """No place left, and none that an unanswered offer or an unpaid hold gives back now
    (``lapse_offers`` would, under the lock)."""
    if session.places_left > 0:
        return False
    due = db.session.scalar(select(Registration.id).where(
        Registration.session_id == session.id, or_(
            and_(Registration.status == RegistrationStatus.OFFERED,
                 Registration.offer_expires_at <= now),
            and_(Registration.status == RegistrationStatus.HELD,
                 Registration.hold_expires_at <= now))).limit(1))
    return due is None


def _refuse(session: EventSession, actor: User, *, key: str) -> None:
    """The refusal of a full session, as under the lock: one's own place first."""
    if db.session.scalar(select(Registration.id).where(
            Registration.session_id == session.id, Registration.live_key == key,
            Registration.status.in_(LIVE_STATUSES)).limit(1)) is not None:
        raise AlreadyRegistered()
    raise SessionFull()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next in line; None when not waiting."""
    if registration.status is not RegistrationStatus.WAITING:
        return None
    ahead = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.session_id == registration.session_id,
        Registration.status == RegistrationStatus.WAITING,
        Registration.id < registration.id)) or 0
    return ahead + 1


def _end(registration: Registration, status: RegistrationStatus, now: datetime) -> bool:
    """End a live registration; True when it held a place."""
    held = registration.status.holds_place
    registration.status, registration.live_key = status, None
    registration.offer_expires_at, registration.updated_at = None, now
    registration.hold_expires_at = None
    return held


def can_cancel(registration: Registration, actor: User, *, now: datetime) -> bool:
    manager = can(actor, Action.MANAGE_PARK_EVENTS, registration.event)
    return registration.status in LIVE_STATUSES and registration.checked_in_at is None and (
        manager or (can(actor, Action.OWN_RECORD, registration)
                    and registration.session.starts_at > now))


def cancel_registration(registration: Registration, *, actor: User,
                        now: datetime) -> Registration:
    """Cancel (or leave the waitlist, or decline an offer): the place goes to the next
    person waiting, and what was paid comes back by the policy of ``park.payments``. The
    registrant may cancel until the session starts; the committee at any time before
    check-in. Raises RegistrationNotCancellable."""
    if not can_cancel(registration, actor, now=now):
        raise RegistrationNotCancellable()
    session = lock_session(registration.session)
    # and the ticket itself, so that a check-in at the door cannot interleave
    db.session.refresh(registration, with_for_update=True)
    if registration.status not in LIVE_STATUSES or registration.checked_in_at is not None:
        raise RegistrationNotCancellable()
    by_manager = not can(actor, Action.OWN_RECORD, registration)
    share = payments.refund_basis_points(registration, by_manager=by_manager, now=now)
    if _end(registration, RegistrationStatus.CANCELLED, now):
        session.places_taken -= 1
    db.session.flush()
    payments.give_back(registration, basis_points=share, now=now,
                       today=today_in(session.event.park, now=now))
    offer_next(session, now=now)
    return registration


def accept_offer(registration: Registration, *, actor: User, now: datetime) -> Registration:
    """Take the place kept for you; for a paid event the place is then held while you pay
    (``hold_expires_at``). Raises OfferNotOpen."""
    if not can(actor, Action.OWN_RECORD, registration):
        raise OfferNotOpen()
    session = lock_session(registration.session)
    db.session.refresh(registration, with_for_update=True)
    if registration.status is not RegistrationStatus.OFFERED \
            or registration.offer_expires_at is None or registration.offer_expires_at <= now:
        raise OfferNotOpen()
    registration.status, registration.offer_expires_at = RegistrationStatus.CONFIRMED, None
    if session.event.is_paid:
        registration.status = RegistrationStatus.HELD
        registration.hold_expires_at = payments.hold_until(session.starts_at, now=now)
    registration.updated_at = now
    db.session.flush()
    return registration


def end_unpaid(registration: Registration, *, now: datetime) -> None:
    """A held place whose card payment failed: it goes to the next person waiting. The
    caller holds the session's and the registration's locks."""
    session = registration.session
    if _end(registration, RegistrationStatus.EXPIRED, now):
        session.places_taken -= 1
    db.session.flush()
    offer_next(session, now=now)


def lapse_offers(session: EventSession, *, now: datetime) -> int:
    """End the session's unanswered offers and unpaid holds (releasing their budget holds)
    and pass their places on. The caller holds the session's lock."""
    lapsed = list(db.session.scalars(select(Registration).where(
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.OFFERED,
        Registration.offer_expires_at <= now).order_by(Registration.id)))
    unpaid = list(db.session.scalars(select(Registration).where(
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.HELD,
        Registration.hold_expires_at <= now).order_by(Registration.id)
        .with_for_update()))
    for registration in lapsed:
        _end(registration, RegistrationStatus.LAPSED, now)
        session.places_taken -= 1
    for registration in unpaid:
        _end(registration, RegistrationStatus.EXPIRED, now)
        session.places_taken -= 1
        payments.release(registration, now=now)
    lapsed += unpaid
    if lapsed:
        db.session.flush()
        offer_next(session, now=now)
    return len(lapsed)


def offer_next(session: EventSession, *, now: datetime) -> list[Registration]:
    """Offer the free places to the people waiting, in order. The caller holds the lock."""
    offered: list[Registration] = []
    if session.starts_at <= now or not session.event.is_open_for_registration(now=now):
        return offered
    while session.places_left > 0:
        waiting = db.session.scalar(select(Registration).where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.WAITING)
            .order_by(Registration.created_at, Registration.id).limit(1))
        if waiting is None:
            break
        waiting.status = RegistrationStatus.OFFERED
        waiting.offer_expires_at = min(now + timedelta(minutes=offer_minutes()),
                                       session.starts_at)
        waiting.updated_at = now
        session.places_taken += 1
        db.session.flush()
        notifications.place_offered(waiting)
        offered.append(waiting)
    return offered


def expire_offers(*, now: datetime) -> int:
    """The sweep: lapse every unanswered offer and unpaid hold, session by session (in id
    order)."""
    session_ids = sorted(set(db.session.scalars(select(Registration.session_id).where(
        ((Registration.status == RegistrationStatus.OFFERED)
         & (Registration.offer_expires_at <= now))
        | ((Registration.status == RegistrationStatus.HELD)
           & (Registration.hold_expires_at <= now))))))
    count = 0
    for session_id in session_ids:
        session = lock_session(db.session.get(EventSession, session_id))
        count += lapse_offers(session, now=now)
    return count
