"""Counters that say when the catalogue's caches are stale, changed in the same transaction
as what they stand for (at its end, just before the commit) (table ``freshness_stamps``):

- ``catalogue``: any bookable service, provider, practitioner, the services' practitioners,
  provider profiles or ratings written: what a search finds, counts and orders;
- ``p:<id>``: practitioner ``id``'s bookings (the columns that take or free time), rules,
  date exceptions, imported busy time, or public-holiday setting written: their free time;
- ``availability``: public holidays, or availability written by a bulk statement whose
  rows are not known: everyone's free time;
- ``u:<id>``: what a search knows of person ``id``: their roles (and so their parks), the
  health records their needs come from, and their budget accounts (each posting);
- ``budgets``: the programmes' rules (amounts, caps), which every member's budget reads;
- ``people``: roles, health records or postings written by a bulk statement: everyone's.

Why in the same transaction: a reader reads the counter before the data, so it either sees
the old counter (and whatever it caches is thrown away by the next reader, who sees the new
one) or the new counter with the new data: never new counter and old data. Every process
sees it, unlike a per-process signal. The writes are found by SQLAlchemy's session events
(each flush, and each ORM ``insert``/``update``/``delete`` statement), so no service
module has to remember to bump anything; raw SQL text bypasses them (none writes these
tables outside the seeders, which run before a server starts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from benefits.models import (
    BudgetProgramme,
    CategoryCap,
    LedgerAccount,
    LedgerEntry,
    ProgrammeAmountRule,
)
from booking.models import Booking
from core.accounts.models import Membership, ProviderOrganisation
from core.db import db
from health.models import CheckUp, HealthProfile, QuestionnaireResponse
from marketplace.models import FreshnessStamp, ServiceRating
from providers.models import (
    AvailabilityRule,
    BusyTime,
    HolidayDay,
    HolidayYear,
    Practitioner,
    ProviderCategoryLink,
    ProviderProfile,
    ScheduleException,
    Service,
    ServicePractitioner,
)

CATALOGUE = "catalogue"
AVAILABILITY = "availability"
BUDGETS = "budgets"
PEOPLE = "people"

#: What a search reads (beside the person's own budget and health needs).
CATALOGUE_MODELS = (Service, ProviderOrganisation, Practitioner, ServicePractitioner,
                    ProviderProfile, ProviderCategoryLink, ServiceRating)
#: Columns that change nothing a search shows (a practitioner's calendar sync).
CATALOGUE_IGNORED = {Practitioner: {"busy_calendar_synced_at", "busy_calendar_error",
                                    "busy_calendar_url", "feed_token_hash"}}
#: What takes or frees a practitioner's time, with the columns that matter (None: all).
AVAILABILITY_MODELS = {
    Booking: {"status", "practitioner_id", "service_id", "busy_from", "busy_until",
              "starts_at", "seats", "hold_expires_at"},
    AvailabilityRule: None, ScheduleException: None, BusyTime: None,
    Practitioner: {"observes_public_holidays"},
}
EVERYONE_MODELS = (HolidayYear, HolidayDay)
#: A person's own rows that a search reads (their ``user_id`` names them): roles, the health
#: records their needs are screened from, their budget accounts. A posting changes an
#: account's balance by a bulk UPDATE, so its entries (new rows) name the account instead.
PERSON_MODELS = (Membership, HealthProfile, CheckUp, QuestionnaireResponse, LedgerAccount)
#: The programmes' rules: every member's budget.
BUDGET_MODELS = (BudgetProgramme, ProgrammeAmountRule, CategoryCap)
_TABLES = {
    **{m.__table__.name: CATALOGUE for m in CATALOGUE_MODELS},
    **{m.__table__.name: AVAILABILITY for m in (*AVAILABILITY_MODELS, *EVERYONE_MODELS)
       if m is not Practitioner},
    **{m.__table__.name: BUDGETS for m in BUDGET_MODELS},
    # Postings update balances in bulk (their entries say whose); any other bulk statement
    # on a person's rows does not say whose.
    **{m.__table__.name: PEOPLE for m in (*PERSON_MODELS, LedgerEntry)
       if m is not LedgerAccount},
}


def practitioner_key(practitioner_id: int) -> str:
    return f"p:{practitioner_id}"


def person_key(user_id: int) -> str:
    return f"u:{user_id}"


_READ = "freshness.read"


def versions(keys: Iterable[str]) -> dict[str, int]:
    """The counters of ``keys`` (0 for one never bumped), in one statement, or none for
    those this transaction has already read: a request reads every counter it will need at
    once (``versions`` of them all first), and the later reads come from that."""
    wanted = sorted(set(keys))
    known: dict[str, int] = db.session.info.setdefault(_READ, {})
    unread = [key for key in wanted if key not in known]
    if unread:
        found = dict(db.session.execute(select(FreshnessStamp.key, FreshnessStamp.version)
                                        .where(FreshnessStamp.key.in_(unread))).all())
        known.update({key: int(found.get(key, 0)) for key in unread})
    return {key: known[key] for key in wanted}


def catalogue_version() -> int:
    return versions([CATALOGUE])[CATALOGUE]


def _upsert(dialect: str) -> Any:
    """The dialect's INSERT ... ON CONFLICT (PostgreSQL's and SQLite's spell it alike)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql
        return postgresql.insert
    from sqlalchemy.dialects import sqlite
    return sqlite.insert


def bump(connection, keys: Iterable[str]) -> None:
    """Add one to each counter (creating it), in key order so that two writers lock the
    rows in the same order."""
    keys = sorted(set(keys))
    if not keys:
        return
    table = FreshnessStamp.__table__
    statement = _upsert(connection.dialect.name)(table).values(
        [{"key": key, "version": 1} for key in keys])
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.key], set_={"version": table.c.version + 1}))


def _changed(obj) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def _old_and_new(obj, name: str) -> set[int]:
    history = inspect(obj).attrs[name].history
    values = {*history.added, *history.unchanged, *history.deleted}
    return {int(v) for v in values if v is not None}


def stale_keys(session: Session) -> set[str]:
    """The counters that what this flush writes makes stale."""
    keys: set[str] = set()
    for obj in (*session.new, *session.deleted):
        kind = type(obj)
        keys |= _people_keys(session, obj)
        if isinstance(obj, CATALOGUE_MODELS):
            keys.add(CATALOGUE)
        if isinstance(obj, EVERYONE_MODELS):
            keys.add(AVAILABILITY)
        if kind in AVAILABILITY_MODELS and kind is not Practitioner:
            keys |= {practitioner_key(p) for p in _old_and_new(obj, "practitioner_id")}
    for obj in session.dirty:
        kind = type(obj)
        watched = (isinstance(obj, (*CATALOGUE_MODELS, *EVERYONE_MODELS, *PERSON_MODELS,
                                    *BUDGET_MODELS)) or kind in AVAILABILITY_MODELS)
        if not watched:
            continue
        changed = _changed(obj)
        if not changed:
            continue
        keys |= _people_keys(session, obj)
        if isinstance(obj, CATALOGUE_MODELS) and changed - CATALOGUE_IGNORED.get(kind, set()):
            keys.add(CATALOGUE)
        if isinstance(obj, EVERYONE_MODELS):
            keys.add(AVAILABILITY)
        columns = AVAILABILITY_MODELS.get(kind, set())
        if kind in AVAILABILITY_MODELS and (columns is None or changed & columns):
            ids = {obj.id} if kind is Practitioner else _old_and_new(obj, "practitioner_id")
            keys |= {practitioner_key(p) for p in ids}
    return keys


def _people_keys(session: Session, obj) -> set[str]:
    """The person counters (or ``budgets``) that writing ``obj`` makes stale."""
    if isinstance(obj, BUDGET_MODELS):
        return {BUDGETS}
    if isinstance(obj, PERSON_MODELS):
        return {person_key(u) for u in _old_and_new(obj, "user_id")}
    if isinstance(obj, LedgerEntry):
        # The account was read (and locked) to post to it; one that is not at hand cannot
        # be named without a query, so everyone's inputs go stale instead.
        account = session.identity_map.get(session.identity_key(LedgerAccount, obj.account_id))
        if account is None:
            return {PEOPLE}
        return {person_key(account.user_id)} if account.user_id is not None else set()
    return set()


_WRITING = "freshness.writing"
_PENDING = "freshness.pending"


def writing() -> bool:
    """Whether this transaction has written something a counter stands for and not yet
    committed: what it reads may be rolled back, and a counter rolled back comes round
    again, so it must not fill (or read) a shared memory."""
    return bool(db.session.info.get(_WRITING))


def _note(session: Session, keys: Iterable[str]) -> None:
    keys = set(keys)
    if keys:
        session.info.setdefault(_PENDING, set()).update(keys)
        session.info[_WRITING] = True


def _after_flush(session: Session, _context) -> None:
    _note(session, stale_keys(session))


def _before_commit(session: Session) -> None:
    """The counters move last, just before the commit: a transaction holding a counter's
    row lock then waits for no other lock, so the counters add no deadlock to those the
    writers' own locks (practitioner, client, session rows) already order."""
    session.flush()
    keys = session.info.pop(_PENDING, None)
    if keys:
        bump(session.connection(), keys)


def _transaction_over(session: Session, *_args) -> None:
    session.info.pop(_WRITING, None)
    session.info.pop(_PENDING, None)
    session.info.pop(_READ, None)


def _transaction_ended(session: Session, transaction) -> None:
    """Counters read in one transaction say nothing of the next (a session closed without
    a commit or a rollback ends it too)."""
    if transaction.parent is None:
        session.info.pop(_READ, None)


def _do_orm_execute(state) -> None:
    """ORM ``insert``/``update``/``delete`` statements write rows the session never sees:
    the whole kind is stale (``catalogue``, or everyone's ``availability``)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    key = _TABLES.get(str(getattr(table, "name", "")))
    if key is not None:
        _note(state.session, [key])


def install() -> None:
    """Listen on every session (the web's, the worker's, the CLI's). Idempotent."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _transaction_over)
        event.listen(Session, "after_rollback", _transaction_over)
        event.listen(Session, "after_transaction_end", _transaction_ended)
