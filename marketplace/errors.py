"""Refusals from the marketplace's services."""

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, InvalidInput, NotFound


class InvalidSearch(InvalidInput):
    code = "invalid_search"
    default_message = _l("Some of the search filters are not valid.")


class ReviewNotAllowed(Conflict):
    code = "review_not_allowed"
    default_message = _l("Only the person who attended can review a booking, once.")


class AlreadyReplied(Conflict):
    code = "already_replied"
    default_message = _l("This review already has a reply.")


class ReviewNotFound(NotFound):
    code = "review_not_found"
    default_message = _l("There is no such review.")
