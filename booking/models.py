"""Booking models: bookings and their transition log, series, waitlist entries, in-app
notifications and calendar-feed secrets.

Pure: no requests, no I/O. The rules that move a booking live in ``booking.states`` and
``booking.services``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import ProviderOrganisation, User
from core.db import Model, UTCDateTime, str_enum
from health.crypto import EncryptedJSON
from health.models import Dependant
from providers.models import Practitioner, Service


class BookingStatus(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED_BY_CLIENT = "cancelled_by_client"
    CANCELLED_BY_PROVIDER = "cancelled_by_provider"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    BookingStatus.HELD: _l("Held, awaiting payment"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.ATTENDED: _l("Attended"),
    BookingStatus.NO_SHOW: _l("No-show"),
    BookingStatus.CANCELLED_BY_CLIENT: _l("Cancelled by you"),
    BookingStatus.CANCELLED_BY_PROVIDER: _l("Cancelled by the provider"),
    BookingStatus.EXPIRED: _l("Hold expired"),
}

#: Statuses that keep a place (a held booking only until its hold lapses).
PLACE_KEEPING = (BookingStatus.HELD, BookingStatus.CONFIRMED)


class BookingSeries(Model):
    """Several occurrences of one service booked in one action (a care plan)."""

    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Booking(Model):
    """A place in one slot of a service, for the employee or one of their dependants."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("busy_from <= starts_at AND busy_until >= ends_at",
                        name="busy_covers_booking"),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("status <> 'held' OR hold_expires_at IS NOT NULL",
                        name="held_has_expiry"),
        CheckConstraint("refund_basis_points IS NULL OR refund_basis_points BETWEEN 0 AND 10000",
                        name="refund_is_fraction"),
        Index("ix_bookings_practitioner_busy", "practitioner_id", "busy_from"),
        Index("ix_bookings_client_starts", "client_id", "starts_at"),
        Index("ix_bookings_status_hold", "status", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    #: The employee who booked (and pays); the person served is them or ``dependant_id``.
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    dependant_id: Mapped[int | None] = mapped_column(ForeignKey("health_dependants.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The practitioner's time this booking takes, the service's buffers included.
    busy_from: Mapped[datetime] = mapped_column(UTCDateTime())
    busy_until: Mapped[datetime] = mapped_column(UTCDateTime())
    seats: Mapped[int] = mapped_column(Integer, default=1)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    price_minor: Mapped[int] = mapped_column(Integer)  #: fen for CNY, copied from the service
    currency: Mapped[str] = mapped_column(String(3))
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    #: Copied from the service when booked, so that a later change to the policy does not
    #: change what this booking's client agreed to.
    free_cancel_hours: Mapped[int] = mapped_column(Integer)
    late_cancel_fee_percent: Mapped[int] = mapped_column(Integer)
    refund_basis_points: Mapped[int | None] = mapped_column(Integer)
    late_fee_basis_points: Mapped[int | None] = mapped_column(Integer)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    reminder_24h_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_2h_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    service: Mapped[Service] = relationship()
    practitioner: Mapped[Practitioner] = relationship()
    provider: Mapped[ProviderOrganisation] = relationship()
    client: Mapped[User] = relationship()
    #: The family member served, if not the employee (``client``) themselves.
    dependant: Mapped[Dependant | None] = relationship()
    transitions: Mapped[list[BookingTransition]] = relationship(
        back_populates="booking", order_by="BookingTransition.id",
        cascade="all, delete-orphan")
    #: Who may collect the person served (childcare, elder care), shown to the provider.
    pickups: Mapped[list[BookingPickup]] = relationship(
        order_by="BookingPickup.id", cascade="all, delete-orphan")

    def keeps_place(self, *, now: datetime) -> bool:
        """Whether the booking takes a place at ``now``: confirmed, or held and not lapsed.
        A lapsed hold frees its place at once, whether or not the sweep has run."""
        if self.status is BookingStatus.CONFIRMED:
            return True
        return (self.status is BookingStatus.HELD and self.hold_expires_at is not None
                and self.hold_expires_at > now)

    def hold_lapsed(self, *, now: datetime) -> bool:
        return self.status is BookingStatus.HELD and not self.keeps_place(now=now)

    def free_cancel_until(self) -> datetime:
        return self.starts_at - timedelta(hours=self.free_cancel_hours)

    @property
    def is_priced(self) -> bool:
        return self.price_minor > 0

    @property
    def was_paid(self) -> bool:
        """Priced and once confirmed (a priced booking is confirmed when paid): an unpaid
        hold that lapsed or was cancelled had nothing to refund."""
        return self.is_priced and any(
            t.to_status is BookingStatus.CONFIRMED for t in self.transitions)

    @property
    def is_cancelled(self) -> bool:
        return self.status in (BookingStatus.CANCELLED_BY_CLIENT,
                               BookingStatus.CANCELLED_BY_PROVIDER)


class BookingPickup(Model):
    """One person authorised to collect the child (or elderly relative) a booking serves.
    ``data``: name, relation, phone (E.164), encrypted like other personal details; the
    provider's staff see it on the day's list."""

    __tablename__ = "booking_pickups"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    data: Mapped[dict] = mapped_column(EncryptedJSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def name(self) -> str:
        return self.data.get("name") or ""

    @property
    def relation(self) -> str:
        return self.data.get("relation") or ""

    @property
    def phone(self) -> str:
        return self.data.get("phone") or ""


class BookingTransition(Model):
    """One step of a booking's life: from which status to which, who (None: the system),
    when and why."""

    __tablename__ = "booking_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    from_status: Mapped[BookingStatus | None] = mapped_column(str_enum(BookingStatus))
    to_status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: A stable code (``booked``, ``paid``, ``hold_lapsed``, ``rescheduled``...) and the
    #: free text the person gave, if any.
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(500), default="")

    booking: Mapped[Booking] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    LAPSED = "lapsed"
    LEFT = "left"

    @property
    def label(self) -> str:
        return str(WAITLIST_LABELS[self])


WAITLIST_LABELS = {
    WaitlistStatus.WAITING: _l("Waiting"),
    WaitlistStatus.OFFERED: _l("Place offered"),
    WaitlistStatus.ACCEPTED: _l("Accepted"),
    WaitlistStatus.LAPSED: _l("Offer lapsed"),
    WaitlistStatus.LEFT: _l("Left the waitlist"),
}


class WaitlistEntry(Model):
    """A person waiting for a place in a full slot, served in the order they joined.
    An offer is a held booking kept for them until ``offer_expires_at``."""

    __tablename__ = "booking_waitlist"
    __table_args__ = (Index("ix_booking_waitlist_slot", "practitioner_id", "service_id",
                            "starts_at", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dependant_id: Mapped[int | None] = mapped_column(ForeignKey("health_dependants.id"))
    status: Mapped[WaitlistStatus] = mapped_column(str_enum(WaitlistStatus))
    offer_booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    service: Mapped[Service] = relationship()
    practitioner: Mapped[Practitioner] = relationship()
    client: Mapped[User] = relationship()
    offer_booking: Mapped[Booking | None] = relationship()


class NotificationKind(StrEnum):
    CONFIRMED = "confirmed"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    OFFER = "offer"
    #: A course's held sessions were not paid in time and are no longer kept.
    HOLD_LAPSED = "hold_lapsed"


class Notification(Model):
    """An in-app notification about a booking, shown on the person's bookings page."""

    __tablename__ = "booking_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    booking: Mapped[Booking | None] = relationship()


class CalendarFeed(Model):
    """An employee's secret iCalendar feed of their bookings; only the digest is kept."""

    __tablename__ = "booking_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
