"""HTML pages for series (a course of sessions booked in one action): see which
occurrences are free, book all of them or the free subset, and follow or end the course."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from booking import series as series_services
from booking.errors import InvalidSeries
from booking.forms import SeriesBookForm, SeriesCancelForm, SeriesPreviewForm
from booking.models import BookingStatus
from core.clock import utcnow
from core.errors import DomainError
from core.i18n import current_locale_code, format_when
from core.policy import Action
from core.protections import limit_bookings
from core.web import refuse, refuse_to
from providers import queries as provider_queries

bp = Blueprint("booking_series", __name__)


def _first_free(service, now: datetime):
    """The next free slot of the service: where a course starts when none was chosen."""
    slots = provider_queries.slots_for(service, start=now, end=now + timedelta(days=14),
                                       now=now)
    return slots[0] if slots else None


@bp.route("/services/<int:service_id>/series", methods=["GET", "POST"])
@limit_bookings
@login_required
@refuse_to(lambda service_id: request.full_path)
def plan_series(service_id: int):
    """GET: preview the course; POST: book the ticked occurrences (all or nothing)."""
    service = provider_queries.service_for(current_user, service_id, Action.VIEW_PROVIDER)
    now = utcnow()
    if request.method == "POST":
        form = SeriesBookForm()
        if form.validate_on_submit():
            series = series_services.book_series(
                service, practitioner_id=form.practitioner_id.data,
                starts=form.parsed_starts(), actor=current_user, now=now)
            held = [b for b in series_services.bookings_of_series(series)
                    if b.status is BookingStatus.HELD]
            if held:  # priced: kept together until paid in one checkout
                flash(_("Your course of %(count)s sessions is kept for you until %(until)s. "
                        "Pay for it in one go to confirm every session; unpaid, they are "
                        "all released.", count=len(held),
                        until=format_when(held[0].hold_expires_at, "short")), "info")
            else:
                flash(_("Your course is booked."), "success")
            return redirect(url_for("booking_series.series_page", series_id=series.id))
        refuse(InvalidSeries())
        return redirect(request.full_path)
    form = SeriesPreviewForm(request.args)
    occurrences, practitioner_id, status = [], None, 200
    if form.validate():
        first, practitioner_id = form.first_parsed, form.practitioner_id.data
        if first is None or practitioner_id is None:
            found = _first_free(service, now)
            if found is not None:
                first, practitioner_id = found[0].starts_at, found[1].id
        if first is not None:
            try:
                occurrences = series_services.preview_series(
                    service, practitioner_id=practitioner_id, actor=current_user, now=now,
                    starts=series_services.occurrences(first, count=form.count.data or 8,
                                                       every_days=form.every_days.data or 7))
            except DomainError as exc:
                refuse(exc)
                status = exc.status
    else:
        status = 400
    return render_template("booking/series_plan.html", service=service, form=form,
                           occurrences=occurrences, practitioner_id=practitioner_id,
                           book_form=SeriesBookForm(formdata=None),
                           locale=current_locale_code()), status


@bp.route("/series/<int:series_id>")
@login_required
def series_page(series_id: int):
    series = series_services.own_series(current_user, series_id)
    bookings = series_services.bookings_of_series(series)
    return render_template("booking/series.html", series=series, bookings=bookings,
                           cancel_form=SeriesCancelForm(), now=utcnow(),
                           open_statuses=(BookingStatus.HELD, BookingStatus.CONFIRMED),
                           locale=current_locale_code())


@bp.route("/series/<int:series_id>/cancel", methods=["POST"])
@login_required
def cancel_series(series_id: int):
    series = series_services.own_series(current_user, series_id)
    if SeriesCancelForm().validate_on_submit():
        outcomes = series_services.cancel_rest_of_series(series, actor=current_user,
                                                         now=utcnow())
        flash(_("%(count)s sessions of the course are cancelled.", count=len(outcomes)),
              "success")
    return redirect(url_for("booking_series.series_page", series_id=series.id))
