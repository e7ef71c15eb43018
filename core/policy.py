"""Who may do what, on which park, enterprise or provider. The one place that decides.

Views, the API and services all ask here. A refusal on a tenant the actor has nothing to do
with is a ``NotFound`` (so that another tenant's resources do not reveal that they exist);
a refusal inside the actor's own tenant, or on a global action, is ``Forbidden``.
"""

from __future__ import annotations

from enum import StrEnum

from core.accounts.models import (
    Enterprise,
    Membership,
    ProviderLevel,
    ProviderOrganisation,
    Role,
    User,
)
from core.errors import Forbidden, NotFound


class Action(StrEnum):
    #: An enterprise admin invites employees and admins of the same enterprise.
    MANAGE_ENTERPRISE_INVITATIONS = "manage_enterprise_invitations"
    #: A platform admin invites provider owners, committee members and enterprise admins.
    INVITE_PARTNERS = "invite_partners"
    #: A provider owner invites the organisation's staff.
    MANAGE_PROVIDER_STAFF = "manage_provider_staff"
    #: Anyone signed in manages their own settings and API tokens.
    MANAGE_OWN_ACCOUNT = "manage_own_account"


def _memberships(user: User | None) -> list[Membership]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return user.active_memberships


def is_platform_admin(user: User | None) -> bool:
    return any(m.role is Role.PLATFORM_ADMIN for m in _memberships(user))


def belongs_to_enterprise(user: User | None, enterprise: Enterprise) -> bool:
    return is_platform_admin(user) or any(
        m.enterprise_id == enterprise.id for m in _memberships(user))


def belongs_to_provider(user: User | None, provider: ProviderOrganisation) -> bool:
    return is_platform_admin(user) or any(
        m.provider_id == provider.id for m in _memberships(user))


def can(user: User | None, action: Action, target: object | None = None) -> bool:
    memberships = _memberships(user)
    if not memberships:
        return False
    if action is Action.MANAGE_OWN_ACCOUNT:
        return True
    if is_platform_admin(user):
        return True
    if action is Action.MANAGE_ENTERPRISE_INVITATIONS and isinstance(target, Enterprise):
        return any(m.role is Role.ENTERPRISE_ADMIN and m.enterprise_id == target.id
                   for m in memberships)
    if action is Action.MANAGE_PROVIDER_STAFF and isinstance(target, ProviderOrganisation):
        return any(m.role is Role.PROVIDER_STAFF and m.provider_id == target.id
                   and m.provider_level is ProviderLevel.OWNER for m in memberships)
    return False


def require(user: User | None, action: Action, target: object | None = None) -> None:
    """Raise unless ``user`` may do ``action`` on ``target``.

    Raises NotFound when the target belongs to a tenant the user is not part of,
    Forbidden otherwise.
    """
    if can(user, action, target):
        return
    if isinstance(target, Enterprise) and not belongs_to_enterprise(user, target):
        raise NotFound()
    if isinstance(target, ProviderOrganisation) and not belongs_to_provider(user, target):
        raise NotFound()
    raise Forbidden()
