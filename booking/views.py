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

from booking import (
    calendar_links,
    choosing,
    eligibility,
    feeds,
    notifications,
    online,
    pickups,
    queries,
    services,
    sharing,
    waitlist,
)
from booking.attendees import attendee_of
from booking.forms import (
    AttendanceForm,
    CancelForm,
    ChosenTimeForm,
    HoldForm,
    PickupHoldForm,
    RescheduleForm,
    ShareForm,
    WaitlistForm,
)
from booking.models import BookingStatus
from core.api import idempotency
from core.bounds import query_date
from core.clock import to_zone, today_in, utcnow
from core.db import db
from core.errors import DomainError
from core.i18n import current_locale_code, format_when
from core.policy import Action, can, require
from core.protections import limit_bookings
from core.web import refuse, refuse_to
from health import services as health_services
from providers import queries as provider_queries
from providers.schedule import zone

bp = Blueprint("booking", __name__)

DAYS_SHOWN = 7


def _slots(service, start_day: date, timezone: str, now: datetime):
    tz = zone(timezone)
    start = datetime.combine(start_day, time(), tzinfo=tz)
    return provider_queries.slots_for(service, start=start,
                                      end=start + timedelta(days=DAYS_SHOWN), now=now)


def chooser_for(service, *, now: datetime):
    """The day strip and the chosen day's times, from ``?first=`` and ``?day=``."""
    timezone = service.provider.park.timezone
    return choosing.choose(service, today=today_in(service.provider.park, now=now),
                           first=choosing.parse_day(request.args.get("first")),
                           day=choosing.parse_day(request.args.get("day")),
                           timezone=timezone, now=now)


def choosing_context(service, *, now: datetime) -> dict:
    """What the time-choosing part of a service page needs (also the marketplace's)."""
    can_book = can(current_user, Action.BOOK_SERVICE, service.provider)
    chooser = chooser_for(service, now=now)
    return {"chooser": chooser, "chips": choosing.time_chips(chooser.times),
            "can_book": can_book, "takes_pickups": pickups.takes_pickups(service),
            "needs_pickup": pickups.needs_pickup(service),
            "hint": eligibility.eligibility_hint(
                service, client=current_user, on=now,
                timezone=service.provider.park.timezone) if can_book else None}


def _render_service(service, form: HoldForm, status: int = 200):
    now = utcnow()
    context = choosing_context(service, now=now)
    form.form_token.data = uuid.uuid4().hex
    timezone = service.provider.park.timezone
    start = datetime.combine(context["chooser"].day, time(), tzinfo=zone(timezone))
    listed = [p for p in service.practitioners if p.is_listed]
    return render_template(
        "booking/service.html", service=service, form=form,
        full=queries.full_slots(service, listed, start=start,
                                end=start + timedelta(days=1), now=now)
        if service.is_active and service.provider.is_verified else [],
        dependants=health_services.list_dependants(current_user)
        if service.allows_dependants and context["can_book"] else [],
        slots=_slots(service, context["chooser"].day, timezone, now)
        if context["takes_pickups"] else [],
        picker_endpoint="booking.book", locale=current_locale_code(), **context), status


@bp.route("/services/<int:service_id>/book/confirm")
@login_required
def confirm_time(service_id: int):
    """The confirmation step: what, when, where, who and who pays what, before anything
    is held. A time that is no longer offered goes back to the strip."""
    service = provider_queries.service_for(current_user, service_id, Action.VIEW_PROVIDER)
    chosen = ChosenTimeForm(request.args)
    if not chosen.validate():
        flash(_("Choose one of the times listed."), "error")
        return _render_service(service, HoldForm(formdata=None), 400)
    now = utcnow()
    try:
        require(current_user, Action.BOOK_SERVICE, service.provider)
        practitioner = services.bookable_practitioner(service, chosen.practitioner_id.data)
        services.check_on_grid(service, practitioner, chosen.starts_at.parsed, now=now)
    except DomainError as exc:
        refuse(exc)
        return _render_service(service, HoldForm(formdata=None), exc.status)
    form = HoldForm(formdata=None)
    form.form_token.data = uuid.uuid4().hex
    starts_at = chosen.starts_at.parsed
    profile = provider_queries.profile_or_none(service.provider)
    return render_template(
        "booking/confirm.html", service=service, practitioner=practitioner,
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        form=form, profile=profile, online_minutes=online.minutes_before(),
        dependants=health_services.list_dependants(current_user)
        if service.allows_dependants else [],
        hint=eligibility.eligibility_hint(service, client=current_user, on=starts_at,
                                          timezone=service.provider.park.timezone),
        back=url_for("booking.book", service_id=service.id,
                     day=to_zone(starts_at, service.provider.park.timezone).date().isoformat()),
        locale=current_locale_code())


def _hold_form(service, **kwargs) -> HoldForm:
    """Childcare and elder care take who may collect the person: one form for the page."""
    return PickupHoldForm(**kwargs) if pickups.takes_pickups(service) else HoldForm(**kwargs)


@bp.route("/services/<int:service_id>/book", methods=["GET", "POST"])
@limit_bookings
@login_required
def book(service_id: int):
    service = provider_queries.service_for(current_user, service_id, Action.VIEW_PROVIDER)
    form = _hold_form(service)
    if not form.validate_on_submit():
        return _render_service(service, form, 400 if form.errors else 200)
    people = form.pickup_persons() if isinstance(form, PickupHoldForm) else []
    try:
        _status, payload = idempotency.run_once(
            current_user, f"form:{form.form_token.data}", operation=f"POST {request.path}",
            body={"practitioner_id": form.practitioner_id.data,
                  "starts_at": form.starts_at.parsed.isoformat(),
                  "dependant_id": form.dependant_id.data, "pickups": people}, now=utcnow(),
            action=lambda: (201, {"booking_id": services.hold_slot(
                service, practitioner_id=form.practitioner_id.data,
                starts_at=form.starts_at.parsed, actor=current_user,
                dependant_id=form.dependant_id.data, pickup_persons=people, now=utcnow(),
                asked_by_client=True).id}))
    except DomainError as exc:
        refuse(exc)
        if people:  # keep what was typed, and say which pick-up field is wrong
            for key, message in exc.fields.items():
                getattr(form, "pickup_" + key.rsplit(".", 1)[-1]).errors = [message]
            return _render_service(service, form, exc.status)
        return _render_service(service, _hold_form(service, formdata=None), exc.status)
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
    is_client = can(current_user, Action.OWN_RECORD, booking)
    slots = []
    if is_client and booking.status is BookingStatus.CONFIRMED and booking.starts_at > now:
        timezone = booking.provider.park.timezone
        slots = [s for s in _slots(booking.service, today_in(booking.provider.park, now=now),
                                   timezone,
                                   now) if s[0].starts_at != booking.starts_at][:30]
    return render_template(
        "booking/detail.html", booking=booking, is_client=is_client,
        share_form=ShareForm(formdata=None), shareable=sharing.shareable_fields(
            booking, current_user),
        cancel_form=CancelForm(formdata=None), reschedule_form=reschedule_form
        or RescheduleForm(formdata=None), slots=slots, now=now,
        outcome=services.cancellation_outcome(booking, by="client", now=now)
        if booking.status in (BookingStatus.HELD, BookingStatus.CONFIRMED) else None,
        preview=services.cancellation_preview(booking, actor=current_user, now=now),
        calendar=calendar_links.links_for(booking, locale=current_locale_code())
        if is_client and calendar_links.on_calendar(booking) else None,
        online_link=online.online_link(booking, viewer=current_user, now=now),
        link_later=is_client and online.link_later(booking, now=now),
        link_opens_at=online.opens_at(booking),
        attendee_of=attendee_of, locale=current_locale_code()), status


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


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(booking_id: int):
    """GET: the confirmation step, with what the policy keeps and refunds; POST: cancel."""
    booking = queries.visible_booking(current_user, booking_id)
    if request.method == "GET":
        return render_template(
            "booking/cancel.html", booking=booking, form=CancelForm(formdata=None),
            preview=services.cancellation_preview(booking, actor=current_user, now=utcnow()),
            is_client=can(current_user, Action.OWN_RECORD, booking), locale=current_locale_code())
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
    if not can(current_user, Action.OWN_RECORD, booking):
        return redirect(url_for("booking.provider_bookings", provider_id=booking.provider_id,
                                on=to_zone(booking.starts_at,
                                           booking.provider.park.timezone).date().isoformat()))
    return redirect(url_for("booking.booking_detail", booking_id=booking.id))


@bp.route("/bookings/<int:booking_id>/calendar.ics")
@login_required
def booking_ics(booking_id: int):
    """The booking as a calendar file, to add it to the phone's calendar."""
    booking = queries.visible_booking(current_user, booking_id)
    locale = current_locale_code()
    response = make_response(notifications.booking_ics(
        booking, method="PUBLISH", locale=locale, stamp=booking.updated_at))
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="booking-{booking.id}.ics"')
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


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


#: The longest name the provider's bookings list searches for.
MAX_NAME_SEARCH = 50
#: How far the provider's "upcoming" list looks ahead.
UPCOMING_DAYS = 14


@bp.route("/providers/<int:provider_id>/bookings")
@login_required
def provider_bookings(provider_id: int):
    """Today's bookings (today in the park's zone), one day (``on``), or the coming two
    weeks (``view=upcoming``); ``q`` keeps those whose client's name contains it."""
    provider = provider_queries.provider_for(current_user, provider_id, Action.MANAGE_BOOKINGS)
    now = utcnow()
    timezone = provider.park.timezone
    today = today_in(provider.park, now=now)
    upcoming = request.args.get("view") == "upcoming"
    name = (request.args.get("q") or "").strip()[:MAX_NAME_SEARCH]
    day = query_date(request.args.get("on"), default=today, lenient=True)
    if upcoming:
        day = today
        start, end = now, datetime.combine(today + timedelta(days=UPCOMING_DAYS + 1), time(),
                                           tzinfo=zone(timezone))
    else:
        start = datetime.combine(day, time(), tzinfo=zone(timezone))
        end = start + timedelta(days=1)
    bookings = db.session.scalars(queries.provider_bookings(
        provider, start=start, end=end, name=name)).all()
    days: dict[date, list] = {}
    for booking in bookings:
        days.setdefault(to_zone(booking.starts_at, timezone).date(), []).append(booking)
    return render_template("booking/provider_bookings.html", provider=provider, day=day,
                           today=today, upcoming=upcoming, name=name, days=days,
                           upcoming_days=UPCOMING_DAYS, previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1), bookings=bookings, now=now,
                           form=AttendanceForm(formdata=None), attendee_of=attendee_of,
                           locale=current_locale_code())


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
