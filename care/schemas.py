"""Shapes of the care API (pydantic): what its writes take and what it answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from benefits.schemas import PaymentOut
from care import agreements
from care.models import (
    CareAgreement,
    CareAlert,
    CareMessage,
    CarePlan,
    CareSponsorship,
    CareTeam,
    FollowUp,
    HomeMeasurement,
)
from care.outcomes import Outcomes

MAX_ID = 2**31 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EmptyBody(_Strict):
    pass


# -- teams ---------------------------------------------------------------------------------


class TeamCreate(_Strict):
    kind: Literal["general_practice", "tcm"]
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    description_zh: str = Field("", max_length=2000)
    description_en: str = Field("", max_length=2000)
    price_minor: int = Field(ge=0, le=10_000_000, description="Price of one period, in fen.")
    period_days: int = Field(365, ge=30, le=366)
    terms_zh: str = Field(min_length=1, max_length=20000)
    terms_en: str = Field(min_length=1, max_length=20000)
    practitioner_ids: list[int] = Field(min_length=1, max_length=50)


class TeamOut(BaseModel):
    id: int
    provider_id: int
    provider: str
    kind: str
    name: str
    description: str
    price_minor: int
    your_price_minor: int | None = None
    sponsored: bool = False
    currency: str
    period_days: int
    terms: str
    terms_version: int
    terms_sha256: str
    members: list[str]

    @classmethod
    def of(cls, team: CareTeam, locale: str, *, digest: str,
           price: tuple[int, bool] | None = None) -> TeamOut:
        return cls(id=team.id, provider_id=team.provider_id,
                   provider=team.provider.name(locale), kind=team.kind.value,
                   name=team.name(locale), description=team.description(locale),
                   price_minor=team.price_minor,
                   your_price_minor=price[0] if price else None,
                   sponsored=bool(price and price[1]), currency=team.currency,
                   period_days=team.period_days, terms=team.terms(locale),
                   terms_version=team.terms_version, terms_sha256=digest,
                   members=[p.name(locale) for p in team.members])


class TeamList(BaseModel):
    items: list[TeamOut]


class SponsorshipCreate(_Strict):
    team_id: int = Field(ge=1, le=MAX_ID)
    programme_id: int | None = Field(None, ge=1, le=MAX_ID, description=(
        "The budget programme whose pot pays each agreement's price to the provider; by "
        "default the enterprise's oldest active programme in the team's currency."))


class SponsorshipOut(BaseModel):
    id: int
    enterprise_id: int
    team_id: int
    programme_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: CareSponsorship) -> SponsorshipOut:
        return cls(id=row.id, enterprise_id=row.enterprise_id, team_id=row.team_id,
                   programme_id=row.programme_id, created_at=row.created_at)


# -- agreements ----------------------------------------------------------------------------


class AgreementCreate(_Strict):
    starts_on: date
    accept_terms: bool = Field(description="The terms were shown and are accepted.")
    terms_version: int = Field(ge=1, le=MAX_ID)
    terms_sha256: str = Field(min_length=64, max_length=64,
                              description="SHA-256 of the terms text as shown (TeamOut).")
    share_fields: list[str] = Field(default_factory=list, max_length=8)
    dependant_ids: list[int] = Field(default_factory=list, max_length=20)


class AgreementOut(BaseModel):
    id: int
    team_id: int
    team: str
    provider_id: int
    user_id: int
    client: str
    status: str
    state: str
    starts_on: date
    ends_on: date
    terms_version: int
    terms_sha256: str
    accepted_at: datetime
    share_fields: list[str] = Field(description="What the employee ticked when signing.")
    shared_now: list[str] = Field(default_factory=list, description=(
        "What the team may read now: empty once the employee stopped sharing (revoked the "
        "agreement's consent), ended the agreement, or before it starts."))
    sharing_stopped_at: datetime | None = Field(default=None, description=(
        "When the employee stopped the sharing or ended the agreement, if they did."))
    dependant_ids: list[int]
    price_minor: int = Field(description="What the employee pays (0: free or sponsored).")
    budget_minor: int = Field(description="The share paid from the employee's budget.")
    currency: str
    sponsored: bool
    sponsor_minor: int = Field(description="What the sponsoring enterprise's pot paid.")
    refunded_minor: int = Field(description="Given back (pro rata by days) when ended early.")
    hold_expires_at: datetime | None = Field(description=(
        "status pending: pay (POST .../pay) before this moment, or it expires."))

    @classmethod
    def of(cls, a: CareAgreement, locale: str, *, now: datetime) -> AgreementOut:
        return cls(id=a.id, team_id=a.team_id, team=a.team.name(locale),
                   provider_id=a.provider_id, user_id=a.user_id, client=a.user.display_name,
                   status=a.status.value, state=a.state(now=now), starts_on=a.starts_on,
                   ends_on=a.ends_on, terms_version=a.terms_version,
                   terms_sha256=a.terms_sha256, accepted_at=a.accepted_at,
                   share_fields=a.share_set,
                   shared_now=agreements.shared_now(a, now=now),
                   sharing_stopped_at=agreements.sharing_stopped_at(a),
                   dependant_ids=list(a.dependant_ids or []),
                   price_minor=a.price_minor, budget_minor=a.budget_minor,
                   currency=a.currency, sponsored=a.sponsored, sponsor_minor=a.sponsor_minor,
                   refunded_minor=a.refunded_minor, hold_expires_at=a.hold_expires_at)


class AgreementList(BaseModel):
    items: list[AgreementOut]


class AgreementPaymentOut(BaseModel):
    agreement: AgreementOut
    price_minor: int
    budget_minor: int = Field(description="What your budget would pay now.")
    card_minor: int = Field(description="What is left for the card.")
    currency: str
    card_payments_enabled: bool
    payment: PaymentOut | None = Field(description="How it was paid (or is being paid), "
                                                   "and what was refunded.")


# -- plans, measurements, alerts ------------------------------------------------------------


class GoalIn(_Strict):
    kind: Literal["blood_pressure", "weight", "glucose", "activity"]
    target: float | list[float] = Field(description="[systolic, diastolic] for blood "
                                        "pressure, otherwise one value (kg, mmol/L, minutes "
                                        "a week)")
    due_on: date
    alert_above: float | list[float] | None = None
    alert_below: float | None = None


class PlanIn(_Strict):
    goals: list[GoalIn] = Field(min_length=1, max_length=8)
    notes: str = Field("", max_length=2000)


class GoalOut(BaseModel):
    kind: str
    direction: str
    target: float | list[float] | None
    due_on: str | None
    alert_above: float | list[float] | None
    alert_below: float | None
    latest: dict | None = None
    met: bool | None = None


class PlanOut(BaseModel):
    agreement_id: int
    goals: list[GoalOut]
    notes: str
    updated_at: datetime

    @classmethod
    def of(cls, plan: CarePlan, progress=()) -> PlanOut:
        by_index = list(progress)
        goals = []
        for i, g in enumerate(plan.goals):
            p = by_index[i] if i < len(by_index) else None
            goals.append(GoalOut(kind=g["kind"], direction=g.get("direction", "below"),
                                 target=g.get("target"), due_on=g.get("due_on"),
                                 alert_above=g.get("alert_above"),
                                 alert_below=g.get("alert_below"),
                                 latest=p.latest.data if p and p.latest else None,
                                 met=p.met if p else None))
        return cls(agreement_id=plan.agreement_id, goals=goals,
                   notes=plan.data.get("notes", ""), updated_at=plan.updated_at)


class MeasurementIn(_Strict):
    kind: Literal["blood_pressure", "weight", "glucose", "activity"]
    systolic: float | None = None
    diastolic: float | None = None
    value: float | None = None
    unit: str | None = Field(None, max_length=20,
                             description="mmHg or kPa; kg; mmol/L or mg/dL; minutes")
    measured_at: AwareDatetime | None = None


class MeasurementOut(BaseModel):
    id: int
    kind: str
    measured_at: datetime
    values: dict

    @classmethod
    def of(cls, row: HomeMeasurement) -> MeasurementOut:
        return cls(id=row.id, kind=row.kind.value, measured_at=row.measured_at,
                   values=dict(row.data))


class MeasurementList(BaseModel):
    items: list[MeasurementOut]


class AlertOut(BaseModel):
    id: int
    agreement_id: int
    measurement_id: int
    kind: str
    created_at: datetime
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, row: CareAlert) -> AlertOut:
        return cls(id=row.id, agreement_id=row.agreement_id, measurement_id=row.measurement_id,
                   kind=row.kind.value, created_at=row.created_at,
                   acknowledged_at=row.acknowledged_at)


class AlertList(BaseModel):
    items: list[AlertOut]


class PatientsOut(BaseModel):
    agreements: list[AgreementOut]
    alerts: list[AlertOut]


# -- follow-ups and messages -------------------------------------------------------------


class FollowUpIn(_Strict):
    starts_at: AwareDatetime
    duration_minutes: int = Field(30, ge=5, le=240)
    mode: Literal["visit", "phone", "video"]
    note: str = Field("", max_length=300)


class FollowUpOut(BaseModel):
    id: int
    agreement_id: int
    practitioner_id: int
    mode: str
    starts_at: datetime
    duration_minutes: int
    note: str
    cancelled: bool

    @classmethod
    def of(cls, row: FollowUp) -> FollowUpOut:
        return cls(id=row.id, agreement_id=row.agreement_id,
                   practitioner_id=row.practitioner_id, mode=row.mode.value,
                   starts_at=row.starts_at, duration_minutes=row.duration_minutes,
                   note=row.note, cancelled=row.cancelled_at is not None)


class FollowUpMove(_Strict):
    starts_at: AwareDatetime
    duration_minutes: int | None = Field(None, ge=5, le=240,
                                         description="Unchanged when left out.")


class MessageIn(_Strict):
    body: str = Field(min_length=1, max_length=2000)


class MessageOut(BaseModel):
    id: int
    sender_id: int
    sender: str
    body: str
    created_at: datetime

    @classmethod
    def of(cls, row: CareMessage) -> MessageOut:
        return cls(id=row.id, sender_id=row.sender_id, sender=row.sender.display_name,
                   body=row.body, created_at=row.created_at)


class MessageList(BaseModel):
    items: list[MessageOut]


class AgreementDetail(BaseModel):
    agreement: AgreementOut
    side: Literal["client", "team"]
    plan: PlanOut | None
    follow_ups: list[FollowUpOut]
    alerts: list[AlertOut]


class SharedHealthOut(BaseModel):
    fields: list[str]
    until: datetime | None
    readings: dict[str, dict]
    lifestyle: dict


# -- outcomes --------------------------------------------------------------------------------


class OutcomeQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    year: int | None = Field(None, ge=2000, le=2100)


class ShareOut(BaseModel):
    suppressed: bool
    rate: float | None
    numerator: int | None
    denominator: int | None


class IndicatorOut(BaseModel):
    key: str
    label: str
    this_year: ShareOut
    last_year: ShareOut | None


class OutcomesOut(BaseModel):
    scope: str
    year: int
    min_group: int
    released_at: datetime | None = Field(
        None, description="When these figures were worked out: once a month, once for good "
                          "for a past year; they do not move with each roster change.")
    indicators: list[IndicatorOut]

    @classmethod
    def of(cls, outcomes: Outcomes) -> OutcomesOut:
        return cls(scope=outcomes.scope, year=outcomes.year, min_group=outcomes.k,
                   released_at=outcomes.released_at,
                   indicators=[IndicatorOut(
                       key=i.key, label=i.label, this_year=ShareOut(**i.this_year.public()),
                       last_year=ShareOut(**i.last_year.public()) if i.last_year else None)
                       for i in outcomes.indicators])
