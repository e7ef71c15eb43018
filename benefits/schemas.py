"""API shapes for budgets, rosters and programmes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from benefits.models import BudgetPeriod, BudgetProgramme, RosterEntry
from benefits.queries import BudgetLine, HistoryLine
from core.api.pagination import Page


class BudgetLineOut(BaseModel):
    programme_id: int
    programme_name: str
    pot: str | None = Field(description="A category with its own pot, or null for the "
                                        "general budget.")
    available_minor: int
    currency: str

    @classmethod
    def of(cls, line: BudgetLine) -> BudgetLineOut:
        return cls(programme_id=line.programme.id, programme_name=line.programme.name,
                   pot=line.pot, available_minor=line.available_minor,
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


class MyBudgetOut(BaseModel):
    budgets: list[BudgetLineOut]
    held_minor: int
    history: list[HistoryOut]


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


class CapIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(max_length=24)
    cap_basis_points: int | None = Field(None, ge=0, le=10000,
                                         description="At most this share (1/100 %).")
    pot_amount_minor: int | None = Field(None, ge=0, description="A pot of its own.")


class AmountRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_minor: int = Field(ge=0)
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
    rollover_limit_minor: int = Field(0, ge=0)
    expiry_days: int = Field(0, ge=0, le=366)
    amount_rules: list[AmountRuleIn] = Field(default_factory=list)
    caps: list[CapIn] = Field(default_factory=list)


class CapOut(BaseModel):
    category: str
    cap_basis_points: int | None
    pot_amount_minor: int | None


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
    caps: list[CapOut]

    @classmethod
    def of(cls, programme: BudgetProgramme) -> ProgrammeOut:
        return cls(id=programme.id, name=programme.name, period=programme.period.value,
                   amount_minor=programme.amount_minor, currency=programme.currency,
                   starts_on=programme.starts_on,
                   dependants_allowed=programme.dependants_allowed,
                   rollover_limit_minor=programme.rollover_limit_minor,
                   expiry_days=programme.expiry_days,
                   caps=[CapOut(category=c.category, cap_basis_points=c.cap_basis_points,
                                pot_amount_minor=c.pot_amount_minor)
                         for c in programme.category_caps])


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]


class AllocationOut(BaseModel):
    period_key: str
    employees: int
    total_minor: int


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
    def of(cls, payment, client_secret: str | None = None) -> PaymentOut:
        return cls(id=payment.id, booking_id=payment.booking_id, subject_kind=payment.kind,
                   subject_id=payment.booking_id or payment.subject_id,
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
    def of(cls, statement) -> StatementOut:
        return cls(provider_id=statement.provider.id, month=statement.month,
                   currency=statement.currency, gross_minor=statement.gross_minor,
                   fees_minor=statement.fees_minor, refunds_minor=statement.refunds_minor,
                   net_minor=statement.net_minor,
                   lines=[StatementLineOut(at=line.at, kind=line.kind.value,
                                           reference=line.reference,
                                           amount_minor=line.amount_minor)
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
