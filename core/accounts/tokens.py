"""Personal access tokens for the JSON API: scoped, expiring, revocable, stored hashed."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session, SessionTransaction, joinedload

from core import freshness, security
from core.accounts import counters
from core.accounts.errors import TokenNotFound
from core.accounts.models import ApiScope, ApiToken, Membership, User
from core.copies import remembered_copy
from core.db import db
from core.errors import InvalidInput
from core.memo import Memo, memo
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
    """The user's tokens as stored. ``populate_existing``: the token that authenticated the
    request is already in the session as a remembered copy (``authenticate_token``), whose
    last use is as old as the copy; the list shows the database's."""
    return (select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
            .execution_options(populate_existing=True))


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

    Who holds a token (the token, its owner, their roles and what each is scoped to) is
    remembered while the owner's counter (``u:<id>``: their account, tokens and roles) and
    the organisations' stay (``core.accounts.counters``), per process and shared by the
    workers through Redis (``core.memo``; the owner's password hash is left out of it):
    checking a known token then costs one small statement, which also brings the counters
    the rest of the request reads (``core.freshness.versions``), instead of loading four
    kinds of rows on every API request (issue 22). Its use is written when the request
    commits (``note_use``)."""
    digest = security.token_digest(raw)
    token = remembered_copy("accounts.token_holders", HOLDERS_SIZE, digest,
                            functools.partial(_holder_counters, digest),
                            functools.partial(_load_holder, digest), shared=True)
    if token is None or not token.is_usable(now=now) or not token.user.is_active:
        return None
    note_use(token, now=now)
    return token


#: ``Session.info`` key: the token whose use the transaction writes if it commits.
_USE = "accounts.token_use"


def note_use(token: ApiToken, *, now: datetime) -> None:
    """Write ``token.last_used_at`` when the transaction commits, at most every
    ``LAST_USED_GRANULARITY``: the last use is the later of the holder's (as remembered,
    a copy never changed) and the last this process wrote (``_last_uses``). A refused
    request, rolled back, writes nothing, not even this: its transaction never begins for
    it."""
    written = _last_uses().get(token.id)
    last = max((t for t in (token.last_used_at, written) if t is not None), default=None)
    if last is None or now - last > LAST_USED_GRANULARITY:
        db.session.info[_USE] = (token, now)


def _last_uses() -> Memo:
    """Token id → the last use this process wrote (each worker writes its own, so a token
    used through several workers is written at most once per granularity by each)."""
    return memo("accounts.token_last_uses", HOLDERS_SIZE)


#: ``Session.info`` key: the use being committed, for the process to remember after it.
_WRITTEN = "accounts.token_use_written"


def _write_use(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the request goes on
        return
    pending = session.info.pop(_USE, None)
    if pending is not None:
        token, now = pending
        token.last_used_at = now
        session.info[_WRITTEN] = (token.id, now)


def _remember_use(session: Session) -> None:
    written = session.info.pop(_WRITTEN, None)
    if written is not None:
        token_id, now = written
        _last_uses().put(token_id, now)


def _forget_use(session: Session, transaction: SessionTransaction) -> None:
    """A use noted in a transaction that ended without writing it (rolled back, closed)
    is not carried into the next one; a savepoint's end leaves it."""
    if transaction.parent is None:
        session.info.pop(_USE, None)
        session.info.pop(_WRITTEN, None)


def install() -> None:
    """Listen on every session for the token use a request noted. Idempotent."""
    if not event.contains(Session, "before_commit", _write_use):
        event.listen(Session, "before_commit", _write_use)
        event.listen(Session, "after_commit", _remember_use)
        event.listen(Session, "after_transaction_end", _forget_use)


#: Token holders remembered per process.
HOLDERS_SIZE = 4096


def _holder_counters(digest: str) -> list[str] | None:
    """The counters a holder is read under: its owner's (which takes a small query to name)
    and the organisations'; None for a token nobody holds."""
    owner = db.session.scalar(select(ApiToken.user_id).where(ApiToken.token_hash == digest))
    return None if owner is None else [freshness.person_key(owner), counters.ORGANISATIONS]


def _load_holder(digest: str, session: Session) -> ApiToken | None:
    """The token with its owner, their roles and what each is scoped to (no password hash)."""
    holder = joinedload(ApiToken.user)
    membership = holder.joinedload(User.memberships)
    statement = (select(ApiToken).where(ApiToken.token_hash == digest)
                 .options(holder.defer(User.password_hash),
                          membership.joinedload(Membership.enterprise),
                          membership.joinedload(Membership.provider),
                          membership.joinedload(Membership.park)))
    token: ApiToken | None = session.execute(statement).unique().scalar_one_or_none()
    return token
