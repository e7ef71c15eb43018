"""Health data is personal: its owner keeps it; a provider's staff read only what was
shared with their organisation. Neither is passed by a platform admin."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.models import Membership, ProviderOrganisation, Role, User
from core.policy import Action, Rule, is_staff_of, rule


@rule(Action.MANAGE_OWN_HEALTH, personal=True)
def _own_health(_user: User, memberships: Sequence[Membership], _target: object) -> bool:
    return any(m.role is Role.EMPLOYEE for m in memberships)


@rule(Action.READ_SHARED_HEALTH, targets=(ProviderOrganisation,), personal=True)
def _shared_health(_user: User, memberships: Sequence[Membership],
                   provider: ProviderOrganisation) -> bool:
    return is_staff_of(memberships, provider.id)


RULES: tuple[Rule, ...] = (_own_health, _shared_health)
