"""The service's eligibility rules checked against the person the booking is for, on the
server, whichever way the booking is made (page, API, course, waiting list, check-up).

Who is served (the *attendee*) is the employee or one of their family members (dependants).
The rules: family members allowed at all; the age band (the service's lowest and highest
age in years, and for childcare its age bands in months; childcare without any band is for
children under 18); the service's sex; a required screening questionnaire (completed by the
employee; a family member cannot have one, so such services are for employees only); and
contraindication tags (against the employee's screening flags or the family member's
recorded needs). Age and sex come from the family member's record or the employee's health
profile. Each refusal has its own stable code and names the rule, never the person's data;
the provider learns only the result: nothing of the person's data is copied onto the booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from booking.errors import (
    AgeUnknown,
    Contraindicated,
    NotEligible,
    NotForFamilyMembers,
    OutsideAgeBand,
    QuestionnaireRequired,
    SexRestricted,
    SexUnknown,
)
from core.accounts.models import User
from core.clock import to_zone
from core.db import db
from health import services as health_services
from health.models import Dependant, HealthProfile, QuestionnaireKind, QuestionnaireResponse
from health.questionnaires import QUESTIONNAIRES
from providers.models import ProviderCategory, Service, ServiceSex

#: Childcare with no age band of its own is for children: under this age in years.
CHILDCARE_AGE_LIMIT = 18


@dataclass(frozen=True)
class Attendee:
    """Age and sex of the person a booking is for, read for the check, never stored.
    ``months`` is exact for a family member (birth date) and whole years for an employee
    (whose profile keeps only the birth year)."""

    years: int | None
    months: int | None
    sex: str | None
    is_family_member: bool


def _months_on(born: date, on: date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def attendee_on(client: User, dependant: Dependant | None, on: date) -> Attendee:
    if dependant is not None:
        months = _months_on(dependant.birth_date, on)
        return Attendee(months // 12, months, dependant.sex.value if dependant.sex else None,
                        True)
    profile = db.session.scalar(select(HealthProfile).where(
        HealthProfile.user_id == client.id))
    data = (profile.data or {}) if profile else {}
    birth_year = data.get("birth_year")
    years = on.year - int(birth_year) if birth_year else None
    sex = data.get("sex") if data.get("sex") in {s.value for s in ServiceSex} else None
    return Attendee(years, years * 12 if years is not None else None, sex, False)


def check_eligibility(service: Service, *, client: User, dependant: Dependant | None,
                      starts_at: datetime, timezone: str) -> None:
    """Raises a NotEligible subclass naming the rule that is not met: NotForFamilyMembers,
    AgeUnknown, OutsideAgeBand, SexUnknown, SexRestricted, QuestionnaireRequired,
    Contraindicated."""
    if dependant is not None and not service.allows_dependants:
        raise NotForFamilyMembers()
    if _asks_age_or_sex(service):  # else the person's health profile is not even read
        person = attendee_on(client, dependant, to_zone(starts_at, timezone).date())
        _check_age(service, person)
        _check_sex(service, person)
    if service.screening_questionnaire:
        known = service.screening_questionnaire in {k.value for k in QuestionnaireKind}
        done = dependant is None and known and db.session.scalar(
            select(QuestionnaireResponse.id).where(
                QuestionnaireResponse.user_id == client.id,
                QuestionnaireResponse.kind == service.screening_questionnaire).limit(1))
        if not done:
            raise QuestionnaireRequired()
    if service.contraindications:
        conditions = _conditions(client, dependant)
        if conditions & {c.strip().lower() for c in service.contraindications}:
            raise Contraindicated()


def month_bands(service: Service) -> list[tuple[int, int]]:
    """A childcare service's age bands in months, each from its lowest month up to (not
    including) its highest: 24-72 is from the second birthday until the sixth."""
    if service.category is not ProviderCategory.CHILDCARE:
        return []
    return [(int(b["min_months"]), int(b["max_months"]))
            for b in (service.details or {}).get("age_bands") or []]


def _asks_age_or_sex(service: Service) -> bool:
    return (service.min_age is not None or service.max_age is not None
            or service.category is ProviderCategory.CHILDCARE
            or (service.sex is not None and service.sex is not ServiceSex.ANY))


def _check_age(service: Service, person: Attendee) -> None:
    bands = month_bands(service)
    years_limited = service.min_age is not None or service.max_age is not None
    implicit_child = (service.category is ProviderCategory.CHILDCARE and not bands
                      and not years_limited)
    if not (bands or years_limited or implicit_child):
        return
    if person.years is None:
        raise AgeUnknown()
    if years_limited and ((service.min_age is not None and person.years < service.min_age)
                          or (service.max_age is not None and person.years > service.max_age)):
        raise OutsideAgeBand(_("This service is for people aged %(low)s to %(high)s.",
                               low=service.min_age if service.min_age is not None else 0,
                               high=service.max_age if service.max_age is not None else "∞"))
    if bands and not any(low <= person.months < high for low, high in bands):
        raise OutsideAgeBand(_("This childcare is for children aged %(bands)s.",
                               bands=", ".join(_band_words(low, high) for low, high in bands)))
    if implicit_child and person.years >= CHILDCARE_AGE_LIMIT:
        raise OutsideAgeBand(_("Childcare is for children under %(age)s.",
                               age=CHILDCARE_AGE_LIMIT))


def _band_words(low: int, high: int) -> str:
    if low % 12 == 0 and high % 12 == 0:
        return _("%(low)s to %(high)s years", low=low // 12, high=high // 12)
    return _("%(low)s to %(high)s months", low=low, high=high)


def _check_sex(service: Service, person: Attendee) -> None:
    wanted = service.sex if service.sex is not None else ServiceSex.ANY
    if wanted is ServiceSex.ANY:
        return
    if person.sex is None:
        raise SexUnknown()
    if person.sex != wanted.value:
        raise SexRestricted(_("This service is for women only.") if wanted is ServiceSex.FEMALE
                            else _("This service is for men only."))


@dataclass(frozen=True)
class EligibilityHint:
    """What stands between the person and booking, said before they tap a time."""

    message: str
    #: The screening questionnaire to complete (a ``QuestionnaireKind`` value), when that
    #: is what is missing: the page links to it.
    questionnaire: str | None = None
    #: The age band needs a birth year the health profile lacks: the page links to it.
    needs_birth_year: bool = False


def questionnaire_done(client: User, kind: str) -> bool:
    return bool(db.session.scalar(select(QuestionnaireResponse.id).where(
        QuestionnaireResponse.user_id == client.id,
        QuestionnaireResponse.kind == kind).limit(1)))


def eligibility_hint(service: Service, *, client: User, on: datetime,
                     timezone: str) -> EligibilityHint | None:
    """Whether the person themselves may book the service on the day of ``on``, as a hint
    shown before they choose (the rules are checked again when they book); None when
    nothing is missing. Dependants are judged when chosen."""
    kind = service.screening_questionnaire
    known = kind in {k.value for k in QuestionnaireKind}
    if kind and known and not questionnaire_done(client, kind):
        title = QUESTIONNAIRES[QuestionnaireKind(kind)].title
        return EligibilityHint(_("Complete the %(name)s questionnaire first.", name=title),
                               questionnaire=kind)
    if service.allows_dependants:
        return None  # who attends is chosen when booking (a child, a parent): judged then
    try:
        check_eligibility(service, client=client, dependant=None, starts_at=on,
                          timezone=timezone)
    except NotEligible as exc:
        banded = service.min_age is not None or service.max_age is not None
        return EligibilityHint(str(exc.message), needs_birth_year=banded and attendee_on(
            client, None, to_zone(on, timezone).date()).years is None)
    return None


def _conditions(client: User, dependant: Dependant | None) -> set[str]:
    if dependant is not None:
        return {n.lower() for n in dependant.needs}
    return {need.value for need in health_services.screening_for(client).needs()}
