"""Reviews of a park's providers are moderated by that park's committee."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.models import Membership, ProviderOrganisation, User
from core.policy import Action, Rule, is_committee_of, rule


@rule(Action.MODERATE_REVIEWS, targets=(ProviderOrganisation,))
def _moderate(_user: User, memberships: Sequence[Membership],
              provider: ProviderOrganisation) -> bool:
    return is_committee_of(memberships, provider.park_id)


RULES: tuple[Rule, ...] = (_moderate,)
