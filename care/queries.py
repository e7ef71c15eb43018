"""Reads with their access checks: the tenants a care page is about."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.accounts.models import Enterprise, Park, ProviderOrganisation, User
from core.db import db
from core.errors import Forbidden, NotFound
from core.policy import Action, can, is_platform_admin, park_ids_of, require


def park_for_outcomes(user: User, park_id: int) -> Park:
    """The park, for its committee (and platform admins). Raises NotFound (another park's
    people, or no such park), Forbidden (someone else of the park)."""
    park = db.session.get(Park, park_id)
    if park is None:
        raise NotFound()
    if can(user, Action.VIEW_CARE_OUTCOMES, park):
        return park
    if not is_platform_admin(user) and park.id not in park_ids_of(user):
        raise NotFound()
    raise Forbidden()


def enterprise_for_outcomes(user: User, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    require(user, Action.VIEW_CARE_OUTCOMES, enterprise)
    return enterprise


def enterprise_for_admin(user: User, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    require(user, Action.MANAGE_BENEFITS, enterprise)
    return enterprise


def provider_for_staff(user: User, provider_id: int) -> ProviderOrganisation:
    provider = db.session.get(ProviderOrganisation, provider_id)
    if provider is None:
        raise NotFound()
    require(user, Action.VIEW_PROVIDER_DASHBOARD, provider)
    return provider


def provider_for_owner(user: User, provider_id: int) -> ProviderOrganisation:
    provider = db.session.get(ProviderOrganisation, provider_id)
    if provider is None:
        raise NotFound()
    require(user, Action.MANAGE_PROVIDER, provider)
    return provider


def year_of(now: datetime, zone: str) -> int:
    return now.astimezone(ZoneInfo(zone)).year
