"""The bounds every input is held to, API and pages alike: ids, page numbers, dates,
months, text and JSON nesting. Values outside them are refused with a clear error (a
stable code for the API, a translated page for people) before they reach the database,
where they would overflow a column or a date type and answer 500.

The API's schemas declare the same bounds (``core.api.validation``), so that the OpenAPI
document says what the server enforces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from core.errors import DomainError

#: PostgreSQL's ``integer``: every id column, and the default range of any integer input.
MAX_ID = 2**31 - 1
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
#: Page numbers: deep enough for any list we have; far below an OFFSET that overflows.
MAX_PAGE = 10_000
#: Dates and times people may give: anything else is a typo or an attack.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
#: Decimal numbers (readings, targets): finite and of a human size.
MAX_NUMBER = 1_000_000_000
#: Lists in a body, and text without a length of its own.
MAX_ITEMS = 100
MAX_TEXT = 10_000
#: How deeply a JSON body may nest (ours nest three or four levels).
MAX_JSON_DEPTH = 32

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BadQuery(DomainError):
    """A page's query string holds a value outside its bounds (a day in year 9999, a page
    number past 10,000, a NUL character)."""

    code = "bad_query"
    status = 400
    default_message = _l("This address holds a value we cannot use. Go back and try again.")


class JsonTooDeep(ValueError):
    """A JSON document nested more deeply than MAX_JSON_DEPTH."""


def date_in_bounds(value: date | datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def has_nul(value: str | None) -> bool:
    return value is not None and "\x00" in value


def query_date(raw: str | None, *, default: date, lenient: bool = False) -> date:
    """A day from a page's query string (YYYY-MM-DD): ``default`` when absent (or, when
    ``lenient``, when it is not a day at all). Raises BadQuery for a day outside
    1900-01-01..2200-12-31, and for a malformed one unless ``lenient``."""
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        if lenient:
            return default
        raise BadQuery(_l("Give the day as YYYY-MM-DD.")) from None
    if not date_in_bounds(day):
        raise BadQuery(_l("Choose a day between 1900 and 2200."))
    return day


def month_in_bounds(raw: str) -> bool:
    match = MONTH.match(raw or "")
    return match is not None and EARLIEST_DATE.year <= int(match[1]) <= LATEST_DATE.year \
        and 1 <= int(match[2]) <= 12


def query_int(raw: str | None, *, default: int | None, low: int = 1,
              high: int = MAX_INT) -> int | None:
    """A whole number from a page's query string: ``default`` when absent. Raises BadQuery
    when it is not a whole number in ``low..high``."""
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"-?\d{1,12}", raw) or not low <= int(raw) <= high:
        raise BadQuery(_l("Give a whole number from %(low)s to %(high)s.", low=low, high=high))
    return int(raw)


def json_depth(data: object) -> int:
    """How deeply ``data`` (parsed JSON) nests: 0 for a scalar."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[object]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def loads_bounded(text: str | bytes, **kwargs: Any) -> object:
    """``json.loads`` that refuses nesting past MAX_JSON_DEPTH and the NaN and Infinity
    that Python's parser would let in. Raises JsonTooDeep, or ValueError for text that is
    not JSON."""
    kwargs.setdefault("parse_constant", _no_constants)
    try:
        data = json.loads(text, **kwargs)
    except RecursionError:
        raise JsonTooDeep("JSON nests too deeply") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise JsonTooDeep("JSON nests too deeply")
    return data
