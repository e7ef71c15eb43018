"""Bearer-token authentication for the API. The API reads no cookies, which is why it can
be exempt from CSRF.

Scopes are decided here, in one place, for every request under ``/api/``
(``authenticate_api_request`` runs before any view): a token that is sent must be live and
must carry the scope its method needs (``read`` for GET and HEAD, ``write`` for anything
else), whether or not the route requires a token at all. So a read-only token cannot write
anywhere, not even on a route that also answers callers without a token (creating a token
with a login and password). Routes then only say whether they need a token and which scope
(``ApiBlueprint.operation``), which can make a scope stricter, never looser.
"""

from __future__ import annotations

from flask import g, request

from core.accounts.models import ApiScope, User
from core.accounts.tokens import authenticate_token
from core.api.errors import HTTP_ERRORS
from core.clock import utcnow
from core.errors import DomainError, Forbidden

#: Methods that only read: a read-scoped token may call them.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthorised(DomainError):
    code = "unauthorised"
    status = 401
    default_message = HTTP_ERRORS[401][1]


class InsufficientScope(Forbidden):
    code = "insufficient_scope"


def bearer_token() -> str | None:
    """The token in ``Authorization: Bearer <token>``, however the header is spaced."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def scope_for_method(method: str) -> ApiScope:
    return ApiScope.READ if method.upper() in READ_METHODS else ApiScope.WRITE


def load_api_user() -> User | None:
    """Authenticate the request's bearer token, if any (once per request); remember the
    user and the token on ``g``. Raises Unauthorised for a token that is not live."""
    if "api_token" in g:
        known: User | None = g.api_user
        return known
    raw = bearer_token()
    if raw is None:
        return None
    token = authenticate_token(raw, now=utcnow())
    if token is None:
        raise Unauthorised()
    g.api_user, g.api_token = token.user, token
    return token.user


def authenticate_api_request() -> None:
    """Before every API request: a token that is sent must be live and hold the scope the
    method needs. Raises Unauthorised, InsufficientScope."""
    if not request.path.startswith("/api/"):
        return
    if load_api_user() is not None:
        _require_scope(scope_for_method(request.method))


def _require_scope(scope: ApiScope) -> None:
    if scope not in g.api_token.scope_set:
        raise InsufficientScope()


def authorise(scope: ApiScope | None, *, optional: bool = False) -> User | None:
    """The caller for a route that needs ``scope`` (None: a public route). ``optional``:
    callers without a token are let through as None, but a token that is sent must still
    hold ``scope``. Raises Unauthorised, InsufficientScope."""
    user = load_api_user()
    if user is None:
        if scope is not None and not optional:
            raise Unauthorised()
        return None
    if scope is not None:
        _require_scope(scope)
    return user


def require_api_user(scope: ApiScope) -> User:
    """The caller, who must hold a token with ``scope``. Raises Unauthorised, Forbidden."""
    user = authorise(scope)
    assert user is not None
    return user
