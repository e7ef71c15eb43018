"""The request's edges: one transaction per request, error pages and JSON errors, the
signed-in person and the role they are acting in."""

from __future__ import annotations

import logging

from flask import Flask, flash, g, make_response, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from core.accounts.models import Membership, User
from core.api.errors import HTTP_ERRORS, error_response
from core.db import db, is_lock_timeout
from core.errors import DomainError

log = logging.getLogger(__name__)

ACTIVE_MEMBERSHIP_KEY = "membership_id"


def is_api_request() -> bool:
    return request.path.startswith("/api/")


# -- one transaction per request ---------------------------------------------------------


def _finish_transaction(response):
    """Commit when the request succeeded, roll back when it did not."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.warning("commit refused by a constraint on %s %s", request.method, request.path)
        return _error(409)
    except OperationalError as exc:  # the flush at commit can wait for a lock too
        if not is_lock_timeout(exc):
            raise
        db.session.rollback()
        return make_response(_busy())
    return response


def register_request_transaction(app: Flask) -> None:
    app.after_request(_finish_transaction)


# -- errors ------------------------------------------------------------------------------


def _error(status: int, *, code: str | None = None, message: object | None = None,
           fields: dict | None = None):
    default_code, default_message = HTTP_ERRORS.get(status, HTTP_ERRORS[500])
    if is_api_request():
        return error_response(status, code=code or default_code,
                              message=message or default_message, fields=fields)
    return render_template("errors/error.html", status=status,
                           message=str(message or default_message)), status


def _handle_domain_error(exc: DomainError):
    db.session.rollback()
    response = _error(exc.status, code=exc.code, message=exc.message, fields=exc.fields)
    headers = getattr(exc, "headers", None)  # e.g. Retry-After on a 429
    if headers:
        if isinstance(response, tuple):
            return (*response, headers)
        response.headers.update(headers)
    return response


def _handle_http_error(exc: HTTPException):
    status = exc.code or 500
    if status < 400:
        return exc
    if status == 429 and not is_api_request():
        return _error(429)
    return _error(status)


def _busy():
    """A row lock held longer than DB_LOCK_TIMEOUT_MS (core.db): busy, not broken."""
    log.warning("lock wait timed out on %s %s", request.method, request.path)
    response = _error(503, code="busy", message=_(
        "Someone else is changing this right now. Please try again in a moment."))
    if isinstance(response, tuple):
        return (*response, {"Retry-After": "2"})
    response.headers["Retry-After"] = "2"
    return response


def _handle_csrf_error(exc: CSRFError):
    return _error(400, code="csrf_failed",
                  message=_("This form has expired. Please reload the page and try again."))


def _handle_unexpected(exc: Exception):
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


def flash_error(exc: DomainError) -> None:
    flash(str(exc.message), "error")


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
        return g.active_membership
    membership = None
    if current_user.is_authenticated:
        memberships = current_user.active_memberships
        wanted = session.get(ACTIVE_MEMBERSHIP_KEY)
        membership = next((m for m in memberships if m.id == wanted),
                          memberships[0] if memberships else None)
    g.active_membership = membership
    return membership
