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
    Park,
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
    #: An enterprise admin runs the enterprise's roster and budget programmes.
    MANAGE_BENEFITS = "manage_benefits"
    #: A platform admin records money that arrived outside Stripe (bank transfers).
    RECORD_FUNDING = "record_funding"
    #: The park's committee hides reviews of its providers (with a reason).
    MODERATE_REVIEWS = "moderate_reviews"
    #: An employee keeps their own health profile. Nobody else (not even a platform admin)
    #: ever does: health data is visible to its owner alone.
    MANAGE_OWN_HEALTH = "manage_own_health"
    #: Provider staff read what a client shared with their organisation (the consent itself
    #: is checked by ``health.sharing``). Platform admins are not let through.
    READ_SHARED_HEALTH = "read_shared_health"
    #: Anyone in a provider's park sees it once verified; its own staff always do.
    VIEW_PROVIDER = "view_provider"
    #: A provider's staff (owner or staff) open its dashboard.
    VIEW_PROVIDER_DASHBOARD = "view_provider_dashboard"
    #: A provider owner edits the profile, practitioners, services, credentials and feeds.
    MANAGE_PROVIDER = "manage_provider"
    #: A practitioner's rules, exceptions and busy time: the owner, or the practitioner.
    MANAGE_SCHEDULE = "manage_schedule"
    #: A committee member of the provider's park (or a platform admin) reviews credentials
    #: and verifies providers and practitioners.
    REVIEW_PROVIDERS = "review_providers"
    #: The platform admin keeps the park's holiday calendar (State Council notices).
    MANAGE_HOLIDAYS = "manage_holidays"
    #: An employee books a verified provider of their own park (for themselves or a
    #: dependant) and changes their own bookings. Not platform admins: they have no
    #: employer to book as.
    BOOK_SERVICE = "book_service"
    #: A provider's staff (owner or staff) see its bookings, mark attendance and cancel.
    MANAGE_BOOKINGS = "manage_bookings"
    #: Anyone of a park (any role) sees its published events.
    VIEW_PARK_EVENTS = "view_park_events"
    #: A committee member of the park (or a platform admin) runs its venues, events,
    #: check-in, announcements and reports.
    MANAGE_PARK_EVENTS = "manage_park_events"
    #: An employee of an enterprise in the park registers for its events (and family).
    #: Not platform admins: they have no employer.
    REGISTER_FOR_EVENTS = "register_for_events"
    #: A platform admin searches the audit log (everyone sees the part about themselves).
    VIEW_AUDIT_LOG = "view_audit_log"
    #: An employee of an enterprise in the team's park signs a family-physician agreement,
    #: logs home measurements and writes to the team. Not platform admins (no employer).
    USE_FAMILY_PHYSICIAN = "use_family_physician"
    #: A member of a physician team (provider staff whose practitioner is on the team)
    #: works with the team's agreements. Not platform admins: it reads health data.
    ACT_AS_CARE_TEAM = "act_as_care_team"
    #: Park-wide outcomes (its committee) or one enterprise's (its admins).
    VIEW_CARE_OUTCOMES = "view_care_outcomes"


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


def park_ids_of(user: User | None) -> set[int]:
    """The parks a person belongs to through any of their roles."""
    parks: set[int] = set()
    for m in _memberships(user):
        scope = m.enterprise or m.provider
        park_id = m.park_id if scope is None else scope.park_id
        if park_id is not None:
            parks.add(park_id)
    return parks


def _can_provider_action(memberships: list[Membership], action: Action,
                         target: object | None) -> bool:
    provider = target if isinstance(target, ProviderOrganisation) else getattr(
        target, "provider", None)
    if not isinstance(provider, ProviderOrganisation):
        return action is Action.REVIEW_PROVIDERS and target is None and any(
            m.role is Role.COMMITTEE_MEMBER for m in memberships)
    staff = [m for m in memberships
             if m.role is Role.PROVIDER_STAFF and m.provider_id == provider.id]
    owner = any(m.provider_level is ProviderLevel.OWNER for m in staff)
    if action is Action.VIEW_PROVIDER:
        return bool(staff) or (provider.is_verified and any(
            (m.enterprise or m.provider or m).park_id == provider.park_id
            for m in memberships))
    if action is Action.VIEW_PROVIDER_DASHBOARD:
        return bool(staff)
    if action is Action.MANAGE_PROVIDER:
        return owner
    if action is Action.MANAGE_SCHEDULE:
        user_id = getattr(target, "user_id", None)
        return owner or (bool(staff) and user_id is not None
                         and any(m.user_id == user_id for m in staff))
    if action is Action.REVIEW_PROVIDERS:
        return any(m.role is Role.COMMITTEE_MEMBER and m.park_id == provider.park_id
                   for m in memberships)
    return False


_PROVIDER_ACTIONS = frozenset({Action.VIEW_PROVIDER, Action.VIEW_PROVIDER_DASHBOARD,
                               Action.MANAGE_PROVIDER, Action.MANAGE_SCHEDULE,
                               Action.REVIEW_PROVIDERS})


def can(user: User | None, action: Action, target: object | None = None) -> bool:
    memberships = _memberships(user)
    if not memberships:
        return False
    if action is Action.MANAGE_OWN_ACCOUNT:
        return True
    if action in _HEALTH_ACTIONS:  # before the platform admin's pass: health is personal
        return _can_health(memberships, action, target)
    if action is Action.BOOK_SERVICE:  # before the admin's pass: booking needs an employer
        return _can_book(memberships, target)
    if action is Action.REGISTER_FOR_EVENTS:  # the same: registering needs an employer
        return _can_park(user, memberships, action, target)
    if action in _CARE_PERSONAL_ACTIONS:  # before the admin's pass: health data
        return _can_care(memberships, action, target)
    if is_platform_admin(user):
        return True
    if action is Action.MODERATE_REVIEWS and isinstance(target, ProviderOrganisation):
        return any(m.role is Role.COMMITTEE_MEMBER and m.park_id == target.park_id
                   for m in memberships)
    if action is Action.MANAGE_BENEFITS and isinstance(target, Enterprise):
        return any(m.role is Role.ENTERPRISE_ADMIN and m.enterprise_id == target.id
                   for m in memberships)
    if action is Action.MANAGE_ENTERPRISE_INVITATIONS and isinstance(target, Enterprise):
        return any(m.role is Role.ENTERPRISE_ADMIN and m.enterprise_id == target.id
                   for m in memberships)
    if action is Action.MANAGE_PROVIDER_STAFF and isinstance(target, ProviderOrganisation):
        return any(m.role is Role.PROVIDER_STAFF and m.provider_id == target.id
                   and m.provider_level is ProviderLevel.OWNER for m in memberships)
    if action in _PROVIDER_ACTIONS:
        return _can_provider_action(memberships, action, target)
    if action is Action.MANAGE_BOOKINGS:
        return _can_manage_bookings(memberships, target)
    if action in _PARK_ACTIONS:
        return _can_park(user, memberships, action, target)
    if action is Action.VIEW_CARE_OUTCOMES:
        return _can_view_outcomes(memberships, target)
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
    provider = getattr(target, "provider", None)
    if isinstance(provider, ProviderOrganisation) and not belongs_to_provider(user, provider):
        raise NotFound()
    park = _park_of(target)
    if action in _PARK_ACTIONS and park is not None and not is_platform_admin(user) \
            and park.id not in park_ids_of(user):
        raise NotFound()
    raise Forbidden()


# -- health (issue 4) ----------------------------------------------------------------------

_HEALTH_ACTIONS = frozenset({Action.MANAGE_OWN_HEALTH, Action.READ_SHARED_HEALTH})


def _can_health(memberships: list[Membership], action: Action, target: object | None) -> bool:
    if action is Action.MANAGE_OWN_HEALTH:
        return any(m.role is Role.EMPLOYEE for m in memberships)
    if action is Action.READ_SHARED_HEALTH and isinstance(target, ProviderOrganisation):
        return any(m.role is Role.PROVIDER_STAFF and m.provider_id == target.id
                   for m in memberships)
    return False


# -- booking (issue 6) -----------------------------------------------------------------------


def _can_book(memberships: list[Membership], target: object | None) -> bool:
    provider = target if isinstance(target, ProviderOrganisation) else getattr(
        target, "provider", None)
    if not isinstance(provider, ProviderOrganisation) or not provider.is_verified:
        return False
    return any(m.role is Role.EMPLOYEE and m.enterprise is not None
               and m.enterprise.park_id == provider.park_id for m in memberships)


def _can_manage_bookings(memberships: list[Membership], target: object | None) -> bool:
    provider = target if isinstance(target, ProviderOrganisation) else getattr(
        target, "provider", None)
    return isinstance(provider, ProviderOrganisation) and any(
        m.role is Role.PROVIDER_STAFF and m.provider_id == provider.id for m in memberships)


# -- park events (issue 8) -------------------------------------------------------------------

_PARK_ACTIONS = frozenset({Action.VIEW_PARK_EVENTS, Action.MANAGE_PARK_EVENTS,
                           Action.REGISTER_FOR_EVENTS})


def _park_of(target: object | None) -> Park | None:
    """The park of a target: a park itself, or anything with a ``park`` (events, venues)."""
    if isinstance(target, Park):
        return target
    park = getattr(target, "park", None)
    return park if isinstance(park, Park) else None


def _can_park(user: User | None, memberships: list[Membership], action: Action,
              target: object | None) -> bool:
    park = _park_of(target)
    if park is None:
        return False
    if action is Action.VIEW_PARK_EVENTS:
        return park.id in park_ids_of(user)
    if action is Action.MANAGE_PARK_EVENTS:
        return any(m.role is Role.COMMITTEE_MEMBER and m.park_id == park.id
                   for m in memberships)
    if action is Action.REGISTER_FOR_EVENTS:
        return any(m.role is Role.EMPLOYEE and m.enterprise is not None
                   and m.enterprise.park_id == park.id for m in memberships)
    return False


# -- family health physicians (issue 12) -----------------------------------------------------

_CARE_PERSONAL_ACTIONS = frozenset({Action.USE_FAMILY_PHYSICIAN, Action.ACT_AS_CARE_TEAM})


def _can_care(memberships: list[Membership], action: Action, target: object | None) -> bool:
    """``target``: a physician team or an agreement (anything with ``provider`` and
    ``member_user_ids``); for the employee, a team or a provider."""
    provider = target if isinstance(target, ProviderOrganisation) else getattr(
        target, "provider", None)
    if not isinstance(provider, ProviderOrganisation):
        return False
    if action is Action.USE_FAMILY_PHYSICIAN:
        return provider.is_verified and any(
            m.role is Role.EMPLOYEE and m.enterprise is not None
            and m.enterprise.park_id == provider.park_id for m in memberships)
    members = getattr(target, "member_user_ids", None)
    return any(m.role is Role.PROVIDER_STAFF and m.provider_id == provider.id
               and (members is None or m.user_id in members) for m in memberships)


def _can_view_outcomes(memberships: list[Membership], target: object | None) -> bool:
    if isinstance(target, Park):
        return any(m.role is Role.COMMITTEE_MEMBER and m.park_id == target.id
                   for m in memberships)
    if isinstance(target, Enterprise):
        return any(m.role is Role.ENTERPRISE_ADMIN and m.enterprise_id == target.id
                   for m in memberships)
    return False
