"""The one JSON error format: ``{"error": {"code", "message", "fields"}}``.

Codes are stable (clients switch on them); messages are in the caller's language.
"""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from core.errors import Conflict, InvalidInput

#: HTTP statuses without a domain error behind them, with their stable codes and messages.
HTTP_ERRORS = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("unauthorised", _l("Sign in, or send a valid API token.")),
    403: ("forbidden", _l("You are not allowed to do this.")),
    404: ("not_found", _l("We could not find what you were looking for.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    409: ("conflict", _l("This conflicts with something that already exists.")),
    413: ("payload_too_large", _l("The request is too large.")),
    415: ("unsupported_media_type", _l("Send the body as application/json.")),
    422: ("invalid_input", _l("Some of the information given is not valid.")),
    429: ("rate_limited", _l("Too many attempts. Please wait a moment and try again.")),
    500: ("internal_error", _l("Something went wrong on our side. Please try again.")),
    503: ("unavailable", _l("The service is temporarily unavailable.")),
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable error code.")
    message: str = Field(description="Explanation in the caller's language.")
    fields: dict[str, str] = Field(default_factory=dict,
                                   description="Per-field messages, keyed by field name.")


class ErrorResponse(BaseModel):
    error: ErrorDetail


def message_text(message: object | None, default: object) -> str:
    """``message`` as text, or ``default``'s when it has none. A lazy message is translated
    once (``message or default`` translated it to test it, and again to show it)."""
    text = "" if message is None else str(message)
    return text or str(default)


def error_response(status: int, *, code: str | None = None, message: object | None = None,
                   fields: dict[str, str] | None = None) -> Response:
    default_code, default_message = HTTP_ERRORS.get(status, HTTP_ERRORS[500])
    body = ErrorResponse(error=ErrorDetail(
        code=code or default_code, message=message_text(message, default_message),
        fields={k: str(v) for k, v in (fields or {}).items()}))
    response = jsonify(body.model_dump())
    response.status_code = status
    return response


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"
    default_message = _l("This Idempotency-Key was already used with a different request.")


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    default_message = _l("The Idempotency-Key must be 1 to 100 visible characters.")
