"""JSON endpoints of check-up campaigns (in the OpenAPI document): the enterprise admin's
campaigns, report and nudges; the employee's invitations, days, booking, consent and
explained results; the provider's campaign check-ups and results upload. Thin: the same
services and queries as the pages."""

from __future__ import annotations

from core import aggregates
from core.accounts.models import ApiScope, ProviderOrganisation, User
from core.api.openapi import ApiBlueprint
from core.clock import today_in, utcnow
from core.db import db
from core.errors import NotFound
from core.i18n import current_locale_code
from core.policy import Action, require
from prevention import queries, reports, services
from prevention.models import Campaign, CampaignCheckup
from prevention.schemas import (
    CampaignChange,
    CampaignInput,
    CampaignList,
    CampaignOut,
    CampaignReportOut,
    CheckupBookingInput,
    CheckupOut,
    CompletionOut,
    ConsentInput,
    DaySlotsOut,
    EmptyBody,
    ExplainedOut,
    GroupOut,
    InvitationList,
    InvitationOut,
    NudgeOut,
    PackageOut,
    ProviderCheckupList,
    ProviderCheckupOut,
    ResultsInput,
    ResultsOut,
    SlotOut,
    SlotQuery,
)

bp = ApiBlueprint("prevention_api", __name__, tag="prevention")


def _group(group: reports.Group | None) -> GroupOut | None:
    if group is None:
        return None
    return GroupOut(label=group.label, eligible=group.eligible, booked=group.booked,
                    completed=group.completed, completion_rate=group.completion_rate)


def _report(campaign: Campaign) -> CampaignReportOut:
    done = reports.completion(campaign, now=utcnow())
    return CampaignReportOut(
        campaign=CampaignOut.of(campaign, current_locale_code()),
        completion=CompletionOut(campaign_id=campaign.id, min_group=done.min_group,
                                 groups=[_group(g) for g in done.groups],
                                 total=_group(done.total),
                                 groups_withheld=done.groups_withheld,
                                 released_at=done.released_at))


def checkup_out(checkup: CampaignCheckup, user: User, *, with_results: bool) -> CheckupOut:
    locale = current_locale_code()
    campaign = checkup.campaign
    results = services.explained_results(checkup, actor=user) if with_results else None
    abnormal = bool(results) and any(item.is_abnormal for item in results)
    return CheckupOut(
        id=checkup.id, campaign_id=campaign.id, campaign_name=campaign.name(locale),
        package=PackageOut.of(checkup.package, locale), booking_id=checkup.booking_id,
        booking_status=checkup.booking.status.value, starts_at=checkup.booking.starts_at,
        day=checkup.day, for_dependant=checkup.dependant_id is not None,
        dependant_id=checkup.dependant_id,
        provider_name=campaign.provider.name(locale),
        preparation=campaign.preparation(locale),
        results_consent=checkup.results_consent_at is not None,
        results_received=checkup.results_received_at is not None,
        results=[ExplainedOut(key=r.key, label=r.label, value=r.shown_value, unit=r.unit,
                              level=r.level.value if r.level else None,
                              level_label=r.level.label if r.level else None,
                              what_it_is=r.what_it_is, advice=r.advice)
                 for r in results or []],
        interpretation_service_id=campaign.interpretation_service_id if abnormal else None)


# -- enterprise admins ----------------------------------------------------------------------


@bp.operation("/enterprises/<int:enterprise_id>/campaigns", method="GET", response=CampaignList,
              errors=(403, 404), summary="The enterprise's check-up campaigns (its admins)")
def list_campaigns(user: User, enterprise_id: int):
    enterprise = queries.enterprise_for_admin(user, enterprise_id)
    locale = current_locale_code()
    return CampaignList(items=[CampaignOut.of(c, locale)
                               for c in queries.campaigns_of(enterprise)])


@bp.operation("/enterprises/<int:enterprise_id>/campaigns", method="POST", scope=ApiScope.WRITE,
              body=CampaignInput, response=CampaignOut, status=201, errors=(403, 404, 422),
              summary="Create a yearly check-up campaign; every employee is invited")
def create_campaign(user: User, enterprise_id: int, body: CampaignInput):
    enterprise = queries.enterprise_for_admin(user, enterprise_id)
    campaign = services.create_campaign(enterprise, body, actor=user, now=utcnow(),
                                        today=today_in())
    return CampaignOut.of(campaign, current_locale_code())


@bp.operation("/campaigns/<int:campaign_id>", method="GET", response=CampaignReportOut,
              errors=(403, 404), summary="A campaign and its completion by department "
                                         "(k-anonymous)")
def get_campaign(user: User, campaign_id: int):
    return _report(queries.campaign_for_admin(user, campaign_id))


@bp.operation("/campaigns/<int:campaign_id>", method="PUT", scope=ApiScope.WRITE,
              body=CampaignChange, response=CampaignOut, errors=(403, 404, 409, 422),
              summary="Move an open campaign's dates or change its daily capacity")
def change_campaign(user: User, campaign_id: int, body: CampaignChange):
    """Never so that a booked check-up falls outside the dates (422 naming the day) or a day
    holds more check-ups than the capacity; 409 ``campaign_closed``."""
    campaign = queries.campaign_for_admin(user, campaign_id)
    return CampaignOut.of(services.change_campaign(campaign, actor=user, today=today_in(),
                                                   **body.model_dump()),
                          current_locale_code())


@bp.operation("/campaigns/<int:campaign_id>/nudges", method="POST", scope=ApiScope.WRITE,
              body=EmptyBody, response=NudgeOut, status=201, errors=(403, 404, 409),
              summary="Remind everyone invited who has not booked (the count only)")
def nudge(user: User, campaign_id: int, body: EmptyBody):
    campaign = queries.campaign_for_admin(user, campaign_id)
    count = services.nudge_unbooked(campaign, actor=user, now=utcnow())
    return NudgeOut(nudged=count if aggregates.count_is_shown(
        count, k=aggregates.min_group()) else None)


@bp.operation("/campaigns/<int:campaign_id>/close", method="POST", scope=ApiScope.WRITE,
              body=EmptyBody, response=CampaignOut, errors=(403, 404),
              summary="Close a campaign to new bookings")
def close_campaign(user: User, campaign_id: int, body: EmptyBody):
    campaign = queries.campaign_for_admin(user, campaign_id)
    return CampaignOut.of(services.close_campaign(campaign, actor=user), current_locale_code())


# -- employees ----------------------------------------------------------------------------


def _employee(user: User) -> None:
    require(user, Action.MANAGE_OWN_HEALTH)


@bp.operation("/me/checkup-campaigns", method="GET", response=InvitationList, errors=(403,),
              summary="My check-up invitations, the packages that fit me, and my check-ups")
def my_campaigns(user: User):
    _employee(user)
    locale = current_locale_code()
    items = []
    for campaign in queries.campaigns_for_employee(user):
        invitation = queries.invitation_of(user, campaign)
        day = max(today_in(campaign.enterprise.park), campaign.starts_on)
        fitting = services.fitting_packages(campaign, services.person_on(user, None, day))
        items.append(InvitationOut(
            campaign=CampaignOut.of(campaign, locale),
            fitting_package_ids=[p.id for p in fitting],
            nudged=bool(invitation and invitation.nudged_at),
            checkups=[checkup_out(c, user, with_results=False)
                      for c in queries.checkups_of(user, campaign)]))
    return InvitationList(items=items)


@bp.operation("/me/checkup-campaigns/<int:campaign_id>/slots", method="GET", query=SlotQuery,
              response=DaySlotsOut, errors=(403, 404, 422),
              summary="Free check-up times of one day of the campaign")
def day_slots(user: User, campaign_id: int, query: SlotQuery):
    _employee(user)
    campaign = queries.campaign_for_employee(user, campaign_id)
    found = services.day_slots(campaign, on=query.on, now=utcnow())
    locale = current_locale_code()
    return DaySlotsOut(on=found.on, left_today=found.left_today, slots=[
        SlotOut(practitioner_id=p.id, practitioner_name=p.name(locale),
                starts_at=slot.starts_at, ends_at=slot.ends_at, remaining=slot.remaining)
        for slot, p in found.slots])


@bp.operation("/me/checkup-campaigns/<int:campaign_id>/bookings", method="POST",
              scope=ApiScope.WRITE, body=CheckupBookingInput, response=CheckupOut, status=201,
              errors=(403, 404, 409, 422),
              summary="Book my check-up (paid by my employer), with or without consent to "
                      "receive the results into my profile")
def book_checkup(user: User, campaign_id: int, body: CheckupBookingInput):
    _employee(user)
    campaign = queries.campaign_for_employee(user, campaign_id)
    checkup = services.book_checkup(
        campaign, actor=user, package_id=body.package_id, practitioner_id=body.practitioner_id,
        starts_at=body.starts_at, now=utcnow(), dependant_id=body.dependant_id,
        results_consent=body.results_consent)
    return checkup_out(checkup, user, with_results=False)


@bp.operation("/me/checkups/<int:checkup_id>", method="GET", response=CheckupOut,
              errors=(403, 404),
              summary="My check-up: preparation, and results explained in plain words")
def get_checkup(user: User, checkup_id: int):
    _employee(user)
    return checkup_out(queries.own_checkup(user, checkup_id), user, with_results=True)


@bp.operation("/me/checkups/<int:checkup_id>/consent", method="PUT", scope=ApiScope.WRITE,
              body=ConsentInput, response=CheckupOut, errors=(403, 404, 409, 422),
              summary="Give or withdraw consent to receive the results into my profile")
def set_consent(user: User, checkup_id: int, body: ConsentInput):
    _employee(user)
    checkup = services.set_results_consent(queries.own_checkup(user, checkup_id), actor=user,
                                           consent=body.results_consent, now=utcnow())
    return checkup_out(checkup, user, with_results=False)


# -- providers ------------------------------------------------------------------------------


@bp.operation("/providers/<int:provider_id>/campaign-checkups", method="GET",
              response=ProviderCheckupList, errors=(403, 404),
              summary="Campaign check-ups booked at the provider (its staff)")
def provider_checkups(user: User, provider_id: int):
    provider = db.session.get(ProviderOrganisation, provider_id)
    if provider is None:
        raise NotFound()
    require(user, Action.MANAGE_BOOKINGS, provider)
    return ProviderCheckupList(items=[
        ProviderCheckupOut(id=c.id, campaign_id=c.campaign_id,
                           client_name=c.user.display_name,
                           for_dependant=c.dependant_id is not None,
                           package_code=c.package.code,
                           starts_at=c.booking.starts_at,
                           booking_status=c.booking.status.value,
                           results_consent=c.results_consent_at is not None,
                           results_received=c.results_received_at is not None)
        for c in db.session.scalars(queries.provider_checkups(provider))])


@bp.operation("/campaign-checkups/<int:checkup_id>/results", method="POST",
              scope=ApiScope.WRITE, body=ResultsInput, response=ResultsOut, status=201,
              errors=(403, 404, 409, 422),
              summary="Upload one check-up's results into the employee's profile (with their "
                      "consent)")
def upload_results(user: User, checkup_id: int, body: ResultsInput):
    checkup = queries.provider_checkup(user, checkup_id)
    outcome = services.upload_results(checkup, actor=user, fmt=body.format,
                                      content=body.content, now=utcnow())
    return ResultsOut(checkup_id=checkup.id, results_received=True, abnormal=outcome.abnormal)
