"""Benefits' share of a person's export and account deletion (``core.accounts.
personal_data``): every ledger line on the person's budget accounts and their card payments.
The ledger is append-only and the park must keep it: on deletion its lines stay, pointing at
the anonymised account; only the link from the employer's roster to the account goes (the
roster line is the employer's own HR record)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from benefits.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentStatus,
    RosterEntry,
    TransactionKind,
)
from core.accounts.models import User
from core.accounts.personal_data import (
    Section,
    register_field_labels,
    register_section,
    register_value_labels,
)
from core.db import db

#: The readable export's words for this section's keys.
LABELS = {
    "accounts": _l("Budget accounts"), "period": _l("Period"), "pot": _l("Pot"),
    "ledger_lines": _l("Ledger lines"), "account_kind": _l("Account"),
    "payments": _l("Payments"), "card_minor": _l("By card"),
    "refunded_budget_minor": _l("Refunded to the budget"),
    "refunded_card_minor": _l("Refunded to the card"),
}

def export_budget(user: User, _now: datetime) -> dict[str, Any]:
    lines = db.session.execute(
        select(LedgerEntry, LedgerTransaction, LedgerAccount)
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.user_id == user.id)
        .order_by(LedgerTransaction.created_at, LedgerEntry.id)).all()
    accounts = db.session.scalars(select(LedgerAccount).where(LedgerAccount.user_id == user.id)
                                  .order_by(LedgerAccount.id))
    payments = db.session.scalars(select(Payment).where(Payment.user_id == user.id)
                                  .order_by(Payment.id))
    return {
        "accounts": [{"kind": a.kind.value, "period": a.period_key, "pot": a.pot,
                      "balance_minor": a.balance_minor, "currency": a.currency}
                     for a in accounts],
        "ledger_lines": [{"at": t.created_at.isoformat(), "kind": t.kind.value,
                          "category": t.category, "memo": t.memo,
                          "account_kind": a.kind.value, "period": a.period_key,
                          "amount_minor": e.amount_minor, "currency": e.currency}
                         for e, t, a in lines],
        "payments": [{"id": p.id, "category": p.category, "status": p.status.value,
                      "price_minor": p.price_minor, "budget_minor": p.budget_minor,
                      "card_minor": p.card_minor, "currency": p.currency,
                      "refunded_budget_minor": p.refunded_budget_minor,
                      "refunded_card_minor": p.refunded_card_minor,
                      "created_at": p.created_at.isoformat()} for p in payments],
    }


def erase(user: User, _now: datetime) -> None:
    db.session.execute(update(RosterEntry).where(RosterEntry.user_id == user.id)
                       .values(user_id=None))


#: The export's words for the ledger account kinds and payment states a person meets.
ACCOUNT_KIND_LABELS = {
    AccountKind.EMPLOYEE_BUDGET.value: _l("Benefits budget"),
    AccountKind.BUDGET_HOLD.value: _l("Set aside for a booking"),
}
PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING.value: _l("Waiting for payment"),
    PaymentStatus.PAID.value: _l("Paid"),
    PaymentStatus.RELEASED.value: _l("Released, nothing taken"),
    PaymentStatus.REFUNDED.value: _l("Refunded"),
}


def init_app() -> None:
    register_field_labels(LABELS)
    register_value_labels("kind", TransactionKind)
    register_value_labels("kind", ACCOUNT_KIND_LABELS)
    register_value_labels("account_kind", ACCOUNT_KIND_LABELS)
    register_value_labels("status", PAYMENT_STATUS_LABELS)
    register_section(Section(key="budget", title=_l("Budget"), export=export_budget,
                             erase=erase, order=60))
