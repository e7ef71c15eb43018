"""HTML pages of check-up campaigns: the enterprise admin's campaigns, report and nudge;
the employee's invitations, booking, confirmation and explained results; the provider's
campaign check-ups and results upload. Thin: forms check shape, services decide, the
request's transaction commits."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from benefits import budgets
from benefits.money_input import yuan_to_minor
from core import aggregates
from core.accounts.models import ProviderOrganisation
from core.clock import to_zone, today_in, utcnow
from core.db import db
from core.errors import DomainError, InvalidInput, NotFound
from core.i18n import current_locale_code
from core.policy import Action, can, require
from core.web import refuse
from health.models import Dependant
from prevention import queries, reports, services
from prevention.forms import (
    PACKAGES,
    BookCheckupForm,
    CampaignChangeForm,
    CampaignForm,
    ConsentForm,
    EmptyForm,
    ResultsForm,
)
from prevention.models import Campaign
from prevention.schemas import CampaignInput, PackageInput

bp = Blueprint("prevention", __name__)


def checkup_notices() -> list[queries.HomeNotice]:
    """For the employee's home page (a template global): book your check-up, or your results
    are in. Nothing for anyone without an employee role."""
    if not current_user.is_authenticated or not can(current_user, Action.MANAGE_OWN_HEALTH):
        return []
    return queries.home_notices(current_user, today=today_in())


def _show_field_errors(form, exc: DomainError) -> None:
    """Put a service's field errors next to the form's fields where they have one."""
    refuse(exc)
    for name, message in exc.fields.items():
        field = getattr(form, name.split(".")[-1] if name.startswith("packages.") else name,
                        None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]


# -- enterprise admins ----------------------------------------------------------------------


def _campaign_form(enterprise) -> CampaignForm:
    form = CampaignForm()
    locale = current_locale_code()
    form.service_id.choices = [(s.id, f"{s.provider.name(locale)} · {s.title(locale)}")
                               for s in queries.checkup_services(enterprise.park_id)]
    form.programme_id.choices = [(p.id, p.name) for p in budgets.programmes_of(enterprise.id)]
    form.interpretation_service_id.choices = [(0, _("None"))] + [
        (s.id, f"{s.provider.name(locale)} · {s.title(locale)}")
        for s in queries.interpretation_services(enterprise.park_id)]
    if not form.is_submitted():
        form.year.data = today_in().year
    return form


def _campaign_input(form) -> CampaignInput:
    packages = []
    for code in PACKAGES:
        if not (getattr(form, f"{code}_name_en").data or "").strip():
            continue
        packages.append(PackageInput(
            code=code, name_zh=getattr(form, f"{code}_name_zh").data or "",
            name_en=getattr(form, f"{code}_name_en").data,
            items_zh=getattr(form, f"{code}_items_zh").data or "",
            items_en=getattr(form, f"{code}_items_en").data or "",
            min_age=getattr(form, f"{code}_min_age").data,
            max_age=getattr(form, f"{code}_max_age").data,
            sex=getattr(form, f"{code}_sex").data,
            price_minor=yuan_to_minor(getattr(form, f"{code}_price").data)))
    return CampaignInput(
        name_zh=form.name_zh.data, name_en=form.name_en.data, year=form.year.data,
        service_id=form.service_id.data, programme_id=form.programme_id.data,
        interpretation_service_id=form.interpretation_service_id.data or None,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        daily_capacity=form.daily_capacity.data, location=form.location.data,
        includes_dependants=form.includes_dependants.data,
        preparation_zh=form.preparation_zh.data or "",
        preparation_en=form.preparation_en.data or "", packages=packages)


@bp.route("/enterprises/<int:enterprise_id>/campaigns", methods=["GET", "POST"])
@login_required
def campaigns(enterprise_id: int):
    enterprise = queries.enterprise_for_admin(current_user, enterprise_id)
    form = _campaign_form(enterprise)
    status = 200
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(enterprise, _campaign_input(form),
                                                actor=current_user, now=utcnow(),
                                                today=today_in())
        except ValueError:  # pydantic: a package half filled in
            flash(_("Please check the form and try again."), "error")
            status = 400
        except DomainError as exc:
            _show_field_errors(form, exc)
            status = exc.status
        else:
            flash(_("Campaign created: every employee is invited."), "success")
            return redirect(url_for("prevention.campaign_page", campaign_id=campaign.id))
    elif form.is_submitted():
        flash(_("Please check the form and try again."), "error")
        status = 400
    return render_template("prevention/campaigns.html", enterprise=enterprise, form=form,
                           campaigns=queries.campaigns_of(enterprise),
                           locale=current_locale_code()), status


def _render_campaign(campaign: Campaign, status: int = 200,
                     change_form: CampaignChangeForm | None = None):
    if change_form is None:
        change_form = CampaignChangeForm(formdata=None)
        change_form.starts_on.data, change_form.ends_on.data = (campaign.starts_on,
                                                                campaign.ends_on)
        change_form.daily_capacity.data = campaign.daily_capacity
    return render_template("prevention/campaign.html", campaign=campaign,
                           completion=reports.completion(campaign, now=utcnow()), form=EmptyForm(),
                           change_form=change_form, locale=current_locale_code()), status


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def campaign_page(campaign_id: int):
    return _render_campaign(queries.campaign_for_admin(current_user, campaign_id))


@bp.route("/campaigns/<int:campaign_id>/change", methods=["POST"])
@login_required
def change(campaign_id: int):
    """Move the campaign's dates or change its daily capacity."""
    campaign = queries.campaign_for_admin(current_user, campaign_id)
    form = CampaignChangeForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_campaign(campaign, 400, form)
    try:
        services.change_campaign(campaign, actor=current_user, starts_on=form.starts_on.data,
                                 ends_on=form.ends_on.data,
                                 daily_capacity=form.daily_capacity.data, today=today_in())
    except DomainError as exc:
        _show_field_errors(form, exc)
        return _render_campaign(campaign, exc.status, form)
    flash(_("The campaign's dates and capacity are saved."), "success")
    return redirect(url_for("prevention.campaign_page", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/nudge", methods=["POST"])
@login_required
def nudge(campaign_id: int):
    campaign = queries.campaign_for_admin(current_user, campaign_id)
    if not EmptyForm().validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_campaign(campaign, 400)
    try:
        count = services.nudge_unbooked(campaign, actor=current_user, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_campaign(campaign, exc.status)
    if aggregates.count_is_shown(count, k=aggregates.min_group()):
        flash(_("Reminders sent: %(count)s.", count=count), "success")
    else:  # a count under k says too much about the few who have not booked
        flash(_("Reminders sent to fewer than %(k)s employees.", k=aggregates.min_group()),
              "success")
    return redirect(url_for("prevention.campaign_page", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
@login_required
def close(campaign_id: int):
    campaign = queries.campaign_for_admin(current_user, campaign_id)
    if not EmptyForm().validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_campaign(campaign, 400)
    services.close_campaign(campaign, actor=current_user)
    flash(_("The campaign is closed to new bookings."), "success")
    return redirect(url_for("prevention.campaign_page", campaign_id=campaign.id))


# -- employees ----------------------------------------------------------------------------


@bp.route("/me/checkups")
@login_required
def my_checkups():
    require(current_user, Action.MANAGE_OWN_HEALTH)
    items = []
    for campaign in queries.campaigns_for_employee(current_user):
        items.append((campaign, queries.invitation_of(current_user, campaign),
                      queries.checkups_of(current_user, campaign)))
    return render_template("prevention/my_checkups.html", items=items,
                           locale=current_locale_code())


def _day(raw: str | None, campaign: Campaign, today: date, now: datetime) -> date:
    """The day asked for, else (none, or not a date) the first with free times."""
    with contextlib.suppress(ValueError, TypeError):
        return date.fromisoformat(raw)
    return services.first_day_with_times(campaign, today=today, now=now)


def _fill_choices(form: BookCheckupForm, campaign: Campaign, locale: str) -> None:
    form.package_id.choices = [(p.id, p.name(locale)) for p in campaign.packages]
    dependants = list(db.session.scalars(select(Dependant).where(
        Dependant.user_id == current_user.id).order_by(Dependant.id))) \
        if campaign.includes_dependants else []
    form.dependant_id.choices = [(0, _("Me"))] + [(d.id, d.name) for d in dependants]
    form.slot.choices = []


def _render_booking(campaign: Campaign, form: BookCheckupForm, status: int = 200):
    now = utcnow()
    locale = current_locale_code()
    zone = campaign.enterprise.park.timezone
    today = today_in(campaign.enterprise.park, now=now)
    day = _day(request.values.get("on"), campaign, today, now)
    person = services.person_on(current_user, None, day)
    fitting = services.fitting_packages(campaign, person)
    _fill_choices(form, campaign, locale)
    try:
        slots = services.day_slots(campaign, on=day, now=now)
    except DomainError as exc:  # a day outside the campaign: say so, show no times
        flash(str(exc.message), "error")  # a notice while showing the page, not a refusal
        slots = services.DaySlots(day, 0, [])
    form.slot.choices = [(f"{p.id}|{slot.starts_at.isoformat()}",
                          f"{to_zone(slot.starts_at, zone):%H:%M} · {p.name(locale)}")
                         for slot, p in slots.slots]
    return render_template("prevention/book.html", campaign=campaign, form=form, day=day,
                           slots=slots, fitting=fitting, locale=locale,
                           zone=zone), status


@bp.route("/me/checkups/campaigns/<int:campaign_id>/book", methods=["GET", "POST"])
@login_required
def book(campaign_id: int):
    require(current_user, Action.MANAGE_OWN_HEALTH)
    campaign = queries.campaign_for_employee(current_user, campaign_id)
    form = BookCheckupForm()
    _fill_choices(form, campaign, current_locale_code())
    if request.method == "GET":
        return _render_booking(campaign, form)
    if not form.validate_on_submit():
        flash(_("Choose a package and a time."), "error")
        return _render_booking(campaign, form, 400)
    try:
        practitioner_raw, starts_raw = form.slot.data.split("|", 1)
        practitioner_id, starts_at = int(practitioner_raw), datetime.fromisoformat(starts_raw)
        if starts_at.tzinfo is None:
            raise ValueError(starts_raw)
    except ValueError:
        flash(str(InvalidInput.default_message), "error")
        return _render_booking(campaign, form, 400)
    try:
        checkup = services.book_checkup(
            campaign, actor=current_user, package_id=form.package_id.data,
            practitioner_id=practitioner_id, starts_at=starts_at, now=utcnow(),
            dependant_id=form.dependant_id.data or None,
            results_consent=form.results_consent.data)
    except DomainError as exc:
        refuse(exc)
        return _render_booking(campaign, form, exc.status)
    flash(_("Your check-up is booked. Read how to prepare below."), "success")
    return redirect(url_for("prevention.checkup_page", checkup_id=checkup.id))


def _render_checkup(checkup, status: int = 200):
    form = ConsentForm(formdata=None)
    form.results_consent.data = checkup.results_consent_at is not None
    results = services.explained_results(checkup, actor=current_user)
    abnormal = bool(results) and any(item.is_abnormal for item in results)
    return render_template("prevention/checkup.html", checkup=checkup, campaign=checkup.campaign,
                           results=results, abnormal=abnormal, form=form,
                           dependant=services.dependant_of_checkup(checkup),
                           child=services.is_child_checkup(checkup),
                           locale=current_locale_code(),
                           zone=checkup.campaign.enterprise.park.timezone), status


@bp.route("/me/checkups/<int:checkup_id>")
@login_required
def checkup_page(checkup_id: int):
    require(current_user, Action.MANAGE_OWN_HEALTH)
    return _render_checkup(queries.own_checkup(current_user, checkup_id))


@bp.route("/me/checkups/<int:checkup_id>/consent", methods=["POST"])
@login_required
def consent(checkup_id: int):
    require(current_user, Action.MANAGE_OWN_HEALTH)
    checkup = queries.own_checkup(current_user, checkup_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_checkup(checkup, 400)
    try:
        services.set_results_consent(checkup, actor=current_user,
                                     consent=form.results_consent.data, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_checkup(checkup, exc.status)
    flash(_("Your choice is saved."), "success")
    return redirect(url_for("prevention.checkup_page", checkup_id=checkup.id))


# -- providers ------------------------------------------------------------------------------


@bp.route("/providers/<int:provider_id>/campaign-checkups")
@login_required
def provider_checkups(provider_id: int):
    provider = db.session.get(ProviderOrganisation, provider_id)
    if provider is None:
        raise NotFound()
    require(current_user, Action.MANAGE_BOOKINGS, provider)
    checkups = list(db.session.scalars(queries.provider_checkups(provider)))
    return render_template("prevention/provider_checkups.html", provider=provider,
                           checkups=checkups, locale=current_locale_code(),
                           zone=provider.park.timezone)


def _render_results(checkup, form: ResultsForm, status: int = 200):
    return render_template("prevention/results_upload.html", checkup=checkup, form=form,
                           locale=current_locale_code(),
                           zone=checkup.campaign.provider.park.timezone), status


@bp.route("/campaign-checkups/<int:checkup_id>/results", methods=["GET", "POST"])
@login_required
def upload_results(checkup_id: int):
    checkup = queries.provider_checkup(current_user, checkup_id)
    form = ResultsForm()
    if request.method == "GET":
        return _render_results(checkup, form)
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_results(checkup, form, 400)
    upload = form.file.data
    content = upload.read() if upload else (form.content.data or "")
    if not content:
        flash(_("Choose a file or paste the results."), "error")
        return _render_results(checkup, form, 400)
    try:
        outcome = services.upload_results(checkup, actor=current_user, fmt=form.format.data,
                                          content=content, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_results(checkup, form, exc.status)
    flash(_("Results received: they are in the employee's health profile."), "success")
    return redirect(url_for("prevention.provider_checkups",
                            provider_id=outcome.checkup.campaign.provider_id))
