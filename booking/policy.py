"""Who books, and who runs a provider's bookings."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.models import Membership, User
from core.policy import Action, Rule, is_employee_in_park, is_staff_of, provider_of, rule


@rule(Action.BOOK_SERVICE, personal=True)
def _book(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    """An employee of the provider's park, at a verified provider (or its service)."""
    provider = provider_of(target)
    return provider is not None and provider.is_verified and is_employee_in_park(
        memberships, provider.park_id)


@rule(Action.MANAGE_BOOKINGS)
def _manage(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    provider = provider_of(target)
    return provider is not None and is_staff_of(memberships, provider.id)


RULES: tuple[Rule, ...] = (_book, _manage)
