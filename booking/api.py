"""JSON endpoints for holds and bookings, the person's own bookings, cancelling,
rescheduling, and the provider's bookings and attendance. Thin: each checks the shape,
calls a service or a query, serialises. Every write honours ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from flask import jsonify, request, url_for
from pydantic import BaseModel

from booking import calendar_links, feeds, online, queries, services, sharing, waitlist
from booking import series as series_services
from booking.models import Booking, BookingSeries
from booking.schemas import (
    AttendanceData,
    BookingDetailOut,
    BookingList,
    BookingOut,
    BookingPage,
    BookingQuery,
    BookingShareOut,
    CalendarLinksOut,
    CancelData,
    CancellationPreviewOut,
    EmptyBody,
    HoldCreate,
    OccurrenceOut,
    ProviderBookingQuery,
    RescheduleData,
    SeriesCreate,
    SeriesOut,
    SeriesPreviewData,
    SeriesPreviewOut,
    ShareData,
    WaitlistJoin,
    WaitlistList,
    WaitlistOut,
)
from core.accounts.models import ApiScope, User
from core.api import idempotency
from core.api.openapi import ApiBlueprint
from core.api.pagination import paginate
from core.clock import to_zone, utcnow
from core.db import db
from core.i18n import current_locale_code
from core.policy import Action, can
from core.protections import limit_bookings
from providers import queries as provider_queries
from providers.schedule import zone
from providers.schemas import FeedAddressOut

bp = ApiBlueprint("booking_api", __name__, tag="booking")

def _idempotent_write(user: User, body: BaseModel, status: int,
                      write: Callable[[], Booking | BaseModel]):
    """Run ``write`` once per ``Idempotency-Key`` and answer with its result (a booking,
    or a response model)."""
    now = utcnow()

    def action() -> tuple[int, dict]:
        result = write()
        db.session.flush()
        if isinstance(result, Booking):
            result = BookingOut.of(result, current_locale_code())
        return status, result.model_dump(mode="json")

    code, payload = idempotency.run_once(
        user, request.headers.get("Idempotency-Key"), operation=f"POST {request.path}",
        body=body.model_dump(mode="json"), now=now, action=action)
    response = jsonify(payload)
    response.status_code = code
    return response


@bp.operation("/bookings", method="POST", scope=ApiScope.WRITE, body=HoldCreate,
              response=BookingOut, status=201, errors=(403, 404, 409),
              summary="Hold a place in a slot (a free service is confirmed at once)")
@limit_bookings
def create_booking(user: User, body: HoldCreate):
    """A priced booking stays ``held`` (10 minutes by default, see ``hold_expires_at``)
    until the checkout confirms it; its place is kept meanwhile and freed when the hold
    lapses. Send an ``Idempotency-Key`` header to make retries safe: the same key and body
    return the first answer; the same key with another body is refused with 409. While card
    payment is off, a priced place whose share the budget does not cover is refused with 409
    ``card_payment_unavailable`` and nothing is held."""
    service = provider_queries.service_for(user, body.service_id, Action.VIEW_PROVIDER,
                                           with_practitioners=True)

    def hold_and_share() -> Booking:
        booking = services.hold_slot(service, practitioner_id=body.practitioner_id,
                                     starts_at=body.starts_at, actor=user,
                                     dependant_id=body.dependant_id,
                                     pickup_persons=[p.model_dump() for p in body.pickups],
                                     now=utcnow(), asked_by_client=True)
        sharing.share_for_booking(booking, actor=user, fields=body.share, now=utcnow())
        return booking

    return _idempotent_write(user, body, 201, hold_and_share)


@bp.operation("/bookings", method="GET", query=BookingQuery, response=BookingPage,
              summary="Your bookings (upcoming, past or all) and your no-show count")
def list_bookings(user: User, query: BookingQuery):
    upcoming = {"upcoming": True, "past": False, "all": None}[query.scope]
    locale = current_locale_code()
    page = paginate(queries.bookings_of(user, upcoming=upcoming, now=utcnow()), query,
                    lambda b: BookingOut.of(b, locale))
    return BookingPage(**page, no_show_count=queries.no_show_count(user))


@bp.operation("/bookings/<int:booking_id>", method="GET", response=BookingDetailOut,
              errors=(404,),
              summary="One booking with its history (its client or the provider's staff)")
def get_booking(user: User, booking_id: int):
    """For its client: links to add it to a calendar, and for an online service its video
    link from shortly before the start (``ONLINE_LINK_MINUTES_BEFORE``, 30 by default)."""
    booking = queries.visible_booking(user, booking_id)
    locale = current_locale_code()
    now = utcnow()
    is_client = can(user, Action.OWN_RECORD, booking)
    calendar = None
    if is_client and calendar_links.on_calendar(booking):
        links = calendar_links.links_for(booking, locale=locale)
        calendar = CalendarLinksOut(
            ics_url=url_for("booking.booking_ics", booking_id=booking.id, _external=True),
            google_url=links.google, outlook_url=links.outlook)
    has_link = online.session_link_of(booking) is not None
    return BookingDetailOut(
        **BookingOut.of(booking, locale).model_dump(), was_paid=booking.was_paid,
        calendar=calendar, online_link=online.online_link(booking, viewer=user, now=now),
        online_link_from=online.opens_at(booking) if is_client and has_link else None)


@bp.operation("/bookings/<int:booking_id>/cancellation", method="GET",
              response=CancellationPreviewOut, errors=(404, 409),
              summary="What cancelling now would cost and refund (nothing is changed)")
def preview_cancellation(user: User, booking_id: int):
    """The policy agreed when booked, applied now: before the free-cancellation cut-off
    everything paid comes back; after it the late fee is kept. Refused like the
    cancellation itself: ``transition_refused`` (not held or confirmed),
    ``cancellation_closed`` (it has started)."""
    booking = queries.visible_booking(user, booking_id)
    now = utcnow()
    services.check_cancellable(booking, now=now)
    p = services.cancellation_preview(booking, actor=user, now=now)
    return CancellationPreviewOut(
        by=p.by, paid=p.paid, price_minor=p.price_minor, currency=p.currency,
        free_until=p.free_until, late_fee_basis_points=p.late_fee_basis_points,
        fee_minor=p.fee_minor, refund_minor=p.refund_minor)


@bp.operation("/bookings/<int:booking_id>/cancel", method="POST", scope=ApiScope.WRITE,
              body=CancelData, response=BookingOut, errors=(403, 404, 409),
              summary="Cancel a booking (its client, or the provider's staff)")
def cancel_booking(user: User, booking_id: int, body: CancelData):
    """The client gets a full refund before the service's cut-off and pays its late fee
    after it (``refund_basis_points``, ``late_fee_basis_points``); a provider's
    cancellation always refunds in full and tells the client. Honours ``Idempotency-Key``."""
    booking = queries.visible_booking(user, booking_id)

    def write() -> Booking:
        services.cancel_booking(booking, actor=user, now=utcnow(), reason=body.reason)
        return booking

    return _idempotent_write(user, body, 200, write)


@bp.operation("/bookings/<int:booking_id>/reschedule", method="POST", scope=ApiScope.WRITE,
              body=RescheduleData, response=BookingOut, errors=(403, 404, 409),
              summary="Move your confirmed booking to another slot of the same service")
def reschedule_booking(user: User, booking_id: int, body: RescheduleData):
    """The booking (and its payment) is kept; only its time, and the practitioner if
    another is chosen, change. Honours ``Idempotency-Key``."""
    booking = queries.own_booking(user, booking_id)
    return _idempotent_write(user, body, 200, lambda: services.reschedule_booking(
        booking, actor=user, starts_at=body.starts_at, practitioner_id=body.practitioner_id,
        now=utcnow()))


@bp.operation("/bookings/<int:booking_id>/attendance", method="POST", scope=ApiScope.WRITE,
              body=AttendanceData, response=BookingOut, errors=(403, 404, 409),
              summary="Mark a booking attended or no-show (the provider's staff)")
def mark_attendance(user: User, booking_id: int, body: AttendanceData):
    booking = queries.visible_booking(user, booking_id)

    def write() -> Booking:
        services.mark_attendance(booking, actor=user, attended=body.attended, now=utcnow())
        return booking

    return _idempotent_write(user, body, 200, write)


def _day_window(on: date | None, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    tz = zone(timezone)
    day = to_zone(now, timezone).date() if on is None else on
    start = datetime.combine(day, time(), tzinfo=tz)
    return start, start + timedelta(days=1)


@bp.operation("/providers/<int:provider_id>/bookings", method="GET",
              query=ProviderBookingQuery, response=BookingList, errors=(403, 404),
              summary="A provider's bookings of one day (its staff)")
def provider_bookings(user: User, provider_id: int, query: ProviderBookingQuery):
    provider = provider_queries.provider_for(user, provider_id, Action.MANAGE_BOOKINGS)
    start, end = _day_window(query.on, provider.park.timezone, utcnow())
    locale = current_locale_code()
    return BookingList(items=[BookingOut.of(b, locale) for b in db.session.scalars(
        queries.provider_bookings(provider, start=start, end=end))])


# -- series ----------------------------------------------------------------------------------


def _series_out(series: BookingSeries) -> SeriesOut:
    locale = current_locale_code()
    return SeriesOut(id=series.id, service_id=series.service_id, bookings=[
        BookingOut.of(b, locale) for b in series_services.bookings_of_series(series)])


@bp.operation("/series/preview", method="POST", scope=ApiScope.WRITE, body=SeriesPreviewData,
              response=SeriesPreviewOut, errors=(403, 404),
              summary="Which occurrences of a series could be booked (nothing is held)")
def preview_series(user: User, body: SeriesPreviewData):
    """E.g. eight weekly sessions: ``count`` 8, ``every_days`` 7. Book all of them, or the
    available subset, with POST /series."""
    service = provider_queries.service_for(user, body.service_id, Action.VIEW_PROVIDER)
    starts = series_services.occurrences(body.starts_at, count=body.count,
                                         every_days=body.every_days)
    items = series_services.preview_series(service, practitioner_id=body.practitioner_id,
                                           starts=starts, actor=user, now=utcnow(),
                                           dependant_id=body.dependant_id)
    return SeriesPreviewOut(items=[OccurrenceOut(starts_at=o.starts_at, available=o.available,
                                                 problem=o.problem) for o in items])


@bp.operation("/series", method="POST", scope=ApiScope.WRITE, body=SeriesCreate,
              response=SeriesOut, status=201, errors=(403, 404, 409),
              summary="Book the chosen occurrences of a series, all or nothing")
@limit_bookings
def create_series(user: User, body: SeriesCreate):
    """Honours ``Idempotency-Key``."""
    service = provider_queries.service_for(user, body.service_id, Action.VIEW_PROVIDER)
    return _idempotent_write(user, body, 201, lambda: _series_out(series_services.book_series(
        service, practitioner_id=body.practitioner_id, starts=body.starts, actor=user,
        now=utcnow(), dependant_id=body.dependant_id)))


@bp.operation("/series/<int:series_id>", method="GET", response=SeriesOut, errors=(404,),
              summary="One of your series with its occurrences")
def get_series(user: User, series_id: int):
    return _series_out(series_services.own_series(user, series_id))


@bp.operation("/series/<int:series_id>/cancel", method="POST", scope=ApiScope.WRITE,
              body=CancelData, response=SeriesOut, errors=(404, 409),
              summary="Cancel the rest of a series (every occurrence not started yet)")
def cancel_series(user: User, series_id: int, body: CancelData):
    """Cancel one occurrence with POST /bookings/{id}/cancel. Honours ``Idempotency-Key``."""
    series = series_services.own_series(user, series_id)

    def write() -> SeriesOut:
        series_services.cancel_rest_of_series(series, actor=user, now=utcnow(),
                                              reason=body.reason)
        return _series_out(series)

    return _idempotent_write(user, body, 200, write)


# -- waitlist --------------------------------------------------------------------------------


@bp.operation("/waitlist", method="POST", scope=ApiScope.WRITE, body=WaitlistJoin,
              response=WaitlistOut, status=201, errors=(403, 404, 409),
              summary="Join the waitlist of a full slot")
def join_waitlist(user: User, body: WaitlistJoin):
    """When a place frees, the first person waiting gets it held for them for a limited
    time (``offer_expires_at``), by e-mail and in-app; accept it with
    POST /waitlist/{id}/accept. Honours ``Idempotency-Key``."""
    service = provider_queries.service_for(user, body.service_id, Action.VIEW_PROVIDER)

    def write() -> WaitlistOut:
        entry = waitlist.join_waitlist(service, practitioner_id=body.practitioner_id,
                                       starts_at=body.starts_at, actor=user, now=utcnow(),
                                       dependant_id=body.dependant_id)
        return WaitlistOut.of(entry, waitlist.position(entry))

    return _idempotent_write(user, body, 201, write)


@bp.operation("/waitlist", method="GET", response=WaitlistList,
              summary="Your waitlist entries and offers")
def list_waitlist(user: User):
    return WaitlistList(items=[WaitlistOut.of(e, waitlist.position(e))
                               for e in waitlist.entries_of(user)])


@bp.operation("/waitlist/<int:entry_id>/accept", method="POST", scope=ApiScope.WRITE,
              body=EmptyBody, response=BookingOut, errors=(404, 409),
              summary="Accept the place offered to you")
def accept_offer(user: User, entry_id: int, body: EmptyBody):
    """A free service is confirmed at once; a priced one stays held until the checkout.
    Honours ``Idempotency-Key``."""
    entry = waitlist.own_entry(user, entry_id)
    return _idempotent_write(user, body, 200, lambda: waitlist.accept_offer(
        entry, actor=user, now=utcnow()))


@bp.operation("/waitlist/<int:entry_id>/leave", method="POST", scope=ApiScope.WRITE,
              body=EmptyBody, response=WaitlistOut, errors=(404, 409),
              summary="Leave the waitlist, or decline the place offered")
def leave_waitlist(user: User, entry_id: int, body: EmptyBody):
    """Honours ``Idempotency-Key``."""
    entry = waitlist.own_entry(user, entry_id)

    def write() -> WaitlistOut:
        waitlist.leave_waitlist(entry, actor=user, now=utcnow())
        return WaitlistOut.of(entry, None)

    return _idempotent_write(user, body, 200, write)


@bp.operation("/bookings/<int:booking_id>/share", method="POST", scope=ApiScope.WRITE,
              body=ShareData, response=BookingShareOut, errors=(404,),
              summary="Share health data with the booking's provider (its client)")
def share_for_booking(user: User, booking_id: int, body: ShareData):
    """Until the booking's end plus the grace days; only the groups the service's category
    needs (422 ``invalid_input`` naming them otherwise, and nothing is shared). Another
    person's booking is 404."""
    booking = queries.visible_booking(user, booking_id)
    consent = sharing.share_for_booking(booking, actor=user, fields=body.share, now=utcnow())
    if consent is None:
        return BookingShareOut(shared=False, consent_id=None, fields=[], valid_until=None)
    return BookingShareOut(shared=True, consent_id=consent.id,
                           fields=sorted(consent.fields.split()),
                           valid_until=consent.valid_until)


@bp.operation("/me/calendar-feed", method="POST", scope=ApiScope.WRITE, status=201,
              response=FeedAddressOut,
              summary="A new secret address of your bookings' calendar feed (.ics)")
def issue_calendar_feed(user: User):
    """The address a calendar app subscribes to; the previous one stops working."""
    raw = feeds.issue_calendar_feed(user, now=utcnow())
    return FeedAddressOut(url=url_for("booking.calendar_feed", token=raw, _external=True))


@bp.operation("/me/calendar-feed", method="DELETE", scope=ApiScope.WRITE, status=204,
              summary="Stop your calendar feed's address from working")
def revoke_calendar_feed(user: User):
    feeds.revoke_calendar_feed(user)
