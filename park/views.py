"""HTML pages: the park's events and one's tickets for employees; venues, events, sessions,
the door (check-in) and announcements for committees. Thin: forms check shape, services
decide, the request's transaction commits."""

from __future__ import annotations

import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from benefits import payment_return, stripe_gateway
from benefits.models import PaymentStatus
from benefits.money_input import yuan_to_minor
from core.accounts.models import Park
from core.api import idempotency
from core.audit.hooks import audited
from core.charts import Bar, bar_chart
from core.clock import to_zone, today_in, utcnow
from core.db import db
from core.errors import DomainError, NotFound
from core.i18n import current_locale_code, format_when
from core.policy import Action, can, park_ids_of
from core.protections import limit_exports
from core.web import refuse, refuse_to
from health.models import Dependant
from park import (
    certificates,
    checkin,
    covers,
    feedback,
    feeds,
    paying,
    payments,
    queries,
    registration,
    reports,
    services,
    tickets,
)
from park.errors import CoverNotFound, VenueNotFound
from park.forms import (
    AnnouncementForm,
    CancelEventForm,
    CancelSessionForm,
    CheckInForm,
    CoverForm,
    EventForm,
    FeedbackForm,
    PayForm,
    RegisterForm,
    SessionForm,
    VenueForm,
)
from park.models import Event, EventKind, EventStatus, RegistrationStatus, Venue

bp = Blueprint("park", __name__)


# -- for everyone in the park --------------------------------------------------------------


@bp.route("/events")
@login_required
def events():
    now = utcnow()
    return render_template("park/events.html", events=queries.upcoming_events(current_user,
                                                                              now=now),
                           announcements=services.announcements_of(park_ids_of(current_user)),
                           parks=queries.parks_of(current_user), locale=current_locale_code())


def _render_event(event: Event, status: int = 200, feedback_form: FeedbackForm | None = None):
    now = utcnow()
    form = RegisterForm(formdata=None)
    dependants = list(db.session.scalars(select(Dependant).where(
        Dependant.user_id == current_user.id).order_by(Dependant.id))) \
        if event.allows_family else []
    mine = queries.my_registrations_for(current_user, event)
    return render_template(
        "park/event.html", event=event, form=form, dependants=dependants, mine=mine,
        form_token=uuid.uuid4().hex, now=now, locale=current_locale_code(),
        can_register=can(current_user, Action.REGISTER_FOR_EVENTS, event)
        and event.is_open_for_registration(now=now),
        can_manage=can(current_user, Action.MANAGE_PARK_EVENTS, event),
        feedback_form=feedback_form or _feedback_form(event),
        attended=feedback.has_attended(current_user, event),
        position=registration.waitlist_position), status


def _feedback_form(event: Event) -> FeedbackForm:
    mine = feedback.feedback_of(current_user, event)
    form = FeedbackForm(formdata=None, obj=mine)
    if mine is None:
        form.rating.data = 5
    return form


@bp.route("/events/<int:event_id>")
@login_required
def event_detail(event_id: int):
    return _render_event(queries.visible_event(current_user, event_id))


@bp.route("/events/sessions/<int:session_id>/register", methods=["POST"])
@login_required
def register(session_id: int):
    session = queries.visible_session(current_user, session_id)
    form = RegisterForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_event(session.event, 400)
    try:
        _status, payload = idempotency.run_once(
            current_user, f"form:{form.form_token.data}", operation=f"POST {request.path}",
            body={"dependant_id": form.dependant_id.data,
                  "join_waitlist": form.join_waitlist.data}, now=utcnow(),
            action=lambda: (201, {"registration_id": registration.register(
                session, actor=current_user, now=utcnow(), dependant_id=form.dependant_id.data,
                join_waitlist=form.join_waitlist.data).id}))
    except DomainError as exc:
        refuse(exc)
        return _render_event(session.event, exc.status)
    reg = queries.own_registration(current_user, payload["registration_id"])
    if reg.status is RegistrationStatus.HELD:
        flash(_("Your place is kept until %(until)s: pay to confirm it.",
                until=format_when(reg.hold_expires_at, "short")), "success")
        return redirect(url_for("park.pay", registration_id=reg.id))
    flash(_("You are registered."), "success")
    return redirect(url_for("park.ticket", registration_id=payload["registration_id"]))


@bp.route("/events/<int:event_id>/feedback", methods=["POST"])
@login_required
def give_feedback(event_id: int):
    event = queries.visible_event(current_user, event_id)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return _render_event(event, 400, feedback_form=form)
    try:
        feedback.give_feedback(event, actor=current_user, rating=form.rating.data,
                               comment=form.comment.data or "", now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_event(event, exc.status, feedback_form=form)
    flash(_("Thank you for your feedback."), "success")
    return redirect(url_for("park.event_detail", event_id=event.id))


@bp.route("/certificates/verify/<number>")
def verify_certificate(number: str):
    """Public: anyone holding a certificate (an employer, a school) checks it here; the QR
    code on the PDF points at this page. Shows the holder's initials only."""
    check = certificates.verify(number[:64])
    return render_template("park/certificate_verify.html", check=check, number=number[:64],
                           locale=current_locale_code()), 200 if check else 404


@bp.route("/tickets/<int:registration_id>/certificate.pdf")
@login_required
def certificate(registration_id: int):
    reg = queries.own_registration(current_user, registration_id)
    pdf = certificates.certificate_pdf(reg, locale=current_locale_code(),
                                       verify_url=_verify_url)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{reg.id}.pdf"'})


@bp.route("/my-events")
@login_required
def my_events():
    rows = db.session.scalars(queries.registrations_of(current_user).limit(200)).all()
    return render_template("park/my_events.html", registrations=rows, now=utcnow(),
                           locale=current_locale_code(), position=registration.waitlist_position)


@bp.route("/tickets/<int:registration_id>")
@login_required
def ticket(registration_id: int):
    reg = queries.own_registration(current_user, registration_id)
    qr = tickets.qr_svg(reg.ticket_code) if reg.status is RegistrationStatus.CONFIRMED else None
    return render_template("park/ticket.html", reg=reg, qr=qr, now=utcnow(),
                           has_certificate=certificates.can_have_certificate(reg),
                           certificate_number=certificates.certificate_number(reg),
                           code=registration.format_code(reg.ticket_code),
                           locale=current_locale_code(),
                           can_cancel=registration.can_cancel(reg, current_user, now=utcnow()),
                           position=registration.waitlist_position(reg),
                           payment=payments.payment_of(reg) if reg.event.is_paid else None)


@bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
@login_required
@refuse_to(lambda registration_id: url_for("park.ticket", registration_id=registration_id))
def cancel_registration(registration_id: int):
    reg = queries.own_registration(current_user, registration_id)
    registration.cancel_registration(reg, actor=current_user, now=utcnow())
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("park.my_events"))


@bp.route("/registrations/<int:registration_id>/accept", methods=["POST"])
@login_required
@refuse_to(lambda registration_id: url_for("park.ticket", registration_id=registration_id))
def accept_offer(registration_id: int):
    reg = queries.own_registration(current_user, registration_id)
    registration.accept_offer(reg, actor=current_user, now=utcnow())
    if reg.status is RegistrationStatus.HELD:
        flash(_("Your place is kept until %(until)s: pay to confirm it.",
                until=format_when(reg.hold_expires_at, "short")), "success")
        return redirect(url_for("park.pay", registration_id=reg.id))
    flash(_("The place is yours."), "success")
    return redirect(url_for("park.ticket", registration_id=reg.id))


@bp.route("/tickets/<int:registration_id>/pay", methods=["GET", "POST"])
@login_required
def pay(registration_id: int):
    """Pay for a held place of a paid event: the budget's share and the card's."""
    reg = queries.own_registration(current_user, registration_id)
    if not reg.event.is_paid:
        raise NotFound()
    form = PayForm()
    payment = payments.payment_of(reg)
    client_secret, status = None, 200
    if form.validate_on_submit():
        try:
            result = paying.pay(reg, actor=current_user, now=utcnow(),
                                today=today_in(reg.event.park))
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            if result.payment.status is PaymentStatus.PAID:
                flash(_("Paid. Your place is confirmed and your ticket is ready."), "success")
                return redirect(url_for("park.ticket", registration_id=reg.id))
            payment, client_secret = result.payment, result.client_secret
    elif request.method == "POST":
        status = 400
    else:  # back from paying (card, Alipay, WeChat Pay), or opened again: where it stands
        payment_return.settle_if_paid(payment, now=utcnow(), today=today_in(reg.event.park))
        client_secret = payment_return.pending_client_secret(payment)
    return render_template(
        "park/pay.html", reg=reg, form=form, payment=payment, client_secret=client_secret,
        return_url=url_for("park.pay", registration_id=reg.id, _external=True),
        quote=paying.quote(reg, now=utcnow(), today=today_in(reg.event.park)),
        payable=reg.status is RegistrationStatus.HELD and payment is None,
        card_enabled=stripe_gateway.card_payments_enabled(), locale=current_locale_code(),
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY")), status


def _public_park(code: str) -> tuple[Park, str]:
    """The park of a public feed, and the feed's language (``?lang=en``, else the park's)."""
    park = db.session.scalar(select(Park).where(Park.code == code[:40]))
    if park is None:
        raise NotFound()
    locale = request.args.get("lang") or park.default_locale
    return park, "en" if locale == "en" else "zh_CN"


@bp.route("/parks/<code>/events.atom")
def park_atom(code: str):
    """The park's public events as an Atom feed (for feed readers and WeCom bots); events
    restricted to some enterprises stay out, as in the calendar."""
    park, locale = _public_park(code)
    with force_locale(locale):
        body = feeds.park_atom(
            park, locale=locale, now=utcnow(),
            self_url=url_for("park.park_atom", code=park.code, _external=True),
            event_url=lambda e: url_for("park.event_detail", event_id=e.id, _external=True),
            when=lambda value: format_when(value))
    return Response(body, mimetype="application/atom+xml")


@bp.route("/parks/<code>/events.ics")
def park_feed(code: str):
    park, locale = _public_park(code)
    body = tickets.park_calendar(park, locale=locale, now=utcnow(), image_url=_cover_url)
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{park.code}.ics"'})


def _verify_url(number: str) -> str:
    return url_for("park.verify_certificate", number=number, _external=True)


def _cover_url(event: Event) -> str | None:
    if event.cover is None:
        return None
    return url_for("park.event_cover", event_id=event.id,
                   v=int(event.cover.updated_at.timestamp()), _external=True)


@bp.route("/events/<int:event_id>/cover")
def event_cover(event_id: int):
    """The cover image. Public for published and completed events (the park's calendar
    feed is public too); a draft's or a cancelled event's only for those who may see it."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound()
    public = event.status in (EventStatus.PUBLISHED, EventStatus.COMPLETED) \
        and not event.is_restricted
    if not public:
        if not current_user.is_authenticated:
            raise NotFound()
        queries.visible_event(current_user, event_id)
    if event.cover is None:
        raise CoverNotFound()
    response = make_response(event.cover.content)
    response.headers["Content-Type"] = event.cover.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.headers["Cache-Control"] = "public, max-age=300" if public \
        else "private, no-store"
    return response


# -- committees ----------------------------------------------------------------------------


def _audience_choices(form: EventForm, park: Park) -> None:
    locale = current_locale_code()
    form.audience.choices = [(e.id, e.name(locale)) for e in park.enterprises]


def _event_fields(form: EventForm, park: Park) -> dict:
    return {"title_zh": form.title_zh.data, "title_en": form.title_en.data or "",
            "description_zh": form.description_zh.data or "",
            "description_en": form.description_en.data or "",
            "kind": EventKind(form.kind.data), "family_places": form.family_places.data or 0,
            "registration_opens_at": form.registration_opens_at.in_zone(park.timezone),
            "registration_closes_at": form.registration_closes_at.in_zone(park.timezone),
            "audience_ids": form.audience.data or [],
            "price_minor": yuan_to_minor(form.price.data), "currency": form.currency.data}


@bp.route("/park/<int:park_id>/events")
@login_required
def manage_events(park_id: int):
    park = queries.park_for(current_user, park_id)
    return render_template("park/manage_events.html", park=park,
                           events=queries.managed_events(park), locale=current_locale_code())


@bp.route("/park/<int:park_id>/events/new", methods=["GET", "POST"])
@login_required
def new_event(park_id: int):
    park = queries.park_for(current_user, park_id)
    form = EventForm()
    _audience_choices(form, park)
    if form.validate_on_submit():
        try:
            event = services.create_event(park, actor=current_user, now=utcnow(),
                                          **_event_fields(form, park))
        except DomainError as exc:
            refuse(exc)
            return render_template("park/event_form.html", park=park, form=form), exc.status
        flash(_("The event is saved as a draft. Add its sessions, then publish it."),
              "success")
        return redirect(url_for("park.manage_event", event_id=event.id))
    return render_template("park/event_form.html", park=park, form=form), \
        400 if form.errors else 200


def _cancel_session_form(session_id: int, *, submitted: bool = False) -> CancelSessionForm:
    """Each session's own form, its fields prefixed so that their ids stay unique."""
    prefix = f"cancel-{session_id}"
    if submitted:
        return CancelSessionForm(prefix=prefix)
    return CancelSessionForm(formdata=None, prefix=prefix)


def _render_manage(event: Event, *, form: EventForm | None = None,
                   session_form: SessionForm | None = None,
                   cover_form: CoverForm | None = None,
                   cancel_forms: dict[int, CancelSessionForm] | None = None,
                   status: int = 200):
    park, locale = event.park, current_locale_code()
    if form is None:
        form = EventForm(formdata=None, obj=event)
        _audience_choices(form, park)
        form.kind.data = event.kind.value
        form.audience.data = [e.id for e in event.audience]
        for name in ("registration_opens_at", "registration_closes_at"):
            value = getattr(event, name).astimezone(_zone(park))
            getattr(form, name).data = value.strftime("%Y-%m-%dT%H:%M")
        form.price.data = Decimal(event.price_minor) / 100
        form.currency.data = event.currency
    session_form = session_form or SessionForm(formdata=None)
    session_form.venue_id.choices = [(v.id, f"{v.name(locale)} ({v.capacity})")
                                     for v in services.venues_of(park)]
    cancel_forms = cancel_forms or {}
    cancel_session_forms = {s.id: cancel_forms.get(s.id) or _cancel_session_form(s.id)
                            for s in event.sessions if not s.is_cancelled}
    return render_template(
        "park/manage_event.html", event=event, park=park, form=form,
        session_form=session_form, cancel_form=CancelEventForm(formdata=None),
        cancel_session_forms=cancel_session_forms, now=utcnow(),
        cover_form=cover_form or CoverForm(formdata=None),
        feedback_summary=feedback.summary_of(event),
        comments=db.session.scalars(feedback.feedback_for(event).limit(
            COMMENTS_ON_PAGE)).all(), comments_on_page=COMMENTS_ON_PAGE,
        locale=locale, attendance=checkin.attendance), status


#: The newest comments shown on the event's page; the CSV and the API have them all.
COMMENTS_ON_PAGE = 50


def _zone(park: Park) -> ZoneInfo:
    return ZoneInfo(park.timezone)


@bp.route("/park/events/<int:event_id>", methods=["GET", "POST"])
@login_required
def manage_event(event_id: int):
    event = queries.managed_event(current_user, event_id)
    if request.method == "GET":
        return _render_manage(event)
    form = EventForm()
    _audience_choices(form, event.park)
    if not form.validate():
        return _render_manage(event, form=form, status=400)
    try:
        services.update_event(event, actor=current_user, now=utcnow(),
                              **_event_fields(form, event.park))
    except DomainError as exc:
        refuse(exc)
        return _render_manage(event, form=form, status=exc.status)
    flash(_("Saved."), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/events/<int:event_id>/sessions", methods=["POST"])
@login_required
def add_session(event_id: int):
    event = queries.managed_event(current_user, event_id)
    form = SessionForm()
    form.venue_id.choices = [(v.id, v.name(current_locale_code()))
                             for v in services.venues_of(event.park)]
    if not form.validate():
        return _render_manage(event, session_form=form, status=400)
    tz = event.park.timezone
    try:
        services.add_session(event, actor=current_user, venue_id=form.venue_id.data,
                             starts_at=form.starts_at.in_zone(tz),
                             ends_at=form.ends_at.in_zone(tz), capacity=form.capacity.data,
                             title_zh=form.title_zh.data or "", title_en=form.title_en.data or "",
                             now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_manage(event, session_form=form, status=exc.status)
    flash(_("Session added."), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


def _venue_choices(form: SessionForm, park: Park) -> None:
    locale = current_locale_code()
    form.venue_id.choices = [(v.id, f"{v.name(locale)} ({v.capacity})")
                             for v in services.venues_of(park)]


def _render_session(session, form: SessionForm, status: int = 200):
    return render_template("park/session_form.html", session=session, event=session.event,
                           form=form, locale=current_locale_code()), status


@bp.route("/park/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Change a session's time, venue or capacity; registrants are told of a move."""
    session = queries.managed_session(current_user, session_id)
    event, tz = session.event, session.event.park.timezone
    if request.method == "GET":
        form = SessionForm(formdata=None, obj=session)
        form.starts_at.data = to_zone(session.starts_at, tz).strftime("%Y-%m-%dT%H:%M")
        form.ends_at.data = to_zone(session.ends_at, tz).strftime("%Y-%m-%dT%H:%M")
        _venue_choices(form, event.park)
        return _render_session(session, form)
    form = SessionForm()
    _venue_choices(form, event.park)
    if not form.validate():
        return _render_session(session, form, 400)
    try:
        services.update_session(session, actor=current_user, venue_id=form.venue_id.data,
                                starts_at=form.starts_at.in_zone(tz),
                                ends_at=form.ends_at.in_zone(tz), capacity=form.capacity.data,
                                title_zh=form.title_zh.data or "",
                                title_en=form.title_en.data or "", now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_session(session, form, exc.status)
    flash(_("Session saved."), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/events/<int:event_id>/cover", methods=["POST"])
@login_required
def upload_cover(event_id: int):
    event = queries.managed_event(current_user, event_id)
    form = CoverForm()
    if not form.validate():
        return _render_manage(event, cover_form=form, status=400)
    upload = form.cover.data
    try:
        covers.set_cover(event, actor=current_user,
                         content=upload.read(covers.MAX_COVER_BYTES + 1),
                         filename=upload.filename or "", now=utcnow())
    except DomainError as exc:
        refuse(exc)
        for name, message in (exc.fields or {}).items():
            if name == "cover":
                form.cover.errors = [message]
        return _render_manage(event, cover_form=form, status=exc.status)
    flash(_("Cover image saved."), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/events/<int:event_id>/cover/remove", methods=["POST"])
@login_required
def remove_cover(event_id: int):
    event = queries.managed_event(current_user, event_id)
    covers.remove_cover(event, actor=current_user, now=utcnow())
    flash(_("Cover image removed."), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/sessions/<int:session_id>/remove", methods=["POST"])
@login_required
def remove_session(session_id: int):
    session = queries.managed_session(current_user, session_id)
    event = session.event
    try:
        services.remove_session(session, actor=current_user, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_manage(event, status=exc.status)
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel_session(session_id: int):
    """Cancel one session of a published event, confirmed by ticking the form's box."""
    session = queries.managed_session(current_user, session_id)
    event = session.event
    form = _cancel_session_form(session.id, submitted=True)
    if not form.validate():
        return _render_manage(event, cancel_forms={session.id: form}, status=400)
    try:
        count = services.cancel_session(session, actor=current_user,
                                        reason=form.reason.data or "", now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_manage(event, status=exc.status)
    flash(ngettext("The session is cancelled. %(num)d registration was cancelled, refunded "
                   "in full if paid, and its holder told by e-mail.",
                   "The session is cancelled. %(num)d registrations were cancelled, refunded "
                   "in full if paid, and their holders told by e-mail.", count), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/sessions/<int:session_id>/restore", methods=["POST"])
@login_required
def restore_session(session_id: int):
    """Put a cancelled session back on (the form is only its CSRF token)."""
    session = queries.managed_session(current_user, session_id)
    event = session.event
    try:
        services.restore_session(session, actor=current_user, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_manage(event, status=exc.status)
    flash(_("The session is back on. Those whose registration was cancelled with it were "
            "told by e-mail that they may register again."), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/events/<int:event_id>/<any(publish, complete, cancel):step>",
          methods=["POST"])
@login_required
def move_event(event_id: int, step: str):
    event = queries.managed_event(current_user, event_id)
    now = utcnow()
    try:
        if step == "publish":
            services.publish_event(event, actor=current_user, now=now)
        elif step == "complete":
            services.complete_event(event, actor=current_user, now=now)
        else:
            form = CancelEventForm()
            if not form.validate():
                return _render_manage(event, status=400)
            services.cancel_event(event, actor=current_user, reason=form.reason.data or "",
                                  now=now)
    except DomainError as exc:
        refuse(exc)
        return _render_manage(event, status=exc.status)
    flash(_("The event is now: %(status)s", status=event.status.label), "success")
    return redirect(url_for("park.manage_event", event_id=event.id))


@bp.route("/park/events/<int:event_id>/feedback.csv")
@login_required
def feedback_csv(event_id: int):
    """Every answer (rating and comment, no names) as CSV for Excel."""
    event = queries.managed_event(current_user, event_id)
    rows = db.session.scalars(feedback.feedback_for(event).limit(10000)).all()
    body = feedback.to_csv(rows, [_("Answered"), _("Rating"), _("Comment")],
                           when=lambda value: format_when(value, "short"))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="event-{event.id}-feedback.csv"'})


def _venue_fields(form: VenueForm) -> dict:
    return {"name_zh": form.name_zh.data, "name_en": form.name_en.data,
            "location": form.location.data or "", "capacity": form.capacity.data}


@bp.route("/park/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def edit_venue(venue_id: int):
    """Rename, move or resize a venue (never below a session still to come there)."""
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        raise VenueNotFound()
    park = queries.park_for(current_user, venue.park_id)
    form = VenueForm(obj=venue) if request.method == "GET" else VenueForm()
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.validate():
        try:
            services.update_venue(venue, actor=current_user, now=utcnow(),
                                  **_venue_fields(form))
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            flash(_("Venue saved."), "success")
            return redirect(url_for("park.venues", park_id=park.id))
    return render_template("park/venue_form.html", park=park, venue=venue, form=form,
                           locale=current_locale_code()), status


@bp.route("/park/<int:park_id>/venues", methods=["GET", "POST"])
@login_required
def venues(park_id: int):
    park = queries.park_for(current_user, park_id)
    form = VenueForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            services.create_venue(park, actor=current_user, now=utcnow(),
                                  **_venue_fields(form))
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            flash(_("Venue added."), "success")
            return redirect(url_for("park.venues", park_id=park.id))
    return render_template("park/venues.html", park=park, form=form,
                           venues=services.venues_of(park), locale=current_locale_code()), status


def _render_checkin(session, form: CheckInForm, *, result=None, error=None, status=200):
    return render_template(
        "park/checkin.html", session=session, form=form, result=result, error=error,
        counts=checkin.attendance(session), registrations=queries.session_registrations(session),
        locale=current_locale_code()), status


@bp.route("/park/sessions/<int:session_id>/checkin", methods=["GET", "POST"])
@login_required
def checkin_page(session_id: int):
    session = queries.managed_session(current_user, session_id)
    if request.method == "GET":
        return _render_checkin(session, CheckInForm(formdata=None))
    form = CheckInForm()
    if not form.validate():
        return _render_checkin(session, form, status=400)
    try:
        reg = checkin.check_in(session, code=form.code.data, actor=current_user, now=utcnow(),
                               locale=current_locale_code())
    except DomainError as exc:
        refuse(exc, say=False)
        return _render_checkin(session, CheckInForm(formdata=None), error=str(exc.message),
                               status=exc.status)
    return _render_checkin(session, CheckInForm(formdata=None), result=reg)


@bp.route("/park/sessions/<int:session_id>/attendance.json")
@login_required
def attendance_json(session_id: int):
    counts = checkin.attendance(queries.managed_session(current_user, session_id))
    return jsonify({"capacity": counts.capacity, "registered": counts.registered,
                    "checked_in": counts.checked_in, "waiting": counts.waiting,
                    "offered": counts.offered})


@bp.route("/park/<int:park_id>/announcements", methods=["GET", "POST"])
@login_required
def announcements(park_id: int):
    park = queries.park_for(current_user, park_id)
    form = AnnouncementForm()
    if form.validate_on_submit():
        services.post_announcement(park, actor=current_user, title=form.title.data,
                                   body=form.body.data, now=utcnow())
        flash(_("Announcement posted and sent to the park's employees."), "success")
        return redirect(url_for("park.announcements", park_id=park.id))
    return render_template("park/announcements.html", park=park, form=form,
                           items=services.announcements_of([park.id], limit=50)), \
        400 if form.errors else 200



def _report_rows(park: Park):
    rows = reports.by_event(park, current_locale_code())
    return rows, reports.by_kind(rows)


@bp.route("/park/<int:park_id>/reports")
@login_required
def reports_page(park_id: int):
    park = queries.park_for(current_user, park_id)
    rows, kinds = _report_rows(park)
    rated = [k for k in kinds if k.average_rating is not None]
    return render_template(
        "park/reports.html", park=park, rows=rows, kinds=kinds,
        attendance_chart=reports.bar_chart(
            [(k.label, k.attendance_rate) for k in kinds], maximum=1.0,
            chart_id="chart-kind-attendance", title=_("Attendance rate by kind"),
            description=_("Checked in out of registered"), axis_label=_("Attendance rate (%)")),
        rating_chart=reports.bar_chart(
            [(k.label, k.average_rating) for k in rated], maximum=5.0, percent=False,
            chart_id="chart-kind-rating", title=_("Average rating by kind"),
            description=_("Average feedback rating (1–5)"), axis_label=_("Rating (1–5)")),
        event_attendance_chart=bar_chart(
            [Bar(r.label, r.attendance_rate,
                 f"{format_percent(r.attendance_rate)} ({r.checked_in}/{r.registered})")
             for r in rows],
            maximum=1.0, chart_id="chart-event-attendance", title=_("Attendance by event"),
            description=_("Checked in out of registered, for each event."),
            axis_label=_("Attendance rate (%)"), tick=format_percent),
        event_rating_chart=bar_chart(
            [Bar(r.label, r.average_rating, format_decimal(round(r.average_rating, 1)))
             for r in rows if r.average_rating is not None],
            maximum=5.0, chart_id="chart-event-rating", title=_("Satisfaction by event"),
            description=_("Average feedback rating (1–5) for each event that has ratings."),
            axis_label=_("Rating (1–5)")))


@bp.route("/park/<int:park_id>/reports.csv")
@audited("GET", {200: "export.park.reports_csv"}, target_type="park", target_arg="park_id")
@limit_exports
@login_required
def reports_csv(park_id: int):
    park = queries.park_for(current_user, park_id)
    rows, _kinds = _report_rows(park)
    body = reports.to_csv(rows, [_("Event"), _("Kind"), _("Capacity"), _("Registered"),
                                 _("Checked in"), _("Attendance rate"), _("Ratings"),
                                 _("Average rating")])
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{park.code}-events.csv"'})
