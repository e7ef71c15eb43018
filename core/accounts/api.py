"""JSON endpoints for the signed-in person and their API tokens."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Response, request, url_for
from flask_babel import gettext as _

from core.accounts import personal_data, queries, services, signin_limits, tokens
from core.accounts.models import (
    ApiScope,
    Enterprise,
    Invitation,
    Park,
    ProviderLevel,
    ProviderOrganisation,
    Role,
    User,
)
from core.accounts.schemas import (
    AccountDelete,
    InvitationAccept,
    InviteIn,
    MeOut,
    MeUpdate,
    PartnerInviteIn,
    RoleInvitationCreated,
    RoleInvitationList,
    RoleInvitationOut,
    SignUp,
    TokenCreate,
    TokenCreated,
    TokenOut,
    TokenPage,
)
from core.api.openapi import ApiBlueprint, ApiResult
from core.api.pagination import PageQuery, paginate
from core.audit.hooks import actor_is_subject, api_login_extra, audited, no_bearer
from core.clock import utcnow
from core.errors import InvalidInput
from core.i18n import current_locale_code
from core.policy import Action, require
from core.protections import limit_account_deletion, limit_exports, limit_sign_ups

bp = ApiBlueprint("accounts_api", __name__, tag="accounts")


@bp.operation("/me", method="GET", summary="The signed-in person and the roles they hold",
              response=MeOut)
def get_me(user: User) -> MeOut:
    return MeOut.of(user, current_locale_code())


@bp.operation("/me", method="PATCH", summary="Change your display name or language",
              scope=ApiScope.WRITE, body=MeUpdate, response=MeOut)
def update_me(user: User, body: MeUpdate) -> MeOut:
    if body.locale is not None:
        services.set_locale(user, locale=body.locale)
    if body.display_name is not None:
        user.display_name = body.display_name.strip()
    return MeOut.of(user, user.locale or current_locale_code())


@bp.operation("/tokens", method="GET", summary="Your API tokens, newest first",
              query=PageQuery, response=TokenPage)
def list_tokens(user: User, query: PageQuery) -> ApiResult:
    return paginate(tokens.user_tokens_query(user), query, TokenOut.of)


@bp.operation("/tokens", method="POST", scope=ApiScope.WRITE, optional_auth=True,
              summary="Create an API token", body=TokenCreate, response=TokenCreated,
              status=201, errors=(429,))
@audited("POST", {201: "auth.login.succeeded", 401: "auth.login.failed",
                  403: "auth.login.failed", 429: "auth.throttled"},
         more=api_login_extra, only_if=no_bearer)
def create_token(user: User | None, body: TokenCreate) -> TokenCreated:
    """Call with a token that has the write scope, or without one and with ``login`` and
    ``password`` (how a mobile client gets its first token). Password sign-ins have the
    sign-in page's limits: failures only, per account and per address; past them the answer
    is 429 ``sign_in_throttled`` with a ``Retry-After`` header."""
    now = utcnow()
    if user is None:
        if not body.login or not body.password:
            raise InvalidInput(fields={"password": _("Send login and password, or a token.")})
        user = signin_limits.sign_in_with_password(
            login=body.login, password=body.password, address=request.remote_addr or "",
            now=now)
    token, raw = tokens.create_api_token(user, name=body.name, scopes=body.scopes,
                                         expires_in_days=body.expires_in_days, now=now)
    return TokenCreated(**TokenOut.of(token).model_dump(), token=raw)


@bp.operation("/tokens/<int:token_id>", method="DELETE", scope=ApiScope.WRITE,
              summary="Revoke one of your tokens", status=204, errors=(404,))
def revoke_token(user: User, token_id: int) -> None:
    tokens.revoke_api_token(user, token_id=token_id, now=utcnow())


# -- the person's data: export and deletion (PIPL Art. 45–47) -------------------------------


@bp.operation("/me/export", method="GET", errors=(401, 429),
              summary="Everything ParkWell holds about you: account, health, family members, "
                      "family physician, bookings, check-ups, park events and budget (JSON)")
@audited("GET", {200: "export.accounts_api.export_me"}, target_type="user", more=actor_is_subject)
@limit_exports
def export_me(user: User) -> Response:
    data = personal_data.export_account(user, now=utcnow())
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/json",
                    headers={"Cache-Control": "no-store"})


@bp.operation("/me", method="DELETE", scope=ApiScope.WRITE, body=AccountDelete, status=204,
              errors=(401, 409, 422, 429),
              summary="Delete your account (needs your password)")
@limit_account_deletion
def delete_me(user: User, body: AccountDelete) -> None:
    """Deletes your health data, care records, tokens, sessions and personal fields, and
    keeps, without your name, what the park must keep (past bookings and registrations,
    the ledger, payments, signed agreements). 409 ``account_deletion_blocked`` while
    something is still under way (``error.fields.blockers`` says what); 422
    ``account_deletion_not_confirmed`` without ``confirm: true``; 401
    ``invalid_credentials`` for a wrong password; 429 after too many attempts. A refusal
    deletes nothing."""
    personal_data.delete_account(user, password=body.password, confirmed=body.confirm,
                                 now=utcnow())


# -- sign-up and invitations ------------------------------------------------------------------


@bp.operation("/signup", method="POST", scope=None, body=SignUp, response=MeOut, status=201,
              errors=(404, 409, 429),
              summary="Make an employee account with your employer's invite code")
@limit_sign_ups
def sign_up(body: SignUp) -> MeOut:
    """The sign-up page's API: 404 ``invite_code_invalid``, 409 ``login_taken``, 422
    ``invalid_login``; a refusal makes no account. Then get a token with ``POST /tokens``."""
    user = services.sign_up_with_invite_code(
        invite_code=body.invite_code, login=body.login, password=body.password,
        display_name=body.display_name, now=utcnow(), locale=body.locale)
    return MeOut.of(user, user.locale or current_locale_code())


@bp.operation("/invitations/accept", method="POST", scope=ApiScope.WRITE, optional_auth=True,
              body=InvitationAccept, response=MeOut, errors=(404, 409, 429),
              summary="Accept an invitation: a new account, or the role added to yours")
@limit_sign_ups
def accept_invitation(user: User | None, body: InvitationAccept) -> MeOut:
    """404 ``invitation_invalid`` (unknown, used or expired); 409
    ``invitation_for_someone_else`` when your account is not the one invited, or
    ``login_taken``; without a token, 422 unless ``display_name`` and ``password`` are sent.
    A refusal changes nothing and leaves the invitation open."""
    now = utcnow()
    services.open_invitation(body.token, now=now)
    if user is None and not (body.display_name and body.password):
        raise InvalidInput(fields={
            name: _("This field is required.")
            for name in ("display_name", "password") if not getattr(body, name)})
    accepted = services.accept_invitation(body.token, now=now, user=user,
                                          display_name=body.display_name or "",
                                          password=body.password or "")
    return MeOut.of(accepted, accepted.locale or current_locale_code())


def _invite(user: User, body: InviteIn, **scope: Any) -> RoleInvitationCreated:
    def link(raw: str) -> str:
        return url_for("accounts.accept_invitation", token=raw, _external=True)

    now = utcnow()
    invitation, raw = services.invite(actor=user, login=body.login, now=now,
                                      link_builder=link, **scope)
    return RoleInvitationCreated(**RoleInvitationOut.of(invitation, now=now).model_dump(),
                             link=link(raw))


def _listed(invitations: Iterable[Invitation]) -> RoleInvitationList:
    now = utcnow()
    return RoleInvitationList(items=[RoleInvitationOut.of(i, now=now) for i in invitations])


def _enterprise(user: User, enterprise_id: int) -> Enterprise:
    enterprise = queries.get_or_404(Enterprise, enterprise_id)
    require(user, Action.MANAGE_ENTERPRISE_INVITATIONS, enterprise)
    return enterprise


def _provider(user: User, provider_id: int) -> ProviderOrganisation:
    provider = queries.get_or_404(ProviderOrganisation, provider_id)
    require(user, Action.MANAGE_PROVIDER_STAFF, provider)
    return provider


@bp.operation("/enterprises/<int:enterprise_id>/invitations", method="GET",
              response=RoleInvitationList, errors=(403, 404),
              summary="The enterprise's invitations to employees (its admins)")
def enterprise_invitations(user: User, enterprise_id: int) -> RoleInvitationList:
    return _listed(queries.enterprise_invitations(_enterprise(user, enterprise_id)))


@bp.operation("/enterprises/<int:enterprise_id>/invitations", method="POST",
              scope=ApiScope.WRITE, body=InviteIn, response=RoleInvitationCreated, status=201,
              errors=(403, 404), summary="Invite an employee (mailed when the login is an "
                                         "email; the link is in the answer either way)")
def invite_employee(user: User, enterprise_id: int,
                    body: InviteIn) -> RoleInvitationCreated:
    """422 ``invalid_login`` for a login that is neither an email nor a mobile number."""
    return _invite(user, body, role=Role.EMPLOYEE, enterprise=_enterprise(user, enterprise_id))


@bp.operation("/providers/<int:provider_id>/invitations", method="GET",
              response=RoleInvitationList, errors=(403, 404),
              summary="The provider's invitations to staff (its owners)")
def provider_invitations(user: User, provider_id: int) -> RoleInvitationList:
    return _listed(queries.provider_invitations(_provider(user, provider_id)))


@bp.operation("/providers/<int:provider_id>/invitations", method="POST",
              scope=ApiScope.WRITE, body=InviteIn, response=RoleInvitationCreated, status=201,
              errors=(403, 404), summary="Invite a member of staff (the provider's owners)")
def invite_staff(user: User, provider_id: int, body: InviteIn) -> RoleInvitationCreated:
    return _invite(user, body, role=Role.PROVIDER_STAFF, provider=_provider(user, provider_id),
                   provider_level=ProviderLevel.STAFF)


@bp.operation("/invitations", method="GET", response=RoleInvitationList, errors=(403,),
              summary="Invitations to partners: enterprise admins, providers, committee "
                      "members, platform admins (platform admins)")
def partner_invitations(user: User) -> RoleInvitationList:
    require(user, Action.INVITE_PARTNERS)
    return _listed(queries.partner_invitations())


@bp.operation("/invitations", method="POST", scope=ApiScope.WRITE, body=PartnerInviteIn,
              response=RoleInvitationCreated, status=201, errors=(403, 404),
              summary="Invite a partner (platform admins)")
def invite_partner(user: User, body: PartnerInviteIn) -> RoleInvitationCreated:
    """Name where the role applies: ``enterprise_id`` for enterprise_admin, ``provider_id``
    for provider_staff, ``park_id`` for committee_member (422 otherwise); an id that names
    nothing is 404."""
    require(user, Action.INVITE_PARTNERS)
    role = Role(body.role)
    scope: dict[str, Any] = {}
    if role is Role.ENTERPRISE_ADMIN and body.enterprise_id:
        scope["enterprise"] = queries.get_or_404(Enterprise, body.enterprise_id)
    if role is Role.PROVIDER_STAFF:
        scope["provider_level"] = ProviderLevel(body.provider_level)
        if body.provider_id:
            scope["provider"] = queries.get_or_404(ProviderOrganisation, body.provider_id)
    if role is Role.COMMITTEE_MEMBER and body.park_id:
        scope["park_id"] = queries.get_or_404(Park, body.park_id).id
    return _invite(user, body, role=role, **scope)
