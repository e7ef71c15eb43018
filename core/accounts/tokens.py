"""Personal access tokens for the JSON API: scoped, expiring, revocable, stored hashed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from core import security
from core.accounts.errors import TokenNotFound
from core.accounts.models import ApiScope, ApiToken, Membership, User
from core.db import db
from core.errors import InvalidInput
from core.policy import Action, can

TOKEN_PREFIX = "pw_"  # noqa: S105 - a public prefix, not a secret
LAST_USED_GRANULARITY = timedelta(minutes=5)


def create_api_token(user: User, *, name: str, scopes: Sequence[str], expires_in_days: int,
                     now: datetime) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored. Raises InvalidInput."""
    max_days = current_app.config["API_TOKEN_MAX_DAYS"]
    if not 1 <= expires_in_days <= max_days:
        raise InvalidInput(fields={"expires_in_days": _(
            "Choose between 1 and %(max)s days.", max=max_days)})
    try:
        scope_set = sorted({ApiScope(s) for s in scopes})
    except ValueError as exc:
        raise InvalidInput(fields={"scopes": _("Unknown scope. Use read and/or write.")}) from exc
    if not scope_set:
        raise InvalidInput(fields={"scopes": _("Choose at least one scope.")})
    raw = security.new_token(TOKEN_PREFIX)
    token = ApiToken(user=user, name=name.strip(), token_hash=security.token_digest(raw),
                     prefix=raw[: len(TOKEN_PREFIX) + 6],
                     scopes=" ".join(s.value for s in scope_set), created_at=now,
                     expires_at=now + timedelta(days=expires_in_days))
    db.session.add(token)
    db.session.flush()
    return token, raw


def user_tokens_query(user: User) -> Select[ApiToken]:
    return select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())


def count_user_tokens(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)) or 0


def revoke_api_token(user: User, *, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens. Raises TokenNotFound (also for others' tokens)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not can(user, Action.OWN_RECORD, token):
        raise TokenNotFound()
    if token.revoked_at is None:
        token.revoked_at = now
    return token


def authenticate_token(raw: str, *, now: datetime) -> ApiToken | None:
    """The live token with this value whose owner is active, or None.

    One statement brings the token, its owner and their roles with what each is scoped to:
    every API request needs them (scopes, parks, permissions), and four lazy loads cost
    more than the request's own work on the hot read paths (issue 22)."""
    membership = joinedload(ApiToken.user).joinedload(User.memberships)
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == security.token_digest(raw))
        .options(membership.joinedload(Membership.enterprise),
                 membership.joinedload(Membership.provider))).unique().scalar_one_or_none()
    if token is None or not token.is_usable(now=now) or not token.user.is_active:
        return None
    # Written at most every few minutes, so that reads stay reads.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token
