"""Typed models for rosters, budget programmes and the ledger. Pure: no I/O."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Enterprise, User
from core.db import Model, UTCDateTime, str_enum

# -- rosters ------------------------------------------------------------------------------


class RosterEntry(Model):
    """An employee as the employer's HR system knows them: number, department, grade."""

    __tablename__ = "roster_entries"
    __table_args__ = (UniqueConstraint("enterprise_id", "employee_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    employee_no: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    enterprise: Mapped[Enterprise] = relationship()
    user: Mapped[User | None] = relationship()


# -- budget programmes -------------------------------------------------------------------


class BudgetPeriod(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return str(PERIOD_LABELS[self])


PERIOD_LABELS = {BudgetPeriod.MONTHLY: _l("Monthly"), BudgetPeriod.QUARTERLY: _l("Quarterly"),
                 BudgetPeriod.YEARLY: _l("Yearly")}


class BudgetProgramme(Model):
    """What an enterprise gives each employee per period, and on what terms."""

    __tablename__ = "budget_programmes"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("rollover_limit_minor >= 0", name="rollover_not_negative"),
        CheckConstraint("expiry_days >= 0", name="expiry_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    period: Mapped[BudgetPeriod] = mapped_column(str_enum(BudgetPeriod))
    #: The flat amount per employee per period, in minor units; rules may override it.
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    dependants_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    #: How much unspent budget carries into the next period (0: none).
    rollover_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Days after a period ends during which its budget can still be spent.
    expiry_days: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date] = mapped_column(Date)
    #: Whether someone who joins during a period gets that period's budget in proportion
    #: to the days left in it (``benefits.budgets.prorated``), or all of it.
    prorate_joiners: Mapped[bool] = mapped_column(Boolean, default=True,
                                                  server_default=true())
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    enterprise: Mapped[Enterprise] = relationship()
    amount_rules: Mapped[list[ProgrammeAmountRule]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="ProgrammeAmountRule.id")
    category_caps: Mapped[list[CategoryCap]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="CategoryCap.id")

    def amount_for(self, *, department: str | None, grade: str | None) -> int:
        """The most specific rule wins: department and grade, then grade, then department,
        then the flat amount."""
        rule = self.rule_for(department=department, grade=grade)
        return self.amount_minor if rule is None else rule.amount_minor

    def rule_for(self, *, department: str | None,
                 grade: str | None) -> ProgrammeAmountRule | None:
        """The rule that sets the amount for this department and grade, or None (the flat
        amount)."""
        best: tuple[int, ProgrammeAmountRule] | None = None
        for rule in self.amount_rules:
            if rule.grade not in (None, grade) or rule.department not in (None, department):
                continue
            specificity = (rule.grade is not None) * 2 + (rule.department is not None)
            if best is None or specificity > best[0]:
                best = (specificity, rule)
        return None if best is None else best[1]

    def cap_for(self, category: str) -> CategoryCap | None:
        return next((c for c in self.category_caps if c.category == category), None)


class ProgrammeAmountRule(Model):
    """A per-grade and/or per-department amount that replaces the flat amount."""

    __tablename__ = "programme_amount_rules"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("grade IS NOT NULL OR department IS NOT NULL", name="has_condition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("budget_programmes.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(100))
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    programme: Mapped[BudgetProgramme] = relationship(back_populates="amount_rules")


class CategoryCap(Model):
    """A limit on one category: at most ``cap_basis_points`` of the period's allocation, or
    a separate pot of its own (``pot_amount_minor``), e.g. childcare."""

    __tablename__ = "category_caps"
    __table_args__ = (
        UniqueConstraint("programme_id", "category"),
        CheckConstraint("cap_basis_points IS NULL OR (cap_basis_points >= 0 "
                        "AND cap_basis_points <= 10000)", name="cap_is_a_share"),
        CheckConstraint("pot_amount_minor IS NULL OR pot_amount_minor >= 0",
                        name="pot_not_negative"),
        CheckConstraint("cap_basis_points IS NOT NULL OR pot_amount_minor IS NOT NULL",
                        name="cap_or_pot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("budget_programmes.id"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    cap_basis_points: Mapped[int | None] = mapped_column(Integer)
    pot_amount_minor: Mapped[int | None] = mapped_column(BigInteger)

    programme: Mapped[BudgetProgramme] = relationship(back_populates="category_caps")

    @property
    def is_own_pot(self) -> bool:
        return self.pot_amount_minor is not None


# -- the ledger --------------------------------------------------------------------------


class AccountKind(StrEnum):
    #: Where outside money comes from (bank transfers): goes negative as it funds.
    EXTERNAL_FUNDING = "external_funding"
    #: Card money in transit through Stripe: negative until Stripe pays out.
    STRIPE_CLEARING = "stripe_clearing"
    #: An enterprise programme's pot, from which periods are allocated.
    PROGRAMME_FUNDS = "programme_funds"
    #: One employee's budget for one programme and period (``pot`` names a category pot).
    EMPLOYEE_BUDGET = "employee_budget"
    #: Budget set aside for a held booking, until captured or released.
    BUDGET_HOLD = "budget_hold"
    #: What the platform owes a provider.
    PROVIDER_PAYABLE = "provider_payable"
    #: The platform's fees.
    PLATFORM_FEES = "platform_fees"
    #: A park's income from paid events (scoped by ``park_id``): its committee's account.
    EVENT_INCOME = "event_income"


#: Kinds that are sources of money and may go below zero; every other account may not.
NEGATIVE_KINDS = frozenset({AccountKind.EXTERNAL_FUNDING, AccountKind.STRIPE_CLEARING})


class LedgerAccount(Model):
    """An account of the ledger. ``balance_minor`` is a projection of its entries, updated in
    the same transaction and checked by ``flask ledger check``; the CHECK constraint is the
    database's backstop against overspending."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint("allows_negative OR balance_minor >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A natural key, e.g. ``employee_budget:p3:u42:2026-11``.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind))
    currency: Mapped[str] = mapped_column(String(3))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("budget_programmes.id"),
                                                     index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider_organisations.id"),
                                                    index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    period_key: Mapped[str | None] = mapped_column(String(10))
    #: A category with a pot of its own (e.g. ``childcare``), else null.
    pot: Mapped[str | None] = mapped_column(String(24))
    allows_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TransactionKind(StrEnum):
    FUNDING = "funding"
    ALLOCATION = "allocation"
    HOLD = "hold"
    CAPTURE = "capture"
    RELEASE = "release"
    REFUND = "refund"
    EXPIRY = "expiry"
    RETURN = "return"  #: a leaver's unspent budget goes back to the enterprise
    CARD_PAYMENT = "card_payment"
    FEE = "fee"
    REVERSAL = "reversal"

    @property
    def label(self) -> str:
        return str(TRANSACTION_LABELS[self])


TRANSACTION_LABELS = {
    TransactionKind.FUNDING: _l("Funding"),
    TransactionKind.ALLOCATION: _l("Budget allocated"),
    TransactionKind.HOLD: _l("Held for a booking"),
    TransactionKind.CAPTURE: _l("Paid"),
    TransactionKind.RELEASE: _l("Hold released"),
    TransactionKind.REFUND: _l("Refund"),
    TransactionKind.EXPIRY: _l("Expired"),
    TransactionKind.RETURN: _l("Returned to the enterprise"),
    TransactionKind.CARD_PAYMENT: _l("Card payment"),
    TransactionKind.FEE: _l("Platform fee"),
    TransactionKind.REVERSAL: _l("Correction"),
}


class LedgerTransaction(Model):
    """One movement of money: two or more entries that sum to zero per currency.
    Append-only; a correction is a reversing transaction."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TransactionKind] = mapped_column(str_enum(TransactionKind))
    #: Makes a movement happen once: e.g. ``allocation:p3:u42:2026-11``.
    reference: Mapped[str | None] = mapped_column(String(200), unique=True)
    memo: Mapped[str] = mapped_column(String(300), default="")
    #: The service category a budget movement was for, so that category caps can be summed.
    category: Mapped[str | None] = mapped_column(String(24))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"),
                                                    unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="transaction",
                                                      order_by="LedgerEntry.id")


class LedgerEntry(Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
        # An account's entries with their amounts and transactions, straight from the index
        # (reports sum thousands of budget accounts; migration 0012).
        Index("ix_ledger_entries_account_amounts", "account_id", "transaction_id",
              "amount_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"),
                                                index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")
    account: Mapped[LedgerAccount] = relationship()


class BudgetUsage(Model):
    """What each employee budget account was given and spent, per service category: a
    running summary that ``ledger.post`` keeps in the same transaction as the entries
    (under the account's own lock), so that the enterprise report sums one row per
    account instead of every entry. ``flask ledger check`` proves it equals the entries;
    ``flask ledger rebuild-usage`` writes it afresh after a bulk load."""

    __tablename__ = "budget_usage"
    __table_args__ = (
        # A report reads one programme's periods straight from here, without the accounts.
        Index("ix_budget_usage_programme_period", "programme_id", "period_key", "user_id"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True)
    #: The transactions' service category; "" for none (allocations, uncategorised holds).
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    #: The account's programme, period and employee, copied so that reports need no join.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("budget_programmes.id"))
    period_key: Mapped[str | None] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Positive allocation entries: their sum and how many.
    allocated_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    allocations: Mapped[int] = mapped_column(Integer, default=0)
    #: Holds less releases, refunds and reversals.
    spent_minor: Mapped[int] = mapped_column(BigInteger, default=0)


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
@event.listens_for(LedgerTransaction, "before_update")
@event.listens_for(LedgerTransaction, "before_delete")
def _ledger_is_append_only(mapper: object, connection: object,
                           target: LedgerEntry | LedgerTransaction) -> None:
    raise LedgerIsAppendOnly(f"{type(target).__name__} {target.id} cannot be changed; "
                             "post a reversing transaction instead")


class LedgerIsAppendOnly(RuntimeError):
    """A programming error: something tried to edit or delete the ledger's history."""


# -- payments ----------------------------------------------------------------------------


class PaymentStatus(StrEnum):
    #: The budget share is held; the card share waits for Stripe.
    PENDING = "pending"
    PAID = "paid"
    #: Nothing was taken: the hold was released (expired, failed or abandoned).
    RELEASED = "released"
    #: Cancelled after payment; ``refunded_*`` say how much went back. Also a card payment
    #: that succeeded after its hold was released (the place had gone): the card share
    #: went back whole and the budget share with the hold, nothing was captured.
    REFUNDED = "refunded"


class Payment(Model):
    """How one payable subject is paid: the budget's share and the card's share.

    The subject is a booking (``booking_id``, paid to its provider) or any other kind
    registered in ``benefits.subjects`` (``subject_kind`` and ``subject_id``, paid to
    ``payee_account_id``), e.g. a park event registration; exactly one of the two is set.
    """

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("budget_minor >= 0 AND card_minor >= 0", name="shares_not_negative"),
        CheckConstraint("budget_minor + card_minor = price_minor", name="shares_add_up"),
        CheckConstraint("(booking_id IS NULL) <> (subject_kind IS NULL)",
                        name="one_subject"),
        CheckConstraint("booking_id IS NULL OR provider_id IS NOT NULL",
                        name="booking_has_provider"),
        CheckConstraint("subject_kind IS NULL OR (subject_id IS NOT NULL "
                        "AND payee_account_id IS NOT NULL)", name="subject_has_payee"),
        UniqueConstraint("subject_kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    #: A kind registered in ``benefits.subjects`` (e.g. ``park_registration``), else null.
    subject_kind: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    #: Who receives the money of a non-booking subject (a booking's goes to its provider).
    payee_account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_accounts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider_organisations.id"),
                                                    index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("budget_programmes.id"))
    category: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    budget_minor: Mapped[int] = mapped_column(BigInteger)
    card_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    refunded_budget_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_card_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def kind(self) -> str:
        """``booking`` or the registered subject kind."""
        return self.subject_kind or "booking"


class StripeEvent(Model):
    """A webhook event already processed: its id makes each event count once."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TopUp(Model):
    """An enterprise funding its programme by card: done when Stripe says it succeeded."""

    __tablename__ = "programme_top_ups"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("budget_programmes.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    stripe_payment_intent_id: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentKind(StrEnum):
    #: A webhook's amount or currency disagrees with the payment: nothing was posted.
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    #: A refund made on Stripe's side (its dashboard), posted to the ledger.
    REFUNDED_ON_STRIPE = "refunded_on_stripe"
    #: A refund made on Stripe's side that the ledger could not take (the payee's account
    #: had paid the money out): an operator settles it.
    REFUND_NOT_POSTED = "refund_not_posted"
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_CLOSED = "dispute_closed"


class PaymentIncident(Model):
    """Something about a card payment that a person must look at: recorded when the webhook
    or reconcile finds it, alerted (logged at ERROR, and mailed to
    ``PAYMENTS_ALERT_EMAIL``), and listed by ``flask payments reconcile``."""

    __tablename__ = "payment_incidents"
    __table_args__ = (UniqueConstraint("kind", "stripe_object_id", "amount_minor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    #: The Stripe object it is about (an intent, charge or dispute id).
    stripe_object_id: Mapped[str] = mapped_column(String(100))
    #: What Stripe said, in its minor units and currency (lower-cased as Stripe sends it).
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
