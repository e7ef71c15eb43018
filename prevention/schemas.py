"""Shapes of the prevention API (pydantic): what campaign, booking and results writes
take, and what the three sides read. Services take the same input models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from prevention.models import PackageSex

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PackageInput(_Strict):
    code: str = Field(min_length=1, max_length=24, pattern=r"^[a-z][a-z0-9_]*$",
                      description="basic, enhanced, ...")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    items_zh: str = Field("", max_length=2000, description="What the package includes.")
    items_en: str = Field("", max_length=2000)
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    sex: PackageSex = PackageSex.ANY
    price_minor: int = Field(ge=0, le=100_000_000, description="Fen, paid by the enterprise.")


class CampaignInput(_Strict):
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=EARLIEST_YEAR, le=LATEST_YEAR)
    service_id: int = Field(ge=1, description="A health_checkup service of a verified "
                                              "provider in the enterprise's park.")
    programme_id: int = Field(ge=1, description="The budget programme whose pot pays.")
    interpretation_service_id: int | None = Field(
        None, ge=1, description="A report-interpretation consultation offered when results "
                                "are abnormal.")
    starts_on: date
    ends_on: date
    daily_capacity: int = Field(ge=1, le=10_000)
    location: Literal["premises", "park_station"] = "premises"
    includes_dependants: bool = False
    preparation_zh: str = Field("", max_length=4000, description="Empty: the standard text.")
    preparation_en: str = Field("", max_length=4000)
    packages: list[PackageInput] = Field(min_length=1, max_length=6)


class PackageOut(BaseModel):
    id: int
    code: str
    name: str
    items: str
    min_age: int | None
    max_age: int | None
    sex: str
    price_minor: int
    currency: str

    @classmethod
    def of(cls, package, locale: str) -> PackageOut:
        return cls(id=package.id, code=package.code, name=package.name(locale),
                   items=package.items(locale), min_age=package.min_age,
                   max_age=package.max_age, sex=package.sex.value,
                   price_minor=package.price_minor, currency=package.currency)


class CampaignOut(BaseModel):
    id: int
    enterprise_id: int
    provider_id: int
    provider_name: str
    service_id: int
    interpretation_service_id: int | None
    name: str
    year: int
    starts_on: date
    ends_on: date
    daily_capacity: int
    location: str
    includes_dependants: bool
    status: str
    preparation: str
    packages: list[PackageOut]

    @classmethod
    def of(cls, campaign, locale: str) -> CampaignOut:
        return cls(id=campaign.id, enterprise_id=campaign.enterprise_id,
                   provider_id=campaign.provider_id,
                   provider_name=campaign.provider.name(locale),
                   service_id=campaign.service_id,
                   interpretation_service_id=campaign.interpretation_service_id,
                   name=campaign.name(locale), year=campaign.year,
                   starts_on=campaign.starts_on, ends_on=campaign.ends_on,
                   daily_capacity=campaign.daily_capacity, location=campaign.location.value,
                   includes_dependants=campaign.includes_dependants,
                   status=campaign.status.value, preparation=campaign.preparation(locale),
                   packages=[PackageOut.of(p, locale) for p in campaign.packages])


class CampaignList(BaseModel):
    items: list[CampaignOut]


class GroupOut(BaseModel):
    label: str
    eligible: int
    booked: int | None = Field(description="None: fewer than min_group, or hidden so that "
                                            "a hidden count cannot be worked out.")
    completed: int | None = Field(description="None: as for booked.")
    completion_rate: float | None = Field(description="None when completed is hidden.")


class CompletionOut(BaseModel):
    campaign_id: int
    min_group: int = Field(description="Groups smaller than this are merged or left out.")
    groups: list[GroupOut]
    total: GroupOut | None = Field(description="None when the whole campaign is too small.")
    groups_withheld: bool = Field(description="Some people are in no group shown (too few).")
    released_at: datetime | None = Field(None, description="When these figures were worked "
                                                           "out (once a day).")


class CampaignReportOut(BaseModel):
    campaign: CampaignOut
    completion: CompletionOut


class NudgeOut(BaseModel):
    nudged: int | None = Field(description="How many employees were reminded; never who. "
                                           "None when fewer than min_group (k).")


class CampaignChange(_Strict):
    starts_on: date
    ends_on: date
    daily_capacity: int = Field(ge=1, le=10_000)


class EmptyBody(_Strict):
    pass


# -- employees -------------------------------------------------------------------------------


class SlotQuery(_Strict):
    on: date = Field(description="A park-local day within the campaign's dates.")


class SlotOut(BaseModel):
    practitioner_id: int
    practitioner_name: str
    starts_at: datetime
    ends_at: datetime
    remaining: int


class DaySlotsOut(BaseModel):
    on: date
    left_today: int = Field(description="Campaign places left on this day.")
    slots: list[SlotOut]


class CheckupBookingInput(_Strict):
    package_id: int = Field(ge=1)
    practitioner_id: int = Field(ge=1)
    starts_at: AwareDatetime = Field(description="A slot's start as listed by .../slots.")
    dependant_id: int | None = Field(None, ge=1, description="Book for this family member "
                                                             "(if the campaign allows).")
    results_consent: bool = Field(False, description=(
        "Explicitly agree that the provider puts the results straight into your health "
        "profile (a family member's into their record in your profile). Without it, "
        "nothing is imported."))

    @field_validator("starts_at")
    @classmethod
    def _sane_year(cls, value: datetime) -> datetime:
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError("year out of range")
        return value


class ConsentInput(_Strict):
    results_consent: bool


class ExplainedOut(BaseModel):
    key: str
    label: str
    value: float
    unit: str
    level: str | None
    level_label: str | None
    what_it_is: str
    advice: str


class CheckupOut(BaseModel):
    id: int
    campaign_id: int
    campaign_name: str
    package: PackageOut
    booking_id: int
    booking_status: str
    starts_at: datetime
    day: date
    for_dependant: bool
    dependant_id: int | None = Field(None, description=(
        "The family member it is for; their results go to their record in your profile."))
    provider_name: str
    preparation: str
    results_consent: bool
    results_received: bool
    results: list[ExplainedOut] = Field(default_factory=list, description=(
        "Only for the employee: each value with a plain-language explanation."))
    interpretation_service_id: int | None = Field(None, description=(
        "Offered when a result is outside the healthy range: book it at "
        "/services/{id}/book or POST /bookings."))


class InvitationOut(BaseModel):
    campaign: CampaignOut
    fitting_package_ids: list[int]
    nudged: bool
    checkups: list[CheckupOut]


class InvitationList(BaseModel):
    items: list[InvitationOut]


# -- providers -------------------------------------------------------------------------------


class ProviderCheckupOut(BaseModel):
    id: int
    campaign_id: int
    client_name: str
    for_dependant: bool = Field(False, description="For a family member of the client.")
    package_code: str
    starts_at: datetime
    booking_status: str
    results_consent: bool
    results_received: bool


class ProviderCheckupList(BaseModel):
    items: list[ProviderCheckupOut]


class ResultsInput(_Strict):
    format: Literal["csv", "json"]
    content: str = Field(min_length=1, max_length=1_000_000, description=(
        "One check-up in the health import format (docs/features.md, \"Import format\"); "
        "measured_on may be left out (the check-up's day)."))


class ResultsOut(BaseModel):
    checkup_id: int
    results_received: bool
    abnormal: bool = Field(description="Whether the employee is offered a report "
                                       "interpretation (never which value).")
