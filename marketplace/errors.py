"""Refusals from the marketplace's services."""

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, InvalidInput, NotFound

#: Codes of a search refused for its words alone (``InvalidSearch`` otherwise).
QUERY_TOO_LONG = "query_too_long"
QUERY_WITHOUT_WORDS = "query_without_words"


class InvalidSearch(InvalidInput):
    code = "invalid_search"
    default_message = _l("Some of the search filters are not valid.")

    def __init__(self, message: object | None = None, *, code: str | None = None,
                 fields: dict[str, str] | None = None) -> None:
        if message is None and code == QUERY_TOO_LONG:
            message = _l("Your search is too long.")
        elif message is None and code == QUERY_WITHOUT_WORDS:
            message = _l("Your search has no words in it.")
        super().__init__(message, code=code, fields=fields)


class ReviewNotAllowed(Conflict):
    code = "review_not_allowed"
    default_message = _l("Only the person who attended can review a booking, once.")


class AlreadyReplied(Conflict):
    code = "already_replied"
    default_message = _l("This review already has a reply.")


class ReviewNotFound(NotFound):
    code = "review_not_found"
    default_message = _l("There is no such review.")
