"""JSON endpoints for the signed-in person and their API tokens."""

from __future__ import annotations

import json

from flask import Response, request
from flask_babel import gettext as _

from core.accounts import personal_data, services, signin_limits, tokens
from core.accounts.models import ApiScope, User
from core.accounts.schemas import (
    AccountDelete,
    MeOut,
    MeUpdate,
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
from core.protections import limit_account_deletion, limit_exports

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
