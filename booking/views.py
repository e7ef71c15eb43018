"""HTML pages: book a slot of a service, my bookings (with the history and cancel or move
a booking), and the provider's bookings of a day with attendance. Thin: forms check shape,
services decide."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from booking import feeds, idempotency, queries, services, sharing, waitlist
from booking.forms import (
    AttendanceForm,
    CancelForm,
    HoldForm,
    RescheduleForm,
    ShareForm,
    WaitlistForm,
)
from booking.models import BookingStatus
from core.bounds import query_date
from core.clock import to_zone, utcnow
from core.db import db
from core.errors import DomainError
from core.i18n import current_locale_code, format_when
from core.policy import Action, can
from core.web import refuse, refuse_to
from health import services as health_services
from providers import queries as provider_queries
from providers.schedule import zone

bp = Blueprint("booking", __name__)

DAYS_SHOWN = 7


def _day(raw: str | None, today: date) -> date:
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
    return day if today <= day <= today + timedelta(days=366) else today


def _slots(service, start_day: date, timezone: str, now: datetime):
    tz = zone(timezone)
    start = datetime.combine(start_day, time(), tzinfo=tz)
    return provider_queries.slots_for(service, start=start,
                                      end=start + timedelta(days=DAYS_SHOWN), now=now)


def _render_service(service, form: HoldForm, status: int = 200):
    now = utcnow()
    timezone = service.provider.park.timezone
    today = to_zone(now, timezone).date()
    day = _day(request.args.get("day"), today)
    form.form_token.data = uuid.uuid4().hex
    start = datetime.combine(day, time(), tzinfo=zone(timezone))
    listed = [p for p in service.practitioners if p.is_listed]
    can_book = can(current_user, Action.BOOK_SERVICE, service.provider)
    return render_template(
        "booking/service.html", service=service, form=form, day=day,
        previous_day=max(today, day - timedelta(days=DAYS_SHOWN)),
        next_day=day + timedelta(days=DAYS_SHOWN), slots=_slots(service, day, timezone, now),
        full=queries.full_slots(service, listed, start=start,
                                end=start + timedelta(days=DAYS_SHOWN), now=now)
        if service.is_active and service.provider.is_verified else [],
        dependants=health_services.list_dependants(current_user)
        if service.allows_dependants and can_book else [],
        can_book=can_book,
        locale=current_locale_code()), status


@bp.route("/services/<int:service_id>/book", methods=["GET", "POST"])
@login_required
def book(service_id: int):
    service = provider_queries.service_for(current_user, service_id, Action.VIEW_PROVIDER)
    form = HoldForm()
    if not form.validate_on_submit():
        return _render_service(service, form, 400 if form.errors else 200)
    try:
        _status, payload = idempotency.run_once(
            current_user, f"form:{form.form_token.data}", operation=f"POST {request.path}",
            body={"practitioner_id": form.practitioner_id.data,
                  "starts_at": form.starts_at.parsed.isoformat(),
                  "dependant_id": form.dependant_id.data}, now=utcnow(),
            action=lambda: (201, {"booking_id": services.hold_slot(
                service, practitioner_id=form.practitioner_id.data,
                starts_at=form.starts_at.parsed, actor=current_user,
                dependant_id=form.dependant_id.data, now=utcnow(), asked_by_client=True).id}))
    except DomainError as exc:
        refuse(exc)
        return _render_service(service, HoldForm(formdata=None), exc.status)
    return redirect(url_for("booking.booking_detail", booking_id=payload["booking_id"]))


@bp.route("/services/<int:service_id>/waitlist", methods=["POST"])
@login_required
def join_waitlist(service_id: int):
    service = provider_queries.service_for(current_user, service_id, Action.VIEW_PROVIDER)
    form = WaitlistForm()
    if not form.validate_on_submit():
        return _render_service(service, HoldForm(formdata=None), 400)
    try:
        waitlist.join_waitlist(service, practitioner_id=form.practitioner_id.data,
                               starts_at=form.starts_at.parsed, actor=current_user,
                               dependant_id=form.dependant_id.data, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_service(service, HoldForm(formdata=None), exc.status)
    flash(_("You are on the waitlist. We will tell you when a place frees."), "success")
    return redirect(url_for("booking.my_bookings"))


@bp.route("/bookings")
@login_required
def my_bookings():
    now = utcnow()
    upcoming = db.session.scalars(queries.bookings_of(current_user, upcoming=True, now=now)
                                  .limit(100)).all()
    past = db.session.scalars(queries.bookings_of(current_user, upcoming=False, now=now)
                              .limit(50)).all()
    return render_template("booking/my_bookings.html", upcoming=upcoming, past=past,
                           no_shows=queries.no_show_count(current_user),
                           feed=feeds.feed_of(current_user),
                           entries=[e for e in waitlist.entries_of(current_user)
                                    if e.status.value in ("waiting", "offered")],
                           notifications=queries.unread_notifications(current_user),
                           locale=current_locale_code(), now=now)


def _render_detail(booking, status: int = 200, reschedule_form: RescheduleForm | None = None):
    now = utcnow()
    is_client = booking.client_id == current_user.id
    slots = []
    if is_client and booking.status is BookingStatus.CONFIRMED and booking.starts_at > now:
        timezone = booking.provider.park.timezone
        slots = [s for s in _slots(booking.service, to_zone(now, timezone).date(), timezone,
                                   now) if s[0].starts_at != booking.starts_at][:30]
    return render_template(
        "booking/detail.html", booking=booking, is_client=is_client,
        share_form=ShareForm(formdata=None), shareable=sharing.shareable_fields(
            booking, current_user),
        cancel_form=CancelForm(formdata=None), reschedule_form=reschedule_form
        or RescheduleForm(formdata=None), slots=slots, now=now,
        outcome=services.cancellation_outcome(booking, by="client", now=now)
        if booking.status in (BookingStatus.HELD, BookingStatus.CONFIRMED) else None,
        locale=current_locale_code()), status


@bp.route("/bookings/<int:booking_id>")
@login_required
def booking_detail(booking_id: int):
    return _render_detail(queries.visible_booking(current_user, booking_id))


@bp.route("/bookings/<int:booking_id>/share", methods=["POST"])
@login_required
def share(booking_id: int):
    booking = queries.visible_booking(current_user, booking_id)
    form = ShareForm()
    if not form.validate_on_submit():
        return _render_detail(booking, 400)
    try:
        consent = sharing.share_for_booking(booking, actor=current_user,
                                            fields=form.share.data or [], now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_detail(booking, exc.status)
    if consent is None:
        flash(_("Nothing is shared."), "info")
    else:
        flash(_("Shared with the provider until %(until)s. You can revoke it under My health.",
                until=format_when(consent.valid_until, "short")), "success")
    return redirect(url_for("booking.booking_detail", booking_id=booking.id))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@login_required
def cancel(booking_id: int):
    booking = queries.visible_booking(current_user, booking_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_detail(booking, 400)
    try:
        services.cancel_booking(booking, actor=current_user, now=utcnow(),
                                reason=form.reason.data or "")
    except DomainError as exc:
        refuse(exc)
        return _render_detail(booking, exc.status)
    flash(_("The booking is cancelled."), "success")
    if booking.client_id != current_user.id:
        return redirect(url_for("booking.provider_bookings", provider_id=booking.provider_id,
                                on=to_zone(booking.starts_at,
                                           booking.provider.park.timezone).date().isoformat()))
    return redirect(url_for("booking.booking_detail", booking_id=booking.id))


@bp.route("/bookings/<int:booking_id>/reschedule", methods=["POST"])
@login_required
def reschedule(booking_id: int):
    booking = queries.own_booking(current_user, booking_id)
    form = RescheduleForm()
    if not form.validate_on_submit():
        return _render_detail(booking, 400, form)
    try:
        services.reschedule_booking(booking, actor=current_user,
                                    starts_at=form.starts_at.parsed,
                                    practitioner_id=form.practitioner_id.data, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_detail(booking, exc.status)
    flash(_("The booking is moved."), "success")
    return redirect(url_for("booking.booking_detail", booking_id=booking.id))


@bp.route("/providers/<int:provider_id>/bookings")
@login_required
def provider_bookings(provider_id: int):
    provider = provider_queries.provider_for(current_user, provider_id, Action.MANAGE_BOOKINGS)
    now = utcnow()
    timezone = provider.park.timezone
    today = to_zone(now, timezone).date()
    day = query_date(request.args.get("on"), default=today, lenient=True)
    start = datetime.combine(day, time(), tzinfo=zone(timezone))
    bookings = db.session.scalars(queries.provider_bookings(
        provider, start=start, end=start + timedelta(days=1))).all()
    return render_template("booking/provider_bookings.html", provider=provider, day=day,
                           previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1), bookings=bookings, now=now,
                           form=AttendanceForm(formdata=None), locale=current_locale_code())


@bp.route("/bookings/<int:booking_id>/attendance", methods=["POST"])
@login_required
def attendance(booking_id: int):
    booking = queries.visible_booking(current_user, booking_id)
    form = AttendanceForm()
    back = url_for("booking.provider_bookings", provider_id=booking.provider_id,
                   on=to_zone(booking.starts_at, booking.provider.park.timezone)
                   .date().isoformat())
    if not form.validate_on_submit():
        return _render_detail(booking, 400)
    try:
        services.mark_attendance(booking, actor=current_user, attended=form.attended.data == "1",
                                 now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_detail(booking, exc.status)
    flash(_("Attendance is recorded."), "success")
    return redirect(back)


@bp.route("/waitlist/<int:entry_id>/accept", methods=["POST"])
@login_required
@refuse_to("booking.my_bookings")
def accept_offer(entry_id: int):
    entry = waitlist.own_entry(current_user, entry_id)
    booking = waitlist.accept_offer(entry, actor=current_user, now=utcnow())
    flash(_("The place is yours."), "success")
    return redirect(url_for("booking.booking_detail", booking_id=booking.id))


@bp.route("/waitlist/<int:entry_id>/leave", methods=["POST"])
@login_required
@refuse_to("booking.my_bookings")
def leave_waitlist(entry_id: int):
    entry = waitlist.own_entry(current_user, entry_id)
    waitlist.leave_waitlist(entry, actor=current_user, now=utcnow())
    flash(_("You left the waitlist."), "success")
    return redirect(url_for("booking.my_bookings"))


# -- my calendar ---------------------------------------------------------------------------


@bp.route("/bookings/calendar-feed", methods=["POST"])
@login_required
def issue_feed():
    raw = feeds.issue_calendar_feed(current_user, now=utcnow())
    flash(_("Your calendar address (keep it secret; a new one replaces it): %(url)s",
            url=url_for("booking.calendar_feed", token=raw, _external=True)), "success")
    return redirect(url_for("booking.my_bookings"))


@bp.route("/bookings/calendar-feed/revoke", methods=["POST"])
@login_required
def revoke_feed():
    feeds.revoke_calendar_feed(current_user)
    flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("booking.my_bookings"))


@bp.route("/feeds/me/<token>.ics")
def calendar_feed(token: str):
    owner = feeds.feed_owner(token)
    if owner is None:
        abort(404)
    locale = owner.locale or current_locale_code()
    feed = feeds.my_calendar(owner, now=utcnow(), locale=locale, name="ParkWell")
    response = make_response(feed.body)
    response.mimetype = "text/calendar"
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)
