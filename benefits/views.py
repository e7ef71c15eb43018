"""HTML pages: the employee's budget, and the enterprise admin's roster and programmes."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import get_currency_symbol
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from benefits import (
    api,
    budgets,
    checkout,
    entitlements,
    payment_return,
    preview,
    queries,
    reports,
    roster,
    series_payments,
    statements,
    stripe_gateway,
    topups,
)
from benefits.errors import ProgrammeNotFound
from benefits.forms import (
    AllocateForm,
    FundingForm,
    ProgrammeEditForm,
    ProgrammeForm,
    RosterEntryForm,
    RosterUploadForm,
    TopUpForm,
)
from benefits.models import (
    BudgetPeriod,
    BudgetProgramme,
    CategoryCap,
    Payment,
    PaymentStatus,
    TopUp,
)
from benefits.money_input import minor_to_yuan, yuan_to_minor
from benefits.periods import period_bounds
from booking import series as series_services
from booking.models import Booking, BookingStatus
from booking.queries import own_booking
from core.accounts.models import Enterprise, ProviderOrganisation, Role
from core.accounts.queries import get_or_404
from core.audit.hooks import audited
from core.bootstrap import register_api
from core.charts import Bar, bar_chart, column_chart
from core.clock import today_in, utcnow
from core.db import db
from core.errors import DomainError, NotFound
from core.i18n import current_locale_code, format_money, format_period
from core.jobs import services as jobs
from core.jobs.errors import JobAlreadyRunning, JobNotFound
from core.navigation import NavEntry, add_nav
from core.policy import Action, can, require
from core.protections import limit_exports
from core.web import refuse, refuse_to
from providers.models import Service

bp = Blueprint("benefits", __name__)


def _invitation_link(token: str) -> str:
    return url_for("accounts.accept_invitation", token=token, _external=True)


def _given(day: date | None) -> date:
    """A required date field's value, once its form has validated (DataRequired)."""
    assert day is not None
    return day


def _enterprise(enterprise_id: int) -> Enterprise:
    enterprise = get_or_404(Enterprise, enterprise_id)
    require(current_user, Action.MANAGE_BENEFITS, enterprise)
    return enterprise


@bp.route("/me/budget")
@login_required
def my_budget() -> ResponseReturnValue:
    today = today_in()
    return render_template("benefits/my_budget.html",
                           lines=queries.employee_budget(current_user, today=today),
                           explanations=queries.employee_explanations(current_user,
                                                                      today=today),
                           category_label=entitlements.category_label,
                           held=queries.held_minor(current_user),
                           history=queries.employee_history(current_user))


@bp.route("/enterprises/<int:enterprise_id>/roster", methods=["GET", "POST"])
@login_required
def roster_page(enterprise_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    form = RosterUploadForm()
    report, status = None, 200
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            job = roster.start_import(
                enterprise, data, actor=current_user, now=utcnow(),
                filename=form.file.data.filename or "", locale=current_locale_code(),
                invitation_link=_invitation_link(roster.TOKEN_PLACEHOLDER),
                import_valid_rows=form.import_valid_rows.data)
        except JobAlreadyRunning as exc:
            refuse(exc)
            return redirect(url_for("benefits.roster_import_page", enterprise_id=enterprise.id,
                                    job_id=exc.job.id), 303)
        except DomainError as exc:  # the file cannot be read, or does not name the columns
            refuse(exc)
            report = [roster.RowError(1, name, str(message))
                      for name, message in exc.fields.items()]
            status = exc.status
        else:
            return redirect(url_for("benefits.roster_import_page", enterprise_id=enterprise.id,
                                    job_id=job.id), 303)
    elif form.errors:
        status = 400
    return render_template("benefits/roster.html", enterprise=enterprise, form=form,
                           report=report, entries=queries.roster(enterprise),
                           entry_form=RosterEntryForm(),
                           running=jobs.latest_unfinished(roster.IMPORT_KIND,
                                                          enterprise_id=enterprise.id)
                           ), status


@bp.route("/enterprises/<int:enterprise_id>/roster/imports/<int:job_id>")
@login_required
def roster_import_page(enterprise_id: int, job_id: int) -> ResponseReturnValue:
    """An import's progress (the page follows it by itself), then its summary or its
    rows with errors."""
    enterprise = _enterprise(enterprise_id)
    job = jobs.get_job(job_id, actor=current_user, kind=roster.IMPORT_KIND, now=utcnow())
    if job.enterprise_id != enterprise.id:
        raise JobNotFound()
    return render_template("benefits/roster_import.html", enterprise=enterprise, job=job,
                           stage_label=jobs.stage_label(job))


@bp.route("/enterprises/<int:enterprise_id>/roster/<int:entry_id>", methods=["POST"])
@login_required
def update_roster_entry(enterprise_id: int, entry_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    entry = roster.get_entry(enterprise, entry_id)
    form = RosterEntryForm()
    if form.validate_on_submit():
        roster.update_entry(entry, department=form.department.data or "",
                            grade=form.grade.data or "",
                            actor=current_user)
        flash(_("Saved."), "success")
    else:
        flash(_("Some of the information given is not valid."), "error")
    return redirect(url_for("benefits.roster_page", enterprise_id=enterprise.id))


@bp.route("/enterprises/<int:enterprise_id>/roster/<int:entry_id>/deactivate",
          methods=["POST"])
@login_required
def deactivate_roster_entry(enterprise_id: int, entry_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    entry = roster.get_entry(enterprise, entry_id)
    if AllocateForm().validate_on_submit():
        returned = roster.deactivate_leaver(entry, actor=current_user, now=utcnow())
        flash(_("%(name)s has left; %(amount)s of unspent budget went back to the "
                "enterprise.", name=entry.name, amount=format_money(returned)), "success")
    return redirect(url_for("benefits.roster_page", enterprise_id=enterprise.id))


@bp.route("/enterprises/<int:enterprise_id>/programmes", methods=["GET", "POST"])
@login_required
def programmes(enterprise_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    form = ProgrammeForm()
    status = 200
    if form.validate_on_submit():
        caps = []
        if form.travel_cap_percent.data is not None:
            caps.append(budgets.CapInput("travel_wellness",
                                         cap_basis_points=form.travel_cap_percent.data * 100))
        if form.childcare_pot.data:
            caps.append(budgets.CapInput("childcare",
                                         pot_amount_minor=yuan_to_minor(form.childcare_pot.data)))
        data = budgets.ProgrammeInput(
            name=form.name.data or "", period=BudgetPeriod(form.period.data),
            amount_minor=yuan_to_minor(form.amount.data), starts_on=_given(form.starts_on.data),
            dependants_allowed=form.dependants_allowed.data,
            rollover_limit_minor=yuan_to_minor(form.rollover_limit.data),
            expiry_days=form.expiry_days.data or 0, caps=caps)
        try:
            programme = budgets.create_programme(enterprise, data, actor=current_user,
                                                 now=utcnow())
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            flash(_("Programme created. Fund it, then allocate the current period."), "success")
            return redirect(url_for("benefits.programme_page", enterprise_id=enterprise.id,
                                    programme_id=programme.id))
    elif form.errors:
        status = 400
    today = today_in()
    summaries = [queries.programme_summary(p, today=today)
                 for p in budgets.programmes_of(enterprise.id)]
    return render_template("benefits/programmes.html", enterprise=enterprise, form=form,
                           summaries=summaries), status


def _programme(enterprise: Enterprise, programme_id: int) -> BudgetProgramme:
    programme = queries.programme_of(enterprise, programme_id)
    if programme is None:
        raise ProgrammeNotFound()
    return programme


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>")
@login_required
def programme_page(enterprise_id: int, programme_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    programme = _programme(enterprise, programme_id)
    return render_template(
        "benefits/programme.html", enterprise=enterprise,
        summary=queries.programme_summary(programme, today=today_in()),
        allocate_form=AllocateForm(), funding_form=FundingForm(),
        may_fund=can(current_user, Action.RECORD_FUNDING), top_up_form=TopUpForm(),
        card_enabled=stripe_gateway.card_payments_enabled())


def _edit_form_data(programme: BudgetProgramme) -> dict[str, Any]:
    caps = {c.category: c for c in programme.category_caps}
    return {
        "name": programme.name, "amount": minor_to_yuan(programme.amount_minor),
        "starts_on": programme.starts_on, "dependants_allowed": programme.dependants_allowed,
        "rollover_limit": minor_to_yuan(programme.rollover_limit_minor),
        "expiry_days": programme.expiry_days, "prorate_joiners": programme.prorate_joiners,
        "rules": [{"grade": r.grade or "", "department": r.department or "",
                   "amount": minor_to_yuan(r.amount_minor)} for r in programme.amount_rules]
        + [{}] * EMPTY_RULE_ROWS,
        "categories": [_category_row(key, caps.get(key)) for key in budgets.CATEGORY_KEYS]}


def _category_row(key: str, cap: CategoryCap | None) -> dict[str, object]:
    percent = cap.cap_basis_points if cap is not None else None
    pot = cap.pot_amount_minor if cap is not None and cap.is_own_pot else None
    return {"category": key, "cap_percent": percent // 100 if percent is not None else None,
            "pot": minor_to_yuan(pot) if pot is not None else None}


#: Empty rows under a programme's rules, for new ones.
EMPTY_RULE_ROWS = 3


def _edited(programme: BudgetProgramme, form: ProgrammeEditForm) -> budgets.ProgrammeInput:
    rules = [budgets.AmountRuleInput(
        amount_minor=yuan_to_minor(row.amount.data) if row.amount.data is not None else -1,
        grade=(row.grade.data or "").strip() or None,
        department=(row.department.data or "").strip() or None)
        for row in form.rules if row.amount.data is not None or (row.grade.data or "").strip()
        or (row.department.data or "").strip()]
    caps = [budgets.CapInput(
        row.category.data,
        cap_basis_points=row.cap_percent.data * 100 if row.cap_percent.data is not None
        and row.pot.data is None else None,
        pot_amount_minor=yuan_to_minor(row.pot.data) if row.pot.data is not None else None)
        for row in form.categories if row.cap_percent.data is not None
        or row.pot.data is not None]
    return budgets.ProgrammeInput(
        name=form.name.data or "", period=programme.period, currency=programme.currency,
        amount_minor=yuan_to_minor(form.amount.data), starts_on=_given(form.starts_on.data),
        dependants_allowed=form.dependants_allowed.data,
        rollover_limit_minor=yuan_to_minor(form.rollover_limit.data),
        expiry_days=form.expiry_days.data or 0, prorate_joiners=form.prorate_joiners.data,
        amount_rules=rules, caps=caps)


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_programme(enterprise_id: int, programme_id: int) -> ResponseReturnValue:
    """Every rule of the programme on one page; a refused save changes nothing and says
    why next to the rules."""
    enterprise = _enterprise(enterprise_id)
    programme = _programme(enterprise, programme_id)
    status, problems = 200, {}
    if request.method == "POST":
        form = ProgrammeEditForm()
        if form.validate_on_submit():
            try:
                budgets.update_programme(programme, _edited(programme, form),
                                         actor=current_user)
            except DomainError as exc:
                refuse(exc)
                status, problems = exc.status, exc.fields
            else:
                flash(_("Rules saved. They apply to every budget given from now on."),
                      "success")
                return redirect(url_for("benefits.programme_page", enterprise_id=enterprise.id,
                                        programme_id=programme.id), 303)
        else:
            status = 400
    else:
        form = ProgrammeEditForm(formdata=None, data=_edit_form_data(programme))
    return render_template("benefits/programme_edit.html", enterprise=enterprise,
                           programme=programme, form=form, problems=problems,
                           field_names=EDIT_FIELD_NAMES,
                           category_label=entitlements.category_label), status


EDIT_FIELD_NAMES = {"name": _l("Name"), "amount_minor": _l("Base amount"),
                    "amount_rules": _l("Grade and department rules"),
                    "caps": _l("Category limits and pots"),
                    "rollover_limit_minor": _l("Carry over"),
                    "expiry_days": _l("Days to spend after a period"), "period": _l("Period")}


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/allocate",
          methods=["POST"])
@login_required
def allocate(enterprise_id: int, programme_id: int) -> ResponseReturnValue:
    """Allocate the current period, then show whom it gave what and whom it skipped."""
    enterprise = _enterprise(enterprise_id)
    programme = _programme(enterprise, programme_id)
    if not AllocateForm().validate_on_submit():
        return redirect(url_for("benefits.programme_page", enterprise_id=enterprise.id,
                                programme_id=programme.id))
    result = budgets.allocate_period(programme, on=today_in(), actor=current_user,
                                     now=utcnow())
    flash(_("Period %(period)s allocated to %(count)s employees.",
            period=format_period(result.period_key), count=result.employees), "success")
    return render_template("benefits/allocation_result.html", enterprise=enterprise,
                           programme=programme, result=result)


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/funding",
          methods=["POST"])
@login_required
def record_funding(enterprise_id: int, programme_id: int) -> ResponseReturnValue:
    enterprise = get_or_404(Enterprise, enterprise_id)
    require(current_user, Action.RECORD_FUNDING)
    programme = _programme(enterprise, programme_id)
    form = FundingForm()
    if form.validate_on_submit():
        budgets.record_bank_transfer(programme, amount_minor=yuan_to_minor(form.amount.data),
                                     bank_reference=form.bank_reference.data or "",
                                     actor=current_user, now=utcnow())
        flash(_("Bank transfer recorded."), "success")
    else:
        flash(_("Some of the information given is not valid."), "error")
    return redirect(url_for("benefits.programme_page", enterprise_id=enterprise.id,
                            programme_id=programme.id))


def _period_label(period: BudgetPeriod, key: str) -> str:
    """2026年12月 / Dec 2026, 2026年第4季度 / Q4 2026, 2026: never the ledger's key."""
    start, _end = period_bounds(period, key)
    skeleton = {BudgetPeriod.MONTHLY: "yMMM", BudgetPeriod.QUARTERLY: "yQQQ"}.get(period, "y")
    return format_skeleton(skeleton, start, locale=str(get_locale()))


def _department_chart(report: reports.UsageReport) -> Markup | None:
    """Spent (front) against allocated (behind) per department, in yuan; the figure is the
    share of that department's own allocation used. Departments are the report's, already
    merged or left out below k."""
    symbol = get_currency_symbol(report.currency, locale=str(get_locale()))
    return bar_chart(
        [Bar(_("Other departments") if line.name == reports.OTHER else line.name,
             line.spent_minor / 100,
             format_percent(line.spent_minor / line.allocated_minor
                            if line.allocated_minor else 0))
         for line in report.departments],
        background=[line.allocated_minor / 100 for line in report.departments],
        chart_id="chart-departments", title=_("Allocated and spent by department"),
        description=_("Spent against allocated in each department; the figure is the "
                      "share of that department's budget used."),
        axis_label=_("Amount (%(unit)s)", unit=symbol), legend=[_("Spent"), _("Allocated")])


def _over_time_chart(programme: BudgetProgramme,
                     report: reports.UsageReport) -> Markup | None:
    """Spent (front) against allocated (behind), period by period, in yuan; the share used
    is of that period's own allocation (k-anonymous periods only, as the report holds)."""
    symbol = get_currency_symbol(report.currency, locale=str(get_locale()))
    return column_chart(
        [Bar(_period_label(programme.period, p.period_key), p.spent_minor / 100,
             format_percent(p.percent / 100)) for p in report.over_time],
        background=[p.allocated_minor / 100 for p in report.over_time],
        chart_id="chart-over-time", title=_("Share of the budget used, period by period"),
        description=_("Spent against allocated in each period; the figure above each "
                      "column is the share of that period's budget used."),
        axis_label=_("Amount (%(unit)s)", unit=symbol), legend=[_("Spent"), _("Allocated")])


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/report")
@login_required
def report_page(enterprise_id: int, programme_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    programme = _programme(enterprise, programme_id)
    report = reports.usage_report(enterprise, programme, actor=current_user,
                                  on=today_in(), now=utcnow())
    month = request.args.get("month") or today_in().strftime("%Y-%m")
    funds = reports.funds_statement(enterprise, programme, month=month, actor=current_user)
    return render_template("benefits/report.html", enterprise=enterprise, programme=programme,
                           report=report, other=reports.OTHER, funds=funds,
                           department_chart=_department_chart(report),
                           over_time_chart=_over_time_chart(programme, report),
                           category_chart=bar_chart(
                               [Bar(str(entitlements.category_label(category)), spent / 100,
                                    format_money(spent, report.currency))
                                for category, _people, spent in report.categories],
                               chart_id="chart-categories", title=_("Spent by category"),
                               axis_label=_("Spent (%(unit)s)", unit=get_currency_symbol(
                                   report.currency, locale=str(get_locale()))),
                               description=_("What the budget paid for, by category, this "
                                             "period (categories used by too few people to "
                                             "show are left out).")))


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/report.csv")
@audited("GET", {200: "export.benefits.report_csv"}, target_type="budget_programme",
         target_arg="programme_id")
@limit_exports
@login_required
def report_csv(enterprise_id: int, programme_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    programme = _programme(enterprise, programme_id)
    report = reports.usage_report(enterprise, programme, actor=current_user,
                                  on=today_in(), now=utcnow())
    month = request.args.get("month") or today_in().strftime("%Y-%m")
    funds = reports.funds_statement(enterprise, programme, month=month, actor=current_user)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(reports.report_csv_rows(report, other_label=_("Other departments")))
    writer.writerows(reports.funds_csv_rows(funds))
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=usage-{report.period_key}.csv"})


@bp.route("/providers/<int:provider_id>/statement")
@login_required
def statement_page(provider_id: int) -> ResponseReturnValue:
    provider = get_or_404(ProviderOrganisation, provider_id)
    month = request.args.get("month") or today_in().strftime("%Y-%m")
    statement = statements.provider_statement(provider, month=month, actor=current_user)
    return render_template("benefits/statement.html", statement=statement)


@bp.route("/providers/<int:provider_id>/statement.csv")
@audited("GET", {200: "export.benefits.statement_csv"}, target_type="provider",
         target_arg="provider_id")
@limit_exports
@login_required
def statement_csv(provider_id: int) -> ResponseReturnValue:
    provider = get_or_404(ProviderOrganisation, provider_id)
    month = request.args.get("month") or today_in().strftime("%Y-%m")
    statement = statements.provider_statement(provider, month=month, actor=current_user)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(statements.statement_csv_rows(
        statement, locale=current_locale_code()))
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=statement-{provider.id}-{month}.csv"})


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/top-up",
          methods=["POST"])
@login_required
@refuse_to(lambda enterprise_id, programme_id: url_for(
    "benefits.programme_page", enterprise_id=enterprise_id, programme_id=programme_id))
def top_up(enterprise_id: int, programme_id: int) -> ResponseReturnValue:
    enterprise = _enterprise(enterprise_id)
    programme = _programme(enterprise, programme_id)
    form = TopUpForm()
    if not form.validate_on_submit():
        flash(_("Some of the information given is not valid."), "error")
        return redirect(url_for("benefits.programme_page", enterprise_id=enterprise.id,
                                programme_id=programme.id))
    record, client_secret = topups.start_top_up(
        programme, amount_minor=yuan_to_minor(form.amount.data), actor=current_user,
        now=utcnow(), request_key=form.request_key.data or "")
    return render_template("benefits/top_up.html", enterprise=enterprise, programme=programme,
                           top_up=record, client_secret=client_secret,
                           publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
                           return_url=_top_up_return_url(record))


def _top_up_return_url(record: TopUp) -> str:
    programme = db.session.get_one(BudgetProgramme, record.programme_id)
    return url_for("benefits.top_up_return", enterprise_id=programme.enterprise_id,
                   programme_id=programme.id, top_up_id=record.id, _external=True)


@bp.route("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>"
          "/top-ups/<int:top_up_id>/return")
@login_required
def top_up_return(enterprise_id: int, programme_id: int, top_up_id: int) -> ResponseReturnValue:
    """Where Stripe sends HR back after paying a top-up: funded, processing, or refused
    (with the same intent offered again)."""
    enterprise = _enterprise(enterprise_id)
    programme = _programme(enterprise, programme_id)
    record = db.session.get(TopUp, top_up_id) if 0 < top_up_id < 2**31 else None
    if record is None or record.programme_id != programme.id:
        raise NotFound()
    result = payment_return.check_top_up(record, actor=current_user, now=utcnow(),
                                         today=today_in())
    return render_template("benefits/top_up_return.html", enterprise=enterprise,
                           programme=programme, check=result, state=payment_return.PayState,
                           publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
                           return_url=_top_up_return_url(record))


def _own_booking(booking_id: int) -> Booking:
    return own_booking(current_user, booking_id)


def _pay_page_context(booking: Booking, payment: Payment | None, *,
                      client_secret: str | None) -> dict[str, Any]:
    """What the checkout and return pages share: Stripe.js (or None when card payment is
    off), where Stripe sends the person back, and whether the place is still held."""
    return {"booking": booking, "payment": payment, "client_secret": client_secret,
            "stripe_js": stripe_gateway.browser_settings(),
            "return_url": url_for("benefits.checkout_return", booking_id=booking.id,
                                  _external=True),
            "holding": booking.status is BookingStatus.HELD
            and not booking.hold_lapsed(now=utcnow()),
            "release_form": AllocateForm(formdata=None)}


@bp.route("/bookings/<int:booking_id>/checkout", methods=["GET", "POST"])
@login_required
def checkout_page(booking_id: int) -> ResponseReturnValue:
    booking = _own_booking(booking_id)
    form = AllocateForm()
    status = 200
    if form.validate_on_submit():
        try:
            result = checkout.start_checkout(booking, actor=current_user, now=utcnow(),
                                             today=today_in())
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            if result.payment.status is PaymentStatus.PAID:
                flash(_("Paid from your budget. Your booking is confirmed."), "success")
                return redirect(url_for("booking.booking_detail", booking_id=booking.id))
            # the same page, now with the card share to pay (a reload posts nothing again)
            return redirect(url_for("benefits.checkout_page", booking_id=booking.id), 303)
    payment = checkout.payment_for(booking)
    return render_template(
        "benefits/checkout.html", form=form, quote=checkout.quote(booking, today=today_in()),
        card_enabled=stripe_gateway.browser_settings() is not None,
        **_pay_page_context(booking, payment,
                            client_secret=payment_return.pending_client_secret(payment))
    ), status


@bp.route("/bookings/<int:booking_id>/checkout/return")
@login_required
def checkout_return(booking_id: int) -> ResponseReturnValue:
    """Where Stripe sends the person back (card, Alipay's redirect, WeChat Pay's QR): the
    payment as Stripe has it, whatever the address says."""
    booking = _own_booking(booking_id)
    result = payment_return.check_booking_payment(booking, actor=current_user, now=utcnow(),
                                                  today=today_in())
    return render_template("benefits/checkout_return.html", check=result,
                           state=payment_return.PayState,
                           **_pay_page_context(booking, result.payment,
                                               client_secret=result.client_secret))


@bp.route("/bookings/<int:booking_id>/checkout/release", methods=["POST"])
@login_required
def release_hold(booking_id: int) -> ResponseReturnValue:
    """Let the held place go: the place and the held budget are freed, nothing is paid."""
    booking = _own_booking(booking_id)
    if not AllocateForm().validate_on_submit():
        flash(_("Some of the information given is not valid."), "error")
        return redirect(url_for("benefits.checkout_page", booking_id=booking.id))
    outcome = payment_return.release_hold(booking, actor=current_user, now=utcnow(),
                                          today=today_in())
    if outcome is payment_return.PayState.PROCESSING:
        flash(_("Your payment is being confirmed, so the place is kept."), "info")
        return redirect(url_for("benefits.checkout_return", booking_id=booking.id), 303)
    if outcome is not payment_return.PayState.ENDED:
        flash(_("Your payment has already gone through, so the place is kept."), "info")
        return redirect(url_for("benefits.checkout_return", booking_id=booking.id), 303)
    flash(_("The place is released. Nothing was charged, and your budget is back."),
          "success")
    return redirect(url_for("booking.booking_detail", booking_id=booking.id), 303)


@bp.route("/series/<int:series_id>/pay", methods=["GET", "POST"])
@login_required
def series_pay(series_id: int) -> ResponseReturnValue:
    """Pay every held session of a course in one checkout."""
    series = series_services.own_series(current_user, series_id)
    form = AllocateForm()
    payment = series_payments.payment_of(series)
    client_secret, status = None, 200
    if form.validate_on_submit():
        try:
            result = series_payments.pay_series(series, actor=current_user, now=utcnow(),
                                                today=today_in())
        except DomainError as exc:
            refuse(exc)
            status = exc.status
        else:
            if result.payment.status is PaymentStatus.PAID:
                flash(_("Paid from your budget. Every session of your course is confirmed."),
                      "success")
                return redirect(url_for("booking_series.series_page", series_id=series.id))
            payment, client_secret = result.payment, result.client_secret
    elif request.method == "POST":
        status = 400
    else:  # back from paying (card, Alipay, WeChat Pay), or opened again: where it stands
        payment_return.settle_if_paid(payment, now=utcnow(), today=today_in())
        client_secret = payment_return.pending_client_secret(payment)
    now = utcnow()
    held = series_payments.held_sessions(series.id, now=now)
    return render_template(
        "benefits/series_pay.html", series=series, form=form, payment=payment,
        sessions=series_payments.sessions(series.id), held=held,
        quote=series_payments.quote(series, now=now, today=today_in()),
        client_secret=client_secret, card_enabled=stripe_gateway.card_payments_enabled(),
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
        return_url=url_for("benefits.series_pay", series_id=series.id, _external=True),
        locale=current_locale_code()), status


def series_payment_page_for(series_id: int) -> str:
    """Where a course's page sends the client to pay it in one go."""
    return url_for("benefits.series_pay", series_id=series_id)


def payment_page_for(booking: Booking) -> str:
    """Where the booking's own pages send the client to pay (booking knows no benefits)."""
    return url_for("benefits.checkout_page", booking_id=booking.id)


def price_preview_for(service: Service) -> preview.PricePreview | None:
    """The split, balance and cap for a priced service (booking's pages show it before a
    time is chosen, without knowing benefits)."""
    if not current_user.is_authenticated:
        return None
    return preview.price_preview(current_user, service, today=today_in())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["payment_page_for"] = payment_page_for
    app.jinja_env.globals["series_payment_page_for"] = series_payment_page_for
    app.jinja_env.globals["price_preview_for"] = price_preview_for
    app.jinja_env.globals["category_label"] = entitlements.category_label
    app.jinja_env.globals["stripe_js_url"] = lambda: current_app.config.get(
        "STRIPE_JS_URL") or "https://js.stripe.com/v3/"
    register_api(app, api.bp)
    add_nav(app, Role.EMPLOYEE, NavEntry("benefits.my_budget", _l("My budget"), order=40))
    add_nav(app, Role.PROVIDER_STAFF, NavEntry(
        "benefits.statement_page", _l("Statement"),
        url_args=lambda m: {"provider_id": m.provider_id}, owners_only=True, order=60))
    add_nav(app, Role.ENTERPRISE_ADMIN, NavEntry(
        "benefits.roster_page", _l("Roster"),
        url_args=lambda m: {"enterprise_id": m.enterprise_id}, order=30))
    add_nav(app, Role.ENTERPRISE_ADMIN, NavEntry(
        "benefits.programmes", _l("Budget programmes"),
        url_args=lambda m: {"enterprise_id": m.enterprise_id}, order=35))
