"""Family physicians: employees of the team's park sign with a verified team, the team's
members work with its agreements (neither passed by a platform admin: health data), and
outcomes are seen park-wide by the committee or per enterprise by its admins."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.models import Enterprise, Membership, Park, Role, User
from core.policy import (
    Action,
    Rule,
    is_committee_of,
    is_employee_in_park,
    is_enterprise_admin_of,
    provider_of,
    rule,
)


@rule(Action.USE_FAMILY_PHYSICIAN, personal=True)
def _use(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    """``target``: a physician team or its provider."""
    provider = provider_of(target)
    return provider is not None and provider.is_verified and is_employee_in_park(
        memberships, provider.park_id)


@rule(Action.ACT_AS_CARE_TEAM, personal=True)
def _act(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    """``target``: a team or an agreement (``provider`` and ``member_user_ids``); with no
    member list, any of the provider's staff."""
    provider = provider_of(target)
    if provider is None:
        return False
    members = getattr(target, "member_user_ids", None)
    return any(m.role is Role.PROVIDER_STAFF and m.provider_id == provider.id
               and (members is None or m.user_id in members) for m in memberships)


@rule(Action.VIEW_CARE_OUTCOMES, targets=(Park, Enterprise))
def _outcomes(_user: User, memberships: Sequence[Membership], target: Park | Enterprise) -> bool:
    if isinstance(target, Park):
        return is_committee_of(memberships, target.id)
    return is_enterprise_admin_of(memberships, target.id)


RULES: tuple[Rule, ...] = (_use, _act, _outcomes)
