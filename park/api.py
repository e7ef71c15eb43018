"""JSON endpoints for venues, events, sessions, registration, tickets and check-in. Thin:
each checks the shape, calls a service or a query, serialises. Every write honours
``Idempotency-Key`` (through ``core.api.idempotency``, shared with the booking engine)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify, make_response, request, url_for
from pydantic import BaseModel

from benefits import stripe_gateway
from core.accounts.models import ApiScope, User
from core.api import idempotency
from core.api.openapi import ApiBlueprint
from core.api.pagination import PageQuery, paginate
from core.clock import today_in, utcnow
from core.db import db
from core.i18n import current_locale_code
from core.policy import Action
from park import (
    certificates,
    checkin,
    covers,
    feedback,
    paying,
    payments,
    queries,
    registration,
    reports,
    services,
    tickets,
)
from park.errors import (
    AnnouncementEventInvalid,
    CertificateInvalid,
    CoverNotFound,
    RegistrationNotPayable,
    TicketNotValid,
    VenueNotFound,
)
from park.models import Event, EventKind, EventStatus, Registration, RegistrationStatus, Venue
from park.schemas import (
    AnnouncementCreate,
    AnnouncementList,
    AnnouncementOut,
    AttendanceOut,
    CertificateCheckOut,
    CheckInData,
    CheckInOut,
    CoverUpload,
    EmptyBody,
    EventAnalyticsOut,
    EventCreate,
    EventOut,
    EventPage,
    EventUpdate,
    FeedbackCreate,
    FeedbackItemOut,
    FeedbackOut,
    FeedbackPage,
    ParkReportOut,
    PaymentSummary,
    RegistrationCreate,
    RegistrationOut,
    RegistrationPage,
    RegistrationPaymentOut,
    ReportRowOut,
    SessionAnalyticsOut,
    SessionCancel,
    SessionCancelOut,
    SessionCreate,
    SessionOut,
    SessionPatch,
    SessionUpdate,
    StatusChange,
    VenueCreate,
    VenueList,
    VenueOut,
    VenueUpdate,
)

bp = ApiBlueprint("park_api", __name__, tag="park")


def _idempotent(user: User, body: BaseModel, status: int, write: Callable[[], BaseModel]):
    def action() -> tuple[int, dict]:
        result = write()
        db.session.flush()
        return status, result.model_dump(mode="json")

    code, payload = idempotency.run_once(
        user, request.headers.get("Idempotency-Key"), operation=f"POST {request.path}",
        body=body.model_dump(mode="json"), now=utcnow(), action=action)
    response = jsonify(payload)
    response.status_code = code
    return response


def _registration_out(reg) -> RegistrationOut:
    return RegistrationOut.of(reg, position=registration.waitlist_position(reg))


# -- venues and events ---------------------------------------------------------------------


@bp.operation("/parks/<int:park_id>/venues", method="GET", response=VenueList,
              errors=(403, 404), summary="The park's venues (its committee)")
def list_venues(user: User, park_id: int):
    park = queries.park_for(user, park_id)
    locale = current_locale_code()
    return VenueList(items=[VenueOut.of(v, locale) for v in services.venues_of(park)])


@bp.operation("/parks/<int:park_id>/venues", method="POST", scope=ApiScope.WRITE,
              body=VenueCreate, response=VenueOut, status=201, errors=(403, 404, 409),
              summary="Add a venue to the park (its committee)")
def create_venue(user: User, park_id: int, body: VenueCreate):
    park = queries.park_for(user, park_id)
    return _idempotent(user, body, 201, lambda: VenueOut.of(services.create_venue(
        park, actor=user, now=utcnow(), **body.model_dump()), current_locale_code()))


@bp.operation("/venues/<int:venue_id>", method="PATCH", scope=ApiScope.WRITE,
              body=VenueUpdate, response=VenueOut, errors=(403, 404, 409, 422),
              summary="Change a venue's names, place or capacity (the park's committee)")
def update_venue(user: User, venue_id: int, body: VenueUpdate):
    """Only the fields sent change. 409 ``venue_name_taken``;
    ``venue_capacity_below_sessions`` when a session still to come there holds more
    people than the new capacity."""
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        raise VenueNotFound()
    queries.park_for(user, venue.park_id)
    return VenueOut.of(services.change_venue(venue, actor=user, now=utcnow(),
                                             **body.changes()), current_locale_code())


@bp.operation("/events", method="GET", query=PageQuery, response=EventPage,
              summary="Published events of your parks with sessions still to come")
def list_events(user: User, query: PageQuery):
    locale = current_locale_code()
    events = queries.upcoming_events(user, now=utcnow())
    start = (query.page - 1) * query.per_page
    return {"items": [EventOut.of(e, locale) for e in events[start:start + query.per_page]],
            "pagination": {"page": query.page, "per_page": query.per_page,
                           "total": len(events),
                           "pages": max(1, -(-len(events) // query.per_page))}}


@bp.operation("/events/<int:event_id>", method="GET", response=EventOut, errors=(404,),
              summary="One event with its sessions and places left")
def get_event(user: User, event_id: int):
    return EventOut.of(queries.visible_event(user, event_id), current_locale_code())


@bp.operation("/parks/<int:park_id>/events", method="POST", scope=ApiScope.WRITE,
              body=EventCreate, response=EventOut, status=201, errors=(403, 404, 409),
              summary="Create a draft event (the park's committee)")
def create_event(user: User, park_id: int, body: EventCreate):
    park = queries.park_for(user, park_id)
    fields = body.model_dump(exclude={"audience", "kind"})
    return _idempotent(user, body, 201, lambda: EventOut.of(services.create_event(
        park, actor=user, kind=EventKind(body.kind), audience_ids=body.audience,
        now=utcnow(), **fields), current_locale_code()))


@bp.operation("/events/<int:event_id>", method="PATCH", scope=ApiScope.WRITE,
              body=EventUpdate, response=EventOut, errors=(403, 404, 409, 422),
              summary="Change an event's titles, texts, window, audience or price")
def update_event(user: User, event_id: int, body: EventUpdate):
    """Only the fields sent change, with the rules of the event form: 409
    ``event_not_editable`` (completed or cancelled), ``price_locked`` (the price changes
    only while a draft); 422 ``registration_window_invalid``, ``audience_invalid``."""
    event = queries.managed_event(user, event_id)
    return EventOut.of(services.change_event(event, actor=user, now=utcnow(),
                                             **body.changes()), current_locale_code())


@bp.operation("/events/<int:event_id>/sessions", method="POST", scope=ApiScope.WRITE,
              body=SessionCreate, response=SessionOut, status=201, errors=(403, 404, 409),
              summary="Add a session at a venue (no clash, capacity within the venue's)")
def create_session(user: User, event_id: int, body: SessionCreate):
    event = queries.managed_event(user, event_id)
    return _idempotent(user, body, 201, lambda: SessionOut.of(services.add_session(
        event, actor=user, now=utcnow(), **body.model_dump()), current_locale_code()))


@bp.operation("/sessions/<int:session_id>", method="PUT", scope=ApiScope.WRITE,
              body=SessionUpdate, response=SessionOut, errors=(403, 404, 409),
              summary="Change a session's time, venue, capacity or titles")
def update_session(user: User, session_id: int, body: SessionUpdate):
    """The same rules as adding one, and never below the places already taken (409
    ``capacity_below_taken``). Registrants are e-mailed when the time or the venue
    changes."""
    session = queries.managed_session(user, session_id)
    return _idempotent(user, body, 200, lambda: SessionOut.of(services.update_session(
        session, actor=user, now=utcnow(), **body.model_dump()), current_locale_code()))


@bp.operation("/sessions/<int:session_id>", method="PATCH", scope=ApiScope.WRITE,
              body=SessionPatch, response=SessionOut, errors=(403, 404, 409, 422),
              summary="Change some of a session's time, venue, capacity or titles")
def patch_session(user: User, session_id: int, body: SessionPatch):
    """Only the fields sent change, with the rules of ``PUT``: never below the places
    taken (409 ``capacity_below_taken``), no venue clash (409 ``venue_clash``). When the
    time or the venue changes, everyone registered, offered or waiting is e-mailed
    (through the mail outbox, after the commit)."""
    session = queries.managed_session(user, session_id)
    return SessionOut.of(services.change_session(session, actor=user, now=utcnow(),
                                                 **body.changes()), current_locale_code())


@bp.operation("/sessions/<int:session_id>/cancel", method="POST", scope=ApiScope.WRITE,
              body=SessionCancel, response=SessionCancelOut, errors=(403, 404, 409),
              summary="Cancel one session of a published event (the park's committee)")
def cancel_session(user: User, session_id: int, body: SessionCancel):
    """The event and its other sessions go ahead. Every live registration of the session
    is cancelled, what it paid refunded in full through the ledger, and everyone told by
    e-mail after the commit; the public calendar shows the session cancelled. 409
    ``session_cancelled`` (already), ``session_not_cancellable`` (the event is not
    published, or the session has ended), ``last_session_of_event`` (cancel the event
    instead)."""
    session = queries.managed_session(user, session_id)

    def write() -> SessionCancelOut:
        count = services.cancel_session(session, actor=user, reason=body.reason, now=utcnow())
        return SessionCancelOut(session=SessionOut.of(session, current_locale_code()),
                                registrations_cancelled=count)

    return _idempotent(user, body, 200, write)


@bp.operation("/sessions/<int:session_id>/restore", method="POST", scope=ApiScope.WRITE,
              response=SessionOut, errors=(403, 404, 409),
              summary="Put a cancelled session back on (the park's committee)")
def restore_session(user: User, session_id: int):
    """Its registrations cancelled with it stay cancelled (they were refunded); their
    holders are e-mailed that they may register again. 409 ``session_not_cancelled``,
    ``session_not_restorable`` (the event is not published, or the session has started),
    ``venue_clash`` (its venue was taken meanwhile)."""
    session = queries.managed_session(user, session_id)
    return SessionOut.of(services.restore_session(session, actor=user, now=utcnow()),
                         current_locale_code())


@bp.operation("/events/<int:event_id>/cover", method="POST", scope=ApiScope.WRITE,
              body=CoverUpload, response=EventOut, errors=(403, 404),
              summary="Upload or replace the event's cover image (the park's committee)")
def upload_cover(user: User, event_id: int, body: CoverUpload):
    """PNG, JPEG or WebP, checked by its content, at most 2 MB; 422 ``cover_invalid`` or
    ``cover_too_large`` otherwise."""
    event = queries.managed_event(user, event_id)
    covers.set_cover(event, actor=user, content=body.content, filename=body.filename,
                     now=utcnow())
    return EventOut.of(event, current_locale_code())


@bp.operation("/events/<int:event_id>/cover", method="DELETE", scope=ApiScope.WRITE,
              response=EventOut, errors=(403, 404), summary="Remove the event's cover image")
def delete_cover(user: User, event_id: int):
    event = queries.managed_event(user, event_id)
    covers.remove_cover(event, actor=user, now=utcnow())
    return EventOut.of(event, current_locale_code())


@bp.operation("/events/<int:event_id>/cover", method="GET", errors=(404,),
              summary="The event's cover image (its own content type)")
def get_cover(user: User, event_id: int):
    event = queries.visible_event(user, event_id)
    if event.cover is None:
        raise CoverNotFound()
    response = make_response(event.cover.content)
    response.headers["Content-Type"] = event.cover.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.operation("/events/<int:event_id>/status", method="POST", scope=ApiScope.WRITE,
              body=StatusChange, response=EventOut, errors=(403, 404, 409),
              summary="Publish, complete or cancel an event")
def change_status(user: User, event_id: int, body: StatusChange):
    """Cancelling cancels every registration and e-mails each registrant after the
    commit."""
    event = queries.managed_event(user, event_id)

    def write() -> EventOut:
        now, to = utcnow(), EventStatus(body.status)
        if to is EventStatus.PUBLISHED:
            services.publish_event(event, actor=user, now=now)
        elif to is EventStatus.COMPLETED:
            services.complete_event(event, actor=user, now=now)
        else:
            services.cancel_event(event, actor=user, reason=body.reason, now=now)
        return EventOut.of(event, current_locale_code())

    return _idempotent(user, body, 200, write)


# -- registration and tickets --------------------------------------------------------------


@bp.operation("/sessions/<int:session_id>/registrations", method="POST",
              scope=ApiScope.WRITE, body=RegistrationCreate, response=RegistrationOut,
              status=201, errors=(403, 404, 409),
              summary="Register for a session (yourself or a family member)")
def register(user: User, session_id: int, body: RegistrationCreate):
    """A full session answers 409 ``session_full`` unless ``join_waitlist`` is true; a
    cancelled one 409 ``session_cancelled``. Send an ``Idempotency-Key`` header to make
    retries safe."""
    session = queries.visible_session(user, session_id)
    return _idempotent(user, body, 201, lambda: _registration_out(registration.register(
        session, actor=user, now=utcnow(), dependant_id=body.dependant_id,
        join_waitlist=body.join_waitlist)))


@bp.operation("/registrations", method="GET", query=PageQuery, response=RegistrationPage,
              summary="Your registrations and tickets, latest session first")
def list_registrations(user: User, query: PageQuery):
    return paginate(queries.registrations_of(user), query, _registration_out)


@bp.operation("/registrations/<int:registration_id>", method="GET",
              response=RegistrationOut, errors=(404,), summary="One of your registrations")
def get_registration(user: User, registration_id: int):
    return _registration_out(queries.own_registration(user, registration_id))


@bp.operation("/registrations/<int:registration_id>/ticket.svg", method="GET",
              errors=(404, 409), summary="Your ticket's QR code (SVG)")
def ticket_svg(user: User, registration_id: int):
    reg = queries.own_registration(user, registration_id)
    if reg.status is not RegistrationStatus.CONFIRMED:
        raise TicketNotValid()
    return Response(str(tickets.qr_svg(reg.ticket_code)), mimetype="image/svg+xml")


@bp.operation("/registrations/<int:registration_id>/cancel", method="POST",
              scope=ApiScope.WRITE, body=EmptyBody, response=RegistrationOut,
              errors=(404, 409), summary="Cancel, leave the waitlist or decline an offer")
def cancel_registration(user: User, registration_id: int, body: EmptyBody):
    reg = queries.own_registration(user, registration_id)
    return _idempotent(user, body, 200, lambda: _registration_out(
        registration.cancel_registration(reg, actor=user, now=utcnow())))


@bp.operation("/registrations/<int:registration_id>/accept", method="POST",
              scope=ApiScope.WRITE, body=EmptyBody, response=RegistrationOut,
              errors=(404, 409), summary="Accept the place offered to you from the waitlist")
def accept_offer(user: User, registration_id: int, body: EmptyBody):
    reg = queries.own_registration(user, registration_id)
    return _idempotent(user, body, 200, lambda: _registration_out(
        registration.accept_offer(reg, actor=user, now=utcnow())))


def _payment_out(reg: Registration, *, payment=None,
                 client_secret: str | None = None) -> RegistrationPaymentOut:
    if not reg.event.is_paid:
        raise RegistrationNotPayable()
    now = utcnow()
    today = today_in(reg.event.park, now=now)
    split = paying.quote(reg, now=now, today=today)
    payment = payment or payments.payment_of(reg)
    return RegistrationPaymentOut(
        registration=_registration_out(reg), price_minor=split.price_minor,
        budget_minor=split.budget_minor, card_minor=split.card_minor, currency=split.currency,
        card_payments_enabled=stripe_gateway.card_payments_enabled(),
        payment=PaymentSummary.of(payment) if payment else None, client_secret=client_secret)


@bp.operation("/registrations/<int:registration_id>/payment", method="GET",
              response=RegistrationPaymentOut, errors=(404, 409),
              summary="What a paid registration costs, what your budget pays, and how it "
                      "was paid or refunded")
def get_registration_payment(user: User, registration_id: int):
    return _payment_out(queries.own_registration(user, registration_id))


@bp.operation("/registrations/<int:registration_id>/pay", method="POST",
              scope=ApiScope.WRITE, body=EmptyBody, response=RegistrationPaymentOut,
              status=201, errors=(404, 409, 502),
              summary="Pay for your held place: budget first, the rest by card (Stripe)")
def pay_registration(user: User, registration_id: int, body: EmptyBody):
    """The budget share is held at once; with nothing left for the card the registration
    is confirmed. Otherwise ``client_secret`` confirms the card share with Stripe.js and
    Stripe's webhook confirms the place. 409 ``not_payable`` when the place is not held
    (any more); 409 ``card_payment_unavailable`` when a card share is needed but card
    payment is off."""
    reg = queries.own_registration(user, registration_id)
    if not reg.event.is_paid:
        raise RegistrationNotPayable()

    def write() -> RegistrationPaymentOut:
        now = utcnow()
        result = paying.pay(reg, actor=user, now=now,
                            today=today_in(reg.event.park, now=now))
        return _payment_out(reg, payment=result.payment, client_secret=result.client_secret)

    return _idempotent(user, body, 201, write)


# -- the door ------------------------------------------------------------------------------


@bp.operation("/sessions/<int:session_id>/checkin", method="POST", scope=ApiScope.WRITE,
              body=CheckInData, response=CheckInOut, errors=(403, 404, 409),
              summary="Check a ticket in at its session (the park's committee)")
def check_in(user: User, session_id: int, body: CheckInData):
    """A ticket checks in once: a second scan answers 409 ``ticket_already_used`` saying
    when; a ticket of another session answers 409 ``ticket_wrong_session``; a ticket of a
    cancelled session 409 ``ticket_session_cancelled``; an unknown code 404
    ``ticket_unknown``."""
    session = queries.managed_session(user, session_id)

    def write() -> CheckInOut:
        reg = checkin.check_in(session, code=body.code, actor=user, now=utcnow(),
                               locale=current_locale_code())
        return CheckInOut(registration_id=reg.id, attendee=reg.user.display_name,
                          family_member=reg.dependant_id is not None,
                          checked_in_at=reg.checked_in_at,
                          attendance=AttendanceOut.of(session, checkin.attendance(session)))

    return _idempotent(user, body, 200, write)


@bp.operation("/sessions/<int:session_id>/attendance", method="GET", response=AttendanceOut,
              errors=(403, 404), summary="Live counts of a session (the park's committee)")
def get_attendance(user: User, session_id: int):
    session = queries.managed_session(user, session_id)
    return AttendanceOut.of(session, checkin.attendance(session))


# -- after the event -----------------------------------------------------------------------


@bp.operation("/events/<int:event_id>/feedback", method="POST", scope=ApiScope.WRITE,
              body=FeedbackCreate, response=FeedbackOut, errors=(404, 409),
              summary="Rate an event you attended (1–5) with an optional comment")
def give_feedback(user: User, event_id: int, body: FeedbackCreate):
    """Only people with a checked-in ticket may answer; a second answer replaces the
    first."""
    event = queries.visible_event(user, event_id)
    return _idempotent(user, body, 200, lambda: FeedbackOut.of(feedback.give_feedback(
        event, actor=user, rating=body.rating, comment=body.comment, now=utcnow())))


@bp.operation("/events/<int:event_id>/feedback", method="GET", query=PageQuery,
              response=FeedbackPage, errors=(403, 404),
              summary="The event's ratings and comments, newest first (the park's committee)")
def list_feedback(user: User, event_id: int, query: PageQuery):
    """Without the authors' names. ``count`` and ``average_rating`` cover every answer."""
    event = queries.managed_event(user, event_id)
    summary = feedback.summary_of(event)
    page = paginate(feedback.feedback_for(event), query, FeedbackItemOut.of)
    return page | {"count": summary.count, "average_rating": summary.average_rating}


@bp.operation("/events/<int:event_id>/analytics", method="GET", response=EventAnalyticsOut,
              errors=(403, 404),
              summary="Attendance by session and ratings of one event (the park's committee)")
def event_analytics(user: User, event_id: int):
    event = queries.managed_event(user, event_id)
    locale = current_locale_code()
    result = reports.for_event(event, locale)
    row = result.row
    return EventAnalyticsOut(
        event_id=event.id, title=row.label, status=event.status.value, capacity=row.capacity,
        registered=row.registered, checked_in=row.checked_in,
        attendance_rate=round(row.attendance_rate, 4), ratings=row.ratings,
        average_rating=None if row.average_rating is None else round(row.average_rating, 2),
        sessions=[SessionAnalyticsOut(
            **AttendanceOut.of(s, a).model_dump(), title=s.title(locale),
            starts_at=s.starts_at, cancelled=s.is_cancelled,
            attendance_rate=round(a.rate, 4)) for s, a in result.sessions])


# -- announcements -------------------------------------------------------------------------


@bp.operation("/parks/<int:park_id>/announcements", method="GET", response=AnnouncementList,
              errors=(403, 404), summary="The park's latest announcements (its people)")
def list_announcements(user: User, park_id: int):
    park = queries.park_for(user, park_id, Action.VIEW_PARK_EVENTS)
    return AnnouncementList(items=[AnnouncementOut.of(a) for a in
                                   services.announcements_of([park.id], limit=50)])


@bp.operation("/parks/<int:park_id>/announcements", method="POST", scope=ApiScope.WRITE,
              body=AnnouncementCreate, response=AnnouncementOut, status=201,
              errors=(403, 404, 422),
              summary="Post an announcement to the park's employees (its committee)")
def create_announcement(user: User, park_id: int, body: AnnouncementCreate):
    """Shown in the app at once; the e-mails to the park's employees are written to the
    mail outbox in the same transaction and delivered by the worker. 422
    ``announcement_event_invalid`` for an event of another park."""
    park = queries.park_for(user, park_id)

    def write() -> AnnouncementOut:
        event = None
        if body.event_id is not None:
            event = db.session.get(Event, body.event_id)
            if event is None or event.park_id != park.id:  # the same answer for both
                raise AnnouncementEventInvalid()
        return AnnouncementOut.of(services.post_announcement(
            park, actor=user, title=body.title, body=body.body, event=event, now=utcnow()))

    return _idempotent(user, body, 201, write)


# -- reports, certificates, removing a draft's session --------------------------------------


@bp.operation("/parks/<int:park_id>/reports", method="GET", response=ParkReportOut,
              errors=(403, 404),
              summary="Attendance and ratings of the park's events, and by kind (its committee)")
def park_report(user: User, park_id: int):
    park = queries.park_for(user, park_id)
    rows = reports.by_event(park, current_locale_code())
    return ParkReportOut(events=[ReportRowOut.of(r) for r in rows],
                         kinds=[ReportRowOut.of(k) for k in reports.by_kind(rows)])


@bp.operation("/registrations/<int:registration_id>/certificate.pdf", method="GET",
              errors=(404, 409),
              summary="Your certificate of attendance of a course (PDF, fonts embedded)")
def certificate_pdf(user: User, registration_id: int):
    """409 ``certificate_not_available`` unless it is a course you checked in to."""
    reg = queries.own_registration(user, registration_id)
    pdf = certificates.certificate_pdf(
        reg, locale=current_locale_code(),
        verify_url=lambda n: url_for("park.verify_certificate", number=n, _external=True))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{reg.id}.pdf"'})


@bp.operation("/certificates/<number>", method="GET", scope=None,
              response=CertificateCheckOut, errors=(404,),
              summary="Check a certificate's number (public; the holder's initials only)")
def verify_certificate(number: str):
    """404 ``certificate_invalid`` for a forged, unknown or withdrawn number alike."""
    check = certificates.verify(number[:64])
    if check is None:
        raise CertificateInvalid()
    locale = current_locale_code()
    return CertificateCheckOut(number=number.strip().upper(), valid=True,
                               holder_initials=check.initials,
                               event_id=check.event.id, course=check.event.title(locale),
                               day=check.day, park=check.event.park.name(locale))


@bp.operation("/sessions/<int:session_id>", method="DELETE", scope=ApiScope.WRITE, status=204,
              errors=(403, 404, 409), summary="Remove a session of a draft event")
def remove_session(user: User, session_id: int):
    """Only a draft's sessions (nobody can have registered yet): 409
    ``event_not_editable`` otherwise, and nothing is removed."""
    session = queries.managed_session(user, session_id)
    services.remove_session(session, actor=user, now=utcnow())
