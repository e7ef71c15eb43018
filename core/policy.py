"""Who may do what, on which park, enterprise or provider. The one place that decides.

Views, the API and services all ask here (``can``/``require``). Each package declares the
rules for its own actions (``booking/policy.py``, ``park/policy.py``...) and installs them
when the app is made; this module holds the mechanism, the tenant helpers and core's own
rules. An action without a rule is refused to everyone but a platform admin, and a rule for
a target of the wrong type refuses (fail closed).

A refusal on a tenant the actor has nothing to do with is a ``NotFound`` (so that another
tenant's resources do not reveal that they exist); a refusal inside the actor's own tenant,
or on a global action, is ``Forbidden``. A record that belongs to one person (``hidden``
rules: their booking, their check-up) is not found by anyone else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import Flask, current_app

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
    #: The person a record belongs to (its ``client_id`` or ``user_id``): their booking,
    #: series, waitlist place, registration, agreement, family member or token. Nobody else
    #: finds it, not even a platform admin (providers' staff have their own actions).
    OWN_RECORD = "own_record"


#: How a rule decides: the actor, their active memberships (never empty) and the target.
Decide = Callable[[User, Sequence[Membership], Any], bool]


@dataclass(frozen=True)
class Rule:
    """One action's rule, declared by the package that owns the action.

    ``targets``: the types the rule decides on (None: any, including no target); another
    type is refused. ``personal``: decided before the platform admin's pass, for what needs
    an employer or touches one person's health. ``hidden``: a refusal is ``NotFound``, for
    records that belong to one person. ``park_scoped``: a target in a park the actor does
    not belong to is ``NotFound``."""

    action: Action
    decide: Decide
    targets: tuple[type, ...] | None = None
    personal: bool = False
    hidden: bool = False
    park_scoped: bool = False

    def allows(self, user: User, memberships: Sequence[Membership], target: object) -> bool:
        if self.targets is not None and not isinstance(target, self.targets):
            return False
        return self.decide(user, memberships, target)


def rule(action: Action, *, targets: tuple[type, ...] | None = None, personal: bool = False,
         hidden: bool = False, park_scoped: bool = False) -> Callable[[Decide], Rule]:
    """Declare a rule: ``@rule(Action.X, targets=(Booking,))`` over its deciding function."""
    def declare(decide: Decide) -> Rule:
        return Rule(action, decide, targets, personal, hidden, park_scoped)
    return declare


def platform_admin_only(action: Action) -> Rule:
    """An action nobody but a platform admin may take."""
    return Rule(action, lambda _user, _memberships, _target: False)


def install_rules(app: Flask, rules: Iterable[Rule]) -> None:
    """Give the app a package's rules; an action ruled twice is a programming error."""
    installed: dict[Action, Rule] = app.extensions.setdefault("policy_rules", {})
    for one in rules:
        if one.action in installed:
            raise RuntimeError(f"Action {one.action} has two rules")
        installed[one.action] = one


def installed_rules(app: Flask | None = None) -> dict[Action, Rule]:
    rules: dict[Action, Rule] = (app or current_app).extensions.get("policy_rules", {})
    return rules


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


def provider_of(target: object | None) -> ProviderOrganisation | None:
    """The provider of a target: a provider itself, or anything with a ``provider``."""
    provider = target if isinstance(target, ProviderOrganisation) else getattr(
        target, "provider", None)
    return provider if isinstance(provider, ProviderOrganisation) else None


def park_of(target: object | None) -> Park | None:
    """The park of a target: a park itself, or anything with a ``park`` (events, venues)."""
    if isinstance(target, Park):
        return target
    park = getattr(target, "park", None)
    return park if isinstance(park, Park) else None


def is_employee_in_park(memberships: Sequence[Membership], park_id: int) -> bool:
    """An employee of an enterprise in the park: who books, registers and signs there."""
    return any(m.role is Role.EMPLOYEE and m.enterprise is not None
               and m.enterprise.park_id == park_id for m in memberships)


def is_committee_of(memberships: Sequence[Membership], park_id: int) -> bool:
    return any(m.role is Role.COMMITTEE_MEMBER and m.park_id == park_id for m in memberships)


def is_staff_of(memberships: Sequence[Membership], provider_id: int) -> bool:
    return any(m.role is Role.PROVIDER_STAFF and m.provider_id == provider_id
               for m in memberships)


def is_enterprise_admin_of(memberships: Sequence[Membership], enterprise_id: int) -> bool:
    return any(m.role is Role.ENTERPRISE_ADMIN and m.enterprise_id == enterprise_id
               for m in memberships)


def can(user: User | None, action: Action, target: object | None = None) -> bool:
    memberships = _memberships(user)
    if not memberships:
        return False
    assert user is not None  # a person with memberships
    ruling = installed_rules().get(action)
    if ruling is not None and ruling.personal:
        return ruling.allows(user, memberships, target)
    if is_platform_admin(user):
        return True
    return ruling is not None and ruling.allows(user, memberships, target)


def require(user: User | None, action: Action, target: object | None = None) -> None:
    """Raise unless ``user`` may do ``action`` on ``target``.

    Raises NotFound when the target belongs to a tenant the user is not part of (or is
    another person's own record), Forbidden otherwise.
    """
    if can(user, action, target):
        return
    ruling = installed_rules().get(action)
    if ruling is not None and ruling.hidden:
        raise NotFound()
    if isinstance(target, Enterprise) and not belongs_to_enterprise(user, target):
        raise NotFound()
    provider = provider_of(target)
    if provider is not None and not belongs_to_provider(user, provider):
        raise NotFound()
    park = park_of(target)
    if ruling is not None and ruling.park_scoped and park is not None \
            and not is_platform_admin(user) and park.id not in park_ids_of(user):
        raise NotFound()
    raise Forbidden()


# -- core's own rules ------------------------------------------------------------------------

@rule(Action.MANAGE_OWN_ACCOUNT, personal=True)
def _own_account(_user: User, _memberships: Sequence[Membership], _target: object) -> bool:
    return True


@rule(Action.MANAGE_ENTERPRISE_INVITATIONS, targets=(Enterprise,))
def _enterprise_invitations(_user: User, memberships: Sequence[Membership],
                            enterprise: Enterprise) -> bool:
    return is_enterprise_admin_of(memberships, enterprise.id)


@rule(Action.MANAGE_PROVIDER_STAFF, targets=(ProviderOrganisation,))
def _provider_staff(_user: User, memberships: Sequence[Membership],
                    provider: ProviderOrganisation) -> bool:
    return any(m.role is Role.PROVIDER_STAFF and m.provider_id == provider.id
               and m.provider_level is ProviderLevel.OWNER for m in memberships)


@rule(Action.OWN_RECORD, personal=True, hidden=True)
def _own_record(user: User, _memberships: Sequence[Membership], target: object) -> bool:
    owner = getattr(target, "client_id", None)
    if owner is None:
        owner = getattr(target, "user_id", None)
    return owner is not None and owner == user.id


CORE_RULES = (_own_account, _own_record, _enterprise_invitations, _provider_staff,
              platform_admin_only(Action.INVITE_PARTNERS),
              platform_admin_only(Action.VIEW_AUDIT_LOG))


def init_app(app: Flask) -> None:
    install_rules(app, CORE_RULES)
