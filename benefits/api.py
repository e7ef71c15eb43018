"""JSON endpoints for budgets, rosters and programmes (the same services as the pages)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import request, url_for

from benefits import (
    budgets,
    checkout,
    queries,
    reports,
    roster,
    series_payments,
    statements,
    stripe_gateway,
    topups,
    webhooks,
)
from benefits.errors import ProgrammeNotFound
from benefits.models import BudgetProgramme
from benefits.schemas import (
    AllocationOut,
    BudgetLineOut,
    CategoryLineOut,
    DepartmentLineOut,
    ExplanationOut,
    FundingIn,
    FundingOut,
    HistoryOut,
    LeaverOut,
    MyBudgetOut,
    PaymentOut,
    PeriodUseOut,
    ProgrammeIn,
    ProgrammeList,
    ProgrammeOut,
    ProgrammePatchIn,
    ProgrammeUpdateIn,
    QuoteOut,
    RosterEntryChange,
    RosterEntryOut,
    RosterImportIn,
    RosterImportOut,
    RosterPage,
    RowErrorOut,
    StatementOut,
    TopUpIn,
    TopUpOut,
    UsageReportOut,
    WebhookOut,
)
from booking import series as series_services
from booking.models import Booking
from booking.queries import own_booking
from core.accounts.models import ApiScope, Enterprise, ProviderOrganisation, User
from core.accounts.queries import get_or_404
from core.api.openapi import ApiBlueprint, ApiResult
from core.api.pagination import PageQuery, paginate
from core.clock import today_in, utcnow
from core.errors import NotFound
from core.i18n import current_locale_code
from core.jobs.schemas import JobOut
from core.policy import Action, require

bp = ApiBlueprint("benefits_api", __name__, tag="benefits")


def _enterprise(user: User, enterprise_id: int) -> Enterprise:
    enterprise = get_or_404(Enterprise, enterprise_id)
    require(user, Action.MANAGE_BENEFITS, enterprise)
    return enterprise


@bp.operation("/me/budget", method="GET", summary="What I can spend, what is held, history",
              response=MyBudgetOut)
def my_budget(user: User) -> MyBudgetOut:
    # The lines hold their programmes until the explanations are built: those read the same
    # programmes, which then come from the session with their caps already loaded, instead
    # of being read and their caps loaded again.
    lines = queries.employee_budget(user, today=today_in())
    return MyBudgetOut(
        budgets=[BudgetLineOut.of(line) for line in lines],
        held_minor=queries.held_minor(user),
        history=[HistoryOut.of(line) for line in queries.employee_history(user)],
        explanations=[ExplanationOut.of(e)
                      for e in queries.employee_explanations(user, today=today_in())])


@bp.operation("/enterprises/<int:enterprise_id>/roster", method="GET",
              summary="The enterprise's roster", query=PageQuery, response=RosterPage,
              errors=(404,))
def list_roster(user: User, enterprise_id: int, query: PageQuery) -> ApiResult:
    enterprise = _enterprise(user, enterprise_id)
    return paginate(queries.roster_query(enterprise), query, RosterEntryOut.of)


@bp.operation("/enterprises/<int:enterprise_id>/roster", method="POST", scope=ApiScope.WRITE,
              summary="Import a roster (CSV text); all rows are checked first",
              body=RosterImportIn, response=RosterImportOut, errors=(404,))
def import_roster(user: User, enterprise_id: int, body: RosterImportIn) -> RosterImportOut:
    """Nothing is imported when a row is wrong, unless ``import_valid_rows`` is true; the
    error's ``fields`` name each row and column (``row 3.email``)."""
    enterprise = _enterprise(user, enterprise_id)
    parsed = roster.parse_roster(body.csv.encode())
    result = roster.import_roster(
        enterprise, parsed, actor=user, now=utcnow(), import_valid_rows=body.import_valid_rows,
        link_builder=lambda t: url_for("accounts.accept_invitation", token=t, _external=True))
    return RosterImportOut(
        created=result.created, updated=result.updated, invited=result.invited,
        skipped_rows=result.skipped_rows,
        errors=[RowErrorOut(row=e.row, field=e.field, message=e.message)
                for e in parsed.errors])


@bp.operation("/enterprises/<int:enterprise_id>/roster/imports", method="POST",
              scope=ApiScope.WRITE, status=202, body=RosterImportIn, response=JobOut,
              errors=(404, 409),
              summary="Start importing a roster in the background; poll GET /jobs/{id}")
def start_roster_import(user: User, enterprise_id: int, body: RosterImportIn) -> JobOut:
    """For large rosters: answers at once with the job (``queued``); ``GET /api/v1/jobs/{id}``
    then shows its progress and, at the end, the same counts as the synchronous import, or
    ``roster_import_invalid`` with each wrong row (and then nothing was imported). A file
    that cannot be read at all is refused here (422); while another import of this roster
    is unfinished, 409 ``job_already_running``."""
    enterprise = _enterprise(user, enterprise_id)
    job = roster.start_import(
        enterprise, body.csv.encode(), actor=user, now=utcnow(), filename="roster.csv",
        locale=current_locale_code(), import_valid_rows=body.import_valid_rows,
        invitation_link=url_for("accounts.accept_invitation", token=roster.TOKEN_PLACEHOLDER,
                                _external=True))
    return JobOut.of(job)


@bp.operation("/enterprises/<int:enterprise_id>/roster/<int:entry_id>", method="PATCH",
              scope=ApiScope.WRITE, body=RosterEntryChange, response=RosterEntryOut,
              errors=(404,), summary="Change a person's department or grade")
def change_roster_entry(user: User, enterprise_id: int, entry_id: int,
                        body: RosterEntryChange) -> RosterEntryOut:
    """Only the fields sent change; an empty one is 422 and changes nothing."""
    enterprise = _enterprise(user, enterprise_id)
    entry = roster.get_entry(enterprise, entry_id)
    roster.update_entry(entry, department=body.department or entry.department,
                        grade=body.grade or entry.grade, actor=user)
    return RosterEntryOut.of(entry)


@bp.operation("/enterprises/<int:enterprise_id>/roster/<int:entry_id>/deactivate",
              method="POST", scope=ApiScope.WRITE, summary="A leaver leaves",
              response=LeaverOut, errors=(404,))
def deactivate(user: User, enterprise_id: int, entry_id: int) -> LeaverOut:
    enterprise = _enterprise(user, enterprise_id)
    entry = roster.get_entry(enterprise, entry_id)
    returned = roster.deactivate_leaver(entry, actor=user, now=utcnow())
    return LeaverOut(entry=RosterEntryOut.of(entry), returned_minor=returned)


@bp.operation("/enterprises/<int:enterprise_id>/programmes", method="GET",
              summary="The enterprise's budget programmes", response=ProgrammeList,
              errors=(404,))
def list_programmes(user: User, enterprise_id: int) -> ProgrammeList:
    enterprise = _enterprise(user, enterprise_id)
    return ProgrammeList(items=[ProgrammeOut.of(p) for p in budgets.programmes_of(enterprise.id)])


@bp.operation("/enterprises/<int:enterprise_id>/programmes", method="POST",
              scope=ApiScope.WRITE, summary="Create a budget programme", body=ProgrammeIn,
              response=ProgrammeOut, status=201, errors=(404,))
def create_programme(user: User, enterprise_id: int, body: ProgrammeIn) -> ProgrammeOut:
    enterprise = _enterprise(user, enterprise_id)
    data = budgets.ProgrammeInput(
        **body.model_dump(exclude={"amount_rules", "caps"}),
        amount_rules=[budgets.AmountRuleInput(**r.model_dump()) for r in body.amount_rules],
        caps=[budgets.CapInput(**c.model_dump()) for c in body.caps])
    return ProgrammeOut.of(budgets.create_programme(enterprise, data, actor=user, now=utcnow()))


def _programme(enterprise: Enterprise, programme_id: int, *,
               remembered: bool = False) -> BudgetProgramme:
    programme = queries.programme_of(enterprise, programme_id, remembered=remembered)
    if programme is None:
        raise ProgrammeNotFound()
    return programme


@bp.operation("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/allocations",
              method="POST", scope=ApiScope.WRITE, status=201, response=AllocationOut,
              summary="Allocate the current period to the roster (safe to repeat)",
              errors=(404, 409))
def allocate(user: User, enterprise_id: int, programme_id: int) -> AllocationOut:
    programme = _programme(_enterprise(user, enterprise_id), programme_id)
    """Says whom it gave what (``allocated``) and whom it skipped and why (``skipped``:
    no account yet, already allocated, or nothing due under the rules)."""
    result = budgets.allocate_period(programme, on=today_in(), actor=user, now=utcnow())
    return AllocationOut.of(result)


@bp.operation("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>", method="GET",
              summary="A programme with all its rules", response=ProgrammeOut, errors=(404,))
def get_programme(user: User, enterprise_id: int, programme_id: int) -> ProgrammeOut:
    return ProgrammeOut.of(_programme(_enterprise(user, enterprise_id), programme_id))


def _save(user: User, programme: BudgetProgramme,
          data: budgets.ProgrammeInput) -> ProgrammeOut:
    return ProgrammeOut.of(budgets.update_programme(programme, data, actor=user))


def _rules_of(body: ProgrammeUpdateIn | ProgrammePatchIn) -> dict[str, Any]:
    values: dict[str, Any] = body.model_dump(exclude_unset=True,
                                             exclude={"amount_rules", "caps"})
    if body.amount_rules is not None:
        values["amount_rules"] = [budgets.AmountRuleInput(**r.model_dump())
                                  for r in body.amount_rules]
    if body.caps is not None:
        values["caps"] = [budgets.CapInput(**c.model_dump()) for c in body.caps]
    return values


@bp.operation("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>", method="PUT",
              scope=ApiScope.WRITE, body=ProgrammeUpdateIn, response=ProgrammeOut,
              errors=(404,), summary="Replace all of a programme's rules")
def replace_programme(user: User, enterprise_id: int, programme_id: int,
                      body: ProgrammeUpdateIn) -> ApiResult:
    """Base amount, grade and department rules, caps and pots, rollover, expiry and
    proration, all at once; rules and caps left out are removed. A refused change (422,
    with the field named) changes nothing. Budgets already given keep their amounts."""
    programme = _programme(_enterprise(user, enterprise_id), programme_id)
    data = budgets.ProgrammeInput(period=programme.period, currency=programme.currency,
                                  **_rules_of(body))
    return _save(user, programme, data)


@bp.operation("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>",
              method="PATCH", scope=ApiScope.WRITE, body=ProgrammePatchIn,
              response=ProgrammeOut, errors=(404,), summary="Change some of a programme's rules")
def change_programme(user: User, enterprise_id: int, programme_id: int,
                     body: ProgrammePatchIn) -> ApiResult:
    """Only the fields given change; a list given (``amount_rules`` or ``caps``) replaces
    that list. A refused change (422) changes nothing."""
    programme = _programme(_enterprise(user, enterprise_id), programme_id)
    current = budgets.programme_input(programme)
    values = {k: v for k, v in _rules_of(body).items() if v is not None}
    return _save(user, programme, replace(current, **values))


@bp.operation("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/funding",
              method="POST", scope=ApiScope.WRITE, status=201, body=FundingIn,
              response=FundingOut, summary="Record a bank transfer (platform admins)",
              errors=(404,))
def record_funding(user: User, enterprise_id: int, programme_id: int,
                   body: FundingIn) -> FundingOut:
    require(user, Action.RECORD_FUNDING)
    programme = _programme(get_or_404(Enterprise, enterprise_id), programme_id)
    transaction = budgets.record_bank_transfer(programme, amount_minor=body.amount_minor,
                                               bank_reference=body.bank_reference,
                                               actor=user, now=utcnow())
    funds = budgets.funds_account(programme, now=utcnow())
    return FundingOut(transaction_id=transaction.id, funds_minor=funds.balance_minor)


def _own_booking(user: User, booking_id: int) -> Booking:
    return own_booking(user, booking_id)


@bp.operation("/bookings/<int:booking_id>/quote", method="GET", response=QuoteOut,
              summary="What the budget pays and what is left for the card", errors=(404,))
def get_quote(user: User, booking_id: int) -> QuoteOut:
    split = checkout.quote(_own_booking(user, booking_id), today=today_in())
    return QuoteOut(price_minor=split.price_minor, budget_minor=split.budget_minor,
                    card_minor=split.card_minor, currency=split.currency,
                    card_payments_enabled=stripe_gateway.card_payments_enabled())


@bp.operation("/bookings/<int:booking_id>/checkout", method="POST", scope=ApiScope.WRITE,
              response=PaymentOut, status=201, summary="Pay a held booking",
              errors=(404, 409, 502))
def start_checkout(user: User, booking_id: int) -> PaymentOut:
    """The budget share is held at once; with nothing left for the card the booking is
    confirmed, otherwise confirm the card share with Stripe.js using ``client_secret``.
    Calling again returns the same pending payment."""
    result = checkout.start_checkout(_own_booking(user, booking_id), actor=user,
                                     now=utcnow(), today=today_in())
    return PaymentOut.of(result.payment, result.client_secret)


@bp.operation("/series/<int:series_id>/checkout", method="POST", scope=ApiScope.WRITE,
              response=PaymentOut, status=201, errors=(404, 409, 502),
              summary="Pay every held session of a course in one checkout")
def start_series_checkout(user: User, series_id: int) -> PaymentOut:
    """One payment for all the course's held sessions: the budget share is held at once
    (its category cap checked under the lock); with nothing left for the card every session
    is confirmed, otherwise confirm the card share with Stripe.js using ``client_secret``.
    Unpaid, the sessions lapse together. Calling again returns the same pending payment."""
    result = series_payments.pay_series(series_services.own_series(user, series_id),
                                        actor=user, now=utcnow(), today=today_in())
    return PaymentOut.of(result.payment, result.client_secret)


@bp.operation("/bookings/<int:booking_id>/payment", method="GET", response=PaymentOut,
              summary="How a booking was paid, and refunded", errors=(404,))
def get_payment(user: User, booking_id: int) -> PaymentOut:
    payment = checkout.payment_for(_own_booking(user, booking_id))
    if payment is None:
        raise NotFound()
    return PaymentOut.of(payment)


@bp.operation("/payments/stripe/webhook", method="POST", scope=None, response=WebhookOut,
              summary="Stripe's webhook (signed with the endpoint secret)", errors=(400,))
def stripe_webhook() -> WebhookOut:
    """Verified with Stripe's signature scheme; each event id is applied once."""
    event = stripe_gateway.verify_webhook(request.get_data(),
                                          request.headers.get("Stripe-Signature"))
    event_id, event_type, obj = webhooks.parse_event(event)
    result = webhooks.handle_event(event_id, event_type, obj, now=utcnow(),
                                   today=today_in())
    return WebhookOut(result=result)


@bp.operation("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/report",
              method="GET", response=UsageReportOut, errors=(404,),
              summary="How the budget is used: aggregates over at least k employees")
def usage_report(user: User, enterprise_id: int, programme_id: int) -> UsageReportOut:
    enterprise = _enterprise(user, enterprise_id)
    programme = _programme(enterprise, programme_id, remembered=True)  # read, not written
    report = reports.usage_report(enterprise, programme, actor=user, on=today_in(),
                                  now=utcnow())
    return UsageReportOut(
        period_key=report.period_key, currency=report.currency, k=report.k,
        departments=[DepartmentLineOut(
            department=None if line.name == reports.OTHER else line.name,
            employees=line.employees, allocated_minor=line.allocated_minor,
            spent_minor=line.spent_minor, remaining_minor=line.remaining_minor)
            for line in report.departments],
        groups_withheld=report.groups_withheld, released_at=report.released_at,
        categories=[CategoryLineOut(category=c, people=n, spent_minor=v)
                    for c, n, v in report.categories],
        participation_percent=report.participation_percent,
        over_time=[PeriodUseOut(period_key=p.period_key, employees=p.employees,
                                allocated_minor=p.allocated_minor, spent_minor=p.spent_minor)
                   for p in report.over_time])


@bp.operation("/enterprises/<int:enterprise_id>/programmes/<int:programme_id>/top-ups",
              method="POST", scope=ApiScope.WRITE, body=TopUpIn, response=TopUpOut,
              status=201, errors=(404, 409, 502),
              summary="Fund a programme by card (confirmed by Stripe's webhook)")
def create_top_up(user: User, enterprise_id: int, programme_id: int, body: TopUpIn) -> TopUpOut:
    """Send an ``Idempotency-Key`` header: retries with the same key create one payment."""
    programme = _programme(_enterprise(user, enterprise_id), programme_id)
    key = request.headers.get("Idempotency-Key", "")[:32] or utcnow().isoformat()
    record, client_secret = topups.start_top_up(programme, amount_minor=body.amount_minor,
                                                actor=user, now=utcnow(), request_key=key)
    return TopUpOut(id=record.id, programme_id=programme.id, amount_minor=record.amount_minor,
                    currency=record.currency, status=record.status.value,
                    client_secret=client_secret)


@bp.operation("/providers/<int:provider_id>/statements/<month>", method="GET",
              response=StatementOut, errors=(404, 422),
              summary="A provider's settlement statement for a month (YYYY-MM)")
def provider_statement(user: User, provider_id: int, month: str) -> StatementOut:
    provider = get_or_404(ProviderOrganisation, provider_id)
    return StatementOut.of(statements.provider_statement(provider, month=month, actor=user))
