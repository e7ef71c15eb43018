"""Shapes of the booking API (pydantic): what booking writes take, and what they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from booking.attendees import attendee_of
from booking.models import Booking, BookingTransition, WaitlistEntry
from core.api.pagination import Page, PageQuery
from core.api.validation import SafeDate

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _sane_year(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError("year out of range")
    return value


class PickupIn(_Strict):
    name: str = Field(min_length=1, max_length=60)
    relation: str = Field(min_length=1, max_length=30, description="e.g. grandmother")
    phone: str = Field(min_length=1, max_length=30,
                       description="A mobile number (Chinese numbers without +86 are fine).")


class HoldCreate(_Strict):
    service_id: int = Field(ge=1)
    practitioner_id: int = Field(ge=1)
    starts_at: AwareDatetime = Field(description="The slot's start (ISO 8601 with offset), as "
                                                 "listed by /services/{id}/slots.")
    dependant_id: int | None = Field(None, ge=1, description="Book for this dependant.")
    share: list[str] = Field(default_factory=list, max_length=10, description=(
        "Health groups to share with the provider for this booking, at most those the "
        "service's category needs (e.g. blood_pressure, body, lifestyle for TCM). Nothing "
        "is shared unless listed."))
    pickups: list[PickupIn] = Field(default_factory=list, max_length=3, description=(
        "Who may collect the person attending (childcare, elder care). Childcare that hands "
        "children over only to authorised persons needs at least one (422 pickup_required)."))

    _year = field_validator("starts_at")(_sane_year)


class ShareData(_Strict):
    share: list[str] = Field(max_length=10, description=(
        "Health groups to share with the booking's provider, at most those the service's "
        "category needs; empty shares nothing."))


class BookingShareOut(BaseModel):
    shared: bool = Field(description="false when nothing was chosen (nothing is shared).")
    consent_id: int | None = Field(description="Revoke it with POST /me/health/consents/"
                                               "{consent_id}/revoke.")
    fields: list[str]
    valid_until: datetime | None = Field(description="The booking's end plus the grace days.")



class CancelData(_Strict):
    reason: str = Field("", max_length=500)


class RescheduleData(_Strict):
    starts_at: AwareDatetime
    practitioner_id: int | None = Field(None, ge=1, description="Another practitioner of "
                                                                "the same service.")

    _year = field_validator("starts_at")(_sane_year)


class AttendanceData(_Strict):
    attended: bool = Field(description="true: attended; false: no-show.")


class BookingQuery(PageQuery):
    scope: Literal["upcoming", "past", "all"] = Field("upcoming")


class ProviderBookingQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    on: SafeDate | None = Field(None, description="A day in the park's zone (YYYY-MM-DD); "
                                                  "today if left out.")


class TransitionOut(BaseModel):
    from_status: str | None
    to_status: str
    actor_id: int | None
    at: datetime
    reason: str
    note: str

    @classmethod
    def of(cls, t: BookingTransition) -> TransitionOut:
        return cls(from_status=t.from_status.value if t.from_status else None,
                   to_status=t.to_status.value, actor_id=t.actor_id, at=t.at,
                   reason=t.reason, note=t.note)


class PickupOut(BaseModel):
    name: str
    relation: str
    phone: str = Field(description="E.164.")


class AttendeeOut(BaseModel):
    name: str = Field(description="The family member's name, or the employee's.")
    is_family_member: bool
    relation: str | None = Field(description="child, parent, parent_in_law or spouse.")
    age_years: int | None = Field(description="A family member's age on the booking's day.")
    for_text: str | None = Field(description="e.g. \"for Chen Xiaoyu's child\".")


class BookingOut(BaseModel):
    id: int
    status: str
    status_label: str
    service_id: int
    service_title: str
    provider_id: int
    provider_name: str
    practitioner_id: int
    practitioner_name: str
    client_id: int
    dependant_id: int | None
    series_id: int | None
    starts_at: datetime
    ends_at: datetime
    hold_expires_at: datetime | None = Field(description="Held bookings: when the hold lapses.")
    price_minor: int
    currency: str
    refund_basis_points: int | None
    late_fee_basis_points: int | None
    reschedule_count: int
    created_at: datetime
    transitions: list[TransitionOut]
    attendee: AttendeeOut = Field(description="Who the booking is for.")
    pickups: list[PickupOut] = Field(description="Who may collect the person attending.")

    @classmethod
    def of(cls, b: Booking, locale: str) -> BookingOut:
        who = attendee_of(b)
        return cls(
            attendee=AttendeeOut(name=who.name, is_family_member=who.is_family_member,
                                 relation=who.relation, age_years=who.age_years,
                                 for_text=who.for_text),
            pickups=[PickupOut(name=p.name, relation=p.relation, phone=p.phone)
                     for p in b.pickups],
            id=b.id, status=b.status.value, status_label=b.status.label,
            service_id=b.service_id, service_title=b.service.title(locale),
            provider_id=b.provider_id, provider_name=b.provider.name(locale),
            practitioner_id=b.practitioner_id, practitioner_name=b.practitioner.name(locale),
            client_id=b.client_id, dependant_id=b.dependant_id, series_id=b.series_id,
            starts_at=b.starts_at, ends_at=b.ends_at,
            hold_expires_at=b.hold_expires_at if b.status.value == "held" else None,
            price_minor=b.price_minor, currency=b.currency,
            refund_basis_points=b.refund_basis_points,
            late_fee_basis_points=b.late_fee_basis_points, reschedule_count=b.reschedule_count,
            created_at=b.created_at, transitions=[TransitionOut.of(t) for t in b.transitions])


class CalendarLinksOut(BaseModel):
    ics_url: str = Field(description="The booking as an .ics file (the web app's address, "
                                     "for a signed-in browser).")
    google_url: str = Field(description="Opens Google Calendar's new-event form, filled in.")
    outlook_url: str = Field(description="Opens Outlook's new-event form, filled in.")


class BookingDetailOut(BookingOut):
    was_paid: bool = Field(description="Priced and once confirmed (paid). An unpaid hold that "
                                       "was cancelled or lapsed had nothing to refund.")
    calendar: CalendarLinksOut | None = Field(
        description="For the client, once confirmed: add it to a calendar.")
    online_link: str | None = Field(
        description="The online session's link: for the client only, from "
                    "``online_link_from`` to the end, while confirmed.")
    online_link_from: datetime | None = Field(
        description="Online services: when ``online_link`` starts being given.")


class CancellationPreviewOut(BaseModel):
    by: Literal["client", "provider"]
    paid: bool = Field(description="false: nothing was paid (an unpaid hold or a free "
                                   "service), so nothing is refunded and no fee is kept.")
    price_minor: int = Field(ge=0)
    currency: str
    free_until: datetime = Field(description="Free cancellation until then (the client).")
    late_fee_basis_points: int = Field(ge=0, le=10_000)
    fee_minor: int = Field(ge=0, description="Kept by the provider if cancelled now (fen).")
    refund_minor: int = Field(ge=0, description="Given back if cancelled now (fen).")


class BookingPage(Page[BookingOut]):
    no_show_count: int = Field(description="How many of your bookings were no-shows.")


class BookingList(BaseModel):
    items: list[BookingOut]


class WaitlistOut(BaseModel):
    id: int
    status: str
    service_id: int
    practitioner_id: int
    starts_at: datetime
    position: int | None
    offer_booking_id: int | None
    offer_expires_at: datetime | None

    @classmethod
    def of(cls, e: WaitlistEntry, position: int | None) -> WaitlistOut:
        return cls(id=e.id, status=e.status.value, service_id=e.service_id,
                   practitioner_id=e.practitioner_id, starts_at=e.starts_at,
                   position=position, offer_booking_id=e.offer_booking_id,
                   offer_expires_at=e.offer_expires_at)


class SeriesPreviewData(_Strict):
    service_id: int = Field(ge=1)
    practitioner_id: int = Field(ge=1)
    starts_at: AwareDatetime = Field(description="The first occurrence.")
    count: int = Field(ge=1, le=26, description="How many occurrences.")
    every_days: int = Field(7, ge=1, le=31, description="Days between two occurrences.")
    dependant_id: int | None = Field(None, ge=1)

    _year = field_validator("starts_at")(_sane_year)


class OccurrenceOut(BaseModel):
    starts_at: datetime
    available: bool
    problem: str | None = Field(description="Why not, as an error code.")


class SeriesPreviewOut(BaseModel):
    items: list[OccurrenceOut]


class SeriesCreate(_Strict):
    service_id: int = Field(ge=1)
    practitioner_id: int = Field(ge=1)
    starts: list[AwareDatetime] = Field(min_length=1, max_length=26,
                                        description="The occurrences to book (all, or the "
                                                    "available subset of a preview).")
    dependant_id: int | None = Field(None, ge=1)

    @field_validator("starts")
    @classmethod
    def _years(cls, value: list[datetime]) -> list[datetime]:
        return [_sane_year(v) for v in value]


class SeriesOut(BaseModel):
    id: int
    service_id: int
    bookings: list[BookingOut]


class WaitlistJoin(_Strict):
    service_id: int = Field(ge=1)
    practitioner_id: int = Field(ge=1)
    starts_at: AwareDatetime
    dependant_id: int | None = Field(None, ge=1)

    _year = field_validator("starts_at")(_sane_year)


class WaitlistList(BaseModel):
    items: list[WaitlistOut]


class EmptyBody(_Strict):
    pass
