"""Shapes of the park API (pydantic): what its writes take, and what it answers."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from core.api.pagination import Page
from park.checkin import Attendance
from park.covers import MAX_COVER_BYTES
from park.models import (
    Event,
    EventKind,
    EventSession,
    Feedback,
    Registration,
    RegistrationStatus,
    Venue,
)
from park.payments import MAX_PRICE_MINOR
from park.registration import format_code

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MAX_ID = 2**31 - 1  #: PostgreSQL's integer: a larger id could only be refused by the database


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _sane_year(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError("year out of range")
    return value


class VenueCreate(_Strict):
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    location: str = Field("", max_length=200)
    capacity: int = Field(ge=1, le=100000)


class VenueOut(BaseModel):
    id: int
    name: str
    name_zh: str
    name_en: str
    location: str
    capacity: int

    @classmethod
    def of(cls, venue: Venue, locale: str) -> VenueOut:
        return cls(id=venue.id, name=venue.name(locale), name_zh=venue.name_zh,
                   name_en=venue.name_en, location=venue.location, capacity=venue.capacity)


class VenueList(BaseModel):
    items: list[VenueOut]


class EventCreate(_Strict):
    title_zh: str = Field(min_length=1, max_length=200)
    title_en: str = Field("", max_length=200, description="Optional: an event without one "
                                                          "shows its Chinese title in English.")
    description_zh: str = Field("", max_length=5000)
    description_en: str = Field("", max_length=5000)
    kind: EventKind
    family_places: int = Field(0, ge=0, le=5, description="Family members each employee may "
                                                          "bring; 0: employees only.")
    registration_opens_at: AwareDatetime
    registration_closes_at: AwareDatetime
    audience: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=500,
                                description="Enterprise ids; empty: every enterprise of "
                                            "the park.")
    price_minor: int = Field(0, ge=0, le=MAX_PRICE_MINOR,
                             description="Price per person in fen; 0: free. Paid at the "
                                         "benefits checkout (budget and/or card).")
    currency: Literal["CNY"] = "CNY"

    _years = field_validator("registration_opens_at", "registration_closes_at")(_sane_year)


class SessionCreate(_Strict):
    venue_id: int = Field(ge=1, le=MAX_ID)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1, le=100000)
    title_zh: str = Field("", max_length=200)
    title_en: str = Field("", max_length=200)

    _years = field_validator("starts_at", "ends_at")(_sane_year)


class SessionUpdate(SessionCreate):
    """The session's new time, venue, capacity and titles (all of them)."""


class _Patch(_Strict):
    """Only the fields sent change; a field sent as null is refused (422)."""

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)

    @field_validator("*", mode="after")
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise ValueError("null: leave the field out to keep it")
        return value


class VenueUpdate(_Patch):
    name_zh: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, min_length=1, max_length=200)
    location: str | None = Field(None, max_length=200)
    capacity: int | None = Field(None, ge=1, le=100000, description="Never below a session "
                                                                    "still to come there.")


class EventUpdate(_Patch):
    title_zh: str | None = Field(None, min_length=1, max_length=200)
    title_en: str | None = Field(None, max_length=200, description="Empty: the Chinese title "
                                                                   "is shown in English.")
    description_zh: str | None = Field(None, max_length=5000)
    description_en: str | None = Field(None, max_length=5000)
    kind: EventKind | None = None
    family_places: int | None = Field(None, ge=0, le=5)
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    audience: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=500, description="Enterprise ids; empty: every enterprise.")
    price_minor: int | None = Field(None, ge=0, le=MAX_PRICE_MINOR,
                                    description="Only while the event is a draft.")

    @field_validator("registration_opens_at", "registration_closes_at")
    @classmethod
    def _years(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _sane_year(value)


class SessionPatch(_Patch):
    venue_id: int | None = Field(None, ge=1, le=MAX_ID)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    capacity: int | None = Field(None, ge=1, le=100000, description="Never below the places "
                                                                    "taken.")
    title_zh: str | None = Field(None, max_length=200)
    title_en: str | None = Field(None, max_length=200)

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _years(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _sane_year(value)


class CoverUpload(_Strict):
    filename: str = Field("", max_length=200, description="Optional; when given, its "
                                                          "ending must match the content.")
    content_base64: str = Field(min_length=4, max_length=(MAX_COVER_BYTES + 2) // 3 * 4 + 8,
                                description="The PNG, JPEG or WebP image, base64-encoded "
                                            "(at most 2 MB decoded).")

    @field_validator("content_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not base64") from exc
        return value

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.content_base64)


class StatusChange(_Strict):
    status: Literal["published", "completed", "cancelled"]
    reason: str = Field("", max_length=500, description="Sent to registrants on cancellation.")


class SessionCancel(_Strict):
    reason: str = Field("", max_length=500, description="Sent to the session's registrants.")


class SessionOut(BaseModel):
    id: int
    event_id: int
    title: str
    venue: VenueOut
    starts_at: datetime
    ends_at: datetime
    capacity: int
    places_left: int = Field(description="0 at a cancelled session.")
    cancelled_at: datetime | None = Field(None, description="When the committee cancelled "
                                                            "this session on its own; null "
                                                            "while it goes ahead.")
    cancel_reason: str = ""

    @classmethod
    def of(cls, session: EventSession, locale: str) -> SessionOut:
        return cls(id=session.id, event_id=session.event_id, title=session.title(locale),
                   venue=VenueOut.of(session.venue, locale), starts_at=session.starts_at,
                   ends_at=session.ends_at, capacity=session.capacity,
                   places_left=session.places_left, cancelled_at=session.cancelled_at,
                   cancel_reason=session.cancel_reason or "")


class SessionCancelOut(BaseModel):
    session: SessionOut
    registrations_cancelled: int = Field(description="Live registrations cancelled (and "
                                                     "refunded in full where paid); tickets "
                                                     "already used at the door stay.")


class EventOut(BaseModel):
    id: int
    park_id: int
    title: str
    title_zh: str
    title_en: str
    description: str
    kind: str
    status: str
    family_places: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    audience: list[int]
    sessions: list[SessionOut]
    price_minor: int = Field(description="Per person, in fen; 0: free.")
    currency: str
    cover_url: str | None = Field(description="The cover image, or null.")

    @classmethod
    def of(cls, event: Event, locale: str) -> EventOut:
        cover_url = (f"/api/v1/events/{event.id}/cover?v="
                     f"{int(event.cover.updated_at.timestamp())}" if event.cover else None)
        return cls(id=event.id, park_id=event.park_id, title=event.title(locale),
                   price_minor=event.price_minor, currency=event.currency, cover_url=cover_url,
                   title_zh=event.title_zh, title_en=event.title_en,
                   description=event.description(locale), kind=event.kind.value,
                   status=event.status.value, family_places=event.family_places,
                   registration_opens_at=event.registration_opens_at,
                   registration_closes_at=event.registration_closes_at,
                   audience=[e.id for e in event.audience],
                   sessions=[SessionOut.of(s, locale) for s in event.sessions])


class EventPage(Page[EventOut]):
    pass


class RegistrationCreate(_Strict):
    dependant_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Register this family member (where the event "
                                           "allows).")
    join_waitlist: bool = Field(False, description="Join the waitlist when the session is "
                                                   "full instead of being refused with 409.")


class EmptyBody(_Strict):
    pass


class RegistrationOut(BaseModel):
    id: int
    session_id: int
    event_id: int
    status: str
    dependant_id: int | None
    waitlist_position: int | None
    offer_expires_at: datetime | None
    ticket_code: str | None = Field(description="Shown only for a confirmed registration; "
                                                "the QR code carries the same text.")
    ticket_qr_svg_url: str | None
    checked_in_at: datetime | None
    hold_expires_at: datetime | None = Field(description="A paid event's held place is kept "
                                                         "until then while payment is "
                                                         "pending.")

    @classmethod
    def of(cls, registration: Registration, *, position: int | None) -> RegistrationOut:
        confirmed = registration.status is RegistrationStatus.CONFIRMED
        return cls(id=registration.id, session_id=registration.session_id,
                   event_id=registration.session.event_id, status=registration.status.value,
                   dependant_id=registration.dependant_id, waitlist_position=position,
                   offer_expires_at=registration.offer_expires_at,
                   ticket_code=format_code(registration.ticket_code) if confirmed else None,
                   ticket_qr_svg_url=(f"/api/v1/registrations/{registration.id}/ticket.svg"
                                      if confirmed else None),
                   checked_in_at=registration.checked_in_at,
                   hold_expires_at=registration.hold_expires_at)


class PaymentSummary(BaseModel):
    id: int
    status: str = Field(description="pending, paid, released or refunded.")
    price_minor: int
    budget_minor: int
    card_minor: int
    currency: str
    refunded_budget_minor: int
    refunded_card_minor: int

    @classmethod
    def of(cls, payment) -> PaymentSummary:
        return cls(id=payment.id, status=payment.status.value, price_minor=payment.price_minor,
                   budget_minor=payment.budget_minor, card_minor=payment.card_minor,
                   currency=payment.currency,
                   refunded_budget_minor=payment.refunded_budget_minor,
                   refunded_card_minor=payment.refunded_card_minor)


class RegistrationPaymentOut(BaseModel):
    registration: RegistrationOut
    price_minor: int
    budget_minor: int = Field(description="What your budget would pay now.")
    card_minor: int = Field(description="What is left for the card.")
    currency: str
    card_payments_enabled: bool
    payment: PaymentSummary | None
    client_secret: str | None = Field(None, description="For Stripe.js to confirm the card "
                                                        "share; null when nothing is left.")


class RegistrationPage(Page[RegistrationOut]):
    pass


class CheckInData(_Strict):
    code: str = Field(min_length=1, max_length=100, description="The ticket code, as typed "
                                                                "or read from the QR code.")


class AttendanceOut(BaseModel):
    session_id: int
    capacity: int
    registered: int
    offered: int
    waiting: int
    checked_in: int
    awaiting_payment: int = Field(0, description="A paid event's places held while "
                                                 "payment is pending.")

    @classmethod
    def of(cls, session: EventSession, counts: Attendance) -> AttendanceOut:
        return cls(session_id=session.id, capacity=counts.capacity,
                   registered=counts.registered, offered=counts.offered,
                   waiting=counts.waiting, checked_in=counts.checked_in,
                   awaiting_payment=counts.held)


class CheckInOut(BaseModel):
    registration_id: int
    attendee: str
    family_member: bool
    checked_in_at: datetime
    attendance: AttendanceOut


class FeedbackCreate(_Strict):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=1000)


class FeedbackOut(BaseModel):
    event_id: int
    rating: int
    comment: str
    created_at: datetime

    @classmethod
    def of(cls, feedback: Feedback) -> FeedbackOut:
        return cls(event_id=feedback.event_id, rating=feedback.rating,
                   comment=feedback.comment, created_at=feedback.created_at)


class FeedbackItemOut(BaseModel):
    """One answer, without its author (answers are anonymous to the committee)."""

    rating: int
    comment: str
    created_at: datetime

    @classmethod
    def of(cls, feedback: Feedback) -> FeedbackItemOut:
        return cls(rating=feedback.rating, comment=feedback.comment,
                   created_at=feedback.created_at)


class FeedbackPage(Page[FeedbackItemOut]):
    count: int = 0
    average_rating: float | None = None


class SessionAnalyticsOut(AttendanceOut):
    title: str
    starts_at: datetime
    cancelled: bool
    attendance_rate: float = Field(description="Checked in out of confirmed tickets, 0–1.")


class EventAnalyticsOut(BaseModel):
    event_id: int
    title: str
    status: str
    capacity: int = Field(description="Places at its sessions going ahead.")
    registered: int = Field(description="Confirmed tickets.")
    checked_in: int
    attendance_rate: float = Field(description="Checked in out of registered, 0–1.")
    ratings: int
    average_rating: float | None
    sessions: list[SessionAnalyticsOut]


class AnnouncementCreate(_Strict):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    event_id: int | None = Field(None, ge=1, le=MAX_ID, description="An event of the park "
                                                                    "it is about, if any.")


class AnnouncementOut(BaseModel):
    id: int
    park_id: int
    event_id: int | None
    title: str
    body: str
    created_at: datetime

    @classmethod
    def of(cls, announcement) -> AnnouncementOut:
        return cls(id=announcement.id, park_id=announcement.park_id,
                   event_id=announcement.event_id, title=announcement.title,
                   body=announcement.body, created_at=announcement.created_at)


class AnnouncementList(BaseModel):
    items: list[AnnouncementOut]


class ReportRowOut(BaseModel):
    label: str = Field(description="The event's title, or the kind's name.")
    kind: str
    capacity: int
    registered: int
    checked_in: int
    attendance_rate: float = Field(description="Checked in out of registered, 0–1.")
    ratings: int
    average_rating: float | None

    @classmethod
    def of(cls, row) -> ReportRowOut:
        return cls(label=row.label, kind=row.kind.value, capacity=row.capacity,
                   registered=row.registered, checked_in=row.checked_in,
                   attendance_rate=round(row.attendance_rate, 4), ratings=row.ratings,
                   average_rating=None if row.average_rating is None
                   else round(row.average_rating, 2))


class ParkReportOut(BaseModel):
    events: list[ReportRowOut] = Field(description="Published and completed events, newest "
                                                   "first (the last 500).")
    kinds: list[ReportRowOut] = Field(description="The same, added up by kind of event.")


class CertificateCheckOut(BaseModel):
    number: str
    valid: bool = Field(True, description="Always true: an invalid number is 404.")
    holder_initials: str = Field(description="王** or L. W.: never the whole name.")
    event_id: int
    course: str
    day: date
    park: str
