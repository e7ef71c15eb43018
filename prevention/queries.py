"""Reads of the prevention package: the public query other packages (``care``) rely on,
campaigns and check-ups for each side, and the completion aggregates.

``eligible_and_completed_user_ids`` is the stable public interface for outcome indicators:
its signature and meaning do not change.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from booking.models import Booking, BookingStatus
from core.accounts.models import Enterprise, ProviderOrganisation, ProviderStatus, Role, User
from core.db import db
from core.errors import NotFound
from core.policy import Action, can, require
from prevention.models import Campaign, CampaignCheckup, CampaignInvitation, CampaignStatus
from providers.models import ProviderCategory, Service

#: Booking states of a check-up that took place.
DONE_STATUSES = (BookingStatus.ATTENDED,)


def eligible_and_completed_user_ids(*, enterprise_ids: Collection[int], year: int
                                    ) -> tuple[set[int], set[int]]:
    """Employees eligible for a check-up, and those who completed it, in the campaigns of
    ``year`` run by any of ``enterprise_ids``.

    - eligible: every employee invited to such a campaign (invitations are written for each
      active employee when the campaign is created, and for an employee who joins later when
      they first book); closed campaigns count too.
    - completed: the eligible employees whose own check-up (not a family member's) in such a
      campaign is done: the provider uploaded their results, or marked the booking attended.
      Cancelled check-ups never count. ``completed`` is a subset of ``eligible``.

    Returns ``(eligible, completed)`` as sets of user ids; both empty when nothing matches.
    Reads no health data, checks no permission: the caller aggregates (k-anonymously)
    before showing anything.
    """
    ids = list(enterprise_ids)
    if not ids:
        return set(), set()
    campaigns = select(Campaign.id).where(Campaign.enterprise_id.in_(ids),
                                          Campaign.year == year)
    eligible = set(db.session.scalars(select(CampaignInvitation.user_id).where(
        CampaignInvitation.campaign_id.in_(campaigns))))
    completed = set(db.session.scalars(
        select(CampaignCheckup.user_id).join(Booking, Booking.id == CampaignCheckup.booking_id)
        .where(CampaignCheckup.campaign_id.in_(campaigns),
               CampaignCheckup.dependant_id.is_(None), CampaignCheckup.cancelled_at.is_(None),
               (CampaignCheckup.results_received_at.is_not(None))
               | Booking.status.in_(DONE_STATUSES))))
    return eligible, completed & eligible


# -- for enterprise admins -----------------------------------------------------------------


def enterprise_for_admin(user: User, enterprise_id: int) -> Enterprise:
    """The enterprise whose campaigns ``user`` runs. Raises NotFound, Forbidden."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    require(user, Action.MANAGE_BENEFITS, enterprise)
    return enterprise


def campaigns_of(enterprise: Enterprise) -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).where(
        Campaign.enterprise_id == enterprise.id).order_by(Campaign.year.desc(),
                                                          Campaign.id.desc())))


def campaign_for_admin(user: User, campaign_id: int) -> Campaign:
    """A campaign of an enterprise ``user`` administers. Raises NotFound, Forbidden."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound()
    require(user, Action.MANAGE_BENEFITS, campaign.enterprise)
    return campaign


# -- for employees -------------------------------------------------------------------------


def invitations_of(user: User) -> list[CampaignInvitation]:
    return list(db.session.scalars(
        select(CampaignInvitation).join(Campaign)
        .where(CampaignInvitation.user_id == user.id)
        .order_by(Campaign.year.desc(), Campaign.id.desc())))


def checkups_of(user: User, campaign: Campaign | None = None) -> list[CampaignCheckup]:
    statement = select(CampaignCheckup).where(CampaignCheckup.user_id == user.id)
    if campaign is not None:
        statement = statement.where(CampaignCheckup.campaign_id == campaign.id)
    return list(db.session.scalars(statement.order_by(CampaignCheckup.day.desc(),
                                                      CampaignCheckup.id.desc())))


def own_checkup(user: User, checkup_id: int) -> CampaignCheckup:
    """The employee's own campaign check-up; anyone else's is not found."""
    checkup = db.session.get(CampaignCheckup, checkup_id)
    if checkup is None or not can(user, Action.OWN_RECORD, checkup):
        raise NotFound()
    return checkup


# -- for providers -------------------------------------------------------------------------


def provider_checkups(provider: ProviderOrganisation, *, on: date | None = None
                      ) -> Select:
    statement = select(CampaignCheckup).join(Campaign).where(
        Campaign.provider_id == provider.id)
    if on is not None:
        statement = statement.where(CampaignCheckup.day == on)
    return statement.order_by(CampaignCheckup.day, CampaignCheckup.id)


def checkup_services(park_id: int) -> list[Service]:
    """Active ``health_checkup`` services of verified providers in the park."""
    return list(db.session.scalars(
        select(Service).join(ProviderOrganisation, ProviderOrganisation.id == Service.provider_id)
        .where(ProviderOrganisation.park_id == park_id,
               ProviderOrganisation.status == ProviderStatus.VERIFIED,
               Service.is_active.is_(True),
               Service.category == ProviderCategory.HEALTH_CHECKUP)
        .order_by(Service.id)))


def interpretation_services(park_id: int) -> list[Service]:
    """Services that can explain a report: check-up services, or any tagged
    ``checkup_results``, of verified providers in the park."""
    services = db.session.scalars(
        select(Service).join(ProviderOrganisation, ProviderOrganisation.id == Service.provider_id)
        .where(ProviderOrganisation.park_id == park_id,
               ProviderOrganisation.status == ProviderStatus.VERIFIED,
               Service.is_active.is_(True)).order_by(Service.id))
    return [s for s in services if s.category is ProviderCategory.HEALTH_CHECKUP
            or "checkup_results" in (s.health_needs or [])]


def campaigns_for_employee(user: User) -> list[Campaign]:
    """Campaigns the person is invited to, and open ones of enterprises they work for (an
    employee who joined after the campaign started is invited when they book)."""
    enterprise_ids = [m.enterprise_id for m in user.active_memberships
                      if m.role is Role.EMPLOYEE and m.enterprise_id is not None]
    invited = select(CampaignInvitation.campaign_id).where(CampaignInvitation.user_id == user.id)
    return list(db.session.scalars(
        select(Campaign).where(Campaign.id.in_(invited)
                               | (Campaign.enterprise_id.in_(enterprise_ids)
                                  & (Campaign.status == CampaignStatus.OPEN)))
        .order_by(Campaign.year.desc(), Campaign.id.desc())))


def invitation_of(user: User, campaign: Campaign) -> CampaignInvitation | None:
    return db.session.scalar(select(CampaignInvitation).where(
        CampaignInvitation.campaign_id == campaign.id, CampaignInvitation.user_id == user.id))


def campaign_for_employee(user: User, campaign_id: int) -> Campaign:
    """A campaign the person may book in (or was invited to); otherwise not found."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign not in campaigns_for_employee(user):
        raise NotFound()
    return campaign


def provider_checkup(user: User, checkup_id: int) -> CampaignCheckup:
    """A campaign check-up at one of the user's providers. Raises NotFound, Forbidden."""
    checkup = db.session.get(CampaignCheckup, checkup_id)
    if checkup is None:
        raise NotFound()
    require(user, Action.MANAGE_BOOKINGS, checkup.campaign.provider)
    return checkup


@dataclass(frozen=True)
class HomeNotice:
    """A line on the employee's home page: book the check-up, or read the results."""

    kind: str  #: "book", "results" or "family_results" (a family member's)
    campaign: Campaign
    checkup: CampaignCheckup | None = None


RESULTS_NOTICE_DAYS = 60


def home_notices(user: User, *, today: date) -> list[HomeNotice]:
    """Open campaigns the employee has not booked yet, and results (their own and their
    family members') of the last ``RESULTS_NOTICE_DAYS`` days."""
    notices = []
    for campaign in campaigns_for_employee(user):
        booked = checkups_of(user, campaign)
        mine = [c for c in booked if c.dependant_id is None]
        if campaign.is_open and campaign.ends_on >= today and not any(c.is_live for c in mine):
            notices.append(HomeNotice("book", campaign))
        notices += [HomeNotice("results" if c.dependant_id is None else "family_results",
                               campaign, c) for c in booked
                    if c.results_received_at is not None
                    and (today - c.day).days <= RESULTS_NOTICE_DAYS]
    return notices
