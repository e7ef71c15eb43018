"""Domain errors: what a service raises when a rule refuses an action.

Each carries a stable ``code`` (for the API) and a translatable message (for people).
Packages subclass ``DomainError``; views and the API turn them into responses.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    code = "domain_error"
    status = 409
    default_message = _l("This action is not possible.")

    def __init__(self, message: object | None = None, *, code: str | None = None,
                 fields: dict[str, str] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.code))


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _l("We could not find what you were looking for.")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = _l("You are not allowed to do this.")


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    default_message = _l("Some of the information given is not valid.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _l("This conflicts with something that already exists.")
