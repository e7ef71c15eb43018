"""Family health physicians: teams, service agreements, care plans, home measurements,
alerts, follow-ups and messages. Pure models: no requests, no I/O.

Health values (goals, measurements, messages) are stored encrypted with health's
``EncryptedJSON``; what stays in clear is what the database needs (ids, dates, kinds).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from benefits.models import BudgetProgramme
from core.accounts.models import Enterprise, ProviderOrganisation, User
from core.db import Model, UTCDateTime, str_enum
from health.crypto import EncryptedJSON
from health.vocabulary import ShareField
from providers.models import Practitioner


class TeamKind(StrEnum):
    GENERAL_PRACTICE = "general_practice"
    TCM = "tcm"

    @property
    def label(self) -> str:
        return str(TEAM_KIND_LABELS[self])


TEAM_KIND_LABELS = {TeamKind.GENERAL_PRACTICE: _l("General practice"),
                    TeamKind.TCM: _l("Traditional Chinese Medicine")}


class AgreementStatus(StrEnum):
    #: signed, and waiting for its card payment until ``hold_expires_at``: no access yet
    PENDING = "pending"
    ACTIVE = "active"  #: signed (and paid); in force between starts_at and ends_at
    CANCELLED = "cancelled"  #: ended early by the employee
    #: never in force: not paid in time, the card payment failed, or given up unpaid
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(AGREEMENT_STATUS_LABELS[self])


AGREEMENT_STATUS_LABELS = {AgreementStatus.PENDING: _l("Awaiting payment"),
                           AgreementStatus.ACTIVE: _l("Signed"),
                           AgreementStatus.CANCELLED: _l("Ended early"),
                           AgreementStatus.EXPIRED: _l("Not paid")}


class MeasurementKind(StrEnum):
    BLOOD_PRESSURE = "blood_pressure"
    WEIGHT = "weight"
    GLUCOSE = "glucose"  #: fasting glucose
    ACTIVITY = "activity"  #: minutes of activity in the week ending that day

    @property
    def label(self) -> str:
        return str(MEASUREMENT_LABELS[self])


MEASUREMENT_LABELS = {MeasurementKind.BLOOD_PRESSURE: _l("Blood pressure"),
                      MeasurementKind.WEIGHT: _l("Weight"),
                      MeasurementKind.GLUCOSE: _l("Fasting glucose"),
                      MeasurementKind.ACTIVITY: _l("Activity this week")}


class FollowUpMode(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    VIDEO = "video"

    @property
    def label(self) -> str:
        return str(FOLLOW_UP_MODE_LABELS[self])


FOLLOW_UP_MODE_LABELS = {FollowUpMode.VISIT: _l("Visit"), FollowUpMode.PHONE: _l("Phone call"),
                         FollowUpMode.VIDEO: _l("Video call")}


class CareTeam(Model):
    """A provider's physician team (general practice or TCM) that employees sign with."""

    __tablename__ = "care_teams"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("period_days BETWEEN 30 AND 366", name="period_days_range"),
        UniqueConstraint("provider_id", "name_en"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    kind: Mapped[TeamKind] = mapped_column(str_enum(TeamKind))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    #: The price of one agreement period, in fen; 0 = free.
    price_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    period_days: Mapped[int] = mapped_column(Integer, default=365)
    #: The terms shown before signing; a change raises ``terms_version``.
    terms_zh: Mapped[str] = mapped_column(Text)
    terms_en: Mapped[str] = mapped_column(Text)
    terms_version: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    provider: Mapped[ProviderOrganisation] = relationship()
    members: Mapped[list[Practitioner]] = relationship(secondary="care_team_members",
                                                       order_by="Practitioner.id")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def description(self, locale: str) -> str:
        return self.description_zh if locale.startswith("zh") else self.description_en

    def terms(self, locale: str) -> str:
        return self.terms_zh if locale.startswith("zh") else self.terms_en

    @property
    def member_user_ids(self) -> frozenset[int]:
        """The accounts of the team's practitioners (policy reads this)."""
        return frozenset(p.user_id for p in self.members if p.user_id and p.is_active)


class CareTeamMember(Model):
    __tablename__ = "care_team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("care_teams.id"), primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"),
                                                 primary_key=True)


class CareSponsorship(Model):
    """An enterprise pays for its employees' agreements with a team: they sign for free,
    and the price moves from the pot of ``programme_id`` (the enterprise's own funds) to
    the provider when each agreement is signed."""

    __tablename__ = "care_sponsorships"
    __table_args__ = (UniqueConstraint("enterprise_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("care_teams.id"))
    #: The budget programme whose pot pays; null on sponsorships made before pots paid
    #: (the enterprise's oldest active programme in the team's currency pays for those).
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("budget_programmes.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    enterprise: Mapped[Enterprise] = relationship()
    team: Mapped[CareTeam] = relationship()
    programme: Mapped[BudgetProgramme | None] = relationship()


class CareAgreement(Model):
    """An employee's signed service agreement with a team for a period.

    The period runs from ``starts_at`` (inclusive) to ``ends_at`` (exclusive), both the
    park's midnight: on the day the agreement ends the team no longer has access."""

    __tablename__ = "care_agreements"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period_not_empty"),
        CheckConstraint("price_minor >= 0 AND budget_minor >= 0 AND budget_minor <= price_minor",
                        name="amounts_valid"),
        CheckConstraint("sponsor_minor >= 0 AND refunded_minor >= 0 "
                        "AND refunded_minor <= price_minor + sponsor_minor",
                        name="paid_amounts_valid"),
        CheckConstraint("hold_expires_at IS NULL OR status = 'pending'",
                        name="hold_only_while_pending"),
        Index("ix_care_agreements_user_period", "user_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("care_teams.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    status: Mapped[AgreementStatus] = mapped_column(str_enum(AgreementStatus))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  #: the first day without the agreement
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    terms_version: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the exact terms text shown and accepted.
    terms_sha256: Mapped[str] = mapped_column(String(64))
    terms_locale: Mapped[str] = mapped_column(String(10))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Space-separated ``health.vocabulary.ShareField`` values the team may read.
    share_fields: Mapped[str] = mapped_column(String(200), default="")
    #: Health dependants (family members) covered by the agreement.
    dependant_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: What the employee pays (0 when free or sponsored); the budget's share of it is
    #: ``budget_minor``, the rest was paid by card (``benefits.models.Payment``).
    price_minor: Mapped[int] = mapped_column(Integer, default=0)
    budget_minor: Mapped[int] = mapped_column(Integer, default=0)  #: paid from the budget
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    sponsored: Mapped[bool] = mapped_column(Boolean, default=False)
    #: What the sponsoring enterprise's pot paid the provider (the team's price).
    sponsor_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sponsor_programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("budget_programmes.id"))
    #: Given back when the agreement was ended early (pro rata by days), to whoever paid.
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ledger_reference: Mapped[str | None] = mapped_column(String(64))
    #: A pending agreement's payment must be completed before this moment.
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    team: Mapped[CareTeam] = relationship()
    provider: Mapped[ProviderOrganisation] = relationship()
    user: Mapped[User] = relationship()

    @property
    def effective_end(self) -> datetime:
        return min(self.ends_at, self.cancelled_at) if self.cancelled_at else self.ends_at

    @property
    def was_signed(self) -> bool:
        """Paid (or free) and so once valid: not awaiting payment, not left unpaid."""
        return self.status in (AgreementStatus.ACTIVE, AgreementStatus.CANCELLED)

    def is_awaiting_payment(self, *, now: datetime) -> bool:
        return self.status is AgreementStatus.PENDING and self.hold_expires_at is not None \
            and now < self.hold_expires_at

    def is_in_force(self, *, now: datetime) -> bool:
        return self.was_signed and self.starts_at <= now < self.effective_end

    def state(self, *, now: datetime) -> str:
        if self.status is AgreementStatus.PENDING:
            return "awaiting_payment" if self.is_awaiting_payment(now=now) else "not_paid"
        if self.status is AgreementStatus.EXPIRED:
            return "not_paid"
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return "ended"
        if now < self.starts_at:
            return "upcoming"
        return "active" if now < self.ends_at else "ended"

    @property
    def share_set(self) -> list[str]:
        return self.share_fields.split()

    @property
    def share_labels(self) -> list[str]:
        return [ShareField(f).label for f in self.share_set]

    @property
    def member_user_ids(self) -> frozenset[int]:
        return self.team.member_user_ids


class CarePlan(Model):
    """The goals set with the employee under an agreement (one plan per agreement).
    ``data``: {"goals": [{"kind", "target", "target_low"?, "due_on", "alert_above",
    "alert_below"?}, ...], "notes": str}; values in canonical units."""

    __tablename__ = "care_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("care_agreements.id"), unique=True)
    data: Mapped[dict] = mapped_column(EncryptedJSON())
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agreement: Mapped[CareAgreement] = relationship()

    @property
    def goals(self) -> list[dict]:
        return list(self.data.get("goals") or [])


class HomeMeasurement(Model):
    """A reading the employee took at home. ``data``: {"systolic", "diastolic"} or
    {"value"} in canonical units (mmHg, kg, mmol/L, minutes)."""

    __tablename__ = "care_measurements"
    __table_args__ = (Index("ix_care_measurements_agreement_at", "agreement_id", "measured_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("care_agreements.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[MeasurementKind] = mapped_column(str_enum(MeasurementKind))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict] = mapped_column(EncryptedJSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CareAlert(Model):
    """A home measurement outside the plan's thresholds, for the team to look at. Holds no
    values: the measurement does."""

    __tablename__ = "care_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("care_agreements.id"), index=True)
    measurement_id: Mapped[int] = mapped_column(ForeignKey("care_measurements.id"))
    kind: Mapped[MeasurementKind] = mapped_column(str_enum(MeasurementKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agreement: Mapped[CareAgreement] = relationship()
    measurement: Mapped[HomeMeasurement] = relationship()


class FollowUp(Model):
    """A follow-up (随访) the physician scheduled: on the employee's calendar feed and on
    the practitioner's and provider's feeds."""

    __tablename__ = "care_follow_ups"
    __table_args__ = (CheckConstraint("duration_minutes BETWEEN 5 AND 240",
                                      name="duration_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("care_agreements.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"), index=True)
    mode: Mapped[FollowUpMode] = mapped_column(str_enum(FollowUpMode))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    #: Optional link to a booking the employee made for it (booking engine).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agreement: Mapped[CareAgreement] = relationship()
    practitioner: Mapped[Practitioner] = relationship()


class CareMessage(Model):
    """An asynchronous message between the employee and the team. ``data``: {"body"}."""

    __tablename__ = "care_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("care_agreements.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict] = mapped_column(EncryptedJSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    sender: Mapped[User] = relationship()

    @property
    def body(self) -> str:
        return self.data.get("body") or ""
