"""Use-cases for providers: profiles, practitioners, services, availability rules and date
exceptions, verification. Plain functions with keyword-only arguments; they take the actor
and ``now``, check the policy, and never touch the request. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select

from core.accounts.models import ProviderOrganisation, ProviderStatus, Role, User
from core.api.validation import invalid_input_from
from core.bounds import MAX_ID
from core.clock import utcnow
from core.db import db
from core.errors import InvalidInput
from core.policy import Action, require
from providers import schedule
from providers.errors import (
    DurationDoesNotFit,
    InvalidRule,
    InvalidService,
    PractitionerNameTaken,
    RulesOverlap,
    UnknownTimezone,
)
from providers.models import (
    HEALTH_NEED_LABELS,
    LANGUAGE_LABELS,
    AvailabilityRule,
    ExceptionKind,
    Practitioner,
    ProviderCategoryLink,
    ProviderProfile,
    ScheduleException,
    Service,
    ServicePractitioner,
    VerificationStatus,
)
from providers.queries import EARLIEST_YEAR, LATEST_YEAR
from providers.schemas import (
    DETAILS_BY_CATEGORY,
    ExceptionData,
    PractitionerData,
    ProfileData,
    RuleData,
    ServiceData,
)
from providers.signals import listing_withdrawn

M = TypeVar("M", bound=BaseModel)

#: How far ahead two rules are compared for overlap (every weekly pattern repeats within it).
OVERLAP_LOOKAHEAD_DAYS = 371


def validate(model: type[M], data: Mapping[str, object]) -> M:
    """``data`` as ``model``, or InvalidInput with translated per-field messages."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid_input_from(exc) from exc


def check_timezone(name: str | None, *, default: str, field: str = "timezone") -> str:
    """A known IANA zone name (``default`` when none is given). Raises UnknownTimezone."""
    name = (name or default).strip()
    try:
        schedule.zone(name)
    except KeyError as exc:
        raise UnknownTimezone(fields={field: _("This time zone is unknown.")}) from exc
    return name


def _check_codes(values: list[str], known: Mapping[str, object], field: str) -> list[str]:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise InvalidInput(fields={field: _("Unknown values: %(values)s",
                                            values=", ".join(unknown))})
    return list(dict.fromkeys(values))


# -- profile ---------------------------------------------------------------------------


def profile_of(provider: ProviderOrganisation, *, now: datetime) -> ProviderProfile:
    """The provider's profile, created empty the first time it is asked for."""
    profile = db.session.get(ProviderProfile, provider.id)
    if profile is None:
        profile = ProviderProfile(provider_id=provider.id, provider=provider, venues=[],
                                  languages=[], photo_urls=[], description_zh="",
                                  description_en="", address_zh="", address_en="",
                                  updated_at=now)
        db.session.add(profile)
        db.session.flush()
    return profile


def update_profile(provider: ProviderOrganisation, data: ProfileData, *, actor: User,
                   now: datetime) -> ProviderProfile:
    """Replace the profile and the categories. Raises NotFound, Forbidden, InvalidInput."""
    require(actor, Action.MANAGE_PROVIDER, provider)
    profile = profile_of(provider, now=now)
    languages = _check_codes(data.languages, LANGUAGE_LABELS, "languages")
    profile.description_zh, profile.description_en = data.description_zh, data.description_en
    profile.venues = [v.value for v in dict.fromkeys(data.venues)]
    profile.address_zh, profile.address_en = data.address_zh, data.address_en
    profile.languages = languages
    profile.photo_urls = [str(url) for url in data.photo_urls]
    profile.updated_at = now
    wanted = set(data.categories)
    db.session.execute(delete(ProviderCategoryLink).where(
        ProviderCategoryLink.provider_id == provider.id,
        ProviderCategoryLink.category.not_in(wanted)))
    have = set(db.session.scalars(select(ProviderCategoryLink.category).where(
        ProviderCategoryLink.provider_id == provider.id)))
    for category in sorted(wanted - have):
        db.session.add(ProviderCategoryLink(provider_id=provider.id, category=category))
    db.session.flush()
    return profile


# -- practitioners ---------------------------------------------------------------------


def _check_practitioner_user(provider: ProviderOrganisation, user_id: int | None) -> None:
    if user_id is None:
        return
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None or not any(m.role is Role.PROVIDER_STAFF and m.provider_id == provider.id
                               for m in user.active_memberships):
        raise InvalidInput(fields={"user_id": _("Choose a member of this provider's staff.")})


def _name_taken(provider: ProviderOrganisation, name_en: str, *, but: int | None) -> bool:
    statement = select(Practitioner.id).where(Practitioner.provider_id == provider.id,
                                              Practitioner.name_en == name_en)
    if but is not None:
        statement = statement.where(Practitioner.id != but)
    return db.session.scalar(statement) is not None


def add_practitioner(provider: ProviderOrganisation, data: PractitionerData, *, actor: User,
                     now: datetime) -> Practitioner:
    """Add a practitioner, awaiting verification. Raises NotFound, Forbidden, InvalidInput,
    PractitionerNameTaken."""
    require(actor, Action.MANAGE_PROVIDER, provider)
    _check_practitioner_user(provider, data.user_id)
    if _name_taken(provider, data.name_en, but=None):
        raise PractitionerNameTaken(fields={"name_en": _("This name is already used.")})
    practitioner = Practitioner(provider=provider, created_at=now,
                                status=VerificationStatus.PENDING, is_active=True)
    _apply_practitioner(practitioner, data)
    db.session.add(practitioner)
    db.session.flush()
    return practitioner


def update_practitioner(practitioner: Practitioner, data: PractitionerData, *,
                        actor: User) -> Practitioner:
    """Raises NotFound, Forbidden, InvalidInput, PractitionerNameTaken."""
    require(actor, Action.MANAGE_PROVIDER, practitioner.provider)
    _check_practitioner_user(practitioner.provider, data.user_id)
    if _name_taken(practitioner.provider, data.name_en, but=practitioner.id):
        raise PractitionerNameTaken(fields={"name_en": _("This name is already used.")})
    _apply_practitioner(practitioner, data)
    db.session.flush()
    return practitioner


def _apply_practitioner(practitioner: Practitioner, data: PractitionerData) -> None:
    practitioner.name_zh, practitioner.name_en = data.name_zh, data.name_en
    practitioner.title_zh, practitioner.title_en = data.title_zh, data.title_en
    practitioner.bio_zh, practitioner.bio_en = data.bio_zh, data.bio_en
    practitioner.languages = _check_codes(data.languages, LANGUAGE_LABELS, "languages")
    practitioner.observes_public_holidays = data.observes_public_holidays
    practitioner.user_id = data.user_id


# -- services --------------------------------------------------------------------------


def create_service(provider: ProviderOrganisation, data: ServiceData, *, actor: User,
                   now: datetime) -> Service:
    """Raises NotFound, Forbidden, InvalidService, DurationDoesNotFit."""
    require(actor, Action.MANAGE_PROVIDER, provider)
    service = Service(provider=provider, created_at=now, currency=provider.park.currency)
    _apply_service(service, provider, data, now=now)
    db.session.add(service)
    db.session.flush()
    return service


def update_service(service: Service, data: ServiceData, *, actor: User,
                   now: datetime) -> Service:
    """Raises NotFound, Forbidden, InvalidService, DurationDoesNotFit."""
    require(actor, Action.MANAGE_PROVIDER, service.provider)
    was_offered = service.is_active
    _apply_service(service, service.provider, data, now=now)
    if was_offered and not service.is_active:
        db.session.flush()
        listing_withdrawn.send(service, practitioner_ids=(), service_ids=(service.id,),
                               provider_ids=(), now=now, reason="service_withdrawn")
    db.session.flush()
    return service


def _service_details(data: ServiceData) -> dict:
    model = DETAILS_BY_CATEGORY.get(data.category)
    if model is None:
        if data.details:
            raise InvalidService(fields={"details": _(
                "This category has no specific details.")})
        return {}
    try:
        details = model.model_validate(data.details)
    except ValidationError as exc:
        inner = invalid_input_from(exc).fields
        raise InvalidService(fields={f"details.{k}": v for k, v in inner.items()}) from exc
    return details.model_dump(mode="json")


def _apply_service(service: Service, provider: ProviderOrganisation, data: ServiceData, *,
                   now: datetime) -> None:
    fields: dict[str, str] = {}
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        fields["max_age"] = _("The highest age must not be below the lowest.")
    details = _service_details(data)
    if data.category is not None and "deposit_minor" in details \
            and details["deposit_minor"] > data.price_minor:
        fields["details.deposit_minor"] = _("The deposit cannot be more than the price.")
    if data.category.value == "travel_wellness" and details and details["seats"] < data.capacity:
        fields["capacity"] = _("A trip cannot take more people than it has seats.")
    practitioners = []
    if data.practitioner_ids:
        practitioners = list(db.session.scalars(select(Practitioner).where(
            Practitioner.id.in_(data.practitioner_ids),
            Practitioner.provider_id == provider.id)))
        if len(practitioners) != len(set(data.practitioner_ids)):
            fields["practitioner_ids"] = _("Choose practitioners of this provider.")
    if fields:
        raise InvalidService(fields=fields)
    health_needs = _check_codes(data.health_needs, HEALTH_NEED_LABELS, "health_needs")
    for p in practitioners:
        _check_fits(p, block_minutes=data.buffer_before_minutes + data.duration_minutes
                    + data.buffer_after_minutes)
    for name in ("category", "delivery_mode", "title_zh", "title_en", "description_zh",
                 "description_en", "duration_minutes", "buffer_before_minutes",
                 "buffer_after_minutes", "capacity", "price_minor", "free_cancel_hours",
                 "late_cancel_fee_percent", "min_notice_minutes", "horizon_days", "min_age",
                 "max_age", "allows_dependants", "sex", "screening_questionnaire", "is_active"):
        setattr(service, name, getattr(data, name))
    service.health_needs = health_needs
    service.contraindications = list(dict.fromkeys(c.strip() for c in data.contraindications
                                                   if c.strip()))
    service.details = details
    service.practitioners = sorted(practitioners, key=lambda p: p.id)
    service.updated_at = now


def _check_fits(practitioner: Practitioner, *, block_minutes: int) -> None:
    """A service must fit in at least one of the practitioner's rules (when they have any)."""
    rules = db.session.scalars(select(AvailabilityRule).where(
        AvailabilityRule.practitioner_id == practitioner.id)).all()
    if rules and all(_rule_minutes(r) < block_minutes for r in rules):
        raise DurationDoesNotFit(fields={"duration_minutes": _(
            "This service (%(minutes)s minutes with buffers) is longer than every working "
            "window of %(name)s.", minutes=block_minutes, name=practitioner.name_en)})


def _rule_minutes(rule: AvailabilityRule) -> int:
    return (rule.end_time.hour * 60 + rule.end_time.minute
            - rule.start_time.hour * 60 - rule.start_time.minute)


def practitioner_services(practitioner: Practitioner) -> list[Service]:
    return list(db.session.scalars(
        select(Service).join(ServicePractitioner, ServicePractitioner.service_id == Service.id)
        .where(ServicePractitioner.practitioner_id == practitioner.id)
        .order_by(Service.id)))


# -- availability rules ----------------------------------------------------------------

def _rule_message(key: str) -> str:
    # gettext needs literal msgids to extract them, so each message is spelled out here.
    messages = {
        "too_long": _("The rule is too long."),
        "malformed": _("Write the rule as KEY=VALUE pairs separated by semicolons."),
        "unsupported_part": _("Only FREQ, INTERVAL, BYDAY, UNTIL, COUNT and WKST are "
                              "supported."),
        "freq": _("FREQ must be WEEKLY or DAILY."),
        "interval": _("INTERVAL must be a whole number from 1 to 52."),
        "byday": _("BYDAY takes MO, TU, WE, TH, FR, SA, SU separated by commas."),
        "until": _("UNTIL must be a date such as 20261231."),
        "count": _("COUNT must be a whole number from 1 to 1000."),
        "until_and_count": _("Give UNTIL or COUNT, not both."),
    }
    return messages.get(key, _("This availability rule is not valid."))


def _engine_rule(rule: AvailabilityRule | RuleData, timezone: str) -> schedule.Rule:
    return schedule.Rule(rrule=rule.rrule, starts_on=rule.starts_on,
                         start_time=rule.start_time, end_time=rule.end_time, timezone=timezone)


def add_rule(practitioner: Practitioner, data: RuleData, *, actor: User,
             now: datetime) -> AvailabilityRule:
    """Add weekly working hours. Raises NotFound, Forbidden, InvalidRule, UnknownTimezone,
    RulesOverlap, DurationDoesNotFit."""
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    timezone = check_timezone(data.timezone, default=practitioner.provider.park.timezone)
    try:
        parsed = schedule.parse_rrule(data.rrule)
    except schedule.RuleSyntaxError as exc:
        raise InvalidRule(fields={"rrule": _rule_message(str(exc))}) from exc
    if data.start_time.tzinfo or data.end_time.tzinfo:
        raise InvalidRule(fields={"start_time": _(
            "Give wall-clock times without an offset; the time zone says where.")})
    if not EARLIEST_YEAR <= data.starts_on.year <= LATEST_YEAR:
        raise InvalidRule(fields={"starts_on": _("Choose a date between 2000 and 2100.")})
    if data.end_time <= data.start_time:
        raise InvalidRule(fields={"end_time": _("The rule must end after it starts.")})
    if parsed.until is not None and parsed.until < data.starts_on:
        raise InvalidRule(fields={"rrule": _("The rule ends (UNTIL) before it starts.")})
    if data.start_time.second or data.end_time.second:
        raise InvalidRule(fields={"start_time": _("Give times in whole minutes.")})
    new = _engine_rule(data, timezone)
    if not new.dates(data.starts_on, data.starts_on + timedelta(days=OVERLAP_LOOKAHEAD_DAYS)):
        raise InvalidRule(fields={"rrule": _("This rule never gives any hours.")})
    for service in practitioner_services(practitioner):
        if service.block_minutes > new.minutes:
            raise DurationDoesNotFit(fields={"end_time": _(
                "%(service)s takes %(minutes)s minutes with buffers and does not fit in "
                "this window.", service=service.title_en, minutes=service.block_minutes)})
    for other in db.session.scalars(select(AvailabilityRule).where(
            AvailabilityRule.practitioner_id == practitioner.id)):
        if rules_overlap(new, _engine_rule(other, other.timezone)):
            raise RulesOverlap(fields={"rrule": _(
                "It overlaps the rule %(rule)s from %(start)s to %(end)s.", rule=other.rrule,
                start=other.start_time.strftime("%H:%M"),
                end=other.end_time.strftime("%H:%M"))})
    rule = AvailabilityRule(practitioner=practitioner, rrule=data.rrule.strip().upper(),
                            starts_on=data.starts_on, start_time=data.start_time,
                            end_time=data.end_time, timezone=timezone, created_at=now)
    db.session.add(rule)
    db.session.flush()
    return rule


def rules_overlap(a: schedule.Rule, b: schedule.Rule) -> bool:
    """Whether two rules ever give overlapping hours on the same day (compared in UTC over
    a year from the later start)."""
    first = max(a.starts_on, b.starts_on)
    last = first + timedelta(days=OVERLAP_LOOKAHEAD_DAYS)
    days_a, days_b = set(a.dates(first, last)), set(b.dates(first, last))
    zone_a, zone_b = schedule.zone(a.timezone), schedule.zone(b.timezone)
    for day in days_a:
        for other_day in (day - timedelta(days=1), day, day + timedelta(days=1)):
            if other_day not in days_b:
                continue
            a_start = datetime.combine(day, a.start_time, tzinfo=zone_a)
            a_end = datetime.combine(day, a.end_time, tzinfo=zone_a)
            b_start = datetime.combine(other_day, b.start_time, tzinfo=zone_b)
            b_end = datetime.combine(other_day, b.end_time, tzinfo=zone_b)
            if a_start < b_end and b_start < a_end:
                return True
    return False


def delete_rule(rule: AvailabilityRule, *, actor: User) -> None:
    """Raises NotFound, Forbidden."""
    require(actor, Action.MANAGE_SCHEDULE, rule.practitioner)
    db.session.delete(rule)
    db.session.flush()


# -- date exceptions -------------------------------------------------------------------


def add_exception(practitioner: Practitioner, data: ExceptionData, *, actor: User,
                  now: datetime) -> ScheduleException:
    """Time off (the whole day, or between two times) or extra hours on a date.
    Raises NotFound, Forbidden, InvalidInput, UnknownTimezone."""
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    timezone = check_timezone(data.timezone, default=practitioner.provider.park.timezone)
    start, end = data.start_time, data.end_time
    if (start and start.tzinfo) or (end and end.tzinfo):
        raise InvalidInput(fields={"start_time": _(
            "Give wall-clock times without an offset; the time zone says where.")})
    if not EARLIEST_YEAR <= data.happens_on.year <= LATEST_YEAR:
        raise InvalidInput(fields={"happens_on": _("Choose a date between 2000 and 2100.")})
    if (start is None) != (end is None):
        raise InvalidInput(fields={"end_time": _("Give both times, or neither.")})
    if data.kind is ExceptionKind.EXTRA and start is None:
        raise InvalidInput(fields={"start_time": _("Extra hours need a start and an end.")})
    if start is not None and end is not None and end <= start:
        raise InvalidInput(fields={"end_time": _("The end must be after the start.")})
    exception = ScheduleException(
        practitioner=practitioner, kind=data.kind, happens_on=data.happens_on,
        start_time=start, end_time=end, timezone=timezone, note=data.note, sequence=0,
        created_at=now, updated_at=now)
    db.session.add(exception)
    db.session.flush()
    return exception


def cancel_exception(exception: ScheduleException, *, actor: User, now: datetime) -> None:
    """Withdraw an exception (kept, with SEQUENCE raised, so that feeds can cancel it).
    Raises NotFound, Forbidden."""
    require(actor, Action.MANAGE_SCHEDULE, exception.practitioner)
    if exception.cancelled_at is None:
        exception.cancelled_at = now
        exception.sequence += 1
        exception.updated_at = now
        db.session.flush()


# -- verification ----------------------------------------------------------------------


def set_provider_status(provider: ProviderOrganisation, status: ProviderStatus, *,
                        actor: User, now: datetime | None = None) -> None:
    """Verify or suspend a provider; suspending withdraws its listing (its bookings still to
    come are cancelled: ``listing_withdrawn``). Raises NotFound, Forbidden."""
    require(actor, Action.REVIEW_PROVIDERS, provider)
    was_listed = provider.is_verified
    provider.status = status
    db.session.flush()
    if was_listed and not provider.is_verified:
        listing_withdrawn.send(provider, practitioner_ids=(), service_ids=(),
                               provider_ids=(provider.id,), now=now or utcnow(),
                               reason="provider_suspended")


def set_practitioner_status(practitioner: Practitioner, status: VerificationStatus, *,
                            actor: User, now: datetime | None = None) -> None:
    """Verify or suspend a practitioner; suspending withdraws their listing (their bookings
    still to come are cancelled: ``listing_withdrawn``). Raises NotFound, Forbidden."""
    require(actor, Action.REVIEW_PROVIDERS, practitioner.provider)
    was_listed = practitioner.is_listed
    practitioner.status = status
    db.session.flush()
    if was_listed and not practitioner.is_listed:
        listing_withdrawn.send(practitioner, practitioner_ids=(practitioner.id,),
                               service_ids=(), provider_ids=(), now=now or utcnow(),
                               reason="practitioner_suspended")
