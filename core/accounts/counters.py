"""Which writes of accounts move which freshness counters (``core.freshness``):

- ``u:<id>``: person ``id``'s account, tokens or roles: who a token belongs to and what
  they may do (``core.accounts.tokens`` remembers token holders on it; the marketplace
  adds what a search knows of them);
- ``organisations``: any park, enterprise or provider organisation: what a role is
  scoped to.

Columns that record use rather than change who someone is (a token's last use, a login's
time) move nothing: they are written on reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from core import freshness
from core.accounts.models import ApiToken, Enterprise, Membership, Park, ProviderOrganisation, User

ORGANISATIONS = "organisations"

PERSON_MODELS = (User, ApiToken, Membership)
ORGANISATION_MODELS = (Park, Enterprise, ProviderOrganisation)
#: Columns whose change says nothing of who someone is or may do.
IGNORED = {User: {"last_login_at"}, ApiToken: {"last_used_at"}}
_BULK = {**{m.__table__.name: freshness.PEOPLE for m in PERSON_MODELS},
         **{m.__table__.name: ORGANISATIONS for m in ORGANISATION_MODELS}}


def _written(session: Session) -> list[Any]:
    """What this flush writes, less what changed only in ignored columns."""
    found: list[Any] = [*session.new, *session.deleted]
    for obj in session.dirty:
        if isinstance(obj, (*PERSON_MODELS, *ORGANISATION_MODELS)):
            state: Any = inspect(obj)
            columns = {a.key for a in state.attrs if a.history.has_changes()}
            if columns - IGNORED.get(type(obj), set()):
                found.append(obj)
    return found


def stale_keys(session: Session) -> set[str]:
    keys: set[str] = set()
    for obj in _written(session):
        if isinstance(obj, PERSON_MODELS):
            owner = "id" if isinstance(obj, User) else "user_id"
            keys |= {freshness.person_key(u) for u in freshness.old_and_new(obj, owner)}
        elif isinstance(obj, ORGANISATION_MODELS):
            keys.add(ORGANISATIONS)
    return keys


def install() -> None:
    """Watch every session. Idempotent."""
    freshness.watch(stale_keys, bulk=_BULK, read_along=(ORGANISATIONS,))
    freshness.install()
