"""Park committees' venues, events and their sessions, registrations (which are also the
tickets and the waitlist), announcements and feedback. Pure: no requests, no I/O.

Capacity has two guards: writers lock the session row (``SELECT ... FOR UPDATE``) before
they read ``places_taken``, and CHECK constraints refuse a count above the capacity or a
checked-in ticket that is not confirmed, whatever code path wrote it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Enterprise, Park, User
from core.db import Model, UTCDateTime, db, str_enum


class EventKind(StrEnum):
    FESTIVAL_WEEK = "festival_week"
    TALK = "talk"
    WORKSHOP = "workshop"
    SPORTS = "sports"
    COURSE = "course"
    SOCIAL = "social"
    VOLUNTEERING = "volunteering"

    @property
    def label(self) -> str:
        return str(EVENT_KIND_LABELS[self])


EVENT_KIND_LABELS = {
    EventKind.FESTIVAL_WEEK: _l("Festival week"),
    EventKind.TALK: _l("Talk"),
    EventKind.WORKSHOP: _l("Workshop"),
    EventKind.SPORTS: _l("Sports"),
    EventKind.COURSE: _l("Course with certificate"),
    EventKind.SOCIAL: _l("Social"),
    EventKind.VOLUNTEERING: _l("Volunteering"),
}


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(EVENT_STATUS_LABELS[self])


EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.COMPLETED: _l("Completed"),
    EventStatus.CANCELLED: _l("Cancelled"),
}


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"  #: has a place and a ticket
    #: A paid event's place, kept until ``hold_expires_at`` while payment is pending.
    HELD = "held"
    OFFERED = "offered"  #: a freed place is kept for this person until ``offer_expires_at``
    WAITING = "waiting"  #: on the waitlist, no place
    CANCELLED = "cancelled"
    LAPSED = "lapsed"  #: an offer left unanswered
    EXPIRED = "expired"  #: a held place not paid in time

    @property
    def label(self) -> str:
        return str(REGISTRATION_STATUS_LABELS[self])

    @property
    def holds_place(self) -> bool:
        return self in (RegistrationStatus.CONFIRMED, RegistrationStatus.HELD,
                        RegistrationStatus.OFFERED)


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.HELD: _l("Awaiting payment"),
    RegistrationStatus.OFFERED: _l("Place offered"),
    RegistrationStatus.WAITING: _l("On the waitlist"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.LAPSED: _l("Offer lapsed"),
    RegistrationStatus.EXPIRED: _l("Not paid in time"),
}

#: Statuses that keep a person's one live registration for a session (see ``live_key``).
LIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.HELD,
                 RegistrationStatus.OFFERED, RegistrationStatus.WAITING)


class Venue(Model):
    """A room or ground of the park, with the most people it can hold."""

    __tablename__ = "park_venues"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),
                      UniqueConstraint("park_id", "name_en"))

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    park: Mapped[Park] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


#: The enterprises an event is open to; none listed means every enterprise of the park.
event_audience = Table(
    "park_event_audience", db.metadata,
    Column("event_id", ForeignKey("park_events.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", ForeignKey("enterprises.id"), primary_key=True),
)


class Event(Model):
    """What a committee runs: one or more sessions under one title."""

    __tablename__ = "park_events"
    __table_args__ = (
        CheckConstraint("registration_closes_at > registration_opens_at",
                        name="registration_window"),
        CheckConstraint("family_places >= 0 AND family_places <= 5", name="family_places"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus), index=True)
    #: How many family members (dependants) an employee may bring; 0: employees only.
    family_places: Mapped[int] = mapped_column(Integer, default=0)
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    #: 0: free. Otherwise paid at the benefits checkout (budget and/or card), in fen.
    price_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")

    park: Mapped[Park] = relationship()
    audience: Mapped[list[Enterprise]] = relationship(secondary=event_audience,
                                                      order_by="Enterprise.id")
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", order_by="EventSession.starts_at, EventSession.id",
        cascade="all, delete-orphan")
    cover: Mapped[EventCover | None] = relationship(back_populates="event",
                                                    cascade="all, delete-orphan")

    @property
    def is_paid(self) -> bool:
        return self.price_minor > 0

    def title(self, locale: str) -> str:
        """The title in ``locale``; a Chinese-only event (no English title) shows its
        Chinese title in English too, and the other way round."""
        own = self.title_zh if locale.startswith("zh") else self.title_en
        return own or self.title_zh or self.title_en

    @property
    def is_restricted(self) -> bool:
        """Open to some of the park's enterprises only: kept out of public feeds."""
        return bool(self.audience)

    def description(self, locale: str) -> str:
        own = self.description_zh if locale.startswith("zh") else self.description_en
        return own or self.description_zh or self.description_en

    @property
    def allows_family(self) -> bool:
        return self.family_places > 0

    def is_open_for_registration(self, *, now: datetime) -> bool:
        return (self.status is EventStatus.PUBLISHED
                and self.registration_opens_at <= now < self.registration_closes_at)

    def is_for(self, enterprise: Enterprise) -> bool:
        return enterprise.park_id == self.park_id and (
            not self.audience or any(e.id == enterprise.id for e in self.audience))

    @property
    def starts_at(self) -> datetime | None:
        return min((s.starts_at for s in self.sessions), default=None)

    @property
    def ends_at(self) -> datetime | None:
        return max((s.ends_at for s in self.sessions), default=None)


class EventSession(Model):
    """One sitting of an event at a venue. ``places_taken`` counts confirmed, held and
    offered registrations; it changes only under this row's lock. A session cancelled on its
    own (``cancelled_at``) keeps its row: its tickets are the record of who was told."""

    __tablename__ = "park_event_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("places_taken >= 0 AND places_taken <= capacity",
                        name="places_within_capacity"),
        Index("ix_park_event_sessions_venue_time", "venue_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("park_events.id", ondelete="CASCADE"),
                                          index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("park_venues.id"))
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    places_taken: Mapped[int] = mapped_column(Integer, default=0)
    #: Set when the committee cancels this one session (the event goes on without it).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")

    event: Mapped[Event] = relationship(back_populates="sessions")
    venue: Mapped[Venue] = relationship()

    def title(self, locale: str) -> str:
        own = self.title_zh if locale.startswith("zh") else self.title_en
        return own or self.event.title(locale)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def places_left(self) -> int:
        """A cancelled session has no places left, whatever its count says."""
        return 0 if self.is_cancelled else self.capacity - self.places_taken


class Registration(Model):
    """One person's place (or place in line) at one session; a confirmed one is a ticket.

    ``user_id`` is the employee who registered; ``dependant_id`` the family member it is
    for, if any. ``live_key`` is set while the registration is live and cleared when it
    ends, so that the unique index allows one live registration per person and session
    (NULLs never collide) and any number of ended ones.
    """

    __tablename__ = "park_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "live_key"),
        CheckConstraint("checked_in_at IS NULL OR status = 'confirmed'",
                        name="checked_in_only_confirmed"),
        CheckConstraint("(status IN ('confirmed', 'held', 'offered', 'waiting')) = "
                        "(live_key IS NOT NULL)", name="live_key_matches_status"),
        CheckConstraint("hold_expires_at IS NULL OR status = 'held'",
                        name="hold_only_while_held"),
        Index("ix_park_registrations_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("park_event_sessions.id",
                                                       ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dependant_id: Mapped[int | None] = mapped_column(ForeignKey("health_dependants.id"))
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    live_key: Mapped[str | None] = mapped_column(String(40))
    #: The secret printed in the QR code; only its holder can check in with it.
    ticket_code: Mapped[str] = mapped_column(String(40), unique=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Until when a held place (a paid event's, while payment is pending) is kept.
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    session: Mapped[EventSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def attendee_key(self) -> str:
        return f"d{self.dependant_id}" if self.dependant_id else f"u{self.user_id}"

    @property
    def event(self) -> Event:
        return self.session.event


class EventCover(Model):
    """An event's cover image, checked by its content (PNG, JPEG or WebP) and kept in the
    database like providers' licence documents; ``content`` loads only when served."""

    __tablename__ = "park_event_covers"
    __table_args__ = (CheckConstraint("byte_size > 0", name="not_empty"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("park_events.id", ondelete="CASCADE"),
                                          primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_type: Mapped[str] = mapped_column(String(40))  #: read from the content
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="cover")


class Announcement(Model):
    """A committee's message to the park's employees (shown in-app and sent by e-mail)."""

    __tablename__ = "park_announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("park_events.id",
                                                            ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    event: Mapped[Event | None] = relationship()


class Feedback(Model):
    """An attendee's rating (1–5) and comment on an event they checked in to."""

    __tablename__ = "park_feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
                      UniqueConstraint("event_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("park_events.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

