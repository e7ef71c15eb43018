"""Which writes move which of ``core.freshness``'s counters, for the catalogue and what a
search knows of the person searching:

- ``catalogue``: any bookable service, provider, practitioner, the services' practitioners,
  provider profiles or ratings written: what a search finds, counts and orders;
- ``p:<id>``: practitioner ``id``'s bookings (the columns that take or free time), rules,
  date exceptions, imported busy time, or public-holiday setting written: their free time;
- ``availability``: public holidays, or availability written by a bulk statement whose
  rows are not known: everyone's free time;
- ``u:<id>``: what a search knows of person ``id``: their roles (and so their parks), the
  health records their needs come from, and their budget accounts (each posting);
- ``budgets``: the programmes' rules (amounts, caps), which every member's budget reads;
- ``people``: roles, health records or postings written by a bulk statement: everyone's;
- ``events``: any park event or session (its title, status, audience, times): the events a
  search shows beside services.

The counters themselves, and why they move in the writer's transaction, are in
``core.freshness``; this module re-exports what the marketplace reads of it.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from benefits.models import (
    BudgetProgramme,
    CategoryCap,
    LedgerAccount,
    LedgerEntry,
    ProgrammeAmountRule,
)
from booking.models import Booking
from core import freshness as core_freshness
from core.accounts.models import ProviderOrganisation
from core.freshness import old_and_new
from health.models import CheckUp, HealthProfile, QuestionnaireResponse
from marketplace.models import ServiceRating
from park.models import Event, EventSession
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

#: Any park event or session: what a search shows beside services.
EVENTS = "events"
CATALOGUE, AVAILABILITY, BUDGETS, PEOPLE = (core_freshness.CATALOGUE,
                                            core_freshness.AVAILABILITY,
                                            core_freshness.BUDGETS, core_freshness.PEOPLE)
practitioner_key, person_key = core_freshness.practitioner_key, core_freshness.person_key
versions, catalogue_version = core_freshness.versions, core_freshness.catalogue_version
writing = core_freshness.writing

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
#: A person's own rows that a search reads (their ``user_id`` names them): the health
#: records their needs are screened from, their budget accounts (their roles move the same
#: counter: ``core.accounts.counters``). A posting changes an
#: account's balance by a bulk UPDATE, so its entries (new rows) name the account instead.
PERSON_MODELS = (HealthProfile, CheckUp, QuestionnaireResponse, LedgerAccount)
EVENT_MODELS = (Event, EventSession)
#: The programmes' rules: every member's budget.
BUDGET_MODELS = (BudgetProgramme, ProgrammeAmountRule, CategoryCap)
_TABLES = {
    **{m.__table__.name: CATALOGUE for m in CATALOGUE_MODELS},
    **{m.__table__.name: AVAILABILITY for m in (*AVAILABILITY_MODELS, *EVERYONE_MODELS)
       if m is not Practitioner},
    **{m.__table__.name: BUDGETS for m in BUDGET_MODELS},
    **{m.__table__.name: EVENTS for m in EVENT_MODELS},
    # Postings update balances in bulk (their entries say whose); any other bulk statement
    # on a person's rows does not say whose.
    **{m.__table__.name: PEOPLE for m in (*PERSON_MODELS, LedgerEntry)
       if m is not LedgerAccount},
}


def _changed(obj) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def stale_keys(session: Session) -> set[str]:
    """The counters that what this flush writes makes stale."""
    keys: set[str] = set()
    for obj in (*session.new, *session.deleted):
        kind = type(obj)
        keys |= _row_keys(session, obj)
        if isinstance(obj, CATALOGUE_MODELS):
            keys.add(CATALOGUE)
        if isinstance(obj, EVERYONE_MODELS):
            keys.add(AVAILABILITY)
        if kind in AVAILABILITY_MODELS and kind is not Practitioner:
            keys |= {practitioner_key(p) for p in old_and_new(obj, "practitioner_id")}
    for obj in session.dirty:
        kind = type(obj)
        watched = (isinstance(obj, (*CATALOGUE_MODELS, *EVERYONE_MODELS, *PERSON_MODELS,
                                    *BUDGET_MODELS, *EVENT_MODELS))
                   or kind in AVAILABILITY_MODELS)
        if not watched:
            continue
        changed = _changed(obj)
        if not changed:
            continue
        keys |= _row_keys(session, obj)
        if isinstance(obj, CATALOGUE_MODELS) and changed - CATALOGUE_IGNORED.get(kind, set()):
            keys.add(CATALOGUE)
        if isinstance(obj, EVERYONE_MODELS):
            keys.add(AVAILABILITY)
        columns = AVAILABILITY_MODELS.get(kind, set())
        if kind in AVAILABILITY_MODELS and (columns is None or changed & columns):
            ids = {obj.id} if kind is Practitioner else old_and_new(obj, "practitioner_id")
            keys |= {practitioner_key(p) for p in ids}
    return keys


def _row_keys(session: Session, obj) -> set[str]:
    """The person, ``budgets`` or ``events`` counters that writing ``obj`` makes stale."""
    if isinstance(obj, EVENT_MODELS):
        return {EVENTS}
    if isinstance(obj, BUDGET_MODELS):
        return {BUDGETS}
    if isinstance(obj, PERSON_MODELS):
        return {person_key(u) for u in old_and_new(obj, "user_id")}
    if isinstance(obj, LedgerEntry):
        # The account was read (and locked) to post to it; one that is not at hand cannot
        # be named without a query, so everyone's inputs go stale instead.
        account = session.identity_map.get(session.identity_key(LedgerAccount, obj.account_id))
        if account is None:
            return {PEOPLE}
        return {person_key(account.user_id)} if account.user_id is not None else set()
    return set()


def install() -> None:
    """Watch every session (the web's, the worker's, the CLI's). Idempotent."""
    core_freshness.watch(stale_keys, bulk=_TABLES,
                         read_along=(CATALOGUE, AVAILABILITY, BUDGETS, PEOPLE, EVENTS))
    core_freshness.install()
