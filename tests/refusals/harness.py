"""The refusal harness: every mutating route × a request it must refuse → nothing written.

Kept as data, like the authorisation matrix (``tests/authz``), on the matrix's own world:
each package's module ``tests/refusals/cases_<package>.py`` defines ``REFUSALS`` (a list of
``Refusal``) and ``CANNOT_REFUSE`` (``{(method, rule): reason}`` for a route that has no way
to refuse). On top of those, every refusal the authorisation matrix already expects (400,
409 or 422 for some actor) is a case of its own (``derived_from_matrix``).

``test_refusals.py`` sends each request on the same fresh world (a savepoint rolled back
after it) and compares a digest of the whole database (every table's row count and a hash
of its rows) before and after. ``test_refusal_coverage.py`` fails when a mutating route has
neither a case nor a reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Connection

from core.db import db
from tests.authz.harness import RouteCase, World

MUTATING = ("POST", "PUT", "PATCH", "DELETE")
#: The statuses of a refused action (a redirect that flashes an error is one too).
REFUSED = (302, 303, 400, 401, 403, 404, 409, 422, 429)

#: Columns that change on every request whatever it does, and are not the action's writes:
#: an API token's last use (the matrix's GETs may write it too).
VOLATILE = {"api_tokens": {"last_used_at"}}


@dataclass(frozen=True)
class Refusal:
    method: str
    rule: str  #: exactly as in ``app.url_map``
    actor: str  #: one of ``tests.authz.harness.ACTORS``
    path: Callable[[World], str]
    expect: int  #: the status of the refusal
    why: str  #: which rule refuses (read in the test's id and failures)
    #: A body: form data for pages, JSON for the API.
    body: Callable[[World], dict] | None = None
    #: Put the world into the state in which the route refuses (runs inside the savepoint,
    #: before the digest is taken; it may flush and commit).
    arrange: Callable[[World], None] | None = None
    #: A page that refuses by going back must say why: an "error" flash is required.
    flashes: bool | None = None
    #: Tables the request may write although it refused, each with the reason.
    may_write: dict[str, str] = field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.rule.startswith("/api/")

    @property
    def must_flash(self) -> bool:
        if self.flashes is not None:
            return self.flashes
        return not self.is_api and self.expect in (302, 303)

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule} [{self.actor}: {self.why}]"


def matrix_case(method: str, rule: str) -> RouteCase:
    from tests.authz.test_matrix import CASES

    for case in CASES:
        if case.method == method and case.rule == rule:
            return case
    raise LookupError(f"{method} {rule} is not in the authorisation matrix")


def refusal(method: str, rule: str, actor: str, expect: int, why: str, *,
            path: Callable[[World], str] | None = None, **kwargs) -> Refusal:
    """A case whose path (unless given) is the authorisation matrix's for the route."""
    return Refusal(method, rule, actor, path or matrix_case(method, rule).path, expect, why,
                   **kwargs)


def derived_from_matrix(cases: list[RouteCase]) -> list[Refusal]:
    """Every refusal the authorisation matrix already expects: for each mutating route, the
    first actor it answers with 400, 409 or 422 (a rule or the input refused), and the
    first it answers with 403 or 404 (refused by authorisation)."""
    from tests.authz.harness import ACTORS

    found = []
    for case in cases:
        if case.method not in MUTATING:
            continue
        for statuses, why in (((400, 409, 422), "the matrix's refused request"),
                              ((403, 404), "the matrix's forbidden request")):
            actor = next((a for a in ACTORS if a != "anonymous"
                          and case.expected(a) in statuses), None)
            if actor is not None:
                found.append(Refusal(case.method, case.rule, actor, case.path,
                                     case.expected(actor), why, body=case.body))
    return found


# -- the database digest --------------------------------------------------------------------


def digest(connection: Connection) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its rows (in primary-key order)."""
    result = {}
    for table in db.metadata.sorted_tables:
        skip = VOLATILE.get(table.name, set())
        columns = [c for c in table.columns if c.name not in skip]
        query = select(*columns).order_by(*(table.primary_key.columns or columns[:1]))
        rows = connection.execute(query).all()
        hashed = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        result[table.name] = (len(rows), hashed)
    return result


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> dict:
    return {name: (before[name][0], after[name][0]) for name in before
            if before[name] != after[name]}
