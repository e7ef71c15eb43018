"""API shapes for budgets, rosters and programmes."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from benefits.entitlements import category_label
from benefits.models import BudgetPeriod, BudgetProgramme, Payment, RosterEntry
from benefits.queries import BudgetLine, Explained, HistoryLine
from benefits.subjects import subject_id_of
from core.api.pagination import Page
from core.i18n import current_locale_code

if TYPE_CHECKING:
    from benefits.budgets import AllocationResult
    from benefits.statements import Statement


class BudgetLineOut(BaseModel):
    programme_id: int
    programme_name: str
    pot: str | None = Field(description="A category with its own pot, or null for the "
                                        "general budget.")
    pot_name: str = Field(description="The pot's name in the caller's language.")
    available_minor: int
    currency: str

    @classmethod
    def of(cls, line: BudgetLine) -> BudgetLineOut:
        return cls(programme_id=line.programme.id, programme_name=line.programme.name,
                   pot=line.pot, pot_name=category_label(line.pot),
                   available_minor=line.available_minor,
                   currency=line.programme.currency)


class HistoryOut(BaseModel):
    at: datetime
    kind: str
    amount_minor: int
    currency: str
    category: str | None

    @classmethod
    def of(cls, line: HistoryLine) -> HistoryOut:
        return cls(at=line.at, kind=line.kind.value, amount_minor=line.amount_minor,
                   currency=line.currency, category=line.category)


class ExplanationOut(BaseModel):
    programme_id: int
    programme_name: str
    period_key: str
    base_minor: int = Field(description="The programme's base amount per period.")
    rule_grade: str | None = Field(description="The grade of the rule that sets the amount.")
    rule_department: str | None
    amount_minor: int = Field(description="The general budget per period, before proration.")
    period_minor: int = Field(description="The general budget this period (prorated).")
    prorated: bool
    days_left: int
    period_days: int
    allocated_minor: int | None = Field(description="What this period actually gave (all "
                                                    "parts), or null when not yet given.")
    lines: list[str] = Field(description="How the amount was worked out, in words.")

    @classmethod
    def of(cls, explained: Explained) -> ExplanationOut:
        ent = explained.entitlement
        return cls(programme_id=ent.programme.id, programme_name=ent.programme.name,
                   period_key=ent.period_key, base_minor=ent.base_minor,
                   rule_grade=ent.rule.grade if ent.rule else None,
                   rule_department=ent.rule.department if ent.rule else None,
                   amount_minor=ent.general.full_minor, period_minor=ent.general.minor,
                   prorated=ent.prorated, days_left=ent.days_left,
                   period_days=ent.period_days, allocated_minor=explained.allocated_minor,
                   lines=explained.lines)


class MyBudgetOut(BaseModel):
    budgets: list[BudgetLineOut]
    held_minor: int
    history: list[HistoryOut]
    explanations: list[ExplanationOut] = Field(default_factory=list)


class RosterEntryOut(BaseModel):
    id: int
    employee_no: str
    name: str
    email: str | None
    mobile: str | None
    department: str
    grade: str
    is_active: bool
    has_account: bool

    @classmethod
    def of(cls, entry: RosterEntry) -> RosterEntryOut:
        return cls(id=entry.id, employee_no=entry.employee_no, name=entry.name,
                   email=entry.email, mobile=entry.mobile, department=entry.department,
                   grade=entry.grade, is_active=entry.is_active,
                   has_account=entry.user_id is not None)


class RosterPage(Page[RosterEntryOut]):
    pass


class RosterEntryChange(BaseModel):
    """A person's department or grade (the programme rules that apply follow them)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    department: str | None = Field(None, min_length=1, max_length=100)
    grade: str | None = Field(None, min_length=1, max_length=40)


class RosterImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str = Field(min_length=1, max_length=2_000_000,
                     description="The roster as CSV text, first row naming the columns "
                                 "employee_no, name, email and/or mobile, department, grade.")
    import_valid_rows: bool = False


class RowErrorOut(BaseModel):
    row: int
    field: str
    message: str


class RosterImportOut(BaseModel):
    created: int
    updated: int
    invited: int
    skipped_rows: int
    errors: list[RowErrorOut]


class LeaverOut(BaseModel):
    entry: RosterEntryOut
    returned_minor: int


MAX_MINOR = 100_000_000  #: the ledger's largest amount (¥1,000,000)
CATEGORY_DOC = ("A service category: tcm, rehabilitation, counselling, culture, "
                "travel_wellness, childcare, eldercare or health_checkup.")


class CapIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(max_length=24, description=CATEGORY_DOC)
    cap_basis_points: int | None = Field(None, ge=0, le=10000,
                                         description="At most this share (1/100 %).")
    pot_amount_minor: int | None = Field(None, ge=0, le=MAX_MINOR,
                                         description="A pot of its own per period.")


class AmountRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_minor: int = Field(ge=0, le=MAX_MINOR, description="Replaces the base amount.")
    grade: str | None = Field(None, max_length=40)
    department: str | None = Field(None, max_length=100)


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    period: BudgetPeriod
    amount_minor: int = Field(ge=0, description="Per employee per period, in fen.")
    currency: str = Field("CNY", pattern="^[A-Z]{3}$")
    starts_on: date
    dependants_allowed: bool = True
    rollover_limit_minor: int = Field(0, ge=0, le=MAX_MINOR)
    expiry_days: int = Field(0, ge=0, le=366)
    prorate_joiners: bool = True
    amount_rules: list[AmountRuleIn] = Field(default_factory=list, max_length=200)
    caps: list[CapIn] = Field(default_factory=list, max_length=20)


class ProgrammeUpdateIn(BaseModel):
    """Every rule of a programme (PUT replaces them all). The period and currency stay."""
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    amount_minor: int = Field(ge=0, le=MAX_MINOR,
                              description="The base amount per employee per period, in fen.")
    starts_on: date
    dependants_allowed: bool = True
    rollover_limit_minor: int = Field(0, ge=0, le=MAX_MINOR)
    expiry_days: int = Field(0, ge=0, le=366)
    prorate_joiners: bool = Field(True, description="Joiners get the days left of the "
                                                    "period, rounded down to the fen.")
    amount_rules: list[AmountRuleIn] = Field(default_factory=list, max_length=200)
    caps: list[CapIn] = Field(default_factory=list, max_length=20)


class ProgrammePatchIn(BaseModel):
    """Only the rules given change; a list given (amount_rules, caps) replaces that list."""
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=100)
    amount_minor: int | None = Field(None, ge=0, le=MAX_MINOR)
    starts_on: date | None = None
    dependants_allowed: bool | None = None
    rollover_limit_minor: int | None = Field(None, ge=0, le=MAX_MINOR)
    expiry_days: int | None = Field(None, ge=0, le=366)
    prorate_joiners: bool | None = None
    amount_rules: list[AmountRuleIn] | None = Field(None, max_length=200)
    caps: list[CapIn] | None = Field(None, max_length=20)


class CapOut(BaseModel):
    category: str
    category_name: str = Field(description="The category's name in the caller's language.")
    cap_basis_points: int | None
    pot_amount_minor: int | None


class AmountRuleOut(BaseModel):
    grade: str | None
    department: str | None
    amount_minor: int


class ProgrammeOut(BaseModel):
    id: int
    name: str
    period: str
    amount_minor: int
    currency: str
    starts_on: date
    dependants_allowed: bool
    rollover_limit_minor: int
    expiry_days: int
    prorate_joiners: bool
    amount_rules: list[AmountRuleOut]
    caps: list[CapOut]

    @classmethod
    def of(cls, programme: BudgetProgramme) -> ProgrammeOut:
        return cls(id=programme.id, name=programme.name, period=programme.period.value,
                   amount_minor=programme.amount_minor, currency=programme.currency,
                   starts_on=programme.starts_on,
                   dependants_allowed=programme.dependants_allowed,
                   rollover_limit_minor=programme.rollover_limit_minor,
                   expiry_days=programme.expiry_days,
                   prorate_joiners=programme.prorate_joiners,
                   amount_rules=[AmountRuleOut(grade=r.grade, department=r.department,
                                               amount_minor=r.amount_minor)
                                 for r in programme.amount_rules],
                   caps=[CapOut(category=c.category,
                                category_name=category_label(c.category),
                                cap_basis_points=c.cap_basis_points,
                                pot_amount_minor=c.pot_amount_minor)
                         for c in programme.category_caps])


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]


class AllocatedOut(BaseModel):
    name: str
    user_id: int
    amount_minor: int
    prorated: bool


class SkippedOut(BaseModel):
    name: str
    user_id: int | None
    reason: str = Field(description="no_account, already_allocated or nothing_due.")
    reason_text: str = Field(description="The reason in the caller's language.")


class AllocationOut(BaseModel):
    period_key: str
    employees: int = Field(description="How many were given a budget by this run.")
    total_minor: int
    allocated: list[AllocatedOut] = Field(default_factory=list)
    skipped: list[SkippedOut] = Field(default_factory=list)

    @classmethod
    def of(cls, result: AllocationResult) -> AllocationOut:
        return cls(period_key=result.period_key, employees=result.employees,
                   total_minor=result.total_minor,
                   allocated=[AllocatedOut(name=a.name, user_id=a.user_id,
                                           amount_minor=a.amount_minor, prorated=a.prorated)
                              for a in result.allocated],
                   skipped=[SkippedOut(name=s.name, user_id=s.user_id, reason=s.reason.value,
                                       reason_text=s.reason.label) for s in result.skipped])


class FundingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_minor: int = Field(gt=0, le=100_000_000)
    bank_reference: str = Field(min_length=1, max_length=100)


class FundingOut(BaseModel):
    transaction_id: int
    funds_minor: int


class QuoteOut(BaseModel):
    price_minor: int
    budget_minor: int = Field(description="What the budget pays.")
    card_minor: int = Field(description="What is left to pay by card.")
    currency: str
    card_payments_enabled: bool


class PaymentOut(BaseModel):
    id: int
    booking_id: int | None = Field(description="The booking paid, or null for another "
                                               "subject (see subject_kind).")
    subject_kind: str = Field(description="booking, or e.g. park_registration.")
    subject_id: int
    status: str
    price_minor: int
    budget_minor: int
    card_minor: int
    currency: str
    refunded_budget_minor: int
    refunded_card_minor: int
    client_secret: str | None = Field(None, description="For Stripe.js to confirm the card "
                                                        "share; null when nothing is left.")

    @classmethod
    def of(cls, payment: Payment, client_secret: str | None = None) -> PaymentOut:
        return cls(id=payment.id, booking_id=payment.booking_id, subject_kind=payment.kind,
                   subject_id=subject_id_of(payment),
                   status=payment.status.value,
                   price_minor=payment.price_minor, budget_minor=payment.budget_minor,
                   card_minor=payment.card_minor, currency=payment.currency,
                   refunded_budget_minor=payment.refunded_budget_minor,
                   refunded_card_minor=payment.refunded_card_minor, client_secret=client_secret)


class WebhookOut(BaseModel):
    result: str


class StatementLineOut(BaseModel):
    at: datetime
    kind: str
    reference: str
    amount_minor: int
    booking_id: int | None = Field(None, description="The booking paid or refunded, if any.")
    service_title: str | None = Field(None, description="Its service, in the caller's "
                                                        "language.")
    booking_starts_at: datetime | None = Field(None, description="When the booking is.")


class StatementOut(BaseModel):
    provider_id: int
    month: str
    currency: str
    gross_minor: int
    fees_minor: int
    refunds_minor: int
    net_minor: int
    lines: list[StatementLineOut]

    @classmethod
    def of(cls, statement: Statement) -> StatementOut:
        return cls(provider_id=statement.provider.id, month=statement.month,
                   currency=statement.currency, gross_minor=statement.gross_minor,
                   fees_minor=statement.fees_minor, refunds_minor=statement.refunds_minor,
                   net_minor=statement.net_minor,
                   lines=[StatementLineOut(
                       at=line.at, kind=line.kind.value, reference=line.reference,
                       amount_minor=line.amount_minor, booking_id=line.booking_id,
                       service_title=line.service.title(current_locale_code())
                       if line.service else None,
                       booking_starts_at=line.booking_starts_at)
                          for line in statement.lines])


class DepartmentLineOut(BaseModel):
    department: str | None = Field(description="Null for the merged group of small departments.")
    employees: int
    allocated_minor: int
    spent_minor: int
    remaining_minor: int


class CategoryLineOut(BaseModel):
    category: str
    people: int
    spent_minor: int


class PeriodUseOut(BaseModel):
    period_key: str
    employees: int
    allocated_minor: int
    spent_minor: int


class UsageReportOut(BaseModel):
    period_key: str
    currency: str
    k: int = Field(description="Every figure covers at least this many employees.")
    departments: list[DepartmentLineOut]
    groups_withheld: bool = Field(description="Everyone together is fewer than k: no "
                                              "department is shown.")
    released_at: datetime | None = Field(None, description="When these figures were worked "
                                                           "out (once a day).")
    categories: list[CategoryLineOut]
    participation_percent: int | None
    over_time: list[PeriodUseOut] = Field(description="Recent periods with at least k "
                                                      "employees, oldest first.")


class TopUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_minor: int = Field(gt=0, le=100_000_000)


class TopUpOut(BaseModel):
    id: int
    programme_id: int
    amount_minor: int
    currency: str
    status: str
    client_secret: str | None
