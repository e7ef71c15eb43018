"""What a search needs to know of the person searching: the health needs their own
screening raised (the *recommended* order) and what their budget pays per category (each
card's split, the *covered by my budget* filter).

Both are read on every search and change rarely, so each process remembers them per person,
keyed on the person's freshness counter (``marketplace.freshness``: ``u:<id>`` moves with
each write of their roles, health records or budget accounts), the programmes' counter
(``budgets``), the bulk-write counter (``people``) and the day (budget periods open and
close with it). Working them out costs about ten statements and a decryption; remembered,
they cost the one statement that reads the counters, shared with the catalogue's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from benefits import budgets
from core.accounts.models import User
from core.memo import memo
from core.policy import Action, can
from health import services as health_services
from marketplace import freshness
from providers.models import ProviderCategory

PEOPLE_SIZE = 8192


@dataclass(frozen=True)
class Searcher:
    need_tags: frozenset[str]
    #: What the budget can pay per category today (the best programme); None: no programme.
    budget: dict[str, int] | None


def counter_keys(user: User) -> list[str]:
    """The counters a person's search inputs are keyed on (read with the catalogue's)."""
    return [freshness.person_key(user.id), freshness.BUDGETS, freshness.PEOPLE]


def searcher(user: User, *, today: date) -> Searcher:
    """The person's search inputs, remembered while their counters and the day stay (the
    catalogue's counters come along in the same statement: ``watch(read_along=...)``)."""
    stamps = freshness.versions(counter_keys(user))
    key = (user.id, today, tuple(sorted(stamps.items())))
    people = memo("searcher.people", PEOPLE_SIZE, shared=True)
    writing = freshness.writing()  # this transaction's own writes are not for others
    found = None if writing else people.get(key)
    if found is None:
        found = Searcher(need_tags=worked_out_need_tags(user),
                         budget=worked_out_budget(user, today=today))
        if not writing:
            people.put(key, found)
    return found


def need_tags_of(user: User, *, today: date) -> frozenset[str]:
    return searcher(user, today=today).need_tags


def budget_by_category(user: User, *, today: date) -> dict[str, int] | None:
    return searcher(user, today=today).budget


def worked_out_need_tags(user: User) -> frozenset[str]:
    """The health needs the person's own screening raised; only employees keep a health
    profile."""
    if not can(user, Action.MANAGE_OWN_HEALTH):
        return frozenset()
    return frozenset(str(tag) for tag in health_services.screening_for(user).needs())


def worked_out_budget(user: User, *, today: date) -> dict[str, int] | None:
    """What the employee's budget can pay per category today (the best programme), or None
    when they have no programme."""
    programmes = [p for m in user.active_memberships if m.enterprise_id
                  for p in budgets.programmes_of(m.enterprise_id)]
    if not programmes:
        return None
    categories = [c.value for c in ProviderCategory]
    per_programme = [budgets.available_by_category(user.id, p, categories=categories,
                                                   today=today) for p in programmes]
    return {c: max(available[c] for available in per_programme) for c in categories}
