"""Shapes for providers, practitioners, services, rules and slots (pydantic).

The ``*Data`` models are what the services take, from the API and the HTML forms alike, so
that one definition checks ranges; the ``*Out`` models are API responses (and OpenAPI
components).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, WithJsonSchema, field_validator

from core.api.pagination import Page, PageQuery
from core.api.validation import SafeDate
from providers.feeds import MAX_ICS_BYTES
from providers.models import (
    AvailabilityRule,
    Credential,
    DeliveryMode,
    ExceptionKind,
    Practitioner,
    ProviderCategory,
    ScheduleException,
    Service,
    ServiceSex,
)
from providers.photos import MAX_PHOTO_BYTES
from providers.verification import MAX_DOCUMENT_BYTES

#: A wall-clock time in the rule's zone. JSON Schema's "time" format is RFC 3339's, which
#: needs a UTC offset; ours has none (the zone is the rule's), so say what it is instead.
WallTime = Annotated[time, WithJsonSchema({
    "type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
    "description": "Wall-clock time in the rule's zone, HH:MM or HH:MM:SS.",
    "examples": ["09:00:00"]})]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- category specifics ----------------------------------------------------------------


class CounsellingDetails(_Strict):
    intake_questionnaire: str | None = Field(None, max_length=64,
                                             description="Code of the intake questionnaire.")
    session_link: HttpUrl | None = Field(None, description="Online-session (video) link.")


class RehabilitationDetails(_Strict):
    requires_referral: bool = Field(False, description="A doctor's referral is required.")


class AgeBand(_Strict):
    min_months: int = Field(ge=0, le=216)
    max_months: int = Field(ge=0, le=216)


class ChildcareDetails(_Strict):
    age_bands: list[AgeBand] = Field(default_factory=list, max_length=10)
    requires_authorised_pickup: bool = Field(
        True, description="Children are handed over only to authorised pick-up persons.")


class TravelDetails(_Strict):
    days: int = Field(ge=1, le=30, description="How many days the trip lasts.")
    itinerary_zh: list[str] = Field(default_factory=list, max_length=30)
    itinerary_en: list[str] = Field(default_factory=list, max_length=30)
    seats: int = Field(ge=1, le=500)
    deposit_minor: int = Field(0, ge=0, description="Deposit in fen, due when booking.")


DETAILS_BY_CATEGORY: dict[ProviderCategory, type[_Strict]] = {
    ProviderCategory.COUNSELLING: CounsellingDetails,
    ProviderCategory.REHABILITATION: RehabilitationDetails,
    ProviderCategory.CHILDCARE: ChildcareDetails,
    ProviderCategory.TRAVEL_WELLNESS: TravelDetails,
}


# -- input -----------------------------------------------------------------------------


class ProfileData(_Strict):
    categories: list[ProviderCategory] = Field(min_length=1, max_length=7)
    description_zh: str = Field("", max_length=4000)
    description_en: str = Field("", max_length=4000)
    venues: list[DeliveryMode] = Field(default_factory=list, max_length=4)
    address_zh: str = Field("", max_length=300)
    address_en: str = Field("", max_length=300)
    languages: list[str] = Field(default_factory=list, max_length=6,
                                 description="Any of: zh, yue, wuu, en, ja, ko.")
    photo_urls: list[HttpUrl] = Field(default_factory=list, max_length=8)


class PractitionerData(_Strict):
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    title_zh: str = Field("", max_length=100)
    title_en: str = Field("", max_length=100)
    bio_zh: str = Field("", max_length=2000)
    bio_en: str = Field("", max_length=2000)
    languages: list[str] = Field(default_factory=list, max_length=6)
    observes_public_holidays: bool = True
    user_id: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="The practitioner's own account, a member of "
                                            "the provider's staff.")


class ServiceData(_Strict):
    category: ProviderCategory
    delivery_mode: DeliveryMode
    title_zh: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    description_zh: str = Field("", max_length=4000)
    description_en: str = Field("", max_length=4000)
    duration_minutes: int = Field(ge=5, le=24 * 60)
    buffer_before_minutes: int = Field(0, ge=0, le=240)
    buffer_after_minutes: int = Field(0, ge=0, le=240)
    capacity: int = Field(1, ge=1, le=500, description="1 for one-to-one, N for groups.")
    price_minor: int = Field(0, ge=0, le=10_000_000, description="Price in fen; 0 is free.")
    free_cancel_hours: int = Field(24, ge=0, le=24 * 30)
    late_cancel_fee_percent: int = Field(0, ge=0, le=100)
    min_notice_minutes: int = Field(120, ge=0, le=60 * 24 * 30)
    horizon_days: int = Field(30, ge=1, le=365)
    health_needs: list[str] = Field(default_factory=list, max_length=10)
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    allows_dependants: bool = False
    sex: ServiceSex = Field(ServiceSex.ANY, description="Whom the service is for by sex, "
                                                        "checked for the person booked.")
    screening_questionnaire: str | None = Field(None, max_length=64)
    contraindications: list[str] = Field(default_factory=list, max_length=20)
    details: dict = Field(default_factory=dict,
                          description="Category specifics: see CounsellingDetails, "
                                      "RehabilitationDetails, ChildcareDetails, TravelDetails.")
    practitioner_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list, max_length=50)
    is_active: bool = True


class RuleData(_Strict):
    rrule: str = Field(min_length=1, max_length=300,
                       description="RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=TU,TH;"
                                   "UNTIL=20261231")
    starts_on: date
    start_time: WallTime
    end_time: WallTime
    timezone: str | None = Field(None, max_length=64,
                                 description="IANA zone; the park's when left out.")


class ExceptionData(_Strict):
    kind: ExceptionKind
    happens_on: date
    start_time: WallTime | None = None
    end_time: WallTime | None = None
    timezone: str | None = Field(None, max_length=64)
    note: str = Field("", max_length=200)


WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                "sunday")


class TimeRangeData(_Strict):
    start: WallTime
    end: WallTime


class WeekDaysData(_Strict):
    """Each weekday's ranges (at most 6 a day), in the editor's zone; empty: not working."""

    monday: list[TimeRangeData] = Field(default_factory=list, max_length=6)
    tuesday: list[TimeRangeData] = Field(default_factory=list, max_length=6)
    wednesday: list[TimeRangeData] = Field(default_factory=list, max_length=6)
    thursday: list[TimeRangeData] = Field(default_factory=list, max_length=6)
    friday: list[TimeRangeData] = Field(default_factory=list, max_length=6)
    saturday: list[TimeRangeData] = Field(default_factory=list, max_length=6)
    sunday: list[TimeRangeData] = Field(default_factory=list, max_length=6)


class OverrideData(_Strict):
    """A date that differs from the week: ``off`` (the whole day), ``hours`` (these ranges
    instead of the week's), ``extra`` (these ranges as well), ``closed`` (not these ranges)."""

    day: date
    kind: Literal["off", "hours", "extra", "closed"]
    ranges: list[TimeRangeData] = Field(default_factory=list, max_length=6)
    note: str = Field("", max_length=200)


class WeeklyHoursData(_Strict):
    timezone: str | None = Field(None, max_length=64,
                                 description="IANA zone; the park's when left out.")
    days: WeekDaysData
    overrides: list[OverrideData] | None = Field(
        None, max_length=100, description="When given, replaces the overrides from today "
                                          "(park time) on; when left out, they stay.")


class ReviewData(_Strict):
    decision: Literal["approve", "reject"]
    reason: str = Field("", max_length=500)


# -- queries ---------------------------------------------------------------------------


class ProviderQuery(PageQuery):
    category: ProviderCategory | None = Field(None, description="Only this category.")


class SlotQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    from_: datetime = Field(alias="from", description="Window start (ISO 8601, with offset).")
    to: datetime = Field(description="Window end (ISO 8601, with offset); at most 62 days on.")


# -- output ----------------------------------------------------------------------------


class PractitionerOut(BaseModel):
    id: int
    name: str
    name_zh: str
    name_en: str
    title: str
    languages: list[str]
    status: str
    observes_public_holidays: bool

    @classmethod
    def of(cls, p: Practitioner, locale: str) -> PractitionerOut:
        return cls(id=p.id, name=p.name(locale), name_zh=p.name_zh, name_en=p.name_en,
                   title=p.title(locale), languages=p.languages, status=p.status.value,
                   observes_public_holidays=p.observes_public_holidays)


class ServiceOut(BaseModel):
    id: int
    provider_id: int
    category: str
    delivery_mode: str
    title: str
    title_zh: str
    title_en: str
    description: str
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    capacity: int
    price_minor: int
    currency: str
    free_cancel_hours: int
    late_cancel_fee_percent: int
    min_notice_minutes: int
    horizon_days: int
    health_needs: list[str]
    min_age: int | None
    max_age: int | None
    allows_dependants: bool
    sex: str
    screening_questionnaire: str | None
    contraindications: list[str]
    details: dict
    practitioner_ids: list[int]
    is_active: bool

    @classmethod
    def of(cls, s: Service, locale: str, *, private: bool = False) -> ServiceOut:
        """``private``: the reader manages the provider and sees every detail; others do
        not see those kept for the attendee (the online-session link)."""
        return cls(
            id=s.id, provider_id=s.provider_id, category=s.category.value,
            delivery_mode=s.delivery_mode.value, title=s.title(locale), title_zh=s.title_zh,
            title_en=s.title_en, description=s.description(locale),
            duration_minutes=s.duration_minutes, buffer_before_minutes=s.buffer_before_minutes,
            buffer_after_minutes=s.buffer_after_minutes, capacity=s.capacity,
            price_minor=s.price_minor, currency=s.currency,
            free_cancel_hours=s.free_cancel_hours,
            late_cancel_fee_percent=s.late_cancel_fee_percent,
            min_notice_minutes=s.min_notice_minutes, horizon_days=s.horizon_days,
            health_needs=s.health_needs, min_age=s.min_age, max_age=s.max_age,
            allows_dependants=s.allows_dependants, sex=s.sex.value,
            screening_questionnaire=s.screening_questionnaire,
            contraindications=s.contraindications,
            details=s.details if private else public_details(s.details),
            practitioner_ids=[p.id for p in s.practitioners], is_active=s.is_active)


#: Details given only to the provider's staff, and to the attendee near the start.
PRIVATE_DETAILS = frozenset({"session_link"})


def public_details(details: dict | None) -> dict:
    """A service's details as anyone of the park may read them."""
    return {k: v for k, v in (details or {}).items() if k not in PRIVATE_DETAILS}


class ProviderSummary(BaseModel):
    id: int
    name: str
    name_zh: str
    name_en: str
    status: str
    categories: list[str]


class PhotoOut(BaseModel):
    """A provider photo: a 4:3 card size (480×360) and a large one, each as WebP and JPEG."""

    id: int
    alt: str
    width: int
    height: int
    small_webp: str
    small_jpeg: str
    large_webp: str
    large_jpeg: str


class CredentialSummary(BaseModel):
    """A licence the park has checked (approved and in date); no number, no document."""

    licence_type: str
    issuer: str
    practitioner_id: int | None
    expires_on: date


class ProviderOut(ProviderSummary):
    park_id: int
    description: str
    description_zh: str
    description_en: str
    venues: list[str]
    address: str
    languages: list[str]
    photo_urls: list[str]
    photos: list[PhotoOut] = Field(default_factory=list, max_length=8)
    credentials: list[CredentialSummary] = Field(default_factory=list)
    practitioners: list[PractitionerOut]
    services: list[ServiceOut]


class ProviderPage(Page[ProviderSummary]):
    pass


class ServiceList(BaseModel):
    items: list[ServiceOut]


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    practitioner_id: int
    practitioner_name: str
    remaining: int = Field(description="Places left (1 for a free one-to-one slot).")


class SlotList(BaseModel):
    service_id: int
    timezone: str
    items: list[SlotOut]


class RuleOut(BaseModel):
    id: int
    practitioner_id: int
    rrule: str
    starts_on: date
    start_time: WallTime
    end_time: WallTime
    timezone: str

    @classmethod
    def of(cls, r: AvailabilityRule) -> RuleOut:
        return cls(id=r.id, practitioner_id=r.practitioner_id, rrule=r.rrule,
                   starts_on=r.starts_on, start_time=r.start_time, end_time=r.end_time,
                   timezone=r.timezone)


class RuleList(BaseModel):
    items: list[RuleOut]


class ExceptionOut(BaseModel):
    id: int
    practitioner_id: int
    kind: str
    happens_on: date
    start_time: WallTime | None
    end_time: WallTime | None
    timezone: str
    note: str
    sequence: int
    cancelled: bool

    @classmethod
    def of(cls, e: ScheduleException) -> ExceptionOut:
        return cls(id=e.id, practitioner_id=e.practitioner_id, kind=e.kind.value,
                   happens_on=e.happens_on, start_time=e.start_time, end_time=e.end_time,
                   timezone=e.timezone, note=e.note, sequence=e.sequence,
                   cancelled=e.cancelled_at is not None)


class ExceptionList(BaseModel):
    items: list[ExceptionOut]


class KeptRuleOut(BaseModel):
    id: int
    rrule: str
    starts_on: date
    start_time: WallTime
    end_time: WallTime
    timezone: str
    reason: Literal["interval", "ends", "later_start", "other_zone", "unreadable"]
    explanation: str


class WeeklyHoursOut(BaseModel):
    """The editor's structure; ``kept`` are stored rules it cannot show as a weekly grid
    (left as they are by a PUT), ``rules`` the RRULEs as stored."""

    practitioner_id: int
    timezone: str
    days: WeekDaysData
    overrides: list[OverrideData]
    kept: list[KeptRuleOut]
    rules: list[RuleOut]


class CredentialOut(BaseModel):
    id: int
    provider_id: int
    practitioner_id: int | None
    licence_type: str
    licence_number: str
    issuer: str
    expires_on: date
    document_type: str
    status: str
    review_reason: str

    @classmethod
    def of(cls, c: Credential) -> CredentialOut:
        return cls(id=c.id, provider_id=c.provider_id, practitioner_id=c.practitioner_id,
                   licence_type=c.licence_type, licence_number=c.licence_number,
                   issuer=c.issuer, expires_on=c.expires_on, document_type=c.document_type,
                   status=c.status.value, review_reason=c.review_reason)



class CredentialList(BaseModel):
    items: list[CredentialOut]


# -- the park's holiday calendar -----------------------------------------------------------


class HolidayDayOut(BaseModel):
    day: date
    kind: Literal["holiday", "makeup_workday"] = Field(
        description="A day off, or a Saturday or Sunday worked instead (调休).")
    name: str


class HolidayYearOut(BaseModel):
    year: int
    source: Literal["operator", "library", "unknown"] = Field(
        description="operator: entered from the State Council's notice; library: the "
                    "chinese-calendar library; unknown: only the statutory days fixed by date "
                    "(1 January, 1-2 May, 1-3 October) are known.")
    days: list[HolidayDayOut] = Field(
        description="The year's holidays and make-up working days (weekends are not listed).")


class HolidayNoticeData(_Strict):
    notice: str = Field(min_length=1, max_length=5000, description=(
        "One line per holiday or make-up day: a date or a range, then 休 (or holiday) or 班 "
        "(or workday), then a name, e.g. '2027-02-06~2027-02-12 休 春节'."))


# -- uploads, feeds and busy times (the pages' forms, as JSON) ------------------------------


def _base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc
    return value


def _b64_length(max_bytes: int) -> int:
    return (max_bytes + 2) // 3 * 4 + 8


class CredentialUpload(_Strict):
    """A licence for the park's committee to review, with its scanned document."""

    practitioner_id: int | None = Field(None, ge=1, description="Whose licence; none: the "
                                                                "provider's own.")
    licence_type: str = Field(min_length=1, max_length=100)
    licence_number: str = Field(min_length=1, max_length=100)
    issuer: str = Field(min_length=1, max_length=200)
    expires_on: SafeDate
    filename: str = Field("", max_length=200,
                          description="Optional; when given, its ending must match.")
    content_base64: str = Field(min_length=4, max_length=_b64_length(MAX_DOCUMENT_BYTES),
                                description="The PDF, JPEG or PNG, base64-encoded (at most "
                                            "1.5 MB decoded).")

    _b64 = field_validator("content_base64")(_base64)

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.content_base64)


class PhotoUpload(_Strict):
    alt_zh: str = Field("", max_length=200, description="What the photo shows, in Chinese.")
    alt_en: str = Field("", max_length=200)
    content_base64: str = Field(min_length=4, max_length=_b64_length(MAX_PHOTO_BYTES),
                                description="A JPEG, PNG or WebP, base64-encoded (at most "
                                            "1.5 MB decoded); resized on the server.")

    _b64 = field_validator("content_base64")(_base64)

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.content_base64)


class BusyImport(_Strict):
    model_config = ConfigDict(extra="forbid")  # keep the calendar's own whitespace
    calendar: str = Field(min_length=1, max_length=MAX_ICS_BYTES,
                          description="The iCalendar (.ics) text whose events are busy times.")
    filename: str = Field("upload.ics", max_length=200)


class BusyCalendar(_Strict):
    url: str | None = Field(None, max_length=500, description=(
        "The http(s) (or webcal) address of the practitioner's own calendar, read at each "
        "synchronisation; null or empty: stop following it."))


class BusyCalendarOut(BaseModel):
    url: str | None


class FeedAddressOut(BaseModel):
    url: str = Field(description="The secret calendar (.ics) address; shown this once only. "
                                 "A new one replaces the old, which stops working.")
