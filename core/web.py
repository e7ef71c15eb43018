"""The request's edges: one transaction per request, error pages and JSON errors, the
signed-in person and the role they are acting in."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import (
    Flask,
    Response,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from core.accounts.models import Membership, User
from core.api.errors import HTTP_ERRORS, error_response, message_text
from core.bounds import BadQuery, has_nul, loads_bounded
from core.db import db, is_lock_timeout
from core.errors import DomainError
from core.protections import retry_after_seconds

log = logging.getLogger(__name__)

_View = Callable[..., ResponseReturnValue]

ACTIVE_MEMBERSHIP_KEY = "membership_id"


def is_api_request() -> bool:
    return request.path.startswith("/api/")


# -- one transaction per request ---------------------------------------------------------


def _start_transaction() -> None:
    g.pop("refused", None)


def _finish_transaction(response: Response) -> Response:
    """Commit when the request succeeded, roll back when it did not or was refused."""
    if response.status_code >= 400 or g.get("refused"):
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.warning("commit refused by a constraint on %s %s", request.method, request.path)
        return make_response(_error(409))
    except OperationalError as exc:  # the flush at commit can wait for a lock too
        if not is_lock_timeout(exc):
            raise
        db.session.rollback()
        return make_response(_busy())
    return response


def register_request_transaction(app: Flask) -> None:
    app.before_request(_start_transaction)
    app.after_request(_finish_transaction)


# -- bounds on what comes in --------------------------------------------------------------


class BoundedJSONProvider(DefaultJSONProvider):
    """Every JSON the app parses (``request.get_json`` included) refuses nesting past
    ``core.bounds.MAX_JSON_DEPTH`` and NaN/Infinity, instead of a RecursionError (500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_bounded(s, **kwargs)


def _refuse_nul_in_pages() -> None:
    """A NUL character in a page's query string or form: PostgreSQL cannot compare or
    store it, so refuse it here with a translated page. (The API's schemas refuse it per
    field, with a stable code.)"""
    if is_api_request():
        return
    sources = [request.args] + ([request.form] if request.method != "GET" else [])
    for values in sources:
        if any(has_nul(key) or has_nul(value) for key, value in values.items(multi=True)):
            raise BadQuery(_("This address or form holds a character that is not allowed."))


def register_input_bounds(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.before_request(_refuse_nul_in_pages)


# -- errors ------------------------------------------------------------------------------


def _error(status: int, *, code: str | None = None, message: object | None = None,
           fields: dict[str, Any] | None = None) -> Response | tuple[str, int]:
    default_code, default_message = HTTP_ERRORS.get(status, HTTP_ERRORS[500])
    if is_api_request():
        return error_response(status, code=code or default_code, message=message,
                              fields=fields)
    return render_template("errors/error.html", status=status,
                           message=message_text(message, default_message)), status


def _handle_domain_error(exc: DomainError) -> ResponseReturnValue:
    # The refusal is worded in the person's language: settled before the rollback expires
    # their account, which would otherwise be read again just for its locale.
    get_locale()
    db.session.rollback()
    response = _error(exc.status, code=exc.code, message=exc.message, fields=exc.fields)
    headers = getattr(exc, "headers", None)  # e.g. Retry-After on a 429
    return _with_headers(response, headers) if headers else response


def _with_headers(response: Response | tuple[str, int],
                  headers: dict[str, str]) -> ResponseReturnValue:
    """An error answer (a JSON response, or a page and its status) with ``headers``."""
    if isinstance(response, tuple):
        return (*response, headers)
    response.headers.update(headers)
    return response


def _handle_http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    if status < 400:
        return exc
    if isinstance(exc, RateLimitExceeded):
        return _with_headers(_error(429), {"Retry-After": str(retry_after_seconds())})
    response = _error(status)
    allowed = dict(exc.get_headers()).get("Allow") if status == 405 else None
    if allowed:  # RFC 9110: a 405 says which methods the path does have
        if isinstance(response, tuple):
            response = make_response(response)
        response.headers["Allow"] = allowed
    return response


def _busy() -> ResponseReturnValue:
    """A row lock held longer than DB_LOCK_TIMEOUT_MS (core.db): busy, not broken."""
    log.warning("lock wait timed out on %s %s", request.method, request.path)
    return _with_headers(_error(503, code="busy", message=_(
        "Someone else is changing this right now. Please try again in a moment.")),
        {"Retry-After": "2"})


def _handle_csrf_error(exc: CSRFError) -> ResponseReturnValue:
    return _error(400, code="csrf_failed",
                  message=_("This form has expired. Please reload the page and try again."))


def _handle_unexpected(exc: Exception) -> ResponseReturnValue:
    db.session.rollback()
    if isinstance(exc, HTTPException):
        return _handle_http_error(exc)
    if isinstance(exc, OperationalError) and is_lock_timeout(exc):
        return _busy()
    if isinstance(exc, OperationalError):
        log.exception("database unavailable on %s %s", request.method, request.path)
        return _error(503)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return _error(500)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected)


# -- refusals: a refused action writes nothing ---------------------------------------------


def refuse(exc: DomainError, *, say: bool = True) -> None:
    """A rule refused what this request asked (see docs/architecture-transactions.md).

    Undo everything the action wrote, first (before anything else in the request reads, so
    that no autoflush sends a half-done change and no page shows one); mark the request so
    that it commits nothing after this, whatever its status; then tell the person why
    (``say=False`` when the form shows the error next to its fields instead)."""
    db.session.rollback()
    g.refused = True
    if say:
        flash(str(exc.message), "error")


#: The old name: the same thing, so that code written before ``refuse`` also rolls back.
flash_error = refuse

#: Not refusals of an action: the page answers with its error status (the request's
#: DomainError handler rolls back), as the authorisation matrix expects.
_NOT_A_REFUSAL = (403, 404)


def refuse_to(target: str | Callable[..., str]) -> Callable[[_View], _View]:
    """A view decorator for forms that answer a refusal by going back: when the view raises
    a DomainError, ``refuse`` it and redirect to ``target`` (an endpoint without arguments,
    or a function of the view's arguments that returns a URL). Not found and forbidden are
    not refusals of the action, and a GET is no action (going back could loop): those go on
    to the error page."""

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> ResponseReturnValue:
            try:
                return view(**kwargs)
            except DomainError as exc:
                if exc.status in _NOT_A_REFUSAL or request.method in ("GET", "HEAD"):
                    raise
                refuse(exc)
                return redirect(url_for(target) if isinstance(target, str)
                                else target(**kwargs))
        return wrapper

    return decorate


# -- who is here, and as whom ------------------------------------------------------------


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the id carries a version that ends old sessions."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a fresh session for ``user``: nothing from before the login survives but the
    chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user, remember=remember)
    first = user.active_memberships[:1]
    if first:
        session[ACTIVE_MEMBERSHIP_KEY] = first[0].id


def active_membership() -> Membership | None:
    """The role the signed-in person is acting in (their first, until they switch)."""
    if "active_membership" in g:
        remembered: Membership | None = g.active_membership
        return remembered
    membership = None
    if current_user.is_authenticated:
        memberships = current_user.active_memberships
        wanted = session.get(ACTIVE_MEMBERSHIP_KEY)
        membership = next((m for m in memberships if m.id == wanted),
                          memberships[0] if memberships else None)
    g.active_membership = membership
    return membership
