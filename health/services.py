"""Use-cases on a person's own health record: profile and lifestyle, check-ups,
questionnaires, dependants and the screening they add up to.

Every service takes the person acting (``user``) and checks with ``core.policy`` that they may
keep a health profile; a person only ever reaches their own rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Table, delete, select

from core.accounts.models import User
from core.clock import to_zone, today_in, zone_of
from core.db import db
from core.errors import InvalidInput
from core.policy import Action, can, require
from health.errors import HealthRecordNotFound, InvalidReading, StillReferenced
from health.models import (
    CheckUp,
    Dependant,
    HealthProfile,
    QuestionnaireKind,
    QuestionnaireResponse,
    Relation,
    Sex,
    Smoking,
)
from health.questionnaires import Result, score
from health.readings import normalise_readings
from health.recommendations import (
    RankingContext,
    Recommendation,
    candidate_source,
    rank,
)
from health.screening import Flag, QuestionnaireOutcome, Screening, screen
from health.signals import dependant_deleting
from health.vocabulary import DEPENDANT_NEED_TAGS, GOAL_TAGS

MAX_SOURCE_LENGTH = 120
EARLIEST_CHECKUP = date(1950, 1, 1)
#: Screening's thresholds are for adults (the guidelines in ``health.screening``): a family
#: member's results are screened from this age on; a child's values are kept, not judged.
ADULT_AGE = 18


def require_owner(user: User) -> None:
    """Raises Forbidden unless ``user`` may keep a health profile (employees)."""
    require(user, Action.MANAGE_OWN_HEALTH)


def park_today(now: datetime) -> date:
    """Kept for callers not yet moved: ``core.clock.today_in(now=now)`` is the one "today"."""
    return today_in(now=now)


# -- profile -----------------------------------------------------------------------------


def get_profile(user: User) -> HealthProfile | None:
    require_owner(user)
    return db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user.id))


def profile_data(user: User) -> dict:
    profile = get_profile(user)
    return dict(profile.data) if profile else {}


def update_profile(user: User, *, sex: str | None, birth_year: int | None,
                   smoking: str | None, activity_minutes_per_week: int | None,
                   sleep_hours: float | None, goals: Sequence[str], now: datetime
                   ) -> HealthProfile:
    """Save what the person tells us about themselves. Raises InvalidInput."""
    require_owner(user)
    errors: dict[str, str] = {}
    this_year = today_in(now=now).year
    if sex and sex not in {s.value for s in Sex}:
        errors["sex"] = _("Choose one of the allowed values.")
    if smoking and smoking not in {s.value for s in Smoking}:
        errors["smoking"] = _("Choose one of the allowed values.")
    if birth_year is not None and not 1900 <= birth_year <= this_year - 14:
        errors["birth_year"] = _("Enter a year between 1900 and %(year)s.", year=this_year - 14)
    if activity_minutes_per_week is not None and not 0 <= activity_minutes_per_week <= 5000:
        errors["activity_minutes_per_week"] = _("Enter minutes between 0 and 5000.")
    if sleep_hours is not None and not 0 <= sleep_hours <= 24:
        errors["sleep_hours"] = _("Enter hours between 0 and 24.")
    allowed_goals = {t.value for t in GOAL_TAGS}
    if any(goal not in allowed_goals for goal in goals):
        errors["goals"] = _("Choose one of the allowed values.")
    if errors:
        raise InvalidInput(fields=errors)
    data = {"sex": sex or None, "birth_year": birth_year, "smoking": smoking or None,
            "activity_minutes_per_week": activity_minutes_per_week,
            "sleep_hours": sleep_hours, "goals": sorted(set(goals))}
    profile = get_profile(user)
    if profile is None:
        profile = HealthProfile(user_id=user.id, data=data, created_at=now, updated_at=now)
        db.session.add(profile)
    else:
        profile.data = data
        profile.updated_at = now
    db.session.flush()
    return profile


# -- check-ups ---------------------------------------------------------------------------


def validate_checkup(*, measured_on: date | None, source: str | None,
                     readings: Mapping[str, tuple[object, str | None]], now: datetime
                     ) -> tuple[date, str, dict[str, float]]:
    """Check one check-up's values; return them cleaned and in canonical units.
    Raises InvalidReading naming each wrong field."""
    errors: dict[str, str] = {}
    if measured_on is None:
        errors["measured_on"] = _("Enter the date of the check-up.")
    elif measured_on > today_in(now=now):
        errors["measured_on"] = _("The check-up date cannot be in the future.")
    elif measured_on < EARLIEST_CHECKUP:
        errors["measured_on"] = _("Enter a date after 1950.")
    source = (source or "").strip()
    if len(source) > MAX_SOURCE_LENGTH:
        errors["source"] = _("Enter at most %(count)s characters.", count=MAX_SOURCE_LENGTH)
    try:
        values = normalise_readings(readings)
    except InvalidReading as exc:
        errors.update(exc.fields)
        values = {}
    if not values and not errors:
        errors["readings"] = _("Enter at least one result.")
    if errors:
        raise InvalidReading(fields=errors)
    assert measured_on is not None
    return measured_on, source, values


def record_checkup(user: User, *, measured_on: date | None, source: str | None,
                   readings: Mapping[str, tuple[object, str | None]], now: datetime
                   ) -> CheckUp:
    """Record one check-up entered by hand. Raises InvalidReading."""
    require_owner(user)
    on, clean_source, values = validate_checkup(measured_on=measured_on, source=source,
                                                readings=readings, now=now)
    return save_checkup(user, on, clean_source, values, now)


def save_checkup(user: User, on: date, source: str, values: dict[str, float],
                 now: datetime, *, dependant: Dependant | None = None) -> CheckUp:
    """Store values already checked by ``validate_checkup``: the employee's own, or a
    family member's in the employee's record. Raises HealthRecordNotFound for someone
    else's family member."""
    if dependant is not None:
        require_owner(user)
        if not can(user, Action.OWN_RECORD, dependant):
            raise HealthRecordNotFound()
    checkup = CheckUp(user_id=user.id, dependant_id=dependant.id if dependant else None,
                      measured_on=on, data={"source": source, "readings": values},
                      created_at=now)
    db.session.add(checkup)
    db.session.flush()
    return checkup


def checkups_of(user_id: int, dependant_id: int | None = None):
    """The statement of one person's check-ups, newest first: the employee's own
    (``dependant_id`` None: never a family member's), or one family member's."""
    person = (CheckUp.dependant_id.is_(None) if dependant_id is None
              else CheckUp.dependant_id == dependant_id)
    return (select(CheckUp).where(CheckUp.user_id == user_id, person)
            .order_by(CheckUp.measured_on.desc(), CheckUp.id.desc()))


def list_checkups(user: User, *, dependant_id: int | None = None) -> list[CheckUp]:
    """The employee's own check-ups, or a family member's. Raises HealthRecordNotFound
    (also for another person's family)."""
    require_owner(user)
    if dependant_id is not None:
        get_dependant(user, dependant_id)
    return list(db.session.scalars(checkups_of(user.id, dependant_id)))


def get_checkup(user: User, checkup_id: int, *, dependant_id: int | None = None) -> CheckUp:
    """One check-up of the employee's own, or of their family member ``dependant_id``.
    Raises HealthRecordNotFound (also for another person's)."""
    require_owner(user)
    checkup = db.session.get(CheckUp, checkup_id)
    if (checkup is None or not can(user, Action.OWN_RECORD, checkup)
            or checkup.dependant_id != dependant_id):
        raise HealthRecordNotFound()
    return checkup


def delete_checkup(user: User, *, checkup_id: int) -> None:
    """Raises HealthRecordNotFound (also for another person's check-up)."""
    db.session.delete(get_checkup(user, checkup_id))
    db.session.flush()


# -- questionnaires ----------------------------------------------------------------------


def submit_questionnaire(user: User, *, kind: str, answers: Sequence[object], now: datetime
                         ) -> tuple[QuestionnaireResponse, Result]:
    """Score and keep a completed questionnaire. Raises InvalidInput,
    IncompleteQuestionnaire."""
    require_owner(user)
    try:
        questionnaire_kind = QuestionnaireKind(kind)
    except ValueError as exc:
        raise InvalidInput(fields={"kind": _("Choose one of the allowed values.")}) from exc
    result = score(questionnaire_kind, answers)
    response = QuestionnaireResponse(
        user_id=user.id, kind=questionnaire_kind, answered_at=now,
        data={"answers": [int(a) for a in answers]})  # type-checked by score()
    db.session.add(response)
    db.session.flush()
    return response, result


def list_questionnaires(user: User) -> list[tuple[QuestionnaireResponse, Result]]:
    require_owner(user)
    rows = db.session.scalars(select(QuestionnaireResponse)
                              .where(QuestionnaireResponse.user_id == user.id)
                              .order_by(QuestionnaireResponse.answered_at.desc(),
                                        QuestionnaireResponse.id.desc()))
    return [(row, score(row.kind, row.answers)) for row in rows]


# -- screening ---------------------------------------------------------------------------


def screening_for(user: User) -> Screening:
    """The person's risk flags from everything they have recorded."""
    checkups = [(c.measured_on, c.readings) for c in list_checkups(user)]
    zone = zone_of()
    outcomes = [QuestionnaireOutcome(result, to_zone(row.answered_at, zone).date())
                for row, result in reversed(list_questionnaires(user))]
    return screen(checkups=checkups, questionnaires=outcomes, profile=profile_data(user))


# -- dependants --------------------------------------------------------------------------


def add_dependant(user: User, *, name: str, birth_date: date | None, relation: str,
                  needs: Sequence[str], notes: str = "", sex: str | None = None,
                  now: datetime) -> Dependant:
    """Add a child or an elderly relative. Raises InvalidInput."""
    require_owner(user)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Enter a name of at most 100 characters.")
    if birth_date is None:
        errors["birth_date"] = _("Enter the date of birth.")
    elif birth_date > today_in(now=now) or birth_date.year < 1900:
        errors["birth_date"] = _("Enter a date of birth between 1900 and today.")
    if relation not in {r.value for r in Relation}:
        errors["relation"] = _("Choose one of the allowed values.")
    sex = sex or None
    if sex is not None and sex not in {s.value for s in Sex}:
        errors["sex"] = _("Choose one of the allowed values.")
    if any(need not in {t.value for t in DEPENDANT_NEED_TAGS} for need in needs):
        errors["needs"] = _("Choose one of the allowed values.")
    notes = (notes or "").strip()
    if len(notes) > 500:
        errors["notes"] = _("Enter at most %(count)s characters.", count=500)
    if errors:
        raise InvalidInput(fields=errors)
    assert birth_date is not None
    dependant = Dependant(user_id=user.id, created_at=now, data={
        "name": name, "birth_date": birth_date.isoformat(), "sex": sex, "relation": relation,
        "needs": sorted(set(needs)), "notes": notes})
    db.session.add(dependant)
    db.session.flush()
    return dependant


def list_dependants(user: User) -> list[Dependant]:
    require_owner(user)
    return list(db.session.scalars(select(Dependant).where(Dependant.user_id == user.id)
                                   .order_by(Dependant.id)))


def get_dependant(user: User, dependant_id: int) -> Dependant:
    """Raises HealthRecordNotFound (also for another person's dependant)."""
    require_owner(user)
    dependant = db.session.get(Dependant, dependant_id)
    if dependant is None or not can(user, Action.OWN_RECORD, dependant):
        raise HealthRecordNotFound()
    return dependant


def dependant_of(client: User, dependant_id: int) -> Dependant:
    """The client's own dependant. Raises HealthRecordNotFound (also for another's)."""
    dependant = db.session.get(Dependant, dependant_id)
    if dependant is None or dependant.user_id != client.id:
        raise HealthRecordNotFound()
    return dependant


def delete_dependant(user: User, *, dependant_id: int) -> None:
    """Raises HealthRecordNotFound, StillReferenced (a booking still under way serves them;
    nothing is written then). Their check-up results go with them; bookings and
    registrations that are over let go of them (``dependant_deleting``)."""
    dependant = get_dependant(user, dependant_id)
    # All or nothing: what the other packages let go of is kept if the deletion is refused.
    with db.session.begin_nested():
        dependant_deleting.send(dependant, user=user)
        ensure_unreferenced(Dependant, [dependant.id])
        db.session.execute(delete(CheckUp).where(CheckUp.dependant_id == dependant.id))
        db.session.delete(dependant)
    db.session.flush()


# -- a family member's check-ups ---------------------------------------------------------


def screening_for_dependant(user: User, dependant: Dependant, *, today: date
                            ) -> Screening | None:
    """A family member's risk flags from their check-ups (values only: no questionnaires
    or lifestyle are kept for them); None for a child under ``ADULT_AGE``, whose values the
    adult thresholds do not fit."""
    if dependant.age_on(today) < ADULT_AGE:
        return None
    checkups = [(c.measured_on, c.readings)
                for c in list_checkups(user, dependant_id=dependant.id)]
    sex = dependant.sex
    return screen(checkups=checkups, questionnaires=[],
                  profile={"sex": sex.value} if sex else {})


def ensure_unreferenced(model: type, ids: Sequence[int], *,
                        tables: Sequence[Table] | None = None) -> None:
    """Raise StillReferenced when a table outside health (by default: any in the metadata)
    still points at one of these rows: a foreign key the database would refuse to break."""
    if not ids:
        return
    target = model.__table__
    for table in db.metadata.sorted_tables if tables is None else tables:
        if table.name.startswith("health_"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table is target:
                found = db.session.execute(
                    select(fk.parent).where(fk.parent.in_(ids)).limit(1)).first()
                if found is not None:
                    raise StillReferenced()


def delete_all_records(user: User) -> None:
    """Every health row the person owns, gone (used by ``sharing.delete_profile``).
    Raises StillReferenced."""
    models = (CheckUp, QuestionnaireResponse, Dependant, HealthProfile)
    for model in models:
        ids = list(db.session.scalars(select(model.id).where(model.user_id == user.id)))
        ensure_unreferenced(model, ids)
    for model in models:
        db.session.execute(delete(model).where(model.user_id == user.id))


# -- recommendations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestions:
    """What the recommendations page and endpoint show."""

    crisis: bool
    advice: tuple[Flag, ...]  #: the need-based next steps (always shown, no sales)
    services: tuple[Recommendation, ...]  #: empty without a candidate source, or in crisis
    has_source: bool
    dependant: Dependant | None = None


def suggest(user: User, *, dependant_id: int | None, now: datetime, language: str
            ) -> Suggestions:
    """Recommendations for the person, or for one of their dependants (by the dependant's
    needs). In crisis, only the crisis path: no services."""
    require_owner(user)
    dependant = get_dependant(user, dependant_id) if dependant_id is not None else None
    own = screening_for(user)
    if own.crisis:
        return Suggestions(True, (), (), candidate_source() is not None, dependant)
    if dependant is None:
        screening, goals = own, frozenset(profile_data(user).get("goals") or [])
    else:
        screening, goals = Screening((), False), frozenset(dependant.needs)
    advice = tuple(sorted(screening.needs().values(), key=lambda f: -f.next_step.weight))
    source = candidate_source()
    if source is None:
        return Suggestions(False, advice, (), False, dependant)
    pool = source(user.id, dependant.id if dependant else None, now)
    ranked = rank(pool.services, RankingContext(
        now=now, screening=screening, goals=goals, language=language,
        budget_left_minor=pool.budget_left_minor))
    return Suggestions(False, advice, tuple(ranked), True, dependant)
