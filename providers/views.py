"""HTML pages: the provider dashboard (today, the week per practitioner, rules, exceptions,
services, profile, verification state) and the committee's verification queue. Thin: forms
check shape, services decide."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_skeleton
from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.accounts.models import ProviderOrganisation, ProviderStatus
from core.bounds import query_date
from core.charts import Bar, column_chart
from core.charts import day as chart_day
from core.clock import today_in, utcnow
from core.db import db, replica_reads
from core.errors import DomainError
from core.forms import choices
from core.i18n import current_locale_code
from core.jobs import services as jobs
from core.jobs.errors import JobAlreadyRunning, JobNotFound
from core.policy import Action, can, is_platform_admin, park_ids_of, require
from core.web import refuse, refuse_to
from providers import feeds, holidays, hours_services, photos, queries, services, verification
from providers import slots as slot_engine
from providers.errors import ProviderNotFound
from providers.forms import (
    BusyCalendarForm,
    BusyImportForm,
    CredentialForm,
    ExceptionForm,
    PhotoForm,
    PractitionerForm,
    ProfileForm,
    RemovePhotoForm,
    ReviewForm,
    RuleForm,
    ServiceForm,
    WeeklyHoursForm,
)
from providers.holidays import DayKind, day_kind
from providers.models import (
    Credential,
    CredentialStatus,
    Practitioner,
    VerificationStatus,
)
from providers.schedule import zone
from providers.schemas import (
    ExceptionData,
    PractitionerData,
    ProfileData,
    RuleData,
    ServiceData,
    WeeklyHoursData,
)

bp = Blueprint("providers", __name__)


def _status(form) -> int:
    return 400 if form.errors else 200


# -- dashboard -------------------------------------------------------------------------


def _today(provider: ProviderOrganisation, now: datetime) -> list[dict]:
    """Each listed-or-not practitioner's hours and bookings today (park time)."""
    tz = zone(provider.park.timezone)
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), datetime.min.time(), tzinfo=tz)
    practitioners = queries.practitioners_of(provider, listed_only=False)
    rows = []
    for item in slot_engine.schedules(practitioners, start=start, end=start + timedelta(days=1)):
        rows.append({"practitioner": item.practitioner,
                     "working": _clip(item.working, start, start + timedelta(days=1)),
                     "occupancy": sorted(item.occupancy, key=lambda o: o.busy_from),
                     "busy": item.busy})
    return rows


def _clip(intervals, start, end):
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


@bp.route("/providers/<int:provider_id>/dashboard")
@login_required
def dashboard(provider_id: int):
    provider = queries.provider_for(current_user, provider_id, Action.VIEW_PROVIDER_DASHBOARD)
    now = utcnow()
    return render_template(
        "providers/dashboard.html", provider=provider, now=now,
        categories=queries.categories_of(provider), profile=queries.profile_or_none(provider),
        practitioners=queries.practitioners_of(provider, listed_only=False),
        services=queries.services_of(provider, listed_only=False), today=_today(provider, now),
        practitioner_form=PractitionerForm(),
        can_manage=can(current_user, Action.MANAGE_PROVIDER, provider),
        bookings_chart=_bookings_chart(provider, now),
        **_holiday_warning(provider), locale=current_locale_code())


def _holiday_warning(provider: ProviderOrganisation | None) -> dict:
    """The years the booking horizon reaches that the holiday calendar does not know: the
    provider's own services' horizon, or any service's for the platform's reviewers."""
    horizon = (max((s.horizon_days for s in queries.services_of(provider, listed_only=True)),
                   default=0) if provider is not None else holidays.max_horizon_days())
    return {"unknown_holiday_years": holidays.unknown_years_ahead(today_in(), horizon),
            "can_manage_holidays": can(current_user, Action.MANAGE_HOLIDAYS)}


def _bookings_chart(provider: ProviderOrganisation, now: datetime):
    weeks = queries.booked_per_week(provider, now=now)
    chart = column_chart(
        [Bar(chart_day(monday.date()), count, str(count)) for monday, count in weeks],
        chart_id="chart-bookings-per-week", title=_("Places booked per week"),
        axis_label=_("Places booked (%(unit)s)", unit=_("places")),
        description=_("Places booked with your practitioners in each of the next %(n)s "
                      "weeks, from this one; each column is a week starting on Monday.",
                      n=len(weeks)))
    return chart, weeks


@bp.route("/providers/<int:provider_id>/profile", methods=["GET", "POST"])
@login_required
def edit_profile(provider_id: int):
    provider = queries.provider_for(current_user, provider_id, Action.MANAGE_PROVIDER)
    profile = queries.profile_or_none(provider)
    form = ProfileForm(obj=profile)
    if request.method == "GET":
        form.categories.data = [c.value for c in queries.categories_of(provider)]
        form.photo_urls.data = "\n".join(profile.photo_urls) if profile else ""
    status = _status(form)
    if form.validate_on_submit():
        try:
            services.update_profile(provider, services.validate(
                ProfileData, form.data_for_service()), actor=current_user, now=utcnow())
        except DomainError as exc:
            _flash_fields(exc)
            status = exc.status
        else:
            flash(_("The profile has been saved."), "success")
            return redirect(url_for("providers.dashboard", provider_id=provider.id))
    return _profile_page(provider, form=form, status=status)


def _profile_page(provider: ProviderOrganisation, *, form=None, photo_form=None,
                  status: int = 200):
    if form is None:  # the profile as saved, not the photo form's fields
        profile = queries.profile_or_none(provider)
        form = ProfileForm(formdata=None, obj=profile)
        form.categories.data = [c.value for c in queries.categories_of(provider)]
        form.photo_urls.data = "\n".join(profile.photo_urls) if profile else ""
    return render_template(
        "providers/profile.html", provider=provider, form=form,
        photo_form=photo_form or PhotoForm(),
        remove_form=RemovePhotoForm(), photos=photos.photos_of(provider),
        max_photos=photos.MAX_PHOTOS), status


@bp.route("/providers/<int:provider_id>/photos", methods=["POST"])
@login_required
def upload_photo(provider_id: int):
    """A photo for the provider's page, resized on the server; a refusal keeps nothing."""
    provider = queries.provider_for(current_user, provider_id, Action.MANAGE_PROVIDER)
    form = PhotoForm()
    if not form.validate_on_submit():
        flash(_("Choose a photo to upload."), "error")
        return _profile_page(provider, photo_form=form, status=400)
    try:
        photos.add_photo(provider, form.photo.data.read(photos.MAX_PHOTO_BYTES + 1),
                         actor=current_user, alt_zh=form.alt_zh.data or "",
                         alt_en=form.alt_en.data or "", now=utcnow())
    except DomainError as exc:
        refuse(exc)
        for message in exc.fields.values():
            flash(message, "error")
        return _profile_page(provider, photo_form=form, status=exc.status)
    flash(_("The photo has been added."), "success")
    return redirect(url_for("providers.edit_profile", provider_id=provider.id))


@bp.route("/providers/photos/<int:photo_id>/delete", methods=["POST"])
@login_required
def remove_photo(photo_id: int):
    photo = photos.get_photo(photo_id)
    provider_id = photo.provider_id
    if RemovePhotoForm().validate_on_submit():
        photos.remove_photo(photo, actor=current_user)
        flash(_("The photo has been removed."), "success")
    return redirect(url_for("providers.edit_profile", provider_id=provider_id))


@bp.route("/providers/photos/<int:photo_id>/<any(large, small):size>.<any(webp, jpg):fmt>")
@login_required
def photo_image(photo_id: int, size: str, fmt: str):
    """A provider's photo, for whoever may see the provider; cached a day by the browser."""
    photo = photos.get_photo(photo_id)
    require(current_user, Action.VIEW_PROVIDER, photo.provider)
    response = make_response(photos.image_bytes(photo, size, fmt))
    response.headers["Content-Type"] = photos.FORMATS[fmt]
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _flash_fields(exc: DomainError) -> None:
    """Refuse, and say each field's message: the message names what is wrong in words
    (the form shows it by the field too); the internal field name is never shown."""
    refuse(exc)
    for message in dict.fromkeys(exc.fields.values()):
        flash(message, "error")


@bp.route("/providers/<int:provider_id>/practitioners", methods=["POST"])
@login_required
def add_practitioner(provider_id: int):
    provider = queries.provider_for(current_user, provider_id, Action.MANAGE_PROVIDER)
    form = PractitionerForm()
    if not form.validate_on_submit():
        flash(_("Give the practitioner's name in Chinese and in English."), "error")
        return redirect(url_for("providers.dashboard", provider_id=provider.id))
    try:
        practitioner = services.add_practitioner(provider, services.validate(
            PractitionerData, form.data_for_service()), actor=current_user, now=utcnow())
    except DomainError as exc:
        _flash_fields(exc)
        return redirect(url_for("providers.dashboard", provider_id=provider.id))
    flash(_("%(name)s has been added and awaits verification.", name=practitioner.name_en),
          "success")
    return redirect(url_for("providers.schedule", practitioner_id=practitioner.id))


# -- services --------------------------------------------------------------------------


def _service_form(provider: ProviderOrganisation, **kwargs) -> ServiceForm:
    form = ServiceForm(**kwargs)
    locale = current_locale_code()
    form.practitioner_ids.choices = choices(
        (p.id, p.name(locale)) for p in queries.practitioners_of(provider, listed_only=False))
    return form


def _save_service(form: ServiceForm, provider: ProviderOrganisation, service=None):
    if not form.validate_on_submit():
        return None, _status(form)
    try:
        data = services.validate(ServiceData, form.data_for_service())
        if service is None:
            service = services.create_service(provider, data, actor=current_user,
                                              now=utcnow())
        else:
            services.update_service(service, data, actor=current_user, now=utcnow())
    except DomainError as exc:
        _flash_fields(exc)
        return None, exc.status
    flash(_("The service has been saved."), "success")
    return service, 200


@bp.route("/providers/<int:provider_id>/services/new", methods=["GET", "POST"])
@login_required
def new_service(provider_id: int):
    provider = queries.provider_for(current_user, provider_id, Action.MANAGE_PROVIDER)
    form = _service_form(provider)
    service, status = _save_service(form, provider)
    if service is not None:
        return redirect(url_for("providers.dashboard", provider_id=provider.id))
    return render_template("providers/service.html", provider=provider, form=form,
                           service=None), status


@bp.route("/providers/services/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def edit_service(service_id: int):
    service = queries.service_for(current_user, service_id, Action.MANAGE_PROVIDER)
    form = _service_form(service.provider, obj=service)
    if request.method == "GET":
        form.fill_from(service)
    saved, status = _save_service(form, service.provider, service)
    if saved is not None:
        return redirect(url_for("providers.dashboard", provider_id=service.provider_id))
    return render_template("providers/service.html", provider=service.provider, form=form,
                           service=service), status


# -- schedules -------------------------------------------------------------------------


def _week_start(raw: str | None, today: date) -> date:
    """The Monday of ``raw``'s week (this week's when absent or not a day). Raises BadQuery
    for a day outside 1900..2200."""
    day = query_date(raw, default=today, lenient=True)
    return day - timedelta(days=day.weekday())


def _month_of(raw: str | None, default: date) -> date:
    """The first day of ``raw`` (YYYY-MM), else of ``default``'s month."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return default.replace(day=1)


def _day_cells(item, first: date, days: int, tz) -> list[dict]:
    """Per local day: its kind (holiday, make-up day), working intervals, bookings, busy."""
    cells = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        day_start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        day_end = day_start + timedelta(days=1)
        cells.append({
            "date": day, "kind": day_kind(day), "label": _day_label(day),
            "holiday": _holiday_label(holidays.holiday_name(day)),
            "working": _clip(item.working, day_start, day_end),
            "occupancy": [o for o in item.occupancy
                          if o.busy_from < day_end and o.busy_until > day_start],
            "busy": _clip(item.busy, day_start, day_end)})
    return cells


def _holiday_label(name: str | None) -> str | None:
    """The holiday library's English names in the reader's language; names the operator
    entered (already in Chinese) as they are."""
    labels = {
        "New Year's Day": _("New Year's Day"), "Spring Festival": _("Spring Festival"),
        "Tomb-sweeping Day": _("Tomb-sweeping Day"), "Labour Day": _("Labour Day"),
        "Dragon Boat Festival": _("Dragon Boat Festival"),
        "Mid-autumn Festival": _("Mid-autumn Festival"), "National Day": _("National Day"),
    }
    return labels.get(name, name) if name else None


def _day_label(day: date) -> str:
    """周二 12月8日 / Tue, Dec 8: the weekday always with the date, in the reader's locale."""
    return format_skeleton("MMMEd", day, locale=get_locale() or "en")


def _render_schedule(practitioner: Practitioner, *, rule_form=None, exception_form=None,
                     status: int = 200):
    provider = practitioner.provider
    tz = zone(provider.park.timezone)
    now = utcnow()
    today = today_in(provider.park, now=now)
    monday = _week_start(request.args.get("week"), today)
    month = _month_of(request.args.get("month"), monday)
    first = month - timedelta(days=month.weekday())  # the Monday the month grid starts on
    next_month = (month + timedelta(days=32)).replace(day=1)
    last = next_month + timedelta(days=(6 - next_month.weekday()) % 7)
    start = datetime.combine(min(first, monday), datetime.min.time(), tzinfo=tz)
    end = datetime.combine(max(last + timedelta(days=1), monday + timedelta(days=7)),
                           datetime.min.time(), tzinfo=tz)
    item = slot_engine.schedules([practitioner], start=start, end=end)[0]
    days = _day_cells(item, monday, 7, tz)
    month_days = _day_cells(item, first, (last - first).days + 1, tz)
    picked = query_date(request.args.get("on"), default=None, lenient=True)
    exception_form = exception_form or ExceptionForm(formdata=None, happens_on=picked)
    hours = hours_services.read_hours(practitioner, today=today)
    return render_template(
        "providers/schedule.html", practitioner=practitioner, provider=provider, days=days,
        monday=monday, previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7), hours=hours,
        weekday_name=hours_services.weekday_name, explain=hours_services.kept_explanation,
        week_label=_("%(first)s – %(last)s", first=_day_label(monday),
                     last=_day_label(monday + timedelta(days=6))),
        month=month, month_label=format_skeleton("yMMMM", month, locale=get_locale() or "en"),
        month_weeks=[month_days[i:i + 7] for i in range(0, len(month_days), 7)],
        previous_month=(month - timedelta(days=1)).replace(day=1), next_month=next_month,
        today=today, picked=picked,
        exceptions=queries.exceptions_of(practitioner, since=start),
        exception_form=exception_form, DayKind=DayKind,
        **_holiday_warning(provider),
        busy_form=BusyImportForm(formdata=None),
        calendar_form=BusyCalendarForm(formdata=None, obj=practitioner),
        can_edit=can(current_user, Action.MANAGE_SCHEDULE, practitioner),
        practitioner_services=queries.services_of_practitioner(practitioner),
        locale=current_locale_code()), status


@bp.route("/providers/practitioners/<int:practitioner_id>/schedule")
@login_required
def schedule(practitioner_id: int):
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.VIEW_PROVIDER_DASHBOARD)
    return _render_schedule(practitioner)


@bp.route("/providers/practitioners/<int:practitioner_id>/rules", methods=["POST"])
@login_required
def add_rule(practitioner_id: int):
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    form = RuleForm()
    if not form.validate_on_submit():
        return _render_schedule(practitioner, rule_form=form, status=400)
    try:
        services.add_rule(practitioner, services.validate(RuleData, form.data_for_service()),
                          actor=current_user, now=utcnow())
    except DomainError as exc:
        _flash_fields(exc)
        return _render_schedule(practitioner, rule_form=form, status=exc.status)
    flash(_("The working hours have been added."), "success")
    return redirect(url_for("providers.schedule", practitioner_id=practitioner.id))


def _render_hours(practitioner: Practitioner, form: WeeklyHoursForm, *, status: int = 200):
    hours = hours_services.read_hours(practitioner, today=today_in())
    return render_template(
        "providers/hours.html", practitioner=practitioner, provider=practitioner.provider,
        form=form, kept=hours.kept, explain=hours_services.kept_explanation,
        weekday_name=hours_services.weekday_name, locale=current_locale_code()), status


@bp.route("/providers/practitioners/<int:practitioner_id>/hours", methods=["GET", "POST"])
@login_required
def weekly_hours(practitioner_id: int):
    """The weekly-hours editor. Without JavaScript the ``add:``/``copy:`` buttons redisplay
    the form with a row more or a day copied; only ``save`` writes."""
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    form = WeeklyHoursForm()
    if request.method == "GET":
        form.fill(hours_services.read_hours(practitioner, today=today_in()))
        return _render_hours(practitioner, form)
    action, _sep, day = (request.form.get("action") or "save").partition(":")
    if action in ("add", "copy"):
        form.validate_on_submit()  # the CSRF check; nothing is saved
        form.add_row(day) if action == "add" else form.copy_to_weekdays(day)
        return _render_hours(practitioner, form)
    if not (form.validate_on_submit() & form.validate_ranges()):
        flash(_("Nothing was saved: correct the hours marked below."), "error")
        return _render_hours(practitioner, form, status=400)
    try:
        hours_services.replace_weekly_hours(
            practitioner, services.validate(WeeklyHoursData, form.data_for_service()),
            actor=current_user, now=utcnow(), today=today_in())
    except DomainError as exc:
        refuse(exc, say=False)
        flash(_("Nothing was saved: correct the hours marked below."), "error")
        for message in dict.fromkeys(exc.fields.values()) or [str(exc.message)]:
            flash(message, "error")
        form.mark_refused(exc.fields)
        return _render_hours(practitioner, form, status=exc.status)
    flash(_("The weekly hours have been saved."), "success")
    return redirect(url_for("providers.schedule", practitioner_id=practitioner.id))


@bp.route("/providers/rules/<int:rule_id>/delete", methods=["POST"])
@login_required
def delete_rule(rule_id: int):
    rule = queries.rule_for(current_user, rule_id)
    practitioner_id = rule.practitioner_id
    services.delete_rule(rule, actor=current_user)
    flash(_("The working hours have been removed."), "success")
    return redirect(url_for("providers.schedule", practitioner_id=practitioner_id))


@bp.route("/providers/practitioners/<int:practitioner_id>/exceptions", methods=["POST"])
@login_required
def add_exception(practitioner_id: int):
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    form = ExceptionForm()
    if not form.validate_on_submit():
        return _render_schedule(practitioner, exception_form=form, status=400)
    try:
        services.add_exception(practitioner, services.validate(
            ExceptionData, form.data_for_service()), actor=current_user, now=utcnow())
    except DomainError as exc:
        _flash_fields(exc)
        return _render_schedule(practitioner, exception_form=form, status=exc.status)
    flash(_("The change to the schedule has been saved."), "success")
    return redirect(url_for("providers.schedule", practitioner_id=practitioner.id,
                            week=form.happens_on.data.isoformat()))


@bp.route("/providers/exceptions/<int:exception_id>/cancel", methods=["POST"])
@login_required
def cancel_exception(exception_id: int):
    exception = queries.exception_for(current_user, exception_id)
    services.cancel_exception(exception, actor=current_user, now=utcnow())
    flash(_("The change to the schedule has been withdrawn."), "success")
    return redirect(url_for("providers.schedule", practitioner_id=exception.practitioner_id))


# -- verification ----------------------------------------------------------------------


@bp.route("/review/providers")
@login_required
def review_queue():
    require(current_user, Action.REVIEW_PROVIDERS)
    statement = select(ProviderOrganisation).order_by(ProviderOrganisation.status,
                                                      ProviderOrganisation.name_en)
    if not is_platform_admin(current_user):
        statement = statement.where(ProviderOrganisation.park_id.in_(
            park_ids_of(current_user)))
    providers = list(db.session.scalars(statement))
    pending = list(db.session.scalars(select(Practitioner).where(
        Practitioner.provider_id.in_([p.id for p in providers]),
        Practitioner.status != VerificationStatus.VERIFIED).order_by(Practitioner.id)))
    waiting = list(db.session.scalars(select(Credential).where(
        Credential.provider_id.in_([p.id for p in providers]),
        Credential.status == CredentialStatus.PENDING).order_by(Credential.id)))
    return render_template("providers/review.html", providers=providers, pending=pending,
                           credentials=waiting, form=ReviewForm(formdata=None),
                           **_holiday_warning(None), locale=current_locale_code())


@bp.route("/review/providers/<int:provider_id>", methods=["POST"])
@login_required
def review_provider(provider_id: int):
    provider = queries.get_provider(provider_id)
    require(current_user, Action.REVIEW_PROVIDERS, provider)
    form = ReviewForm()
    if form.validate_on_submit():
        status = (ProviderStatus.VERIFIED if form.decision.data == "approve"
                  else ProviderStatus.SUSPENDED)
        services.set_provider_status(provider, status, actor=current_user)
        flash(_("The provider's verification has been updated."), "success")
    return redirect(url_for("providers.review_queue"))


@bp.route("/review/practitioners/<int:practitioner_id>", methods=["POST"])
@login_required
def review_practitioner(practitioner_id: int):
    practitioner = queries.get_practitioner(practitioner_id)
    require(current_user, Action.REVIEW_PROVIDERS, practitioner.provider)
    form = ReviewForm()
    if form.validate_on_submit():
        status = (VerificationStatus.VERIFIED if form.decision.data == "approve"
                  else VerificationStatus.SUSPENDED)
        services.set_practitioner_status(practitioner, status, actor=current_user)
        flash(_("The practitioner's verification has been updated."), "success")
    return redirect(url_for("providers.review_queue"))


# -- credentials -----------------------------------------------------------------------


def _credential_form(provider: ProviderOrganisation) -> CredentialForm:
    form = CredentialForm()
    locale = current_locale_code()
    form.practitioner_id.choices = choices(
        [("", _("The organisation"))] + [(str(p.id), p.name(locale)) for p in
                                         queries.practitioners_of(provider, listed_only=False)])
    return form


@bp.route("/providers/<int:provider_id>/credentials", methods=["GET", "POST"])
@login_required
def credentials(provider_id: int):
    provider = queries.provider_for(current_user, provider_id, Action.VIEW_PROVIDER_DASHBOARD)
    form = _credential_form(provider)
    status = 200
    if request.method == "POST":
        require(current_user, Action.MANAGE_PROVIDER, provider)
        status = 400
        if form.validate_on_submit():
            practitioner = None
            if form.practitioner_id.data:
                practitioner = queries.get_practitioner(int(form.practitioner_id.data)) \
                    if form.practitioner_id.data.isdigit() else None
            upload = form.document.data
            try:
                verification.submit_credential(
                    provider, actor=current_user, practitioner=practitioner,
                    licence_type=form.licence_type.data,
                    licence_number=form.licence_number.data, issuer=form.issuer.data,
                    expires_on=form.expires_on.data,
                    content=upload.read(verification.MAX_DOCUMENT_BYTES + 1),
                    filename=upload.filename or "", now=utcnow())
            except DomainError as exc:
                _flash_fields(exc)
                status = exc.status
            else:
                flash(_("The credential has been sent for review."), "success")
                return redirect(url_for("providers.credentials", provider_id=provider.id))
    return render_template(
        "providers/credentials.html", provider=provider, form=form,
        credentials=queries.credentials_of(provider), locale=current_locale_code(),
        can_manage=can(current_user, Action.MANAGE_PROVIDER, provider)), status


@bp.route("/providers/credentials/<int:credential_id>/document")
@login_required
def credential_document(credential_id: int):
    credential = verification.readable_credential(current_user, credential_id)
    response = make_response(credential.document)
    response.headers["Content-Type"] = credential.document_type
    response.headers["Content-Disposition"] = "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/review/credentials/<int:credential_id>", methods=["POST"])
@login_required
@refuse_to("providers.review_queue")
def review_credential(credential_id: int):
    credential = verification.credential_for(current_user, credential_id,
                                             Action.REVIEW_PROVIDERS)
    form = ReviewForm()
    if form.validate_on_submit():
        verification.review_credential(credential, actor=current_user,
                                       approve=form.decision.data == "approve",
                                       reason=form.reason.data or "", now=utcnow())
        flash(_("The credential has been reviewed."), "success")
    return redirect(url_for("providers.review_queue"))


# -- calendar feeds and busy time ------------------------------------------------------


def _flash_feed(url: str) -> None:
    flash(_("Your calendar feed address (copy it now; it will not be shown again): "
            "%(url)s", url=url), "success")


@bp.route("/providers/practitioners/<int:practitioner_id>/feed", methods=["POST"])
@login_required
def issue_practitioner_feed(practitioner_id: int):
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    raw = feeds.issue_practitioner_feed(practitioner, actor=current_user)
    _flash_feed(url_for("providers.practitioner_feed", token=raw, _external=True))
    return redirect(url_for("providers.schedule", practitioner_id=practitioner.id))


@bp.route("/providers/practitioners/<int:practitioner_id>/feed/revoke", methods=["POST"])
@login_required
def revoke_practitioner_feed(practitioner_id: int):
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    feeds.revoke_practitioner_feed(practitioner, actor=current_user)
    flash(_("The calendar feed address has been revoked."), "success")
    return redirect(url_for("providers.schedule", practitioner_id=practitioner.id))


@bp.route("/providers/<int:provider_id>/feed", methods=["POST"])
@login_required
def issue_provider_feed(provider_id: int):
    provider = queries.provider_for(current_user, provider_id, Action.MANAGE_PROVIDER)
    profile = services.profile_of(provider, now=utcnow())
    raw = feeds.issue_provider_feed(profile, actor=current_user)
    _flash_feed(url_for("providers.provider_feed", token=raw, _external=True))
    return redirect(url_for("providers.dashboard", provider_id=provider.id))


@bp.route("/providers/<int:provider_id>/feed/revoke", methods=["POST"])
@login_required
def revoke_provider_feed(provider_id: int):
    provider = queries.provider_for(current_user, provider_id, Action.MANAGE_PROVIDER)
    feeds.revoke_provider_feed(services.profile_of(provider, now=utcnow()),
                               actor=current_user)
    flash(_("The calendar feed address has been revoked."), "success")
    return redirect(url_for("providers.dashboard", provider_id=provider.id))


def _feed_response(practitioners, *, name: str, provider: ProviderOrganisation):
    park, now = provider.park, utcnow()
    with replica_reads():  # calendar apps poll every 15 minutes or more: seconds of lag are fine
        version = feeds.feed_version_of(practitioners, provider_id=provider.id, now=now,
                                        locale=park.default_locale, name=name,
                                        timezone=park.timezone)
        etag = version.etag
        if request.if_none_match.contains(etag):
            # make_conditional answers 304 without a body: nothing to read or render
            rendered = feeds.remembered_calendar(etag)
            body, modified = b"", rendered.rendered_at if rendered else None
        else:
            rendered = feeds.calendar_body(
                etag, lambda: feeds.feed_events(practitioners, now=now,
                                                locale=park.default_locale,
                                                unversioned=version.unversioned),
                name=name, timezone=park.timezone, now=now)
            body, modified = rendered.body, rendered.rendered_at
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = 'inline; filename="parkwell.ics"'
    response.set_etag(etag)
    response.last_modified = modified
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.route("/feeds/practitioners/<token>.ics")
def practitioner_feed(token: str):
    practitioner = feeds.practitioner_by_token(token)
    if practitioner is None:
        raise ProviderNotFound()
    locale = practitioner.provider.park.default_locale
    return _feed_response([practitioner], name=practitioner.name(locale),
                          provider=practitioner.provider)


@bp.route("/feeds/providers/<token>.ics")
def provider_feed(token: str):
    provider = feeds.provider_by_token(token)
    if provider is None:
        raise ProviderNotFound()
    return _feed_response(queries.practitioners_of(provider, listed_only=False),
                          name=provider.name(provider.park.default_locale),
                          provider=provider)


@bp.route("/providers/practitioners/<int:practitioner_id>/busy", methods=["POST"])
@login_required
def import_busy(practitioner_id: int):
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    form = BusyImportForm()
    if not form.validate_on_submit():
        flash(_("Choose an .ics file to import."), "error")
        return _render_schedule(practitioner, status=400)
    upload = form.calendar.data
    try:
        job = feeds.start_busy_import(
            practitioner, upload.read(feeds.MAX_ICS_BYTES + 1), actor=current_user,
            now=utcnow(), filename=upload.filename or "upload.ics",
            locale=current_locale_code())
    except JobAlreadyRunning as exc:
        refuse(exc)
        job = exc.job
    except DomainError as exc:  # too large, or not a calendar at all
        refuse(exc)
        return _render_schedule(practitioner, status=exc.status)
    return redirect(url_for("providers.busy_import_page", practitioner_id=practitioner.id,
                            job_id=job.id), 303)


@bp.route("/providers/practitioners/<int:practitioner_id>/busy/imports/<int:job_id>")
@login_required
def busy_import_page(practitioner_id: int, job_id: int):
    """An upload's progress (the page follows it by itself), then how many busy times it
    imported, or why it imported nothing."""
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    job = jobs.get_job(job_id, actor=current_user, kind=feeds.IMPORT_KIND, now=utcnow())
    if job.subject_id != practitioner.id:
        raise JobNotFound()
    return render_template("providers/busy_import.html", practitioner=practitioner,
                           provider=practitioner.provider, job=job,
                           stage_label=jobs.stage_label(job))


@bp.route("/providers/practitioners/<int:practitioner_id>/busy-calendar", methods=["POST"])
@login_required
def set_busy_calendar(practitioner_id: int):
    practitioner = queries.practitioner_for(current_user, practitioner_id,
                                            Action.MANAGE_SCHEDULE)
    form = BusyCalendarForm()
    if not form.validate_on_submit():
        return _render_schedule(practitioner, status=400)
    try:
        feeds.set_busy_calendar(practitioner, form.busy_calendar_url.data,
                                actor=current_user)
    except DomainError as exc:
        _flash_fields(exc)
        return _render_schedule(practitioner, status=exc.status)
    flash(_("Your calendar will be read at the next synchronisation.")
          if practitioner.busy_calendar_url else _("Your calendar is no longer followed."),
          "success")
    return redirect(url_for("providers.schedule", practitioner_id=practitioner.id))
