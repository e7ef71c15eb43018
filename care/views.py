"""HTML pages: the employee's family physician (teams, signing, the agreement with its plan,
readings, charts, follow-ups and messages), the team's patients and alerts, the provider's
teams, sponsorships for enterprise admins, and outcomes for committees and enterprises.
Thin: forms check shape, services decide, the request's transaction commits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from benefits import budgets, payment_return, stripe_gateway
from benefits.models import PaymentStatus
from care import agreements, charts, lifecycle, outcomes, payments, plans, queries
from care.errors import AgreementNotFound
from care.forms import (
    ConfirmForm,
    FollowUpForm,
    FollowUpMoveForm,
    MeasurementForm,
    MessageForm,
    PlanForm,
    SignForm,
    SponsorForm,
    TeamForm,
)
from care.models import AgreementStatus, CareAgreement, CareTeam, FollowUp
from core.clock import today_in, utcnow, zone_of
from core.db import db
from core.errors import DomainError
from core.forms import choices
from core.i18n import current_locale_code, format_money
from core.policy import Action, require
from core.web import refuse
from health.models import Dependant, Smoking
from health.readings import READINGS
from health.vocabulary import ShareField
from providers.models import Practitioner

bp = Blueprint("care", __name__, url_prefix="/care")


def _zone() -> ZoneInfo:
    return ZoneInfo(zone_of())


# -- the employee ----------------------------------------------------------------------------


@bp.route("/")
@login_required
def home():
    require(current_user, Action.MANAGE_OWN_HEALTH)
    now = utcnow()
    teams = agreements.teams_for_employee(current_user)
    return render_template("care/home.html", teams=teams, now=now,
                           mine=agreements.agreements_of(current_user),
                           prices={t.id: agreements.price_for(t, current_user) for t in teams},
                           locale=current_locale_code())


def _sign_form(team: CareTeam, form: SignForm | None = None) -> SignForm:
    form = form or SignForm(formdata=None)
    form.share_fields.choices = choices((f.value, f.label) for f in ShareField)
    form.dependant_ids.choices = choices((d.id, d.name) for d in db.session.scalars(
        select(Dependant).where(Dependant.user_id == current_user.id).order_by(Dependant.id)))
    return form


def _render_team(team: CareTeam, form: SignForm | None = None, status: int = 200):
    locale = current_locale_code()
    terms = team.terms(locale)
    form = _sign_form(team, form)
    form.terms_version.data = team.terms_version
    form.terms_sha256.data = agreements.terms_digest(terms)
    return render_template("care/team.html", team=team, form=form, terms=terms,
                           price=agreements.price_for(team, current_user),
                           locale=locale), status


@bp.route("/teams/<int:team_id>")
@login_required
def team(team_id: int):
    form = SignForm(formdata=None)
    form.starts_on.data = today_in()
    return _render_team(agreements.team_for_employee(current_user, team_id), form)


@bp.route("/teams/<int:team_id>/sign", methods=["POST"])
@login_required
def sign(team_id: int):
    team = agreements.team_for_employee(current_user, team_id)
    form = _sign_form(team, SignForm())
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_team(team, form, 400)
    try:
        version = int(form.terms_version.data or 0)
    except ValueError:
        version = 0
    try:
        agreement = agreements.sign_agreement(
            team, actor=current_user, starts_on=form.starts_on.data,
            accept_terms=form.accept_terms.data, terms_version=version,
            terms_sha256=form.terms_sha256.data or "", locale=current_locale_code(),
            share_fields=form.share_fields.data or [],
            dependant_ids=form.dependant_ids.data or [], now=utcnow())
    except DomainError as exc:
        refuse(exc)
        for name, message in exc.fields.items():
            if name in form:
                form[name].errors = [*form[name].errors, message]
        return _render_team(team, form, exc.status)
    if agreement.status is AgreementStatus.PENDING:
        flash(_("Your agreement is signed. Pay what your budget does not cover to bring it "
                "into force."), "info")
        return redirect(url_for("care.pay", agreement_id=agreement.id))
    flash(_("Your agreement is signed."), "success")
    return redirect(url_for("care.agreement", agreement_id=agreement.id))


def _move_forms(follow_ups: list[FollowUp], *, now: datetime, target: int | None,
                form: FollowUpMoveForm | None) -> dict[int, FollowUpMoveForm]:
    """A move form per open follow-up, showing its current time (or the one just refused,
    with its errors)."""
    forms = {}
    for row in follow_ups:
        if row.cancelled_at is not None or row.starts_at <= now:
            continue
        if row.id == target and form is not None:
            forms[row.id] = form
            continue
        local = row.starts_at.astimezone(_zone())
        forms[row.id] = FollowUpMoveForm(formdata=None, prefix=f"move{row.id}", on=local.date(),
                                         at=local.time().replace(second=0, microsecond=0),
                                         duration_minutes=row.duration_minutes)
    return forms


def _render_agreement(agreement: CareAgreement, side: str, status: int = 200, **forms):
    now = utcnow()
    follow_ups = plans.follow_ups_of(agreement)
    rows = plans.measurements_of(agreement)
    plan = plans.plan_of(agreement)
    progress = plans.progress(plan, rows)
    messages = plans.messages_of(agreement)
    alerts = plans.open_alerts([agreement.id]) if side == "team" else []
    shared = agreements.shared_profile(
        agreement, actor=current_user, now=now,
        also=plans.records_shown(plan=plan, measurements=rows, messages=messages,
                                 alerts=alerts)) if side == "team" else None
    plan_form = forms.get("plan_form")
    if plan_form is None:
        plan_form = PlanForm(formdata=None)
        if plan is not None:
            plan_form.fill(plan.goals, plan.data.get("notes", ""))
    return render_template(
        "care/agreement.html", agreement=agreement, side=side, now=now, plan=plan,
        progress=progress, rows=rows, charts=charts.progress_charts(plan, rows),
        follow_ups=follow_ups, messages=messages,
        shared_now=[ShareField(f).label for f in agreements.shared_now(agreement, now=now)],
        sharing_stopped_at=agreements.sharing_stopped_at(agreement),
        move_forms=_move_forms(follow_ups, now=now, target=forms.get("move_target"),
                               form=forms.get("move_form")) if side == "team" else {},
        payment=payments.payment_of(agreement) if side == "client" else None,
        awaiting_payment=agreement.is_awaiting_payment(now=now),
        alerts=alerts,
        shared=shared, dependants=agreements.covered_dependants(agreement),
        in_force=agreement.is_in_force(now=now), locale=current_locale_code(),
        reading_specs=READINGS, smoking_label=_smoking_label,
        measurement_form=forms.get("measurement_form") or MeasurementForm(formdata=None),
        message_form=forms.get("message_form") or MessageForm(formdata=None),
        plan_form=plan_form, follow_up_form=forms.get("follow_up_form")
        or FollowUpForm(formdata=None), confirm_form=ConfirmForm()), status



def _smoking_label(value: str | None) -> str:
    return Smoking(value).label if value else "–"


@bp.route("/agreements/<int:agreement_id>")
@login_required
def agreement(agreement_id: int):
    found, side = agreements.agreement_for(current_user, agreement_id, now=utcnow())
    return _render_agreement(found, side)


def _fail(agreement: CareAgreement, side: str, exc: DomainError, form_name: str, form):
    refuse(exc)
    for name, message in exc.fields.items():
        target = name.split(".")[-1]
        if target in form:
            form[target].errors = [*form[target].errors, message]
    return _render_agreement(agreement, side, exc.status, **{form_name: form})


@bp.route("/agreements/<int:agreement_id>/measurements", methods=["POST"])
@login_required
def add_measurement(agreement_id: int):
    found, side = agreements.agreement_for(current_user, agreement_id, now=utcnow())
    form = MeasurementForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_agreement(found, side, 400, measurement_form=form)
    try:
        plans.log_measurement(found, actor=current_user, kind=form.kind.data,
                              values={"systolic": form.systolic.data,
                                      "diastolic": form.diastolic.data,
                                      "value": form.value.data},
                              unit=form.unit.data or None, now=utcnow())
    except DomainError as exc:
        return _fail(found, side, exc, "measurement_form", form)
    flash(_("Measurement saved."), "success")
    return redirect(url_for("care.agreement", agreement_id=found.id))


@bp.route("/agreements/<int:agreement_id>/messages", methods=["POST"])
@login_required
def send_message(agreement_id: int):
    found, side = agreements.agreement_for(current_user, agreement_id, now=utcnow())
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_agreement(found, side, 400, message_form=form)
    try:
        plans.post_message(found, actor=current_user, body=form.body.data, now=utcnow())
    except DomainError as exc:
        return _fail(found, side, exc, "message_form", form)
    flash(_("Message sent."), "success")
    return redirect(url_for("care.agreement", agreement_id=found.id) + "#messages")


@bp.route("/agreements/<int:agreement_id>/pay", methods=["GET", "POST"])
@login_required
def pay(agreement_id: int):
    """Pay a pending agreement: the budget's share and the card's."""
    now = utcnow()
    found, side = agreements.agreement_for(current_user, agreement_id, now=now)
    if side != "client":
        raise AgreementNotFound()
    form = ConfirmForm()
    payment = payments.payment_of(found)
    client_secret, status = None, 200
    if form.validate_on_submit():
        try:
            result = agreements.pay_agreement(found, actor=current_user, now=now)
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            if result.payment.status is PaymentStatus.PAID:
                flash(_("Paid. Your agreement is signed and in force from its first day."),
                      "success")
                return redirect(url_for("care.agreement", agreement_id=found.id))
            payment, client_secret = result.payment, result.client_secret
    elif request.method == "POST":
        status = 400
    else:  # back from paying (card, Alipay, WeChat Pay), or opened again: where it stands
        payment_return.settle_if_paid(payment, now=now,
                                      today=lifecycle.local_today(found.provider, now))
        client_secret = payment_return.pending_client_secret(payment)
    return render_template(
        "care/pay.html", agreement=found, form=form, payment=payment,
        client_secret=client_secret,
        return_url=url_for("care.pay", agreement_id=found.id, _external=True),
        quote=payments.quote(found, today=lifecycle.local_today(found.provider, now)),
        awaiting=found.is_awaiting_payment(now=now),
        card_enabled=stripe_gateway.card_payments_enabled(), locale=current_locale_code(),
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY")), status


@bp.route("/agreements/<int:agreement_id>/end", methods=["POST"])
@login_required
def end(agreement_id: int):
    found, side = agreements.agreement_for(current_user, agreement_id, now=utcnow())
    if not ConfirmForm().validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_agreement(found, side, 400)
    pending = found.status is AgreementStatus.PENDING
    try:
        agreements.end_agreement(found, actor=current_user, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_agreement(found, side, exc.status)
    if pending:
        flash(_("You gave up this agreement before paying: nothing is taken."), "success")
    elif found.refunded_minor:
        flash(_("The agreement has ended. The team no longer sees your health data, and "
                "%(amount)s for the unused days goes back to whoever paid it.",
                amount=format_money(found.refunded_minor, found.currency)), "success")
    else:
        flash(_("The agreement has ended. The team no longer sees your health data."),
              "success")
    return redirect(url_for("care.agreement", agreement_id=found.id))


# -- the physician team ----------------------------------------------------------------------


@bp.route("/agreements/<int:agreement_id>/plan", methods=["POST"])
@login_required
def set_plan(agreement_id: int):
    now = utcnow()
    found = agreements.team_agreement(current_user, agreement_id, now=now)
    form = PlanForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_agreement(found, "team", 400, plan_form=form)
    try:
        plans.set_plan(found, actor=current_user, goals=form.goals(), notes=form.notes.data or "",
                       now=now, today=today_in(now=now))
    except DomainError as exc:
        return _fail(found, "team", exc, "plan_form", form)
    flash(_("The care plan is saved."), "success")
    return redirect(url_for("care.agreement", agreement_id=found.id))


@bp.route("/agreements/<int:agreement_id>/follow-ups", methods=["POST"])
@login_required
def add_follow_up(agreement_id: int):
    now = utcnow()
    found = agreements.team_agreement(current_user, agreement_id, now=now)
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_agreement(found, "team", 400, follow_up_form=form)
    starts_at = datetime.combine(form.on.data, form.at.data, tzinfo=_zone())
    try:
        plans.schedule_follow_up(found, actor=current_user, starts_at=starts_at,
                                 duration_minutes=form.duration_minutes.data,
                                 mode=form.mode.data, note=form.note.data or "", now=now)
    except DomainError as exc:
        return _fail(found, "team", exc, "follow_up_form", form)
    flash(_("The follow-up is on both calendars."), "success")
    return redirect(url_for("care.agreement", agreement_id=found.id))


def _team_follow_up(follow_up_id: int, now: datetime) -> tuple[FollowUp, CareAgreement]:
    """A follow-up of an agreement in force of the current user's team; 404 otherwise."""
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise AgreementNotFound()
    return follow_up, agreements.team_agreement(current_user, follow_up.agreement_id, now=now)


@bp.route("/follow-ups/<int:follow_up_id>/cancel", methods=["POST"])
@login_required
def cancel_follow_up(follow_up_id: int):
    now = utcnow()
    follow_up, found = _team_follow_up(follow_up_id, now)
    if not ConfirmForm().validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_agreement(found, "team", 400)
    try:
        plans.cancel_follow_up(follow_up.id, actor=current_user, now=now)
    except DomainError as exc:
        refuse(exc)
        return _render_agreement(found, "team", exc.status)
    flash(_("The follow-up is cancelled on both calendars."), "success")
    return redirect(url_for("care.agreement", agreement_id=found.id))


@bp.route("/follow-ups/<int:follow_up_id>/move", methods=["POST"])
@login_required
def move_follow_up(follow_up_id: int):
    now = utcnow()
    follow_up, found = _team_follow_up(follow_up_id, now)
    form = FollowUpMoveForm(prefix=f"move{follow_up.id}")
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_agreement(found, "team", 400, move_form=form, move_target=follow_up.id)
    starts_at = datetime.combine(form.on.data, form.at.data, tzinfo=_zone())
    try:
        plans.move_follow_up(follow_up.id, actor=current_user, starts_at=starts_at,
                             duration_minutes=form.duration_minutes.data, now=now)
    except DomainError as exc:
        refuse(exc)
        for name, message in exc.fields.items():
            target = "on" if name == "starts_at" else name
            if target in form:
                form[target].errors = [*form[target].errors, message]
        return _render_agreement(found, "team", exc.status, move_form=form,
                                 move_target=follow_up.id)
    flash(_("The follow-up has moved on both calendars; the employee is told."), "success")
    return redirect(url_for("care.agreement", agreement_id=found.id))


@bp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(alert_id: int):
    if not ConfirmForm().validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return redirect(url_for("care.home"))
    try:
        alert = plans.acknowledge_alert(alert_id, actor=current_user, now=utcnow())
    except DomainError as exc:
        if exc.status == 404:
            raise
        refuse(exc)
        return redirect(url_for("care.home")), exc.status
    flash(_("Marked as seen."), "success")
    return redirect(url_for("care.agreement", agreement_id=alert.agreement_id))


@bp.route("/providers/<int:provider_id>/patients")
@login_required
def patients(provider_id: int):
    provider = queries.provider_for_staff(current_user, provider_id)
    now = utcnow()
    rows = agreements.agreements_for_team_member(current_user, provider, now=now)
    alerts = plans.open_alerts([a.id for a in rows])
    plans.record_alerts_read(rows, alerts, actor=current_user, now=now)
    return render_template("care/patients.html", provider=provider, agreements=rows,
                           alerts=alerts, now=now,
                           locale=current_locale_code(), confirm_form=ConfirmForm())


def _team_form(provider, form: TeamForm | None = None) -> TeamForm:
    form = form or TeamForm(formdata=None)
    locale = current_locale_code()
    form.practitioner_ids.choices = choices((p.id, p.name(locale)) for p in db.session.scalars(
        select(Practitioner).where(Practitioner.provider_id == provider.id,
                                   Practitioner.is_active.is_(True)).order_by(Practitioner.id)))
    return form


def _render_teams(provider, form: TeamForm | None = None, status: int = 200):
    return render_template("care/teams.html", provider=provider,
                           teams=agreements.teams_of_provider(provider),
                           form=_team_form(provider, form),
                           locale=current_locale_code()), status


@bp.route("/providers/<int:provider_id>/teams")
@login_required
def teams(provider_id: int):
    return _render_teams(queries.provider_for_owner(current_user, provider_id))


@bp.route("/providers/<int:provider_id>/teams", methods=["POST"])
@login_required
def create_team(provider_id: int):
    provider = queries.provider_for_owner(current_user, provider_id)
    form = _team_form(provider, TeamForm())
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_teams(provider, form, 400)
    try:
        agreements.create_team(
            provider, actor=current_user, kind=form.kind.data, name_zh=form.name_zh.data,
            name_en=form.name_en.data, description_zh=form.description_zh.data or "",
            description_en=form.description_en.data or "",
            price_minor=int(form.price_yuan.data * 100), period_days=form.period_days.data,
            terms_zh=form.terms_zh.data, terms_en=form.terms_en.data,
            practitioner_ids=form.practitioner_ids.data or [], now=utcnow())
    except DomainError as exc:
        refuse(exc)
        for name, message in exc.fields.items():
            if name in form:
                form[name].errors = [*form[name].errors, message]
        return _render_teams(provider, form, exc.status)
    flash(_("The team is offered to the park's employees."), "success")
    return redirect(url_for("care.teams", provider_id=provider.id))


# -- enterprise admins: sponsorship ----------------------------------------------------------


def _render_sponsorships(enterprise, form: SponsorForm | None = None, status: int = 200):
    locale = current_locale_code()
    form = form or SponsorForm(formdata=None)
    form.team_id.choices = choices((t.id, f"{t.name(locale)} · {t.provider.name(locale)}")
                                   for t in agreements.teams_in_park(enterprise.park_id))
    form.programme_id.choices = choices((p.id, p.name)
                                        for p in budgets.programmes_of(enterprise.id))
    return render_template("care/sponsorships.html", enterprise=enterprise, form=form,
                           sponsorships=agreements.sponsorships_of(enterprise),
                           locale=locale), status


@bp.route("/enterprises/<int:enterprise_id>/sponsorships")
@login_required
def sponsorships(enterprise_id: int):
    return _render_sponsorships(queries.enterprise_for_admin(current_user, enterprise_id))


@bp.route("/enterprises/<int:enterprise_id>/sponsorships", methods=["POST"])
@login_required
def sponsor(enterprise_id: int):
    enterprise = queries.enterprise_for_admin(current_user, enterprise_id)
    form = SponsorForm()
    if not form.validate_on_submit():
        flash(_("Please check the form and try again."), "error")
        return _render_sponsorships(enterprise, form, 400)
    try:
        agreements.sponsor_team(enterprise, actor=current_user, team_id=form.team_id.data,
                                programme_id=form.programme_id.data or None, now=utcnow())
    except DomainError as exc:
        refuse(exc)
        return _render_sponsorships(enterprise, form, exc.status)
    flash(_("Your employees now sign with this team for free."), "success")
    return redirect(url_for("care.sponsorships", enterprise_id=enterprise.id))


# -- outcomes ----------------------------------------------------------------------------


def _year(zone: str) -> int:
    current = queries.year_of(utcnow(), zone)
    try:
        year = int(request.args.get("year", current))
    except ValueError:
        return current
    return year if 2000 <= year <= current else current


def _csv_headers() -> list[str]:
    return [_("Indicator code"), _("Indicator"), _("This year: count"), _("This year: group"),
            _("This year: share"), _("This year: note"), _("Last year: count"),
            _("Last year: group"), _("Last year: share"), _("Last year: note")]


def _render_outcomes(result: outcomes.Outcomes, *, title: str, csv_url: str, base_url: str):
    chart = outcomes.chart(result, title=title, this_label=str(result.year),
                           last_label=str(result.year - 1),
                           suppressed_label=_("withheld (fewer than %(k)s)", k=result.k),
                           axis_label=_("Share of the group (%)"))
    return render_template("care/outcomes.html", result=result, chart=chart, title=title,
                           csv_url=csv_url, base_url=base_url)


@bp.route("/parks/<int:park_id>/outcomes")
@login_required
def park_outcomes(park_id: int):
    park = queries.park_for_outcomes(current_user, park_id)
    result = outcomes.published_for_park(park, year=_year(park.timezone), now=utcnow())
    return _render_outcomes(result, title=_("Outcomes of %(park)s",
                                            park=park.name(current_locale_code())),
                            csv_url=url_for("care.park_outcomes_csv", park_id=park.id,
                                            year=result.year),
                            base_url=url_for("care.park_outcomes", park_id=park.id))


@bp.route("/parks/<int:park_id>/outcomes.csv")
@login_required
def park_outcomes_csv(park_id: int):
    park = queries.park_for_outcomes(current_user, park_id)
    result = outcomes.published_for_park(park, year=_year(park.timezone), now=utcnow())
    return _csv(result, f"outcomes-park-{park.id}-{result.year}.csv")


@bp.route("/enterprises/<int:enterprise_id>/outcomes")
@login_required
def enterprise_outcomes(enterprise_id: int):
    enterprise = queries.enterprise_for_outcomes(current_user, enterprise_id)
    result = outcomes.published_for_enterprise(
        enterprise, year=_year(enterprise.park.timezone), now=utcnow())
    return _render_outcomes(result, title=_("Outcomes of %(enterprise)s",
                                            enterprise=enterprise.name(current_locale_code())),
                            csv_url=url_for("care.enterprise_outcomes_csv",
                                            enterprise_id=enterprise.id, year=result.year),
                            base_url=url_for("care.enterprise_outcomes",
                                             enterprise_id=enterprise.id))


@bp.route("/enterprises/<int:enterprise_id>/outcomes.csv")
@login_required
def enterprise_outcomes_csv(enterprise_id: int):
    enterprise = queries.enterprise_for_outcomes(current_user, enterprise_id)
    result = outcomes.published_for_enterprise(
        enterprise, year=_year(enterprise.park.timezone), now=utcnow())
    return _csv(result, f"outcomes-enterprise-{enterprise.id}-{result.year}.csv")


def _csv(result: outcomes.Outcomes, filename: str) -> Response:
    return Response(outcomes.to_csv(result, _csv_headers()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private"})
