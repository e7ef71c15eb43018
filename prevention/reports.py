"""What an enterprise sees of its campaign: completion by department, k-anonymous.

Every group shown covers at least ``REPORT_MIN_GROUP`` invited employees (``core.aggregates``).
Departments that are smaller are merged into "Other departments"; if that group is still
too small, the smallest shown departments join it until it is large enough (so that the
total minus the groups shown never reveals a small group), and when even everyone together
is too few, nothing is shown. A booked or completed count under k (zero included) shows
as "fewer than k", and when one is hidden enough others are hidden that the total minus
the counts shown never gives it away.

The people counted are the enterprise's adopted cohort (active employees, by department;
it changes only when at least k people joined, left or moved), and the figures are worked
out once a day and stored (``completion``): deactivating, reactivating or moving one
person changes nothing shown. Reads the roster and booking states only: never a health
value, never a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from benefits import roster
from booking.models import Booking
from core import aggregates
from core.clock import today_in
from core.db import db
from prevention.models import Campaign, CampaignCheckup, CampaignInvitation
from prevention.queries import DONE_STATUSES

#: Labels stored in a release for the groups that are not a department (translated when
#: shown, in the reader's language).
OTHER, NO_DEPARTMENT, EVERYONE = "__other__", "__none__", "__everyone__"


@dataclass(frozen=True)
class Group:
    label: str
    eligible: int
    booked: int | None  #: None: fewer than k (or hidden so that it cannot be worked out)
    completed: int | None

    @property
    def completion_rate(self) -> float | None:
        if self.completed is None or not self.eligible:
            return None
        return round(self.completed / self.eligible, 3)


@dataclass(frozen=True)
class Completion:
    min_group: int
    groups: list[Group]
    total: Group | None
    groups_withheld: bool
    released_at: datetime | None = None


@dataclass(frozen=True)
class _Person:
    booked: bool
    completed: bool


def min_group() -> int:
    return aggregates.min_group()


def _people(campaign: Campaign, cohort: dict[int, str]) -> dict[str, list[_Person]]:
    invited = set(db.session.scalars(select(CampaignInvitation.user_id).where(
        CampaignInvitation.campaign_id == campaign.id)))
    states = db.session.execute(
        select(CampaignCheckup.user_id, CampaignCheckup.results_received_at, Booking.status)
        .join(Booking, Booking.id == CampaignCheckup.booking_id)
        .where(CampaignCheckup.campaign_id == campaign.id,
               CampaignCheckup.dependant_id.is_(None), CampaignCheckup.cancelled_at.is_(None))
    ).all()
    booked = {user_id for user_id, _received, _status in states}
    done = {user_id for user_id, received, status in states
            if received is not None or status in DONE_STATUSES}
    by_department: dict[str, list[_Person]] = {}
    for user_id in sorted(invited & cohort.keys()):  # leavers are not counted at all
        by_department.setdefault(cohort[user_id] or NO_DEPARTMENT, []).append(
            _Person(booked=user_id in booked, completed=user_id in done))
    return by_department


def live_completion(campaign: Campaign) -> Completion:
    """Completion over the enterprise's active employees as they stand now, suppressed
    but not released: for tests and checks. Employers read ``completion``."""
    k = min_group()
    return _labelled(suppress(_people(campaign, roster.active_departments(
        [campaign.enterprise_id])), k=k))


def completion(campaign: Campaign, *, now: datetime) -> Completion:
    """What the enterprise's admins read: today's release of the campaign's completion,
    worked out over the enterprise's adopted cohort the first time it is read today."""
    k = min_group()

    def figures() -> dict:
        cohort = aggregates.adopted_cohort(
            f"enterprise:{campaign.enterprise_id}",
            roster.active_departments([campaign.enterprise_id]), k=k, now=now)
        done = suppress(_people(campaign, cohort), k=k)
        return {"k": done.min_group, "groups": [_stored(g) for g in done.groups],
                "total": _stored(done.total) if done.total else None,
                "groups_withheld": done.groups_withheld}

    stored = aggregates.release(f"campaign-completion:{campaign.id}",
                                period=today_in(campaign.enterprise.park, now=now).isoformat(),
                                compute=figures, now=now)
    data = stored.figures
    return _labelled(Completion(
        min_group=data["k"], groups=[Group(**g) for g in data["groups"]],
        total=Group(**data["total"]) if data["total"] else None,
        groups_withheld=data["groups_withheld"], released_at=stored.released_at))


def _stored(group: Group) -> dict:
    return {"label": group.label, "eligible": group.eligible, "booked": group.booked,
            "completed": group.completed}


def _labelled(done: Completion) -> Completion:
    names = {OTHER: _("Other departments"), NO_DEPARTMENT: _("No department"),
             EVERYONE: _("Everyone invited")}

    def label(group: Group) -> Group:
        return Group(label=str(names.get(group.label, group.label)), eligible=group.eligible,
                     booked=group.booked, completed=group.completed)
    return Completion(min_group=done.min_group, groups=[label(g) for g in done.groups],
                      total=label(done.total) if done.total else None,
                      groups_withheld=done.groups_withheld, released_at=done.released_at)


def suppress(by_department: dict[str, list[_Person]], *, k: int) -> Completion:
    """Groups of at least ``k`` people; the rest merged into "Other departments", padded
    with the smallest groups until it reaches ``k``, or left out; then booked and
    completed counts under ``k`` hidden, with their complements (``core.aggregates``)."""
    everyone = [p for people in by_department.values() for p in people]
    shown, other, withheld = aggregates.merge_small_groups(by_department, k=k)
    groups = list(shown)
    if other and not withheld:
        groups.append((OTHER, other))
    if not aggregates.count_is_shown(len(everyone), k=k):
        return Completion(min_group=k, groups=[], total=None, groups_withheld=bool(everyone))
    booked, total_booked = aggregates.suppress_column(
        [sum(p.booked for p in people) for _name, people in groups],
        sum(p.booked for p in everyone), k=k)
    completed, total_completed = aggregates.suppress_column(
        [sum(p.completed for p in people) for _name, people in groups],
        sum(p.completed for p in everyone), k=k)
    rows = [Group(label=name, eligible=len(people), booked=b, completed=c)
            for (name, people), b, c in zip(groups, booked, completed, strict=True)]
    return Completion(min_group=k, groups=rows, groups_withheld=withheld,
                      total=Group(label=EVERYONE, eligible=len(everyone), booked=total_booked,
                                  completed=total_completed))
