"""The employee's health pages, and the provider's read of what a client shared. Thin:
each view reads a form, calls a service and renders."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from babel.lists import format_list
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.accounts.forms import PlainForm
from core.accounts.models import ProviderOrganisation
from core.audit.hooks import actor_is_subject, audited
from core.bounds import MAX_ID, query_int
from core.clock import today_in, utcnow
from core.db import db
from core.errors import DomainError, NotFound
from core.forms import choices
from core.i18n import current_locale_code
from core.protections import limit_exports
from core.web import refuse, refuse_to
from health import importing, services, sharing
from health.charts import Series, line_chart
from health.errors import IncompleteQuestionnaire
from health.forms import (
    CheckUpForm,
    DeleteProfileForm,
    DependantForm,
    ImportForm,
    ProfileForm,
    ShareForm,
    apply_errors,
)
from health.models import QuestionnaireKind, Smoking
from health.questionnaires import QUESTIONNAIRES
from health.readings import READINGS, bmi
from health.screening import BMI_OVERWEIGHT, BP_GRADE_1, FPG_IMPAIRED
from health.texts import (
    CRISIS_LINES,
    CRISIS_MESSAGE,
    CRISIS_TITLE,
    family_evidence,
    flag_evidence,
    reason_text,
)
from health.vocabulary import NeedTag, ShareField, read_item_label, read_items_in_order

bp = Blueprint("health", __name__, url_prefix="/me/health")
provider_bp = Blueprint("health_provider", __name__)


def _share_labels(fields: str) -> str:
    return ", ".join(ShareField(f).label for f in fields.split())


def _read_items(fields: str) -> str:
    """What an access-log entry says was read, as a list in the reader's language."""
    return format_list([read_item_label(f) for f in read_items_in_order(fields.split())],
                       locale=get_locale() or "en")


def _smoking_label(value: str | None) -> str:
    return Smoking(value).label if value else "–"


@bp.context_processor
@provider_bp.context_processor
def _health_globals() -> dict:
    return {"flag_evidence": flag_evidence, "family_evidence": family_evidence,
            "reason_text": reason_text,
            "crisis_lines": CRISIS_LINES, "crisis_title": CRISIS_TITLE,
            "crisis_message": CRISIS_MESSAGE, "readings_spec": READINGS,
            "questionnaires": QUESTIONNAIRES, "need_label": lambda t: NeedTag(t).label,
            "share_labels": _share_labels, "smoking_label": _smoking_label,
            "read_items": _read_items}


def _charts(checkups) -> list:
    points = {key: [(c.measured_on, READINGS[key].shown(c.readings[key])) for c in checkups
                    if key in c.readings]
              for key in ("systolic", "diastolic", "fasting_glucose", "weight")}
    bmis = [(c.measured_on, value) for c in checkups
            if (value := bmi(c.readings.get("weight"), c.readings.get("height"))) is not None]
    charts = [
        line_chart(chart_id="chart-bp", title=_("Blood pressure (mmHg)"),
                   description=_("Systolic and diastolic blood pressure over time; the dashed "
                                 "line is %(limit)s mmHg.", limit=BP_GRADE_1[0]),
                   series=[Series(_("Systolic"), points["systolic"]),
                           Series(_("Diastolic"), points["diastolic"])],
                   limit=BP_GRADE_1[0], axis_label="mmHg", limit_label=_("Guideline")),
        line_chart(chart_id="chart-glucose", title=_("Fasting glucose (mmol/L)"),
                   description=_("Fasting glucose over time; the dashed line is %(limit)s "
                                 "mmol/L.", limit=FPG_IMPAIRED),
                   series=[Series(_("Fasting glucose"), points["fasting_glucose"])],
                   limit=FPG_IMPAIRED, axis_label="mmol/L", limit_label=_("Guideline")),
        line_chart(chart_id="chart-bmi", title=_("BMI"),
                   description=_("Body mass index over time; the dashed line is %(limit)s.",
                                 limit=BMI_OVERWEIGHT),
                   series=[Series(_("BMI"), bmis)], limit=BMI_OVERWEIGHT, axis_label="kg/m²",
                   limit_label=_("Guideline")),
        line_chart(chart_id="chart-weight", title=_("Weight (kg)"),
                   description=_("Body weight over time, from each check-up."),
                   series=[Series(_("Weight"), points["weight"])], axis_label="kg"),
    ]
    return [chart for chart in charts if chart is not None]


@bp.route("/")
@login_required
def overview():
    screening = services.screening_for(current_user)
    checkups = services.list_checkups(current_user)
    return render_template("health/overview.html", screening=screening,
                           checkups=checkups[:5], charts=_charts(checkups),
                           has_profile=services.get_profile(current_user) is not None)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    data = services.profile_data(current_user)
    form = ProfileForm(data=data if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user, sex=form.sex.data or None, birth_year=form.birth_year.data,
                smoking=form.smoking.data or None,
                activity_minutes_per_week=form.activity_minutes_per_week.data,
                sleep_hours=float(form.sleep_hours.data) if form.sleep_hours.data is not None
                else None, goals=form.goals.data or [], now=utcnow())
        except DomainError as exc:
            refuse(exc, say=not exc.fields)
            apply_errors(form, exc)
            status = exc.status
        else:
            flash(_("Your health profile has been saved."), "success")
            return redirect(_local_path(request.args.get("next"))
                            or url_for("health.overview"))
    elif form.errors:
        status = 400
    return render_template("health/profile.html", form=form), status


@bp.route("/checkups", methods=["GET", "POST"])
@login_required
def checkups():
    form = CheckUpForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.record_checkup(current_user, measured_on=form.measured_on.data,
                                    source=form.source.data, readings=form.readings(),
                                    now=utcnow())
        except DomainError as exc:
            refuse(exc, say=not exc.fields)
            apply_errors(form, exc)
            status = exc.status
        else:
            flash(_("The check-up has been saved."), "success")
            return redirect(url_for("health.checkups"))
    elif form.errors:
        status = 400
    return render_template("health/checkups.html", form=form, delete_form=PlainForm(),
                           checkups=services.list_checkups(current_user)), status


@bp.route("/checkups/<int:checkup_id>/delete", methods=["POST"])
@login_required
def delete_checkup(checkup_id: int):
    services.require_owner(current_user)
    if PlainForm().validate_on_submit():
        services.delete_checkup(current_user, checkup_id=checkup_id)
        flash(_("The check-up has been deleted."), "success")
    return redirect(url_for("health.checkups"))


@bp.route("/checkups/import", methods=["GET", "POST"])
@login_required
def import_checkups():
    services.require_owner(current_user)
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(importing.MAX_BYTES + 1)
        try:
            rows = (importing.parse_json(content)
                    if (upload.filename or "").lower().endswith(".json")
                    else importing.parse_csv(content))
            saved = importing.import_checkups(current_user, rows=rows, now=utcnow())
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            flash(_("Imported %(count)s check-ups.", count=len(saved)), "success")
            return redirect(url_for("health.checkups"))
    elif form.errors:
        status = 400
    return render_template("health/import.html", form=form, readings=READINGS), status


def _local_path(target: str | None) -> str | None:
    """A same-site path to go back to (e.g. the service that asked for the questionnaire),
    or None: ``?next=`` never sends anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return None


@bp.route("/questionnaires/<kind>", methods=["GET", "POST"])
@login_required
def questionnaire(kind: str):
    services.require_owner(current_user)
    try:
        questionnaire_ = QUESTIONNAIRES[QuestionnaireKind(kind)]
    except ValueError as exc:
        raise NotFound() from exc
    form = PlainForm()
    errors: dict[str, str] = {}
    answers = [request.form.get(f"q{n}") for n in range(1, len(questionnaire_.items) + 1)]
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                _response, result = services.submit_questionnaire(
                    current_user, kind=kind, answers=answers, now=utcnow())
            except IncompleteQuestionnaire as exc:
                refuse(exc)
                errors, status = exc.fields, exc.status
            else:
                return render_template("health/questionnaire_result.html",
                                       questionnaire=questionnaire_, result=result,
                                       back=_local_path(request.args.get("next")))
    return render_template("health/questionnaire.html", questionnaire=questionnaire_,
                           form=form, errors=errors, answers=answers), status


@bp.route("/dependants", methods=["GET", "POST"])
@login_required
def dependants():
    form = DependantForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_dependant(current_user, name=form.name.data,
                                   birth_date=form.birth_date.data, sex=form.sex.data or None,
                                   relation=form.relation.data, needs=form.needs.data or [],
                                   notes=form.notes.data or "", now=utcnow())
        except DomainError as exc:
            refuse(exc, say=not exc.fields)
            apply_errors(form, exc)
            status = exc.status
        else:
            flash(_("%(name)s has been added.", name=form.name.data.strip()), "success")
            return redirect(url_for("health.dependants"))
    elif form.errors:
        status = 400
    family = services.list_dependants(current_user)
    today = today_in()
    records = {d.id: (services.list_checkups(current_user, dependant_id=d.id),
                      services.screening_for_dependant(current_user, d, today=today))
               for d in family}
    return render_template("health/dependants.html", form=form, delete_form=PlainForm(),
                           dependants=family, records=records), status


@bp.route("/dependants/<int:dependant_id>/delete", methods=["POST"])
@login_required
@refuse_to("health.dependants")
def delete_dependant(dependant_id: int):
    services.require_owner(current_user)
    if PlainForm().validate_on_submit():
        services.delete_dependant(current_user, dependant_id=dependant_id)
        flash(_("The family member has been removed."), "success")
    return redirect(url_for("health.dependants"))


@bp.route("/recommendations")
@login_required
def recommendations():
    dependant_id = query_int(request.args.get("dependant"), default=None, high=MAX_ID)
    suggestions = services.suggest(current_user, dependant_id=dependant_id, now=utcnow(),
                                   language=current_locale_code())
    return render_template("health/recommendations.html", suggestions=suggestions,
                           dependants=services.list_dependants(current_user))


@bp.route("/sharing", methods=["GET", "POST"])
@login_required
def sharing_page():
    providers = sharing.shareable_providers(current_user)
    form = ShareForm()
    locale = current_locale_code()
    form.provider_id.choices = choices((p.id, p.name(locale)) for p in providers)
    status = 200
    if form.validate_on_submit():
        try:
            sharing.share_for_days(current_user, provider_id=form.provider_id.data,
                                   fields=form.fields.data or [], days=form.days.data,
                                   now=utcnow())
        except DomainError as exc:
            refuse(exc, say=not exc.fields)
            apply_errors(form, exc)
            status = exc.status
        else:
            flash(_("Sharing has been set up."), "success")
            return redirect(url_for("health.sharing_page"))
    elif form.errors:
        status = 400
    return render_template("health/sharing.html", form=form, revoke_form=PlainForm(),
                           consents=sharing.list_consents(current_user),
                           log=sharing.access_log(current_user), now=utcnow()), status


@bp.route("/sharing/<int:consent_id>/revoke", methods=["POST"])
@login_required
def revoke_consent(consent_id: int):
    services.require_owner(current_user)
    if PlainForm().validate_on_submit():
        sharing.revoke_consent(current_user, consent_id=consent_id, now=utcnow())
        flash(_("The sharing has ended."), "success")
    return redirect(url_for("health.sharing_page"))


@bp.route("/export")
@audited("GET", {200: "export.health.export"}, target_type="health_profile", more=actor_is_subject)
@limit_exports
@login_required
def export():
    data = sharing.export_everything(current_user, now=utcnow())
    return Response(json.dumps(data, ensure_ascii=False, indent=2),
                    mimetype="application/json",
                    headers={"Content-Disposition":
                             "attachment; filename=parkwell-health-export.json",
                             "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@refuse_to("health.sharing_page")
def delete_profile():
    services.require_owner(current_user)
    form = DeleteProfileForm()
    if form.validate_on_submit():
        sharing.delete_profile(current_user, now=utcnow())
        flash(_("Your health profile and every record in it have been deleted."), "success")
        return redirect(url_for("health.overview"))
    return render_template("health/delete.html", form=form), 400 if form.errors else 200


# -- the provider's side -----------------------------------------------------------------


def _provider(provider_id: int) -> ProviderOrganisation:
    provider = db.session.get(ProviderOrganisation, provider_id)
    if provider is None:
        raise NotFound()
    return provider


@provider_bp.route("/providers/<int:provider_id>/health-clients")
@login_required
def provider_clients(provider_id: int):
    provider = _provider(provider_id)
    clients = sharing.clients_sharing_with(accessor=current_user, provider=provider,
                                           now=utcnow())
    return render_template("health/provider_clients.html", provider=provider,
                           clients=clients)


@provider_bp.route("/providers/<int:provider_id>/health-clients/<int:user_id>")
@login_required
def provider_client(provider_id: int, user_id: int):
    provider = _provider(provider_id)
    shared = sharing.read_shared_health(accessor=current_user, provider=provider,
                                        owner_id=user_id, now=utcnow())
    response = render_template("health/provider_client.html", provider=provider,
                               shared=shared, readings_spec=READINGS,
                               questionnaires=QUESTIONNAIRES)
    return response, 200, {"Cache-Control": "no-store"}
