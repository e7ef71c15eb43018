"""Aggregates for employers: one k, one suppression rule, and releases the employer cannot
rewrite by changing its roster.

An employer controls who is on its roster (leavers, re-hires, departments). Figures
computed live over the roster can therefore be differenced: take one person off, read
again, and the change is that person. Three defences, used by every report an employer or
a committee sees (care outcomes, campaign completion):

- **Adopted cohorts.** The people a scope's figures cover (an enterprise's or a park's
  active employees, with their department) are adopted, not read live: a new roster is
  adopted only when it differs from *every* cohort adopted before in no one or in at least
  k people (``adopted_cohort``). Taking one person off, or moving them to another
  department, changes nothing that is shown until k people have changed.
- **Frozen releases.** Each report is computed once per release period (a day, a month, or
  for a finished year or campaign once for good) over the adopted cohort and stored,
  already suppressed (``release``); later reads in the period show the stored figures.
  Rows of ``aggregate_releases`` are never updated or deleted by the application.
- **Suppression.** No count under k is shown (zero included: "fewer than k"); a share is
  withheld when its group, its count or the count without the attribute is under k
  (``share_is_shown``); small groups are merged and padded (``merge_small_groups``); and
  when a cell is hidden, enough others are hidden that the total minus the cells shown
  is never one hidden cell, nor below k (``suppress_column``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import JSON, String, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, UTCDateTime, db, upsert_insert
from core.memo import memo

T = TypeVar("T")

#: The period of a release that never changes again (a year or campaign that has ended).
FINAL = "final"


def min_group() -> int:
    """k: the smallest number of people any figure shown to an employer or a committee
    may cover (``REPORT_MIN_GROUP``, defined once in ``core.config``)."""
    return int(current_app.config["REPORT_MIN_GROUP"])


# -- suppression rules ------------------------------------------------------------------


def count_is_shown(count: int, *, k: int) -> bool:
    """A count of people is shown only when it is at least k: never 1, 2 or 0."""
    return count >= k


def share_is_shown(numerator: int, denominator: int, *, k: int) -> bool:
    """A share of a group is shown only when the group, the people counted and the people
    not counted each number at least k (so that neither "nobody" nor "everybody" in a
    group is ever revealed)."""
    return denominator >= k and numerator >= k and denominator - numerator >= k


def fewer_than(k: int) -> str:
    """What a suppressed count shows instead of its value, in the reader's language."""
    return _("fewer than %(k)s", k=k)


def merge_small_groups(groups: Mapping[str, list[T]], *, k: int,
                       size: Callable[[list[T]], int] = len
                       ) -> tuple[list[tuple[str, list[T]]], list[T], bool]:
    """Groups of at least ``k`` people, by name; the people of smaller groups merged into
    one further group, padded with the smallest shown groups until it reaches ``k`` (so
    that the total minus the groups shown never reveals a small group).

    Returns ``(shown, other, withheld)``: ``other`` is the merged group (shown when not
    ``withheld``); ``withheld`` is true when it is still under ``k`` after taking every
    group, in which case everyone together is under ``k`` too. ``size`` counts the people
    of a group (its length, or the sum of rows already counted)."""
    large = sorted(((name, people) for name, people in groups.items() if size(people) >= k),
                   key=lambda item: (size(item[1]), item[0]))
    other = [p for people in groups.values() if size(people) < k for p in people]
    while other and size(other) < k and large:
        _name, people = large.pop(0)
        other.extend(people)
    return (sorted(large, key=lambda item: item[0]), other,
            bool(other) and size(other) < k)


def suppress_column(cells: list[int], total: int | None, *, k: int
                    ) -> tuple[list[int | None], int | None]:
    """One column of a table of counts (one cell per group) and its total, as shown.

    - Primary suppression: a cell under ``k`` (zero included) is hidden.
    - Complementary suppression: while what the hidden cells add up to (the total minus the
      cells shown) is under ``k``, which is always so for one hidden cell, the smallest
      cell still shown is hidden too; when none is left, the total is hidden.
    ``None`` stands for a hidden value."""
    shown: list[int | None] = [c if count_is_shown(c, k=k) else None for c in cells]
    if total is None or not count_is_shown(total, k=k):
        return shown, None
    while any(v is None for v in shown):
        hidden_sum = total - sum(v for v in shown if v is not None)
        if hidden_sum >= k:
            break
        visible = [(v, i) for i, v in enumerate(shown) if v is not None]
        if not visible:
            return shown, None
        shown[min(visible)[1]] = None
    return shown, total


# -- adopted cohorts and frozen releases ------------------------------------------------


class AggregateRelease(Model):
    """One release of one report (``subject``) for one period, already suppressed; or, for
    a ``cohort:`` subject, one adopted cohort. Written once; never changed."""

    __tablename__ = "aggregate_releases"
    __table_args__ = (UniqueConstraint("subject", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``care-outcomes:enterprise:3:2026``, ``campaign-completion:7``, ``cohort:enterprise:3``
    subject: Mapped[str] = mapped_column(String(120), index=True)
    #: ``2026-12`` or ``2026-12-06`` while the subject runs, ``final`` once it has ended; the
    #: adoption time for a cohort.
    period: Mapped[str] = mapped_column(String(40))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Figures as shown (suppressed values are absent); for a cohort, its members as
    #: ``[[user_id, group], ...]``: never shown to anyone.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class AggregateReleaseIsFinal(RuntimeError):
    """A programming error: something tried to change a published release."""


@event.listens_for(AggregateRelease, "before_update")
@event.listens_for(AggregateRelease, "before_delete")
def _written_once(mapper: object, connection: object, target: AggregateRelease) -> None:
    raise AggregateReleaseIsFinal(f"aggregate release {target.id} cannot be changed")


def _find(subject: str, period: str) -> AggregateRelease | None:
    return db.session.scalar(select(AggregateRelease).where(
        AggregateRelease.subject == subject, AggregateRelease.period == period))


def _write(subject: str, period: str, figures: dict[str, Any], now: datetime) -> AggregateRelease:
    """Insert once; when two first readers race, both get the row that was stored."""
    db.session.execute(upsert_insert(AggregateRelease).values(
        subject=subject, period=period, released_at=now, figures=figures
    ).on_conflict_do_nothing(index_elements=["subject", "period"]))
    found = _find(subject, period)  # just inserted, or inserted by the racer
    assert found is not None
    return found


def _changed(a: Mapping[int, str], b: Mapping[int, str]) -> int:
    """How many people joined, left or changed group between two cohorts."""
    return sum(1 for uid in a.keys() | b.keys() if a.get(uid, None) != b.get(uid, None))


def adopted_cohort(scope: str, live: Mapping[int, str], *, k: int, now: datetime
                   ) -> dict[int, str]:
    """The people (user id → group) that ``scope``'s figures cover now.

    ``live`` is the roster as it stands (active members only). It is adopted when it
    differs from every cohort adopted before for ``scope`` in nobody or in at least ``k``
    people; otherwise the latest adopted cohort stays, so that toggling fewer than ``k``
    people, or moving them between groups, never changes a figure."""
    subject = f"cohort:{scope}"
    earlier = list(db.session.scalars(select(AggregateRelease).where(
        AggregateRelease.subject == subject).order_by(AggregateRelease.released_at,
                                                      AggregateRelease.id)))
    cohorts = [{int(uid): str(group) for uid, group in row.figures["members"]}
               for row in earlier]
    live = {int(uid): str(group) for uid, group in live.items()}
    if cohorts and _changed(cohorts[-1], live) == 0:
        return cohorts[-1]
    if cohorts and any(0 < _changed(cohort, live) < k for cohort in cohorts):
        return cohorts[-1]
    _write(subject, now.isoformat(), {"members": sorted([uid, group]
                                                        for uid, group in live.items())},
           now)
    return live


#: Releases read, remembered per process: a release is final (never changed nor
#: deleted), so once read it needs no statement again (the reports' hot path, issue 22).
RELEASES_SIZE = 1024


def release(subject: str, *, period: str, compute: Callable[[], dict[str, Any]], now: datetime
            ) -> AggregateRelease:
    """The release of ``subject`` for ``period``: the one stored, or ``compute()``'s
    figures (already suppressed, JSON-safe) stored now and for good. A release read before
    comes back as a copy that belongs to no session (its figures are final)."""
    releases = memo("aggregates.releases", RELEASES_SIZE)
    known = releases.get((subject, period))
    if known is not None:
        return AggregateRelease(subject=subject, period=period, released_at=known[0],
                                figures=known[1])
    written: set[tuple[str, str]] = db.session.info.setdefault("aggregates.written", set())
    found = _find(subject, period)
    if found is None:
        found = _write(subject, period, compute(), now)
        written.add((subject, period))  # not final until this session commits it
    elif (subject, period) not in written:
        releases.put((subject, period), (found.released_at, found.figures))
    return found
