"""The service's eligibility rules checked against the person's own data, on the server.

Who is served is the employee or one of their dependants. The rules: the age band (from the
dependant's date of birth, or the birth year in the employee's health profile), a required
screening questionnaire (completed by the employee), and contraindication tags (against the
employee's screening flags or the dependant's recorded needs). The provider learns only the
result: nothing of the person's data is copied onto the booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from booking.errors import NotEligible
from core.accounts.models import User
from core.clock import to_zone
from core.db import db
from health import services as health_services
from health.errors import HealthRecordNotFound
from health.models import Dependant, HealthProfile, QuestionnaireKind, QuestionnaireResponse
from health.questionnaires import QUESTIONNAIRES
from providers.models import Service


def dependant_of(client: User, dependant_id: int) -> Dependant:
    """The client's own dependant. Raises HealthRecordNotFound (also for another's)."""
    dependant = db.session.get(Dependant, dependant_id)
    if dependant is None or dependant.user_id != client.id:
        raise HealthRecordNotFound()
    return dependant


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_eligibility(service: Service, *, client: User, dependant: Dependant | None,
                      starts_at: datetime, timezone: str) -> None:
    """Raises NotEligible naming the rule that is not met (never the person's data)."""
    if dependant is not None and not service.allows_dependants:
        raise NotEligible(_("This service is for employees themselves, not dependants."))
    on = to_zone(starts_at, timezone).date()
    if service.min_age is not None or service.max_age is not None:
        age = _age(client, dependant, on)
        if age is None:
            raise NotEligible(_("This service has an age band: add a birth year to your "
                                "health profile first."))
        if (service.min_age is not None and age < service.min_age) or (
                service.max_age is not None and age > service.max_age):
            raise NotEligible(_("This service is for people aged %(low)s to %(high)s.",
                                low=service.min_age if service.min_age is not None else 0,
                                high=service.max_age if service.max_age is not None else "∞"))
    if service.screening_questionnaire:
        known = service.screening_questionnaire in {k.value for k in QuestionnaireKind}
        done = dependant is None and known and db.session.scalar(
            select(QuestionnaireResponse.id).where(
                QuestionnaireResponse.user_id == client.id,
                QuestionnaireResponse.kind == service.screening_questionnaire).limit(1))
        if not done:
            raise NotEligible(_("This service asks for its screening questionnaire to be "
                                "completed first."))
    if service.contraindications:
        conditions = _conditions(client, dependant)
        if conditions & {c.strip().lower() for c in service.contraindications}:
            raise NotEligible(_("This service is not suitable given the health records you "
                                "keep (a contraindication)."))


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
    try:
        check_eligibility(service, client=client, dependant=None, starts_at=on,
                          timezone=timezone)
    except NotEligible as exc:
        banded = service.min_age is not None or service.max_age is not None
        return EligibilityHint(str(exc.message), needs_birth_year=banded and _age(
            client, None, to_zone(on, timezone).date()) is None)
    return None


def _age(client: User, dependant: Dependant | None, on: date) -> int | None:
    if dependant is not None:
        return _age_on(dependant.birth_date, on)
    profile = db.session.scalar(select(HealthProfile).where(
        HealthProfile.user_id == client.id))
    birth_year = (profile.data or {}).get("birth_year") if profile else None
    return on.year - int(birth_year) if birth_year else None


def _conditions(client: User, dependant: Dependant | None) -> set[str]:
    if dependant is not None:
        return {n.lower() for n in dependant.needs}
    return {need.value for need in health_services.screening_for(client).needs()}
