"""JSON endpoints for providers, services, slots, and the provider side's services, rules
and exceptions. Thin: each one checks the shape, calls a service or a query, serialises."""

from __future__ import annotations

from flask import make_response, url_for
from pydantic_core import to_json

from core.accounts.models import ApiScope, ProviderOrganisation, ProviderStatus, User
from core.api.openapi import ApiBlueprint, json_response
from core.api.pagination import paginate
from core.clock import today_in, utcnow
from core.db import replica_reads
from core.errors import NotFound
from core.i18n import current_locale_code
from core.jobs.schemas import JobOut
from core.policy import Action, can, require
from providers import (
    feeds,
    holiday_calendar,
    holidays,
    hours_services,
    photos,
    queries,
    services,
    verification,
)
from providers.models import CredentialStatus, Practitioner, VerificationStatus
from providers.schedule import Slot
from providers.schemas import (
    WEEKDAY_KEYS,
    BusyCalendar,
    BusyCalendarOut,
    BusyImport,
    CredentialList,
    CredentialOut,
    CredentialSummary,
    CredentialUpload,
    ExceptionData,
    ExceptionList,
    ExceptionOut,
    FeedAddressOut,
    HolidayDayOut,
    HolidayNoticeData,
    HolidayYearOut,
    KeptRuleOut,
    PhotoOut,
    PhotoUpload,
    PractitionerData,
    PractitionerOut,
    ProfileData,
    ProviderOut,
    ProviderPage,
    ProviderQuery,
    ProviderSummary,
    ReviewData,
    RuleData,
    RuleList,
    RuleOut,
    ServiceData,
    ServiceOut,
    SlotList,
    SlotQuery,
    TimeRangeData,
    WeekDaysData,
    WeeklyHoursData,
    WeeklyHoursOut,
)

bp = ApiBlueprint("providers_api", __name__, tag="providers")


def _summary(provider: ProviderOrganisation) -> ProviderSummary:
    locale = current_locale_code()
    return ProviderSummary(id=provider.id, name=provider.name(locale), name_zh=provider.name_zh,
                           name_en=provider.name_en, status=provider.status.value,
                           categories=[c.value for c in queries.categories_of(provider)])


def _photo_out(photo, locale: str) -> PhotoOut:
    def url(size: str, fmt: str) -> str:
        return url_for("providers.photo_image", photo_id=photo.id, size=size, fmt=fmt)

    return PhotoOut(id=photo.id, alt=photo.alt(locale), width=photo.width,
                    height=photo.height, small_webp=url("small", "webp"),
                    small_jpeg=url("small", "jpg"), large_webp=url("large", "webp"),
                    large_jpeg=url("large", "jpg"))


def _provider_out(provider: ProviderOrganisation, user: User) -> ProviderOut:
    locale = current_locale_code()
    everything = queries.sees_everything_of(user, provider)
    manages = can(user, Action.MANAGE_PROVIDER, provider)
    profile = queries.profile_or_none(provider)
    return ProviderOut(
        **_summary(provider).model_dump(), park_id=provider.park_id,
        description=profile.description(locale) if profile else "",
        description_zh=profile.description_zh if profile else "",
        description_en=profile.description_en if profile else "",
        venues=profile.venues if profile else [],
        address=profile.address(locale) if profile else "",
        languages=profile.languages if profile else [],
        photo_urls=profile.photo_urls if profile else [],
        photos=[_photo_out(photo, locale) for photo in photos.photos_of(provider)],
        credentials=[CredentialSummary(licence_type=c.licence_type, issuer=c.issuer,
                                       practitioner_id=c.practitioner_id,
                                       expires_on=c.expires_on)
                     for c in queries.credentials_of(provider)
                     if c.status is CredentialStatus.APPROVED
                     and c.expires_on >= today_in()],
        practitioners=[PractitionerOut.of(p, locale) for p in
                       queries.practitioners_of(provider, listed_only=not everything)],
        services=[ServiceOut.of(s, locale, private=manages) for s in
                  queries.services_of(provider, listed_only=not everything)])


@bp.operation("/providers", method="GET", summary="Verified providers of your parks",
              query=ProviderQuery, response=ProviderPage)
def list_providers(user: User, query: ProviderQuery):
    """Filter with ``category`` (tcm, rehabilitation, counselling, culture, travel_wellness,
    childcare, eldercare, health_checkup)."""
    return paginate(queries.listed_providers(user, category=query.category), query, _summary)


@bp.operation("/providers/<int:provider_id>", method="GET", response=ProviderOut,
              summary="A provider with its profile, practitioners and services", errors=(404,))
def get_provider(user: User, provider_id: int):
    return _provider_out(queries.provider_for(user, provider_id, Action.VIEW_PROVIDER), user)


@bp.operation("/providers/<int:provider_id>/profile", method="PUT", scope=ApiScope.WRITE,
              body=ProfileData, response=ProviderOut, errors=(404,),
              summary="Replace a provider's profile and categories (owners)")
def put_profile(user: User, provider_id: int, body: ProfileData):
    provider = queries.get_provider(provider_id)
    services.update_profile(provider, body, actor=user, now=utcnow())
    return _provider_out(provider, user)


@bp.operation("/providers/<int:provider_id>/practitioners", method="POST",
              scope=ApiScope.WRITE, body=PractitionerData, response=PractitionerOut,
              status=201, errors=(404, 409), summary="Add a practitioner (owners)")
def post_practitioner(user: User, provider_id: int, body: PractitionerData):
    provider = queries.get_provider(provider_id)
    practitioner = services.add_practitioner(provider, body, actor=user, now=utcnow())
    return PractitionerOut.of(practitioner, current_locale_code())


@bp.operation("/practitioners/<int:practitioner_id>", method="PUT", scope=ApiScope.WRITE,
              body=PractitionerData, response=PractitionerOut, errors=(404, 409),
              summary="Change a practitioner (owners)")
def put_practitioner(user: User, practitioner_id: int, body: PractitionerData):
    practitioner = queries.get_practitioner(practitioner_id)
    services.update_practitioner(practitioner, body, actor=user)
    return PractitionerOut.of(practitioner, current_locale_code())


@bp.operation("/providers/<int:provider_id>/services", method="POST", scope=ApiScope.WRITE,
              body=ServiceData, response=ServiceOut, status=201, errors=(404,),
              summary="Create a service (owners)")
def post_service(user: User, provider_id: int, body: ServiceData):
    provider = queries.get_provider(provider_id)
    service = services.create_service(provider, body, actor=user, now=utcnow())
    return ServiceOut.of(service, current_locale_code(), private=True)


@bp.operation("/services/<int:service_id>", method="GET", response=ServiceOut, errors=(404,),
              summary="A service")
def get_service(user: User, service_id: int):
    """The online-session link is not in ``details`` unless you manage the provider: the
    attendee finds it on their booking shortly before the start."""
    service = queries.service_for(user, service_id, Action.VIEW_PROVIDER)
    return ServiceOut.of(service, current_locale_code(),
                         private=can(user, Action.MANAGE_PROVIDER, service.provider))


@bp.operation("/services/<int:service_id>", method="PUT", scope=ApiScope.WRITE,
              body=ServiceData, response=ServiceOut, errors=(404,),
              summary="Replace a service's details (owners)")
def put_service(user: User, service_id: int, body: ServiceData):
    service = queries.service_for(user, service_id, Action.MANAGE_PROVIDER)
    services.update_service(service, body, actor=user, now=utcnow())
    return ServiceOut.of(service, current_locale_code(), private=True)


@bp.operation("/services/<int:service_id>/slots", method="GET", query=SlotQuery,
              response=SlotList, errors=(404,),
              summary="Bookable slots of a service within a window")
def get_slots(user: User, service_id: int, query: SlotQuery):
    """Each slot has its start and end (UTC), the practitioner, and the places left. The
    window is at most 62 days; times without an offset are read in the park's zone."""
    service = queries.service_for(user, service_id, Action.VIEW_PROVIDER,
                                  with_practitioners=True)
    timezone = service.provider.park.timezone
    start, end = queries.check_window(query.from_, query.to, timezone=timezone)
    locale = current_locale_code()
    names = {p.id: p.name(locale) for p in service.practitioners}

    def render(found: list[tuple[Slot, Practitioner]]) -> bytes:
        # Hundreds of slots, every value from the slot engine: written as SlotList's JSON
        # straight from plain values (no model per slot).
        return to_json({"service_id": service.id, "timezone": timezone, "items": [
            {"starts_at": slot.starts_at, "ends_at": slot.ends_at,
             "practitioner_id": slot.practitioner_id,
             "practitioner_name": names[slot.practitioner_id], "remaining": slot.remaining}
            for slot, _ in found]})

    with replica_reads():  # shown, not promised: booking checks the place on the primary
        body = queries.rendered_slots_for(
            service, start=start, end=end, now=utcnow(), render=render,
            variant=(service.id, timezone, tuple(sorted(names.items()))))
    return json_response(body)


@bp.operation("/practitioners/<int:practitioner_id>/rules", method="GET", response=RuleList,
              errors=(404,), summary="A practitioner's weekly availability rules (staff)")
def list_rules(user: User, practitioner_id: int):
    practitioner = queries.practitioner_for(user, practitioner_id,
                                            Action.VIEW_PROVIDER_DASHBOARD)
    return RuleList(items=[RuleOut.of(r) for r in queries.rules_of(practitioner)])


@bp.operation("/practitioners/<int:practitioner_id>/rules", method="POST",
              scope=ApiScope.WRITE, body=RuleData, response=RuleOut, status=201,
              errors=(404, 409), summary="Add a weekly availability rule")
def post_rule(user: User, practitioner_id: int, body: RuleData):
    """Refused when it overlaps another rule, ends before it starts, uses an unknown time
    zone, or is too short for one of the practitioner's services."""
    practitioner = queries.get_practitioner(practitioner_id)
    return RuleOut.of(services.add_rule(practitioner, body, actor=user, now=utcnow()))


@bp.operation("/rules/<int:rule_id>", method="DELETE", scope=ApiScope.WRITE, status=204,
              errors=(404,), summary="Remove an availability rule")
def delete_rule(user: User, rule_id: int):
    services.delete_rule(queries.rule_for(user, rule_id), actor=user)


def _weekly_hours_out(practitioner) -> WeeklyHoursOut:
    today = today_in()
    hours = hours_services.read_hours(practitioner, today=today)
    return WeeklyHoursOut(
        practitioner_id=practitioner.id, timezone=hours.timezone,
        days=WeekDaysData(**{key: [TimeRangeData(start=r.start, end=r.end)
                                   for r in hours.days[i]]
                             for i, key in enumerate(WEEKDAY_KEYS)}),
        overrides=hours_services.read_overrides(practitioner, today=today),
        kept=[KeptRuleOut(id=k.id, rrule=k.rrule, starts_on=k.starts_on,
                          start_time=k.start_time, end_time=k.end_time, timezone=k.timezone,
                          reason=k.reason,
                          explanation=hours_services.kept_explanation(k.reason))
              for k in hours.kept],
        rules=[RuleOut.of(r) for r in queries.rules_of(practitioner)])


@bp.operation("/practitioners/<int:practitioner_id>/weekly-hours", method="GET",
              response=WeeklyHoursOut, errors=(404,),
              summary="A practitioner's hours as time ranges per weekday, with date overrides "
                      "(staff)")
def get_weekly_hours(user: User, practitioner_id: int):
    """The same hours as the rules, grouped per weekday; rules a weekly grid cannot show are
    under ``kept`` with the reason. Overrides are those from today (park time) on."""
    practitioner = queries.practitioner_for(user, practitioner_id,
                                            Action.VIEW_PROVIDER_DASHBOARD)
    return _weekly_hours_out(practitioner)


@bp.operation("/practitioners/<int:practitioner_id>/weekly-hours", method="PUT",
              scope=ApiScope.WRITE, body=WeeklyHoursData, response=WeeklyHoursOut,
              errors=(404,), summary="Replace a practitioner's weekly hours (and overrides)")
def put_weekly_hours(user: User, practitioner_id: int, body: WeeklyHoursData):
    """Stored as one RRULE per distinct range. Refused as a whole (422, invalid_rule, with
    a message per ``<weekday>.<n>`` or ``overrides.<n>``) when a range ends before it
    starts, overlaps another, is too short for a service, or overlaps a kept rule."""
    practitioner = queries.get_practitioner(practitioner_id)
    hours_services.replace_weekly_hours(practitioner, body, actor=user, now=utcnow(),
                                        today=today_in())
    return _weekly_hours_out(practitioner)


@bp.operation("/practitioners/<int:practitioner_id>/exceptions", method="GET",
              response=ExceptionList, errors=(404,),
              summary="A practitioner's date exceptions (staff)")
def list_exceptions(user: User, practitioner_id: int):
    practitioner = queries.practitioner_for(user, practitioner_id,
                                            Action.VIEW_PROVIDER_DASHBOARD)
    return ExceptionList(items=[ExceptionOut.of(e) for e in queries.exceptions_of(
        practitioner, include_cancelled=True)])


@bp.operation("/practitioners/<int:practitioner_id>/exceptions", method="POST",
              scope=ApiScope.WRITE, body=ExceptionData, response=ExceptionOut, status=201,
              errors=(404,), summary="Add time off or extra hours on a date")
def post_exception(user: User, practitioner_id: int, body: ExceptionData):
    practitioner = queries.get_practitioner(practitioner_id)
    return ExceptionOut.of(services.add_exception(practitioner, body, actor=user,
                                                  now=utcnow()))


@bp.operation("/exceptions/<int:exception_id>", method="DELETE", scope=ApiScope.WRITE,
              status=204, errors=(404,), summary="Withdraw a date exception")
def delete_exception(user: User, exception_id: int):
    services.cancel_exception(queries.exception_for(user, exception_id), actor=user,
                              now=utcnow())


@bp.operation("/providers/<int:provider_id>/review", method="POST", scope=ApiScope.WRITE,
              body=ReviewData, response=ProviderSummary, errors=(404,),
              summary="Verify (approve) or suspend (reject) a provider (committee)")
def review_provider(user: User, provider_id: int, body: ReviewData):
    provider = queries.get_provider(provider_id)
    status = ProviderStatus.VERIFIED if body.decision == "approve" else ProviderStatus.SUSPENDED
    services.set_provider_status(provider, status, actor=user)
    return _summary(provider)


@bp.operation("/practitioners/<int:practitioner_id>/review", method="POST",
              scope=ApiScope.WRITE, body=ReviewData, response=PractitionerOut, errors=(404,),
              summary="Verify (approve) or suspend (reject) a practitioner (committee)")
def review_practitioner(user: User, practitioner_id: int, body: ReviewData):
    practitioner = queries.get_practitioner(practitioner_id)
    status = (VerificationStatus.VERIFIED if body.decision == "approve"
              else VerificationStatus.SUSPENDED)
    services.set_practitioner_status(practitioner, status, actor=user)
    return PractitionerOut.of(practitioner, current_locale_code())


@bp.operation("/providers/<int:provider_id>/credentials", method="GET",
              response=CredentialList, errors=(404,),
              summary="A provider's credentials (its staff and its park's committee)")
def list_credentials(user: User, provider_id: int):
    provider = queries.get_provider(provider_id)
    if not can(user, Action.VIEW_PROVIDER_DASHBOARD, provider):
        require(user, Action.REVIEW_PROVIDERS, provider)
    return CredentialList(items=[CredentialOut.of(c) for c in queries.credentials_of(provider)])


@bp.operation("/credentials/<int:credential_id>/review", method="POST", scope=ApiScope.WRITE,
              body=ReviewData, response=CredentialOut, errors=(404, 409),
              summary="Approve or reject a credential, with a reason (committee)")
def review_credential(user: User, credential_id: int, body: ReviewData):
    """Approving verifies the practitioner (or the organisation) it belongs to."""
    credential = verification.credential_for(user, credential_id, Action.REVIEW_PROVIDERS)
    verification.review_credential(credential, actor=user, approve=body.decision == "approve",
                                   reason=body.reason, now=utcnow())
    return CredentialOut.of(credential)


# -- the park's holiday calendar -----------------------------------------------------------


def _holiday_year(year: int) -> HolidayYearOut:
    if not 2000 <= year <= 2100:
        raise NotFound()
    return HolidayYearOut(year=year, source=holidays.calendar_source(year).value, days=[
        HolidayDayOut(day=day, kind=kind.value, name=name)
        for day, kind, name in holidays.year_days(year)])


@bp.operation("/holidays/<int:year>", method="GET", response=HolidayYearOut, errors=(404,),
              summary="A year of the park's holiday calendar and where it comes from")
def get_holiday_year(user: User, year: int):
    """Slots are never offered on a holiday of a year the calendar knows; for an unknown
    year only the statutory days fixed by date are closed."""
    return _holiday_year(year)


@bp.operation("/holidays/<int:year>", method="PUT", scope=ApiScope.WRITE,
              body=HolidayNoticeData, response=HolidayYearOut, errors=(404, 422),
              summary="Enter a year from the State Council's notice (platform admin)")
def put_holiday_year(user: User, year: int, body: HolidayNoticeData):
    """Replaces the library's days for that year. Refused (422, invalid_holiday_notice)
    with the line at fault when a line cannot be read."""
    if not 2000 <= year <= 2100:
        raise NotFound()
    require(user, Action.MANAGE_HOLIDAYS)
    days = holiday_calendar.parse_notice(year, body.notice)
    holiday_calendar.save_year(year, days, notice=body.notice, actor=user, now=utcnow())
    return _holiday_year(year)


@bp.operation("/holidays/<int:year>", method="DELETE", scope=ApiScope.WRITE, status=204,
              errors=(404,), summary="Remove an entered year: the library applies again")
def delete_holiday_year(user: User, year: int):
    if not 2000 <= year <= 2100:
        raise NotFound()
    holiday_calendar.remove_year(year, actor=user)


# -- credentials, photos, feeds and busy times: the provider pages' actions -----------------


@bp.operation("/providers/<int:provider_id>/credentials", method="POST", scope=ApiScope.WRITE,
              body=CredentialUpload, response=CredentialOut, status=201, errors=(403, 404),
              summary="Send a licence with its document for review (the provider's owners)")
def submit_credential(user: User, provider_id: int, body: CredentialUpload):
    """PDF, JPEG or PNG, checked by content: 422 ``invalid_document`` or
    ``document_too_large``; 422 for a practitioner of another provider or a licence that has
    already expired. A refusal keeps nothing."""
    provider = queries.provider_for(user, provider_id, Action.MANAGE_PROVIDER)
    practitioner = None
    if body.practitioner_id is not None:
        practitioner = queries.get_practitioner(body.practitioner_id)
    credential = verification.submit_credential(
        provider, actor=user, practitioner=practitioner, licence_type=body.licence_type,
        licence_number=body.licence_number, issuer=body.issuer, expires_on=body.expires_on,
        content=body.content, filename=body.filename, now=utcnow())
    return CredentialOut.of(credential)


@bp.operation("/credentials/<int:credential_id>/document", method="GET", errors=(404,),
              summary="A credential's document (its provider's staff and the reviewers)")
def credential_document(user: User, credential_id: int):
    credential = verification.readable_credential(user, credential_id)
    response = make_response(credential.document)
    response.headers["Content-Type"] = credential.document_type
    response.headers["Content-Disposition"] = "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.operation("/providers/<int:provider_id>/photos", method="POST", scope=ApiScope.WRITE,
              body=PhotoUpload, response=PhotoOut, status=201, errors=(403, 404, 409),
              summary="Add a photo to the provider's page (resized on the server)")
def add_photo(user: User, provider_id: int, body: PhotoUpload):
    """422 ``invalid_photo`` or ``photo_too_large``; 409 ``too_many_photos`` past eight. A
    refused photo keeps nothing."""
    provider = queries.provider_for(user, provider_id, Action.MANAGE_PROVIDER)
    photo = photos.add_photo(provider, body.content, actor=user, alt_zh=body.alt_zh,
                             alt_en=body.alt_en, now=utcnow())
    return _photo_out(photo, current_locale_code())


@bp.operation("/photos/<int:photo_id>", method="DELETE", scope=ApiScope.WRITE, status=204,
              errors=(403, 404), summary="Remove a photo from the provider's page")
def remove_photo(user: User, photo_id: int):
    photo = photos.get_photo(photo_id)
    require(user, Action.VIEW_PROVIDER, photo.provider)  # another park's: not found
    photos.remove_photo(photo, actor=user)


@bp.operation("/providers/<int:provider_id>/calendar-feed", method="POST",
              scope=ApiScope.WRITE, status=201, response=FeedAddressOut, errors=(403, 404),
              summary="A new secret address of the provider's bookings feed (.ics)")
def issue_provider_feed(user: User, provider_id: int):
    provider = queries.provider_for(user, provider_id, Action.MANAGE_PROVIDER)
    raw = feeds.issue_provider_feed(services.profile_of(provider, now=utcnow()), actor=user)
    return FeedAddressOut(url=url_for("providers.provider_feed", token=raw, _external=True))


@bp.operation("/providers/<int:provider_id>/calendar-feed", method="DELETE",
              scope=ApiScope.WRITE, status=204, errors=(403, 404),
              summary="Stop the provider's feed address from working")
def revoke_provider_feed(user: User, provider_id: int):
    provider = queries.provider_for(user, provider_id, Action.MANAGE_PROVIDER)
    feeds.revoke_provider_feed(services.profile_of(provider, now=utcnow()), actor=user)


@bp.operation("/practitioners/<int:practitioner_id>/calendar-feed", method="POST",
              scope=ApiScope.WRITE, status=201, response=FeedAddressOut, errors=(403, 404),
              summary="A new secret address of the practitioner's bookings feed (.ics)")
def issue_practitioner_feed(user: User, practitioner_id: int):
    practitioner = queries.practitioner_for(user, practitioner_id, Action.MANAGE_SCHEDULE)
    raw = feeds.issue_practitioner_feed(practitioner, actor=user)
    return FeedAddressOut(url=url_for("providers.practitioner_feed", token=raw,
                                      _external=True))


@bp.operation("/practitioners/<int:practitioner_id>/calendar-feed", method="DELETE",
              scope=ApiScope.WRITE, status=204, errors=(403, 404),
              summary="Stop the practitioner's feed address from working")
def revoke_practitioner_feed(user: User, practitioner_id: int):
    practitioner = queries.practitioner_for(user, practitioner_id, Action.MANAGE_SCHEDULE)
    feeds.revoke_practitioner_feed(practitioner, actor=user)


@bp.operation("/practitioners/<int:practitioner_id>/busy-imports", method="POST",
              scope=ApiScope.WRITE, status=202, body=BusyImport, response=JobOut,
              errors=(403, 404, 409),
              summary="Import busy times from a calendar file in the background; poll "
                      "GET /jobs/{id}")
def import_busy(user: User, practitioner_id: int, body: BusyImport):
    """The next 90 days' events become busy times (replacing the last import's); a text
    that is not a calendar is 422 ``invalid_calendar`` here, and while another import for
    this practitioner is unfinished, 409 ``job_already_running``."""
    practitioner = queries.practitioner_for(user, practitioner_id, Action.MANAGE_SCHEDULE)
    job = feeds.start_busy_import(practitioner, body.calendar.encode(), actor=user,
                                  now=utcnow(), filename=body.filename or "upload.ics",
                                  locale=current_locale_code())
    return JobOut.of(job)


@bp.operation("/practitioners/<int:practitioner_id>/busy-calendar", method="PUT",
              scope=ApiScope.WRITE, body=BusyCalendar, response=BusyCalendarOut,
              errors=(403, 404), summary="Follow the practitioner's own calendar (or stop)")
def set_busy_calendar(user: User, practitioner_id: int, body: BusyCalendar):
    """Only http(s) addresses of public hosts (422 otherwise, nothing changed)."""
    practitioner = queries.practitioner_for(user, practitioner_id, Action.MANAGE_SCHEDULE)
    feeds.set_busy_calendar(practitioner, body.url, actor=user)
    return BusyCalendarOut(url=practitioner.busy_calendar_url)
