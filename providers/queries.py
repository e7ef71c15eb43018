"""Reads: which providers, practitioners and services a person may see, and slots."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload

from core import freshness
from core.accounts import counters
from core.accounts.models import ProviderOrganisation, ProviderStatus, User
from core.bounds import MAX_ID
from core.copies import remembered_copy
from core.db import db
from core.policy import Action, can, is_platform_admin, park_ids_of, require
from providers import slots as slot_engine
from providers.errors import (
    InvalidWindow,
    PractitionerNotFound,
    ProviderNotFound,
    ServiceNotFound,
)
from providers.models import (
    AvailabilityRule,
    Credential,
    Practitioner,
    ProviderCategory,
    ProviderCategoryLink,
    ProviderProfile,
    ScheduleException,
    Service,
    ServicePractitioner,
    VerificationStatus,
)
from providers.schedule import Slot, zone

T = TypeVar("T")
MAX_WINDOW_DAYS = 62
#: Windows, rules and exceptions must fall within these years (date arithmetic near the
#: ends of the calendar would overflow).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def row_by_id(model: type[T], row_id: int, *options) -> T | None:
    return db.session.get(model, row_id, options=options) if 0 < row_id <= MAX_ID else None


def listed_providers(user: User | None, *,
                     category: ProviderCategory | None = None) -> Select:
    """Verified providers in the parks the person belongs to (all parks for platform
    admins), by name."""
    statement = select(ProviderOrganisation).where(
        ProviderOrganisation.status == ProviderStatus.VERIFIED)
    if not is_platform_admin(user):
        statement = statement.where(ProviderOrganisation.park_id.in_(park_ids_of(user)))
    if category is not None:
        statement = statement.where(exists().where(
            ProviderCategoryLink.provider_id == ProviderOrganisation.id,
            ProviderCategoryLink.category == category))
    return statement.order_by(ProviderOrganisation.name_en, ProviderOrganisation.id)


def get_provider(provider_id: int) -> ProviderOrganisation:
    provider = row_by_id(ProviderOrganisation, provider_id)
    if provider is None:
        raise ProviderNotFound()
    return provider


def provider_for(user: User | None, provider_id: int, action: Action) -> ProviderOrganisation:
    """The provider, if ``user`` may do ``action`` on it. Raises NotFound, Forbidden."""
    provider = get_provider(provider_id)
    require(user, action, provider)
    return provider


def categories_of(provider: ProviderOrganisation) -> list[ProviderCategory]:
    return sorted(db.session.scalars(select(ProviderCategoryLink.category).where(
        ProviderCategoryLink.provider_id == provider.id)))


def profile_or_none(provider: ProviderOrganisation) -> ProviderProfile | None:
    return db.session.get(ProviderProfile, provider.id)


def practitioners_of(provider: ProviderOrganisation, *, listed_only: bool) -> list[Practitioner]:
    statement = select(Practitioner).where(Practitioner.provider_id == provider.id)
    if listed_only:
        statement = statement.where(Practitioner.is_active.is_(True),
                                    Practitioner.status == VerificationStatus.VERIFIED)
    return list(db.session.scalars(statement.order_by(Practitioner.id)))


def services_of(provider: ProviderOrganisation, *, listed_only: bool) -> list[Service]:
    statement = select(Service).where(Service.provider_id == provider.id)
    if listed_only:
        statement = statement.where(Service.is_active.is_(True))
    return list(db.session.scalars(statement.order_by(Service.id)))


def sees_everything_of(user: User | None, provider: ProviderOrganisation) -> bool:
    """Its own staff, its park's committee and platform admins see unlisted things too."""
    return can(user, Action.VIEW_PROVIDER_DASHBOARD, provider) or can(
        user, Action.REVIEW_PROVIDERS, provider)


def get_practitioner(practitioner_id: int) -> Practitioner:
    practitioner = row_by_id(Practitioner, practitioner_id)
    if practitioner is None:
        raise PractitionerNotFound()
    return practitioner


def practitioner_for(user: User | None, practitioner_id: int,
                     action: Action) -> Practitioner:
    practitioner = get_practitioner(practitioner_id)
    require(user, action, practitioner)
    return practitioner


def service_for(user: User | None, service_id: int, action: Action, *,
                with_practitioners: bool = False) -> Service:
    """The service, if ``user`` may do ``action`` on its provider (unlisted services only
    for those who see everything of it), with its provider and park (and practitioners when
    asked) read in the same round trips rather than one lazy load each. Raises NotFound,
    Forbidden.

    With its practitioners (a slot page, a booking: read far more than written), the
    service is remembered per process while the catalogue and the organisations stay
    (``core.freshness``), so that a known one costs no statement."""
    service = (_remembered_service(service_id) if with_practitioners
               else row_by_id(Service, service_id, *_SERVICE_GRAPH[:1]))
    if service is None:
        raise ServiceNotFound()
    require(user, action, service.provider)
    if action is Action.VIEW_PROVIDER and not service.is_active and not sees_everything_of(
            user, service.provider):
        raise ServiceNotFound()
    return service


#: How a service is read with what its callers use of it: its provider and park, then its
#: practitioners.
_SERVICE_GRAPH = (joinedload(Service.provider).joinedload(ProviderOrganisation.park),
                  joinedload(Service.practitioners))
#: Services (with provider, park and practitioners) remembered per process.
SERVICES_SIZE = 1024


def _remembered_service(service_id: int) -> Service | None:
    if not 0 < service_id <= MAX_ID:
        return None
    return remembered_copy(
        "providers.services", SERVICES_SIZE, service_id,
        [freshness.CATALOGUE, counters.ORGANISATIONS],
        lambda session: session.get(Service, service_id, options=_SERVICE_GRAPH))


def rule_for(user: User | None, rule_id: int) -> AvailabilityRule:
    rule = row_by_id(AvailabilityRule, rule_id)
    if rule is None:
        raise ProviderNotFound()
    require(user, Action.MANAGE_SCHEDULE, rule.practitioner)
    return rule


def exception_for(user: User | None, exception_id: int) -> ScheduleException:
    exception = row_by_id(ScheduleException, exception_id)
    if exception is None:
        raise ProviderNotFound()
    require(user, Action.MANAGE_SCHEDULE, exception.practitioner)
    return exception


def rules_of(practitioner: Practitioner) -> list[AvailabilityRule]:
    return list(db.session.scalars(select(AvailabilityRule).where(
        AvailabilityRule.practitioner_id == practitioner.id).order_by(
        AvailabilityRule.starts_on, AvailabilityRule.start_time, AvailabilityRule.id)))


def exceptions_of(practitioner: Practitioner, *, since: datetime | None = None,
                  include_cancelled: bool = False) -> list[ScheduleException]:
    statement = select(ScheduleException).where(
        ScheduleException.practitioner_id == practitioner.id)
    if since is not None:
        statement = statement.where(ScheduleException.happens_on >= since.date())
    if not include_cancelled:
        statement = statement.where(ScheduleException.cancelled_at.is_(None))
    return list(db.session.scalars(statement.order_by(ScheduleException.happens_on,
                                                      ScheduleException.id)))


def credentials_of(provider: ProviderOrganisation) -> list[Credential]:
    return list(db.session.scalars(select(Credential).where(
        Credential.provider_id == provider.id).order_by(Credential.id)))


def check_window(start: datetime, end: datetime, *, timezone: str) -> tuple[datetime, datetime]:
    """The window as aware values (naive ones are read in ``timezone``). Raises
    InvalidWindow."""
    tz = zone(timezone)
    start = start if start.tzinfo else start.replace(tzinfo=tz)
    end = end if end.tzinfo else end.replace(tzinfo=tz)
    if (end <= start or end - start > timedelta(days=MAX_WINDOW_DAYS)
            or not EARLIEST_YEAR <= start.year <= LATEST_YEAR
            or not EARLIEST_YEAR <= end.year <= LATEST_YEAR):
        raise InvalidWindow()
    return start, end


def _listed_practitioners(service: Service) -> list[Practitioner]:
    """Who can be booked for the service: none while it or its provider is not bookable."""
    if not service.is_active or not service.provider.is_verified:
        return []
    return [p for p in service.practitioners if p.is_listed]


def slots_for(service: Service, *, start: datetime, end: datetime, now: datetime):
    """Bookable slots of a service, by listed practitioners, within the window."""
    return slot_engine.remembered_slots(service, _listed_practitioners(service), start=start,
                                        end=end, now=now)


def rendered_slots_for(service: Service, *, start: datetime, end: datetime, now: datetime,
                       variant: Hashable,
                       render: Callable[[list[tuple[Slot, Practitioner]]], T]) -> T:
    """``render`` of ``slots_for``, remembered while the slots are
    (``providers.slots.rendered_slots``)."""
    return slot_engine.rendered_slots(service, _listed_practitioners(service), start=start,
                                      end=end, now=now, variant=variant, render=render)


def services_of_practitioner(practitioner: Practitioner) -> list[Service]:
    return list(db.session.scalars(
        select(Service).join(ServicePractitioner, ServicePractitioner.service_id == Service.id)
        .where(ServicePractitioner.practitioner_id == practitioner.id).order_by(Service.id)))


def booked_per_week(provider: ProviderOrganisation, *, now: datetime,
                    weeks: int = 8) -> list[tuple[datetime, int]]:
    """Places booked (and held) with the provider's practitioners in each week from this
    one (park time, weeks start on Monday), as the booking package reports them."""
    tz = zone(provider.park.timezone)
    local = now.astimezone(tz)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()),
                              datetime.min.time(), tzinfo=tz)
    ids = [p.id for p in practitioners_of(provider, listed_only=False)]
    counts = [0] * weeks
    for item in slot_engine.occupancy(ids, monday, monday + timedelta(weeks=weeks)):
        started = (item.starts_at or item.busy_from).astimezone(tz)
        index = (started - monday).days // 7
        if 0 <= index < weeks:
            counts[index] += item.seats
    return [(monday + timedelta(weeks=n), count) for n, count in enumerate(counts)]

