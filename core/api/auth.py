"""Bearer-token authentication for the API. The API reads no cookies, which is why it can
be exempt from CSRF."""

from __future__ import annotations

from flask import g, request

from core.accounts.models import ApiScope, User
from core.accounts.tokens import authenticate_token
from core.api.errors import HTTP_ERRORS
from core.clock import utcnow
from core.errors import DomainError, Forbidden


class Unauthorised(DomainError):
    code = "unauthorised"
    status = 401
    default_message = HTTP_ERRORS[401][1]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def load_api_user() -> User | None:
    """Authenticate the request's bearer token, if any; remember the user on ``g``."""
    raw = bearer_token()
    if raw is None:
        return None
    token = authenticate_token(raw, now=utcnow())
    if token is None:
        raise Unauthorised()
    g.api_user, g.api_token = token.user, token
    return token.user


def require_api_user(scope: ApiScope) -> User:
    """The caller, who must hold a token with ``scope``. Raises Unauthorised, Forbidden."""
    user = load_api_user()
    if user is None:
        raise Unauthorised()
    if scope not in g.api_token.scope_set:
        raise Forbidden(code="insufficient_scope")
    return user
