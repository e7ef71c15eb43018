"""Health records. Every health value lives in an ``EncryptedJSON`` column; what stays in
clear is only what the database needs to find and order rows (owner, dates, the kind of
questionnaire) and the consent and access-log metadata, which hold no health values.

Pure: no requests, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import ProviderOrganisation, User
from core.db import Model, UTCDateTime, str_enum
from health.crypto import EncryptedJSON
from health.vocabulary import ShareField


class Smoking(StrEnum):
    NEVER = "never"
    FORMER = "former"
    CURRENT = "current"

    @property
    def label(self) -> str:
        return str(SMOKING_LABELS[self])


SMOKING_LABELS = {Smoking.NEVER: _l("Never smoked"), Smoking.FORMER: _l("Former smoker"),
                  Smoking.CURRENT: _l("Smokes now")}


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"

    @property
    def label(self) -> str:
        return str(SEX_LABELS[self])


SEX_LABELS = {Sex.FEMALE: _l("Female"), Sex.MALE: _l("Male")}


class QuestionnaireKind(StrEnum):
    PHQ9 = "phq9"
    GAD7 = "gad7"
    ISI = "isi"


class Relation(StrEnum):
    CHILD = "child"
    PARENT = "parent"
    PARENT_IN_LAW = "parent_in_law"
    SPOUSE = "spouse"

    @property
    def label(self) -> str:
        return str(RELATION_LABELS[self])


RELATION_LABELS = {Relation.CHILD: _l("Child"), Relation.PARENT: _l("Parent"),
                   Relation.PARENT_IN_LAW: _l("Parent-in-law"), Relation.SPOUSE: _l("Spouse")}


class HealthProfile(Model):
    """What a person tells us about themselves: sex and birth year (some cut-offs depend on
    them), lifestyle and goals. ``data`` keys: sex, birth_year, smoking,
    activity_minutes_per_week, sleep_hours, goals (need tags)."""

    __tablename__ = "health_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    data: Mapped[dict] = mapped_column(EncryptedJSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def sex(self) -> Sex | None:
        value = self.data.get("sex")
        return Sex(value) if value else None

    @property
    def goals(self) -> list[str]:
        return list(self.data.get("goals") or [])


class CheckUp(Model):
    """One check-up's results, in canonical units: the employee's own, or, with
    ``dependant_id``, one of their family members' kept in the employee's record (the
    employee, ``user_id``, owns it as they own the family member). ``data``: {"source": str,
    "readings": {key: value}}."""

    __tablename__ = "health_checkups"
    __table_args__ = (Index("ix_health_checkups_user_measured", "user_id", "measured_on"),
                      Index("ix_health_checkups_dependant_measured", "dependant_id",
                            "measured_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The family member the values are of; None: the employee's own.
    dependant_id: Mapped[int | None] = mapped_column(ForeignKey("health_dependants.id"))
    measured_on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict] = mapped_column(EncryptedJSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def readings(self) -> dict[str, float]:
        return dict(self.data.get("readings") or {})

    @property
    def source(self) -> str:
        return self.data.get("source") or ""


class QuestionnaireResponse(Model):
    """One completed questionnaire. ``data``: {"answers": [int, ...]}; the score and band
    are worked out from the answers when read."""

    __tablename__ = "health_questionnaire_responses"
    __table_args__ = (Index("ix_health_questionnaire_responses_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[QuestionnaireKind] = mapped_column(str_enum(QuestionnaireKind, 10))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict] = mapped_column(EncryptedJSON())

    @property
    def answers(self) -> list[int]:
        return [int(a) for a in self.data.get("answers") or []]


class Dependant(Model):
    """A child or elderly relative a booking can serve. ``data``: name, birth_date
    (ISO), sex (optional: check-up packages for one sex need it), relation, needs (need
    tags), notes."""

    __tablename__ = "health_dependants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    data: Mapped[dict] = mapped_column(EncryptedJSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def name(self) -> str:
        return self.data.get("name") or ""

    @property
    def relation(self) -> Relation:
        return Relation(self.data["relation"])

    @property
    def birth_date(self) -> date:
        return date.fromisoformat(self.data["birth_date"])

    @property
    def sex(self) -> Sex | None:
        value = self.data.get("sex")
        return Sex(value) if value in {s.value for s in Sex} else None

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def needs(self) -> list[str]:
        return list(self.data.get("needs") or [])


class Consent(Model):
    """The owner lets one provider organisation read some share groups for a window.
    Holds no health values, so it is not encrypted."""

    __tablename__ = "health_consents"
    __table_args__ = (
        CheckConstraint("valid_until > valid_from", name="window_not_empty"),
        Index("ix_health_consents_provider_user", "provider_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"))
    fields: Mapped[str] = mapped_column(String(200))  #: space-separated ShareField values
    #: What the sharing is for, e.g. "booking:123" (set by the booking engine).
    purpose: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    provider: Mapped[ProviderOrganisation] = relationship()

    @property
    def field_set(self) -> frozenset[ShareField]:
        return frozenset(ShareField(f) for f in self.fields.split())

    def is_active(self, *, now: datetime) -> bool:
        return self.revoked_at is None and self.valid_from <= now < self.valid_until

    def status(self, *, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if now < self.valid_from:
            return "scheduled"
        return "active" if now < self.valid_until else "expired"


class AccessLogEntry(Model):
    """Someone other than the owner read the owner's health data."""

    __tablename__ = "health_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  #: the owner
    accessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider_organisations.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("health_consents.id"))
    fields: Mapped[str] = mapped_column(String(200))
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    accessor: Mapped[User] = relationship(foreign_keys=[accessor_id])
    provider: Mapped[ProviderOrganisation | None] = relationship()
