"""The platform admin's holiday calendar page: which years the park's calendar knows, and a
year's State Council notice entered or removed (``providers.holiday_calendar``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.clock import today_in, utcnow
from core.db import db
from core.policy import Action, require
from core.web import refuse
from providers import holiday_calendar
from providers.errors import InvalidHolidayNotice
from providers.forms import HolidayNoticeForm
from providers.holidays import (
    CalendarSource,
    calendar_source,
    max_horizon_days,
    unknown_years_ahead,
)
from providers.models import HolidayDay, HolidayKind, HolidayYear

bp = Blueprint("holidays", __name__)


@bp.route("/admin/holidays", methods=["GET", "POST"])
@login_required
def calendar_page():
    require(current_user, Action.MANAGE_HOLIDAYS)
    form = HolidayNoticeForm()
    status = 200
    if form.validate_on_submit():
        try:
            days = holiday_calendar.parse_notice(form.year.data, form.notice.data)
        except InvalidHolidayNotice as refusal:
            refuse(refusal, say=False)  # the line at fault is shown under the field
            form.notice.errors = [*form.notice.errors, refusal.fields.get("notice", "")]
            status = 422
        else:
            holiday_calendar.save_year(form.year.data, days, notice=form.notice.data,
                                       actor=current_user, now=utcnow())
            flash(_("The holiday calendar for %(year)s is saved: %(count)s days.",
                    year=form.year.data, count=len(days)), "success")
            return redirect(url_for("holidays.calendar_page", year=form.year.data))
    elif request.method == "POST":
        status = 422
    return render_template("providers/holidays.html", **_page(form)), status


@bp.route("/admin/holidays/<int:year>/remove", methods=["POST"])
@login_required
def remove_year(year: int):
    require(current_user, Action.MANAGE_HOLIDAYS)
    holiday_calendar.remove_year(year, actor=current_user)
    flash(_("The entered calendar for %(year)s is removed.", year=year), "success")
    return redirect(url_for("holidays.calendar_page"))


def _page(form: HolidayNoticeForm) -> dict:
    today = today_in()
    horizon = max_horizon_days()
    years = [{"year": year, "source": calendar_source(year)}
             for year in range(today.year - 1, today.year + 3)]
    shown = request.args.get("year", type=int)
    shown = shown if shown is not None and 2000 <= shown <= 2100 else None
    entry = db.session.get(HolidayYear, shown) if shown else None
    if form.year.data is None and request.method == "GET":
        form.year.data = shown or next((y["year"] for y in years
                                        if y["source"] is CalendarSource.UNKNOWN), today.year)
        if entry is not None:
            form.notice.data = entry.notice
    counts = dict(db.session.execute(
        select(HolidayDay.year, func.count()).where(HolidayDay.kind == HolidayKind.HOLIDAY)
        .group_by(HolidayDay.year)).all())
    return {"form": form, "years": years, "entry": entry, "counts": counts,
            "CalendarSource": CalendarSource, "HolidayKind": HolidayKind,
            "unknown_years": unknown_years_ahead(today, horizon), "horizon_days": horizon}
