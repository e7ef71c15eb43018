"""Provider catalogue models: categories, profiles, practitioners, services, availability
rules, date exceptions, imported busy time and credentials. Pure: no requests, no I/O."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import ProviderOrganisation, User
from core.db import Model, UTCDateTime, str_enum
from providers import search_keys


class ProviderCategory(StrEnum):
    TCM = "tcm"
    REHABILITATION = "rehabilitation"
    COUNSELLING = "counselling"
    CULTURE = "culture"
    TRAVEL_WELLNESS = "travel_wellness"
    CHILDCARE = "childcare"
    ELDERCARE = "eldercare"
    HEALTH_CHECKUP = "health_checkup"

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    ProviderCategory.TCM: _l("Traditional Chinese Medicine"),
    ProviderCategory.REHABILITATION: _l("Rehabilitation"),
    ProviderCategory.COUNSELLING: _l("Counselling"),
    ProviderCategory.CULTURE: _l("Culture and festivals"),
    ProviderCategory.TRAVEL_WELLNESS: _l("Travel wellness"),
    ProviderCategory.CHILDCARE: _l("Childcare"),
    ProviderCategory.ELDERCARE: _l("Elder care"),
    ProviderCategory.HEALTH_CHECKUP: _l("Health check-ups"),
}


class DeliveryMode(StrEnum):
    """Where a service happens."""

    PARK_STATION = "park_station"
    PREMISES = "premises"
    ONLINE = "online"
    TRIP = "trip"

    @property
    def label(self) -> str:
        return str(DELIVERY_MODE_LABELS[self])


DELIVERY_MODE_LABELS = {
    DeliveryMode.PARK_STATION: _l("Park health station"),
    DeliveryMode.PREMISES: _l("Provider's premises"),
    DeliveryMode.ONLINE: _l("Online video"),
    DeliveryMode.TRIP: _l("Trip"),
}

class ServiceSex(StrEnum):
    """Whom a service is for by sex (a women's or men's check-up): checked against the person
    the booking is for."""

    ANY = "any"
    FEMALE = "female"
    MALE = "male"

    @property
    def label(self) -> str:
        return str(SERVICE_SEX_LABELS[self])


SERVICE_SEX_LABELS = {ServiceSex.ANY: _l("Everyone"), ServiceSex.FEMALE: _l("Women only"),
                      ServiceSex.MALE: _l("Men only")}

#: Health needs a service can serve (tags), with their labels.
HEALTH_NEED_LABELS = {
    "hypertension": _l("Hypertension"),
    "back_pain": _l("Back pain"),
    "stress": _l("Stress"),
    "sleep": _l("Sleep"),
    "weight": _l("Weight"),
    "diabetes": _l("Diabetes"),
    "child_development": _l("Child development"),
    "elderly_mobility": _l("Elderly mobility"),
    "neck_shoulder": _l("Neck and shoulders"),
    "mental_wellbeing": _l("Mental wellbeing"),
    "checkup_results": _l("Check-up results"),
}

#: Languages a provider or practitioner may speak.
LANGUAGE_LABELS = {
    "zh": _l("Mandarin"),
    "yue": _l("Cantonese"),
    "wuu": _l("Shanghainese"),
    "en": _l("English"),
    "ja": _l("Japanese"),
    "ko": _l("Korean"),
}


class VerificationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return str(VERIFICATION_LABELS[self])


VERIFICATION_LABELS = {
    VerificationStatus.PENDING: _l("Awaiting verification"),
    VerificationStatus.VERIFIED: _l("Verified"),
    VerificationStatus.SUSPENDED: _l("Suspended"),
}


class ProviderCategoryLink(Model):
    """One category a provider organisation serves (a provider may serve several)."""

    __tablename__ = "provider_categories"

    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             primary_key=True)
    category: Mapped[ProviderCategory] = mapped_column(str_enum(ProviderCategory),
                                                       primary_key=True)

    provider: Mapped[ProviderOrganisation] = relationship()


class ProviderProfile(Model):
    """What an organisation tells employees about itself, in both languages."""

    __tablename__ = "provider_profiles"

    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             primary_key=True)
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    #: DeliveryMode values: where the provider's services happen.
    venues: Mapped[list[str]] = mapped_column(JSON, default=list)
    address_zh: Mapped[str] = mapped_column(String(300), default="")
    address_en: Mapped[str] = mapped_column(String(300), default="")
    #: LANGUAGE_LABELS keys.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Photo URLs (https), shown in the catalogue in this order.
    photo_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: SHA-256 of the secret in the provider's calendar-feed URL; None when revoked.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    provider: Mapped[ProviderOrganisation] = relationship()

    def description(self, locale: str) -> str:
        return self.description_zh if locale.startswith("zh") else self.description_en

    def address(self, locale: str) -> str:
        return self.address_zh if locale.startswith("zh") else self.address_en


class Practitioner(Model):
    """A member of a provider's staff who delivers services, with their own schedule."""

    __tablename__ = "practitioners"
    __table_args__ = (UniqueConstraint("provider_id", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    #: The ParkWell account of the practitioner, when they sign in themselves.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    title_zh: Mapped[str] = mapped_column(String(100), default="")
    title_en: Mapped[str] = mapped_column(String(100), default="")
    bio_zh: Mapped[str] = mapped_column(Text, default="")
    bio_en: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[VerificationStatus] = mapped_column(str_enum(VerificationStatus),
                                                      default=VerificationStatus.PENDING)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Closed on mainland China's public holidays, working on their make-up days (调休).
    observes_public_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The practitioner's own calendar (an https .ics URL), fetched by the worker.
    busy_calendar_url: Mapped[str | None] = mapped_column(String(500))
    busy_calendar_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    busy_calendar_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    provider: Mapped[ProviderOrganisation] = relationship()
    user: Mapped[User | None] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def title(self, locale: str) -> str:
        return self.title_zh if locale.startswith("zh") else self.title_en

    @property
    def is_listed(self) -> bool:
        return self.is_active and self.status is VerificationStatus.VERIFIED


#: The text the catalogue matches words against, grouped as PostgreSQL writes a generated
#: column's expression back, so that Alembic finds no difference with migration 0018.
SEARCH_TEXT_SQL = ("lower((((((((title_zh || ' ') || title_en) || ' ') || description_zh)"
                   " || ' ') || description_en) || ' ') || CAST(health_needs AS TEXT))")


class Service(Model):
    """Something bookable: a consultation, a class, a trip."""

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("duration_minutes >= 5", name="duration_positive"),
        CheckConstraint("buffer_before_minutes >= 0 AND buffer_after_minutes >= 0",
                        name="buffers_not_negative"),
        CheckConstraint("late_cancel_fee_percent BETWEEN 0 AND 100", name="fee_is_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    category: Mapped[ProviderCategory] = mapped_column(str_enum(ProviderCategory))
    delivery_mode: Mapped[DeliveryMode] = mapped_column(str_enum(DeliveryMode))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    price_minor: Mapped[int] = mapped_column(Integer, default=0)  #: fen for CNY; 0 = free
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    free_cancel_hours: Mapped[int] = mapped_column(Integer, default=24)
    late_cancel_fee_percent: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=120)
    horizon_days: Mapped[int] = mapped_column(Integer, default=30)
    #: HEALTH_NEED_LABELS keys.
    health_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    allows_dependants: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Whom the service is for by sex (checked for the person the booking is for).
    sex: Mapped[ServiceSex] = mapped_column(str_enum(ServiceSex, 10), default=ServiceSex.ANY,
                                            server_default=ServiceSex.ANY.value)
    #: Code of the screening questionnaire a client must have completed, if any.
    screening_questionnaire: Mapped[str | None] = mapped_column(String(64))
    contraindications: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Category specifics (see ``providers.schemas``): intake questionnaire and session link
    #: for counselling, referral for rehabilitation, age bands and pick-up for childcare,
    #: itinerary, seats and deposit for travel wellness.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What the catalogue matches words against (``search_text``): written by the database
    #: itself whenever a title, description or need tag changes, so that a search compares
    #: one stored column instead of building the text again for every service it scans.
    search_text: Mapped[str | None] = mapped_column(
        Text, Computed(SEARCH_TEXT_SQL, persisted=True), deferred=True)
    #: The Chinese title in pinyin, full and initials (``providers.search_keys``): written
    #: here whenever the title changes, since the database cannot compute pinyin.
    search_keys: Mapped[str] = mapped_column(Text, default="", server_default="",
                                             deferred=True)

    provider: Mapped[ProviderOrganisation] = relationship()
    practitioners: Mapped[list[Practitioner]] = relationship(
        secondary="service_practitioners", order_by="Practitioner.id")

    def title(self, locale: str) -> str:
        return self.title_zh if locale.startswith("zh") else self.title_en

    def description(self, locale: str) -> str:
        return self.description_zh if locale.startswith("zh") else self.description_en

    @property
    def block_minutes(self) -> int:
        """How long one booking keeps a practitioner busy, buffers included."""
        return self.buffer_before_minutes + self.duration_minutes + self.buffer_after_minutes


def search_text():
    """The text the catalogue matches words against, lower-cased: both titles, both
    descriptions and the need tags, stored with the service (a generated column) so that
    PostgreSQL can index it (``ix_services_search_trgm``, a pg_trgm GIN index). Words hold
    no spaces, so a word found in it lies within one field, as if each field were searched
    on its own."""
    return Service.search_text


#: Trigram index for ``LIKE '%word%'`` searches, on PostgreSQL only (migration 0012 adds
#: the pg_trgm extension, and so does ``create_all``); SQLite scans, fine at its sizes.
Index("ix_services_search_trgm", Service.search_text, postgresql_using="gin",
      postgresql_ops={"search_text": "gin_trgm_ops"},
      info={"dialects": ("postgresql",)}).ddl_if(dialect="postgresql")
Index("ix_services_search_keys_trgm", Service.search_keys, postgresql_using="gin",
      postgresql_ops={"search_keys": "gin_trgm_ops"},
      info={"dialects": ("postgresql",)}).ddl_if(dialect="postgresql")
search_keys.listen(Service)
event.listen(Service.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


class ServicePractitioner(Model):
    """Who delivers a service."""

    __tablename__ = "service_practitioners"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"),
                                                 primary_key=True, index=True)


class AvailabilityRule(Model):
    """Recurring working hours: wall-clock times in an IANA zone, repeated by an RFC 5545
    RRULE from ``starts_on`` (e.g. ``FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231``)."""

    __tablename__ = "availability_rules"
    __table_args__ = (CheckConstraint("end_time > start_time", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"), index=True)
    rrule: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    practitioner: Mapped[Practitioner] = relationship()

    @property
    def provider(self) -> ProviderOrganisation:
        return self.practitioner.provider


class ExceptionKind(StrEnum):
    CLOSED = "closed"  #: no availability (the whole day, or between the times given)
    EXTRA = "extra"  #: extra hours on top of the rules (even on a holiday)

    @property
    def label(self) -> str:
        return str(EXCEPTION_KIND_LABELS[self])


EXCEPTION_KIND_LABELS = {ExceptionKind.CLOSED: _l("Time off"),
                         ExceptionKind.EXTRA: _l("Extra hours")}


class ScheduleException(Model):
    """A dated change to a practitioner's rules: time off, or extra hours.

    Removing one cancels it (kept, with ``SEQUENCE`` raised) so that calendar feeds can say
    STATUS:CANCELLED.
    """

    __tablename__ = "schedule_exceptions"
    __table_args__ = (
        CheckConstraint("(start_time IS NULL AND end_time IS NULL)"
                        " OR (start_time IS NOT NULL AND end_time IS NOT NULL"
                        " AND end_time > start_time)", name="times_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"), index=True)
    kind: Mapped[ExceptionKind] = mapped_column(str_enum(ExceptionKind))
    happens_on: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    practitioner: Mapped[Practitioner] = relationship()

    @property
    def provider(self) -> ProviderOrganisation:
        return self.practitioner.provider

    @property
    def is_whole_day(self) -> bool:
        return self.start_time is None


class BusyTime(Model):
    """Time a practitioner is busy elsewhere, imported from their own calendar."""

    __tablename__ = "busy_times"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(200))  #: file name or subscribed URL
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CredentialStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(CREDENTIAL_STATUS_LABELS[self])


CREDENTIAL_STATUS_LABELS = {
    CredentialStatus.PENDING: _l("Awaiting review"),
    CredentialStatus.APPROVED: _l("Approved"),
    CredentialStatus.REJECTED: _l("Rejected"),
    CredentialStatus.EXPIRED: _l("Expired"),
}


class Credential(Model):
    """A licence held by the organisation or by one practitioner, with its document."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioners.id"),
                                                        index=True)
    licence_type: Mapped[str] = mapped_column(String(100))
    licence_number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    document: Mapped[bytes] = mapped_column(LargeBinary)
    document_type: Mapped[str] = mapped_column(String(40))  #: checked from the content
    document_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[CredentialStatus] = mapped_column(str_enum(CredentialStatus),
                                                    default=CredentialStatus.PENDING)
    review_reason: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    provider: Mapped[ProviderOrganisation] = relationship()
    practitioner: Mapped[Practitioner | None] = relationship()


class HolidayKind(StrEnum):
    HOLIDAY = "holiday"  #: a statutory public holiday or a day off in lieu
    MAKEUP_WORKDAY = "makeup_workday"  #: a Saturday or Sunday worked instead (调休)


class HolidayYear(Model):
    """A year of the park's holiday calendar that the operator entered from the State
    Council's notice. It replaces what the ``chinese-calendar`` library says for that year
    (and is the only source for a year the library does not know)."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(Text, default="")  #: as pasted, for the record
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    days: Mapped[list[HolidayDay]] = relationship(
        back_populates="holiday_year", cascade="all, delete-orphan", order_by="HolidayDay.day")


class HolidayDay(Model):
    """One day of an operator-entered year that is not what its weekday says."""

    __tablename__ = "holiday_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("holiday_years.year", ondelete="CASCADE"),
                                      index=True)
    kind: Mapped[HolidayKind] = mapped_column(str_enum(HolidayKind))
    name: Mapped[str] = mapped_column(String(80), default="")

    holiday_year: Mapped[HolidayYear] = relationship(back_populates="days")


class ProviderPhoto(Model):
    """A photo the provider uploaded, kept resized in two sizes, each as WebP and JPEG (the
    original is not kept: it may carry the camera's location in its metadata)."""

    __tablename__ = "provider_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    alt_zh: Mapped[str] = mapped_column(String(200), default="")
    alt_en: Mapped[str] = mapped_column(String(200), default="")
    #: The large size's pixels (the small one is a 4:3 crop, 480×360).
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    large_webp: Mapped[bytes] = mapped_column(LargeBinary)
    large_jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    small_webp: Mapped[bytes] = mapped_column(LargeBinary)
    small_jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    provider: Mapped[ProviderOrganisation] = relationship()

    def alt(self, locale: str) -> str:
        return self.alt_zh if locale.startswith("zh") else self.alt_en
