"""Park events: everyone of the park sees them, its committee runs them, its employees
register. A park one does not belong to is not found."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.models import Membership, User
from core.policy import (
    Action,
    Rule,
    is_committee_of,
    is_employee_in_park,
    park_ids_of,
    park_of,
    rule,
)


@rule(Action.VIEW_PARK_EVENTS, park_scoped=True)
def _view(user: User, _memberships: Sequence[Membership], target: object) -> bool:
    park = park_of(target)
    return park is not None and park.id in park_ids_of(user)


@rule(Action.MANAGE_PARK_EVENTS, park_scoped=True)
def _manage(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    park = park_of(target)
    return park is not None and is_committee_of(memberships, park.id)


@rule(Action.REGISTER_FOR_EVENTS, personal=True, park_scoped=True)
def _register(_user: User, memberships: Sequence[Membership], target: object) -> bool:
    park = park_of(target)
    return park is not None and is_employee_in_park(memberships, park.id)


RULES: tuple[Rule, ...] = (_view, _manage, _register)
