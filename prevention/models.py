"""Prevention models: yearly check-up campaigns, their packages, who is invited, and each
campaign check-up (a booking of the booking engine, paid by the enterprise).

Pure: no requests, no I/O. No health value is stored here: results go straight into the
employee's own health profile (``health``), or a family member's into that family member's
record in it, and only the fact that they arrived is kept.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import (
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

from booking.models import Booking
from core.accounts.models import Enterprise, ProviderOrganisation, User
from core.db import Model, UTCDateTime, str_enum
from providers.models import DeliveryMode, Service


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(CAMPAIGN_STATUS_LABELS[self])


# The extractor knows ``pgettext``: a campaign "Open" is 进行中, the button "Open" is 查看.
CAMPAIGN_STATUS_LABELS = {CampaignStatus.OPEN: pgettext("campaign", "Open"),
                          CampaignStatus.CLOSED: pgettext("campaign", "Closed")}


class PackageSex(StrEnum):
    ANY = "any"
    FEMALE = "female"
    MALE = "male"

    @property
    def label(self) -> str:
        return str(PACKAGE_SEX_LABELS[self])


PACKAGE_SEX_LABELS = {PackageSex.ANY: _l("Everyone"), PackageSex.FEMALE: _l("Women"),
                      PackageSex.MALE: _l("Men")}

#: Where a campaign's check-ups happen.
CAMPAIGN_LOCATIONS = (DeliveryMode.PREMISES, DeliveryMode.PARK_STATION)


class Campaign(Model):
    """An enterprise's yearly check-up campaign with one check-up provider's service."""

    __tablename__ = "prevention_campaigns"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("daily_capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             index=True)
    #: The provider's ``health_checkup`` service whose slots employees book.
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    #: The budget programme whose pot (the enterprise's own funds) pays every check-up.
    programme_id: Mapped[int] = mapped_column(ForeignKey("budget_programmes.id"))
    #: A consultation offered when results are abnormal (report interpretation).
    interpretation_service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    daily_capacity: Mapped[int] = mapped_column(Integer)
    location: Mapped[DeliveryMode] = mapped_column(str_enum(DeliveryMode))
    includes_dependants: Mapped[bool] = mapped_column(Boolean, default=False)
    preparation_zh: Mapped[str] = mapped_column(Text, default="")
    preparation_en: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CampaignStatus] = mapped_column(str_enum(CampaignStatus),
                                                  default=CampaignStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    enterprise: Mapped[Enterprise] = relationship()
    provider: Mapped[ProviderOrganisation] = relationship()
    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    interpretation_service: Mapped[Service | None] = relationship(
        foreign_keys=[interpretation_service_id])
    packages: Mapped[list[CampaignPackage]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignPackage.id")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def preparation(self, locale: str) -> str:
        return self.preparation_zh if locale.startswith("zh") else self.preparation_en

    def runs_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def is_open(self) -> bool:
        return self.status is CampaignStatus.OPEN


class CampaignPackage(Model):
    """One check-up package of a campaign (basic, enhanced), for an age range and sex."""

    __tablename__ = "prevention_packages"
    __table_args__ = (
        UniqueConstraint("campaign_id", "code"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR max_age >= min_age",
                        name="ages_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("prevention_campaigns.id"), index=True)
    code: Mapped[str] = mapped_column(String(24))  #: "basic", "enhanced", ...
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    items_zh: Mapped[str] = mapped_column(Text, default="")
    items_en: Mapped[str] = mapped_column(Text, default="")
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[PackageSex] = mapped_column(str_enum(PackageSex), default=PackageSex.ANY)
    price_minor: Mapped[int] = mapped_column(Integer)  #: fen, paid by the enterprise
    currency: Mapped[str] = mapped_column(String(3), default="CNY")

    campaign: Mapped[Campaign] = relationship(back_populates="packages")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def items(self, locale: str) -> str:
        return self.items_zh if locale.startswith("zh") else self.items_en


class CampaignInvitation(Model):
    """An employee invited to a campaign. ``nudged_at``: the last reminder their employer
    sent (the employer learns only how many were nudged, never who)."""

    __tablename__ = "prevention_invitations"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("prevention_campaigns.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    nudge_count: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship()
    user: Mapped[User] = relationship()


class CampaignCheckup(Model):
    """One check-up booked in a campaign: the booking engine's booking, the package, the
    day it counts against, the enterprise's payment and whether results arrived."""

    __tablename__ = "prevention_checkups"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("results_received_at IS NULL OR results_consent_at IS NOT NULL",
                        name="results_need_consent"),
        Index("ix_prevention_checkups_day", "campaign_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("prevention_campaigns.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("prevention_packages.id"))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    #: The employee who booked (invited); ``dependant_id`` when it is for a family member.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dependant_id: Mapped[int | None] = mapped_column(ForeignKey("health_dependants.id"))
    #: The park-local day of the check-up (what the daily capacity counts).
    day: Mapped[date] = mapped_column(Date)
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    #: The ledger transaction's reference (the enterprise's pot → the provider).
    payment_reference: Mapped[str] = mapped_column(String(100))
    #: The explicit tick "put my results into my health profile", and its withdrawal.
    results_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    results_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The check-up record written into the employee's profile (``health.models.CheckUp``:
    #: theirs, or, with ``dependant_id``, the family member's in their record). No foreign
    #: key on purpose: the employee may delete it (or their whole profile) at any time, and
    #: nothing here may stand in the way; a dangling id reads as "deleted by you".
    health_checkup_id: Mapped[int | None] = mapped_column(Integer)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()
    package: Mapped[CampaignPackage] = relationship()
    booking: Mapped[Booking] = relationship()
    user: Mapped[User] = relationship()

    @property
    def provider(self) -> ProviderOrganisation:
        """For ``core.policy``: the check-up belongs to its provider."""
        return self.campaign.provider

    @property
    def is_live(self) -> bool:
        return self.cancelled_at is None

    @property
    def record_id(self) -> int | None:
        """The id of the record the results went into (the employee's or the family
        member's), None before they arrive."""
        return self.health_checkup_id
