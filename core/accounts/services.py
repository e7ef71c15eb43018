"""Use-cases for people and tenancy: sign-up, login, invitations, password reset, roles,
language. Plain functions with keyword arguments; they take the actor and ``now`` and never
touch the request. The caller owns the transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from core import security
from core.accounts.errors import (
    AccountInactive,
    InvalidCredentials,
    InvitationForSomeoneElse,
    InvitationInvalid,
    InviteCodeInvalid,
    LoginTaken,
    MembershipNotFound,
    ParkCodeTaken,
    ResetTokenInvalid,
    UnsupportedLocale,
)
from core.accounts.logins import split_login
from core.accounts.models import (
    Enterprise,
    Invitation,
    Membership,
    Park,
    ProviderLevel,
    ProviderOrganisation,
    Role,
    User,
)
from core.accounts.signals import invitation_accepted, signed_up_with_invite_code
from core.config import SUPPORTED_LOCALES
from core.db import db
from core.errors import InvalidInput
from core.mail import send_mail
from core.policy import Action, require

LinkBuilder = Callable[[str], str]


# -- users and logins -------------------------------------------------------------------


def find_user_by_login(login: str) -> User | None:
    email, mobile = split_login(login)
    if email:
        return db.session.scalar(select(User).where(User.email == email))
    return db.session.scalar(select(User).where(User.mobile == mobile))


def _ensure_login_free(email: str | None, mobile: str | None) -> None:
    clauses = []
    if email:
        clauses.append(User.email == email)
    if mobile:
        clauses.append(User.mobile == mobile)
    if clauses and db.session.scalar(select(User.id).where(or_(*clauses))):
        raise LoginTaken()


def create_user(*, login: str, password: str, display_name: str, now: datetime,
                locale: str | None = None) -> User:
    """A new account. Raises InvalidLogin, LoginTaken, UnsupportedLocale."""
    email, mobile = split_login(login)
    _ensure_login_free(email, mobile)
    if locale is not None:
        check_locale(locale)
    user = User(email=email, mobile=mobile, password_hash=security.hash_password(password),
                display_name=display_name.strip(), locale=locale, is_active=True,
                session_version=1, created_at=now)
    db.session.add(user)
    db.session.flush()
    return user


def add_membership(user: User, *, role: Role, now: datetime, park_id: int | None = None,
                   enterprise: Enterprise | None = None,
                   provider: ProviderOrganisation | None = None,
                   provider_level: ProviderLevel | None = None) -> Membership:
    """Give ``user`` a role, or reactivate the same one. Idempotent."""
    if enterprise is not None:
        park_id = enterprise.park_id
    if provider is not None:
        park_id = provider.park_id
        provider_level = provider_level or ProviderLevel.STAFF
    for existing in user.memberships:
        if (existing.role is role and existing.enterprise_id == (enterprise and enterprise.id)
                and existing.provider_id == (provider and provider.id)
                and existing.park_id == park_id):
            existing.is_active = True
            if provider_level is not None:
                existing.provider_level = provider_level
            return existing
    membership = Membership(role=role, park_id=park_id, enterprise=enterprise,
                            provider=provider, provider_level=provider_level,
                            is_active=True, created_at=now)
    user.memberships.append(membership)
    db.session.flush()
    return membership


def authenticate(*, login: str, password: str, now: datetime) -> User:
    """The user with this login and password. Raises InvalidCredentials, AccountInactive."""
    try:
        user = find_user_by_login(login)
    except InvalidInput:
        user = None
    if not security.verify_password(user.password_hash if user else None, password):
        raise InvalidCredentials()
    assert user is not None
    if not user.is_active:
        raise AccountInactive()
    if security.password_needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    user.last_login_at = now
    return user


def set_password(user: User, *, password: str) -> None:
    """Change the password and end every other session and reset link."""
    user.password_hash = security.hash_password(password)
    user.session_version += 1


def deactivate_user(user: User) -> None:
    """Switch the account off; its sessions end on their next request."""
    user.is_active = False
    user.session_version += 1


def check_locale(locale: str) -> str:
    if locale not in SUPPORTED_LOCALES:
        raise UnsupportedLocale(fields={"locale": _("Choose one of: %(choices)s",
                                                    choices=", ".join(SUPPORTED_LOCALES))})
    return locale


def set_locale(user: User, *, locale: str) -> None:
    user.locale = check_locale(locale)


def membership_of(user: User, membership_id: int) -> Membership:
    """One of the user's own active memberships. Raises MembershipNotFound."""
    for membership in user.active_memberships:
        if membership.id == membership_id:
            return membership
    raise MembershipNotFound()


# -- self sign-up with an enterprise's invite code ---------------------------------------


def new_invite_code() -> str:
    return secrets.token_hex(4).upper()


def sign_up_with_invite_code(*, invite_code: str, login: str, password: str,
                             display_name: str, now: datetime,
                             locale: str | None = None) -> User:
    """An employee account in the enterprise whose code this is.

    Raises InviteCodeInvalid, InvalidLogin, LoginTaken.
    """
    enterprise = db.session.scalar(
        select(Enterprise).where(Enterprise.invite_code == invite_code.strip().upper(),
                                 Enterprise.is_active.is_(True)))
    if enterprise is None:
        raise InviteCodeInvalid(fields={"invite_code": _("This invite code is not valid.")})
    user = create_user(login=login, password=password, display_name=display_name, now=now,
                       locale=locale)
    add_membership(user, role=Role.EMPLOYEE, enterprise=enterprise, now=now)
    signed_up_with_invite_code.send(user, enterprise_id=enterprise.id, now=now)
    return user


# -- invitations -------------------------------------------------------------------------

def _invite_permission(role: Role, *, enterprise: Enterprise | None,
                       provider: ProviderOrganisation | None,
                       provider_level: ProviderLevel | None) -> tuple[Action, object | None]:
    """The policy action (and its target) needed to invite someone to ``role``."""
    if role is Role.EMPLOYEE:
        return Action.MANAGE_ENTERPRISE_INVITATIONS, enterprise
    if role is Role.PROVIDER_STAFF and provider_level is ProviderLevel.STAFF:
        return Action.MANAGE_PROVIDER_STAFF, provider
    return Action.INVITE_PARTNERS, None


def invite(*, actor: User, role: Role, login: str, now: datetime, link_builder: LinkBuilder,
           enterprise: Enterprise | None = None, provider: ProviderOrganisation | None = None,
           park_id: int | None = None,
           provider_level: ProviderLevel | None = None) -> tuple[Invitation, str]:
    """Create a one-time invitation and mail its link. Returns it with the raw token.

    An enterprise admin invites employees of their enterprise; a provider owner invites
    staff; a platform admin invites anyone. Raises Forbidden/NotFound (policy),
    InvalidLogin, InvalidInput (a scope that does not fit the role).
    """
    if role is Role.PROVIDER_STAFF:
        provider_level = provider_level or ProviderLevel.STAFF
    action, target = _invite_permission(role, enterprise=enterprise, provider=provider,
                                        provider_level=provider_level)
    require(actor, action, target)
    _check_scope(role, enterprise=enterprise, provider=provider, park_id=park_id)
    email, mobile = split_login(login)
    raw = security.new_token()
    if enterprise is not None:
        park_id = enterprise.park_id
    if provider is not None:
        park_id = provider.park_id
    invitation = Invitation(
        token_hash=security.token_digest(raw), email=email, mobile=mobile, role=role,
        park_id=park_id, enterprise=enterprise, provider=provider,
        provider_level=provider_level, invited_by=actor, created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_TTL_DAYS"]))
    db.session.add(invitation)
    db.session.flush()
    if email:
        _mail_invitation(invitation, link_builder(raw), locale=actor.locale)
    return invitation, raw


def _check_scope(role: Role, *, enterprise: Enterprise | None,
                 provider: ProviderOrganisation | None, park_id: int | None) -> None:
    needs = {
        Role.EMPLOYEE: enterprise is not None,
        Role.ENTERPRISE_ADMIN: enterprise is not None,
        Role.PROVIDER_STAFF: provider is not None,
        Role.COMMITTEE_MEMBER: park_id is not None,
        Role.PLATFORM_ADMIN: True,
    }
    if not needs[role]:
        raise InvalidInput(fields={"scope": _("Choose where this role applies.")})


def _mail_invitation(invitation: Invitation, link: str, *, locale: str | None) -> None:
    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        subject = _("You are invited to ParkWell")
        body = _("%(inviter)s invited you to join ParkWell as %(role)s.\n\n"
                 "Accept the invitation here (the link works once): %(link)s",
                 inviter=invitation.invited_by.display_name, role=invitation.role.label,
                 link=link)
    send_mail(to=invitation.email or "", subject=subject, body=body)


def open_invitation(raw_token: str, *, now: datetime) -> Invitation:
    """The invitation behind a link. Raises InvitationInvalid."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == security.token_digest(raw_token)))
    if invitation is None or not invitation.is_open(now=now):
        raise InvitationInvalid()
    return invitation


def accept_invitation(raw_token: str, *, now: datetime, user: User | None = None,
                      display_name: str = "", password: str = "") -> User:
    """Use an invitation: give the signed-in ``user`` the role, or create the account.

    Raises InvitationInvalid, InvitationForSomeoneElse, LoginTaken.
    """
    invitation = open_invitation(raw_token, now=now)
    if user is not None and invitation.recipient not in (user.email, user.mobile):
        raise InvitationForSomeoneElse()
    if user is None:
        user = create_user(login=invitation.recipient, password=password,
                           display_name=display_name, now=now)
    add_membership(user, role=invitation.role, park_id=invitation.park_id,
                   enterprise=invitation.enterprise, provider=invitation.provider,
                   provider_level=invitation.provider_level, now=now)
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    invitation_accepted.send(user, invitation=invitation)
    return user


# -- password reset ----------------------------------------------------------------------


def request_password_reset(*, login: str, link_builder: LinkBuilder) -> None:
    """Mail a reset link if the account exists. Says nothing either way, so that the
    form cannot be used to find out who has an account."""
    try:
        user = find_user_by_login(login)
    except InvalidInput:
        return
    if user is None or not user.is_active or not user.email:
        return
    token = security.make_reset_token(current_app.config["SECRET_KEY"], user_id=user.id,
                                      password_hash=user.password_hash)
    with force_locale(user.locale or current_app.config["DEFAULT_LOCALE"]):
        subject = _("Reset your ParkWell password")
        body = _("Someone asked to reset the password of your ParkWell account.\n\n"
                 "Choose a new password here (the link expires in %(minutes)s minutes): "
                 "%(link)s\n\nIf it was not you, ignore this message.",
                 minutes=current_app.config["PASSWORD_RESET_TTL_SECONDS"] // 60,
                 link=link_builder(token))
    send_mail(to=user.email, subject=subject, body=body)


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for. Raises ResetTokenInvalid."""
    payload = security.read_reset_token(current_app.config["SECRET_KEY"], token,
                                        max_age=current_app.config["PASSWORD_RESET_TTL_SECONDS"])
    user = db.session.get(User, payload.get("u")) if payload else None
    if (payload is None or user is None or not user.is_active
            or not security.fingerprint_matches(payload, user.password_hash)):
        raise ResetTokenInvalid()
    return user


def reset_password(token: str, *, password: str) -> User:
    """Set a new password from a reset link; the link then stops working."""
    user = user_for_reset_token(token)
    set_password(user, password=password)
    return user


def create_park(*, code: str, name_zh: str, name_en: str, now: datetime,
                timezone: str = "Asia/Shanghai") -> Park:
    """A new park (the first step of a real installation: ``parkwell setup park``).
    Raises ParkCodeTaken when the code is in use."""
    code = code.strip()
    if not code or db.session.scalar(select(Park.id).where(Park.code == code)):
        raise ParkCodeTaken()
    park = Park(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(),
                committee_name_zh=f"{name_zh.strip()}员工健康委员会",
                committee_name_en=f"{name_en.strip()} employee-health committee",
                timezone=timezone, created_at=now)
    db.session.add(park)
    db.session.flush()
    return park
