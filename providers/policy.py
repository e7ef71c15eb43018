"""Who may see and run a provider, its practitioners' schedules and the park's holiday
calendar (the mechanism and the tenant helpers are in ``core.policy``)."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.models import Membership, ProviderLevel, Role, User
from core.policy import (
    Action,
    Rule,
    is_committee_of,
    platform_admin_only,
    provider_of,
    rule,
)


def _staff(memberships: Sequence[Membership], provider_id: int) -> list[Membership]:
    return [m for m in memberships
            if m.role is Role.PROVIDER_STAFF and m.provider_id == provider_id]


@rule(Action.VIEW_PROVIDER)
def _view(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    provider = provider_of(target)
    if provider is None:
        return False
    return bool(_staff(memberships, provider.id)) or (provider.is_verified and any(
        (m.enterprise or m.provider or m).park_id == provider.park_id for m in memberships))


@rule(Action.VIEW_PROVIDER_DASHBOARD)
def _dashboard(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    provider = provider_of(target)
    return provider is not None and bool(_staff(memberships, provider.id))


@rule(Action.MANAGE_PROVIDER)
def _manage(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    provider = provider_of(target)
    return provider is not None and any(
        m.provider_level is ProviderLevel.OWNER for m in _staff(memberships, provider.id))


@rule(Action.MANAGE_SCHEDULE)
def _schedule(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    """The owner, or the practitioner whose schedule it is (``target.user_id``)."""
    provider = provider_of(target)
    if provider is None:
        return False
    staff = _staff(memberships, provider.id)
    user_id = getattr(target, "user_id", None)
    return any(m.provider_level is ProviderLevel.OWNER for m in staff) or (
        bool(staff) and user_id is not None and any(m.user_id == user_id for m in staff))


@rule(Action.REVIEW_PROVIDERS)
def _review(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    """A committee member of the provider's park; with no target, any committee member
    (the queue of their park's providers)."""
    provider = provider_of(target)
    if provider is None:
        return target is None and any(m.role is Role.COMMITTEE_MEMBER for m in memberships)
    return is_committee_of(memberships, provider.park_id)


RULES: tuple[Rule, ...] = (_view, _dashboard, _manage, _schedule, _review,
                           platform_admin_only(Action.MANAGE_HOLIDAYS))
