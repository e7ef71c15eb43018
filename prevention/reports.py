"""What an enterprise sees of its campaign: completion by department, k-anonymous.

Every group shown covers at least ``REPORT_MIN_GROUP`` invited employees. Departments that
are smaller are merged into "Other departments"; if that group is still too small, the
smallest shown departments join it until it is large enough (so that the total minus the
groups shown never reveals a small group), and when even everyone together is too few,
nothing is shown. Reads the roster and booking states only: never a health value, never a
name.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from benefits.models import RosterEntry
from booking.models import Booking
from core.db import db
from prevention.models import Campaign, CampaignCheckup, CampaignInvitation
from prevention.queries import DONE_STATUSES

DEFAULT_MIN_GROUP = 5


@dataclass(frozen=True)
class Group:
    label: str
    eligible: int
    booked: int
    completed: int

    @property
    def completion_rate(self) -> float:
        return round(self.completed / self.eligible, 3) if self.eligible else 0.0


@dataclass(frozen=True)
class Completion:
    min_group: int
    groups: list[Group]
    total: Group | None
    groups_withheld: bool


@dataclass(frozen=True)
class _Person:
    booked: bool
    completed: bool


def min_group() -> int:
    return int(current_app.config.get("REPORT_MIN_GROUP", DEFAULT_MIN_GROUP))


def completion(campaign: Campaign) -> Completion:
    """Invited, booked and completed per department, with small groups merged or left out."""
    k = min_group()
    invited = list(db.session.scalars(select(CampaignInvitation.user_id).where(
        CampaignInvitation.campaign_id == campaign.id)))
    departments = dict(db.session.execute(
        select(RosterEntry.user_id, RosterEntry.department).where(
            RosterEntry.enterprise_id == campaign.enterprise_id,
            RosterEntry.user_id.in_(invited), RosterEntry.is_active.is_(True))).all())
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
    unassigned = _("No department")
    for user_id in invited:
        department = departments.get(user_id) or str(unassigned)
        by_department.setdefault(department, []).append(
            _Person(booked=user_id in booked, completed=user_id in done))
    return suppress(by_department, k=k)


def suppress(by_department: dict[str, list[_Person]], *, k: int) -> Completion:
    """Groups of at least ``k`` people; the rest merged into "Other departments", padded
    with the smallest groups until it reaches ``k``, or left out."""
    everyone = [p for people in by_department.values() for p in people]
    large = sorted(((name, people) for name, people in by_department.items()
                    if len(people) >= k), key=lambda item: (len(item[1]), item[0]))
    other = [p for people in by_department.values() if len(people) < k for p in people]
    while other and len(other) < k and large:
        _name, people = large.pop(0)
        other.extend(people)
    groups = [_group(name, people) for name, people in sorted(large)]
    withheld = bool(other) and len(other) < k
    if other and not withheld:
        groups.append(_group(str(_("Other departments")), other))
    total = _group(str(_("Everyone invited")), everyone) if len(everyone) >= k else None
    return Completion(min_group=k, groups=groups, total=total,
                      groups_withheld=withheld or (bool(everyone) and total is None))


def _group(label: str, people: list[_Person]) -> Group:
    return Group(label=label, eligible=len(people), booked=sum(p.booked for p in people),
                 completed=sum(p.completed for p in people))
