"""Benefit programmes are run by the enterprise's admins; money that arrived outside Stripe
is recorded by a platform admin only."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.models import Enterprise, Membership, User
from core.policy import Action, Rule, is_enterprise_admin_of, platform_admin_only, rule


@rule(Action.MANAGE_BENEFITS, targets=(Enterprise,))
def _manage(_user: User, memberships: Sequence[Membership], enterprise: Enterprise) -> bool:
    return is_enterprise_admin_of(memberships, enterprise.id)


RULES: tuple[Rule, ...] = (_manage, platform_admin_only(Action.RECORD_FUNDING))
