"""API shapes for health (pydantic; also the OpenAPI components)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.api.pagination import Page
from health.models import CheckUp, Consent, Dependant, QuestionnaireResponse
from health.questionnaires import Questionnaire, Result
from health.readings import bmi, shown_readings
from health.recommendations import Recommendation
from health.screening import Flag
from health.texts import CRISIS_LINES, CRISIS_MESSAGE, CRISIS_TITLE, flag_evidence, reason_text


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sex: Literal["female", "male"] | None = None
    birth_year: int | None = Field(None, description="Used for age-dependent advice.")
    smoking: Literal["never", "former", "current"] | None = None
    activity_minutes_per_week: int | None = Field(None, description="Moderate activity.")
    sleep_hours: float | None = Field(None, description="Usual sleep a night.")
    goals: list[str] = Field(default_factory=list,
                             description="Need tags: overweight, fitness, stress, poor_sleep, "
                                         "back_pain, quit_smoking, hypertension, "
                                         "high_glucose, dyslipidaemia.")


class ProfileOut(ProfileIn):
    model_config = ConfigDict(extra="ignore")
    exists: bool = Field(description="False until the person saves their profile.")


class ReadingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float
    unit: str | None = Field(None, description="The lab's unit, e.g. mmol/L or mg/dL; "
                                               "the canonical unit when left out.")


class CheckUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measured_on: date
    source: str | None = Field(None, max_length=120)
    readings: dict[str, ReadingIn] = Field(
        description="By reading: systolic, diastolic, fasting_glucose, hba1c, "
                    "total_cholesterol, ldl, hdl, triglycerides, height, weight, waist, "
                    "uric_acid.")


class CheckUpOut(BaseModel):
    id: int
    measured_on: date
    source: str
    readings: dict[str, float] = Field(
        description="In canonical units (mmHg, mmol/L, %, cm, kg, µmol/L), rounded "
                    "as labs report them; screening compares the unrounded values.")
    bmi: float | None

    @classmethod
    def of(cls, checkup: CheckUp) -> CheckUpOut:
        readings = checkup.readings
        return cls(id=checkup.id, measured_on=checkup.measured_on, source=checkup.source,
                   readings=shown_readings(readings),
                   bmi=bmi(readings.get("weight"), readings.get("height")))


class CheckUpPage(Page[CheckUpOut]):
    pass


class CheckUpList(BaseModel):
    items: list[CheckUpOut]


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["csv", "json"]
    content: str = Field(max_length=1024 * 1024,
                         description="The report's text, in the documented CSV or JSON "
                                     "layout.")


class CrisisLineOut(BaseModel):
    number: str
    label: str


class CrisisOut(BaseModel):
    title: str
    message: str
    lines: list[CrisisLineOut]

    @classmethod
    def now(cls) -> CrisisOut:
        return cls(title=str(CRISIS_TITLE), message=str(CRISIS_MESSAGE),
                   lines=[CrisisLineOut(number=line.number, label=str(line.label))
                          for line in CRISIS_LINES])


class ItemOut(BaseModel):
    number: int
    text: str
    options: list[str] = Field(description="Answer labels; the answer is the option's index.")


class BandOut(BaseModel):
    key: str
    label: str
    low: int
    high: int


class QuestionnaireDefinitionOut(BaseModel):
    kind: str
    name: str
    title: str
    intro: str
    items: list[ItemOut]
    bands: list[BandOut]
    max_score: int

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> QuestionnaireDefinitionOut:
        return cls(kind=questionnaire.kind.value, name=questionnaire.name,
                   title=str(questionnaire.title), intro=str(questionnaire.intro),
                   items=[ItemOut(number=n, text=str(item.text),
                                  options=[str(o) for o in item.options])
                          for n, item in enumerate(questionnaire.items, start=1)],
                   bands=[BandOut(key=b.key, label=str(b.label), low=b.low, high=b.high)
                          for b in questionnaire.bands],
                   max_score=questionnaire.max_score)


class QuestionnaireIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["phq9", "gad7", "isi"]
    answers: list[int] = Field(description="One answer per question, in order, from 0.")


class QuestionnaireOut(BaseModel):
    id: int
    kind: str
    score: int
    band: str
    band_label: str
    answered_at: datetime
    crisis: CrisisOut | None = Field(None, description="Present when PHQ-9 item 9 was "
                                                       "answered above 0: show it at once.")

    @classmethod
    def of(cls, row: QuestionnaireResponse, result: Result, *, with_crisis: bool = True
           ) -> QuestionnaireOut:
        return cls(id=row.id, kind=row.kind.value, score=result.score, band=result.band.key,
                   band_label=str(result.band.label), answered_at=row.answered_at,
                   crisis=CrisisOut.now() if result.crisis and with_crisis else None)


class QuestionnaireList(BaseModel):
    items: list[QuestionnaireOut]


class FlagOut(BaseModel):
    code: str
    title: str
    need: str
    next_step: str
    next_step_label: str
    advice: str
    evidence: str = Field(description="Which value raised the flag and when, in words.")
    value: str
    observed_on: date | None
    guideline: str

    @classmethod
    def of(cls, flag: Flag) -> FlagOut:
        return cls(code=flag.code, title=flag.title, need=flag.need.value,
                   next_step=flag.next_step.value, next_step_label=flag.next_step.label,
                   advice=flag.next_step.advice, evidence=flag_evidence(flag),
                   value=flag.value, observed_on=flag.observed_on, guideline=flag.guideline)


class FlagsOut(BaseModel):
    crisis: CrisisOut | None
    flags: list[FlagOut]


class RecommendationsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    dependant_id: int | None = Field(None, description="Recommend for this dependant.")


class CarePlanOut(BaseModel):
    sessions: int
    interval_days: int


class RecommendationOut(BaseModel):
    service_id: int
    title: str
    category: str
    price_minor: int
    currency: str
    next_start: datetime | None
    score: float
    reasons: list[str]
    care_plan: CarePlanOut | None

    @classmethod
    def of(cls, rec: Recommendation) -> RecommendationOut:
        service = rec.service
        return cls(service_id=service.id, title=service.title, category=service.category,
                   price_minor=service.price_minor, currency=service.currency,
                   next_start=service.next_start, score=rec.score,
                   reasons=[text for r in rec.reasons if (text := reason_text(r))],
                   care_plan=rec.care_plan and CarePlanOut(
                       sessions=rec.care_plan.sessions,
                       interval_days=rec.care_plan.interval_days))


class RecommendationsOut(BaseModel):
    crisis: CrisisOut | None
    advice: list[FlagOut] = Field(description="The next step for each need, without services.")
    services: list[RecommendationOut]
    services_available: bool = Field(description="False while no catalogue is connected.")


class DependantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    birth_date: date
    sex: Literal["female", "male"] | None = Field(
        None, description="Optional; check-up packages for one sex need it.")
    relation: Literal["child", "parent", "parent_in_law", "spouse"]
    needs: list[str] = Field(default_factory=list)
    notes: str = Field("", max_length=500)


class DependantOut(BaseModel):
    id: int
    name: str
    birth_date: date
    sex: str | None
    relation: str
    needs: list[str]
    notes: str

    @classmethod
    def of(cls, dependant: Dependant) -> DependantOut:
        return cls(id=dependant.id, name=dependant.name, birth_date=dependant.birth_date,
                   sex=dependant.sex.value if dependant.sex else None,
                   relation=dependant.relation.value, needs=dependant.needs,
                   notes=dependant.data.get("notes") or "")


class DependantList(BaseModel):
    items: list[DependantOut]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider_id: int
    fields: list[str] = Field(description="Share groups: blood_pressure, glucose, lipids, "
                                          "body, uric_acid, lifestyle, mental_health, sleep.")
    days: int = Field(ge=1, le=90)


class ConsentOut(BaseModel):
    id: int
    provider_id: int
    provider_name: str
    fields: list[str]
    purpose: str | None
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None
    status: str = Field(description="scheduled, active, expired or revoked")

    @classmethod
    def of(cls, consent: Consent, *, now: datetime, locale: str) -> ConsentOut:
        return cls(id=consent.id, provider_id=consent.provider_id,
                   provider_name=consent.provider.name(locale),
                   fields=sorted(consent.fields.split()), purpose=consent.purpose,
                   valid_from=consent.valid_from, valid_until=consent.valid_until,
                   revoked_at=consent.revoked_at, status=consent.status(now=now))


class ConsentList(BaseModel):
    items: list[ConsentOut]


class AccessLogOut(BaseModel):
    accessed_at: datetime
    accessor_name: str
    provider_id: int | None
    provider_name: str | None
    fields: list[str] = Field(description=(
        "What was read: share groups (blood_pressure, body, ...) and, for a family "
        "physician team, care_plan, care_measurements, care_messages, care_alerts."))
    what: list[str] = Field(default_factory=list,
                            description="The same, in words in the reader's language.")


class AccessLogList(BaseModel):
    items: list[AccessLogOut]


# -- the provider's side: clients who share with it ------------------------------------------


class SharingClientOut(BaseModel):
    user_id: int
    display_name: str
    fields: list[str] = Field(description="The groups one of their open sharings covers.")
    valid_until: datetime


class SharingClientList(BaseModel):
    items: list[SharingClientOut] = Field(description="People whose sharing is open now, by "
                                                      "name. No health values here.")


class SharedQuestionnaireOut(BaseModel):
    score: int
    band: str
    answered_at: datetime


class ClientHealthOut(BaseModel):
    user_id: int
    display_name: str
    fields: list[str] = Field(description="What the person shares with the provider now.")
    until: datetime = Field(description="When the last of their open sharings ends.")
    readings: dict[str, dict] = Field(description="Latest value of each shared reading: "
                                                  '{"value", "on"} (rounded as people read them).')
    questionnaires: dict[str, SharedQuestionnaireOut]
    lifestyle: dict
