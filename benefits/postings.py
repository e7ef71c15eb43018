"""The one module that posts payments, pot payments and refunds to the ledger.

Everything that moves money *because something was paid for* is posted here, and nowhere
else (``tests/benefits/test_postings_architecture.py`` fails when another module calls
``ledger.post``, ``ledger.transfer`` or ``ledger.reverse``, or builds ledger rows):

- a checkout's budget hold (``hold_budget``, caps and balances read again under the
  accounts' locks), its capture and card money (``capture``), its release (``release_hold``);
- refunds of a payment by its cancellation policy (``refund``) and refunds made on Stripe's
  side (``stripe_refund``);
- an enterprise's pot paying a provider directly, for a sponsored family-physician agreement
  or a check-up campaign (``pot_payment``), and its refunds (``pot_refund``,
  ``reverse_pot_payment``);
- an enterprise's card top-up reaching its programme's pot (``top_up``).

The only other writers are ``benefits.ledger`` itself (the mechanism: balanced transactions,
locks, the CHECK constraint) and ``benefits.budgets`` for the budget's own administration
(funding by hand, allocations, expiries and returns: nothing paid for).

Callers decide *what* is owed (the split, the policy's share, the platform's fee: every
share rounded down by ``core.money``) and the states of their own rows; this module decides
*how* it is posted: which accounts, in which lock order, under which idempotent reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from benefits import budgets, ledger
from benefits.errors import InsufficientFunds
from benefits.models import (
    AccountKind,
    BudgetProgramme,
    LedgerAccount,
    LedgerTransaction,
    Payment,
    TopUp,
    TransactionKind,
)
from core.db import db

#: Refused under the lock: the quote's budget share is no longer there.
BUDGET_MOVED = _l("Your budget, or its limit for this category, changed while you were "
                  "paying (another payment used it). Nothing was charged; look at the new "
                  "split and try again.")


# -- accounts -------------------------------------------------------------------------------


def hold_account(payment: Payment, *, now: datetime) -> LedgerAccount:
    return ledger.get_account(AccountKind.BUDGET_HOLD, currency=payment.currency, now=now,
                              user_id=payment.user_id, programme_id=payment.programme_id)


def fees_account(currency: str, *, now: datetime) -> LedgerAccount:
    return ledger.get_account(AccountKind.PLATFORM_FEES, currency=currency, now=now)


def clearing_account(currency: str, *, now: datetime) -> LedgerAccount:
    return ledger.get_account(AccountKind.STRIPE_CLEARING, currency=currency, now=now)


def provider_payable(provider_id: int, *, currency: str, now: datetime) -> LedgerAccount:
    return ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency=currency, now=now,
                              provider_id=provider_id)


def payable_account(payment: Payment, *, now: datetime) -> LedgerAccount:
    """Who receives the money: a booking's provider, or a subject's chosen payee."""
    if payment.payee_account_id is not None:
        return db.session.get_one(LedgerAccount, payment.payee_account_id)
    assert payment.provider_id is not None  # a booking's payment has its provider
    return provider_payable(payment.provider_id, currency=payment.currency, now=now)


def hold_of(payment: Payment) -> LedgerTransaction | None:
    return ledger.find_by_reference(f"hold:pay{payment.id}")


# -- a checkout's payment -------------------------------------------------------------------


def hold_budget(payment: Payment, programme: BudgetProgramme, *, now: datetime,
                today: date) -> None:
    """Move the budget share from the spendable periods (oldest first) to the hold.

    The balances *and the category's cap* are read again under the accounts' locks: the
    quote was read without them, and a parallel checkout of the same person may have spent
    either since. The cap is kept per period account (``budgets.spendable``), so the lock
    on the accounts a hold draws from is the lock on their caps too. Raises
    InsufficientFunds (a clear 409: the split changed; nothing is written)."""
    hold = hold_account(payment, now=now)
    before = budgets.spendable(payment.user_id, programme, category=payment.category,
                               today=today)
    # The order every budget write takes (see benefits.ledger): all accounts at once, by id.
    locked = {a.id for a in ledger.lock_accounts([*before.accounts, hold])}
    now_spendable = budgets.spendable(payment.user_id, programme, category=payment.category,
                                      today=today)
    remaining, legs = payment.budget_minor, []
    for account, room in zip(now_spendable.accounts, now_spendable.room, strict=True):
        take = min(room, remaining) if account.id in locked else 0
        if take:
            legs.append(ledger.Leg(account, -take))
            remaining -= take
    if remaining:
        raise InsufficientFunds(BUDGET_MOVED)
    legs.append(ledger.Leg(hold, payment.budget_minor))
    ledger.post(TransactionKind.HOLD, legs, now=now, reference=f"hold:pay{payment.id}",
                category=payment.category)


def capture(payment: Payment, *, fee_minor: int, now: datetime) -> None:
    """Everything is paid: the budget hold to the payee, the card money from Stripe's
    clearing account to the payee, and the platform's fee (``fee_minor``) from the payee."""
    payable, fees = payable_account(payment, now=now), fees_account(payment.currency, now=now)
    # Every account of the capture locked at once, in id order, before the first posting
    # (each posting alone would lock only its own two, and another order could deadlock).
    ledger.lock_accounts([
        *([hold_account(payment, now=now)] if payment.budget_minor else []),
        *([clearing_account(payment.currency, now=now)] if payment.card_minor else []),
        payable, fees])
    if payment.budget_minor:
        ledger.transfer(TransactionKind.CAPTURE, source=hold_account(payment, now=now),
                        target=payable, amount_minor=payment.budget_minor,
                        now=now, reference=f"capture:pay{payment.id}",
                        category=payment.category)
    if payment.card_minor:
        ledger.transfer(TransactionKind.CARD_PAYMENT,
                        source=clearing_account(payment.currency, now=now),
                        target=payable, amount_minor=payment.card_minor,
                        now=now, reference=f"card:pay{payment.id}", category=payment.category)
    if fee_minor:
        ledger.transfer(TransactionKind.FEE, source=payable, target=fees,
                        amount_minor=fee_minor, now=now,
                        reference=f"fee:pay{payment.id}", category=payment.category)


def release_hold(payment: Payment, *, now: datetime) -> None:
    """Nothing is taken: the budget hold (if any) goes back where it came from."""
    hold = hold_of(payment)
    if hold is not None:
        ledger.reverse(hold, now=now, actor_id=None, memo=f"release pay{payment.id}")


def stripe_refund(payment: Payment, *, amount_minor: int, refunded_minor: int,
                  charge_id: str, now: datetime) -> None:
    """A refund made on Stripe's side: from the payee to Stripe's clearing account, once
    per amount refunded so far. Raises InsufficientFunds (nothing is written: a savepoint)."""
    payable = payable_account(payment, now=now)
    clearing = clearing_account(payment.currency, now=now)
    with db.session.begin_nested():
        ledger.transfer(TransactionKind.REFUND, source=payable, target=clearing,
                        amount_minor=amount_minor, now=now, category=payment.category,
                        reference=f"stripe-refund:pay{payment.id}:{refunded_minor}",
                        memo=f"refunded on Stripe, charge {charge_id}")


@dataclass(frozen=True)
class RefundAmounts:
    """What one refund gives back, each share already rounded (``core.money``)."""

    budget_minor: int
    card_minor: int
    fee_minor: int  #: the platform's fee on what goes back, from the fees to the payee


def is_refunded(payment: Payment, suffix: str) -> bool:
    """Whether a refund under this reference suffix (one part of a payment) was posted."""
    return any(ledger.find_by_reference(f"{kind}:pay{payment.id}{suffix}")
               for kind in ("fee-back", "budget-refund", "card-refund"))


def refund(payment: Payment, amounts: RefundAmounts, *, now: datetime, today: date,
           suffix: str = "") -> None:
    """Post a refund of a paid payment (or of one part of it, ``suffix``): the fee on it
    back to the payee, the budget share back to its periods (or the programme's pot for
    periods over), the card share from the payee to Stripe's clearing account (the caller
    asks Stripe after the commit)."""
    payable = payable_account(payment, now=now)
    _lock_refund_accounts(payment, payable, now=now)
    if amounts.fee_minor:  # the platform keeps its fee only on what the provider keeps
        ledger.transfer(TransactionKind.FEE, source=fees_account(payment.currency, now=now),
                        target=payable, amount_minor=amounts.fee_minor, now=now,
                        reference=f"fee-back:pay{payment.id}{suffix}", category=payment.category)
    if amounts.budget_minor:
        _refund_budget(payment, amounts.budget_minor, payable, now=now, today=today,
                       suffix=suffix)
    if amounts.card_minor:
        ledger.transfer(TransactionKind.REFUND, source=payable,
                        target=clearing_account(payment.currency, now=now),
                        amount_minor=amounts.card_minor, now=now,
                        reference=f"card-refund:pay{payment.id}{suffix}",
                        category=payment.category)


def _lock_refund_accounts(payment: Payment, payable: LedgerAccount, *, now: datetime) -> None:
    """Every account a refund may move, locked at once in id order (as ``capture``)."""
    accounts = [payable, fees_account(payment.currency, now=now)]
    if payment.card_minor:
        accounts.append(clearing_account(payment.currency, now=now))
    hold = hold_of(payment)
    if hold is not None:
        accounts += [entry.account for entry in hold.entries]
        if payment.programme_id is not None:
            accounts.append(budgets.funds_account(
                db.session.get_one(BudgetProgramme, payment.programme_id), now=now))
    ledger.lock_accounts(accounts)


def _refund_budget(payment: Payment, amount: int, payable: LedgerAccount, *, now: datetime,
                   today: date, suffix: str = "") -> None:
    """Back to the periods it came from while they can still be spent; to the programme's
    pot for periods already over. What earlier refunds (of other parts) gave back is taken
    from the hold's entries first, so that no period gets back more than it gave."""
    hold = hold_of(payment)
    programme = db.session.get_one(BudgetProgramme, payment.programme_id)
    legs, remaining, given_back = [], amount, payment.refunded_budget_minor
    assert hold is not None  # a budget share was held
    for entry in hold.entries:
        if entry.amount_minor >= 0 or not remaining:
            continue
        left = -entry.amount_minor - min(-entry.amount_minor, given_back)
        given_back -= -entry.amount_minor - left
        back = min(left, remaining)
        if not back:
            continue
        target = entry.account
        assert target.period_key is not None  # held from an employee's period budget
        if budgets.spendable_until(programme, target.period_key) < today:
            target = budgets.funds_account(programme, now=now)
        legs.append(ledger.Leg(target, back))
        remaining -= back
    legs.append(ledger.Leg(payable, -amount))
    ledger.post(TransactionKind.REFUND, legs, now=now,
                reference=f"budget-refund:pay{payment.id}{suffix}", category=payment.category)


# -- an enterprise's pot paying directly ----------------------------------------------------


def pot_payment(programme: BudgetProgramme, payable: LedgerAccount, *, amount_minor: int,
                fee_minor: int | None, reference: str, category: str, actor_id: int | None,
                memo: str, now: datetime) -> None:
    """The programme's pot pays ``payable`` (a provider) ``amount_minor`` under
    ``reference``, and the platform's fee (``fee_minor``, under ``fee:<reference>``) from
    there; ``None`` where no platform fee applies at all (a check-up campaign). Raises
    InsufficientFunds (the pot cannot cover it)."""
    pot = budgets.funds_account(programme, now=now)
    if fee_minor is not None:
        fees = fees_account(payable.currency, now=now)
        ledger.lock_accounts([pot, payable, fees])
    ledger.transfer(TransactionKind.CAPTURE, source=pot, target=payable,
                    amount_minor=amount_minor, now=now, reference=reference,
                    actor_id=actor_id, category=category, memo=memo)
    if fee_minor:
        ledger.transfer(TransactionKind.FEE, source=payable, target=fees,
                        amount_minor=fee_minor, now=now, reference=f"fee:{reference}",
                        category=category)


def pot_fee_taken(reference: str) -> int:
    """The platform's fee taken on the pot payment ``reference`` (0 when none)."""
    transaction = ledger.find_by_reference(f"fee:{reference}")
    if transaction is None:
        return 0
    return sum(e.amount_minor for e in transaction.entries if e.amount_minor > 0)


def pot_refund(programme: BudgetProgramme, payable: LedgerAccount, *, amount_minor: int,
               fee_minor: int, reference: str, category: str, memo: str,
               now: datetime) -> None:
    """Give a pot payment's share back: the fee on it (``fee-back:<reference>``) from the
    platform to the payee first, then ``amount_minor`` from the payee to the pot
    (``refund:<reference>``)."""
    pot = budgets.funds_account(programme, now=now)
    fees = fees_account(payable.currency, now=now)
    ledger.lock_accounts([pot, payable, fees])
    if fee_minor:
        ledger.transfer(TransactionKind.FEE, source=fees, target=payable,
                        amount_minor=fee_minor, now=now, reference=f"fee-back:{reference}",
                        category=category)
    if amount_minor:
        ledger.transfer(TransactionKind.REFUND, source=payable, target=pot,
                        amount_minor=amount_minor, now=now, reference=f"refund:{reference}",
                        category=category, memo=memo)


def reverse_pot_payment(reference: str, *, memo: str, now: datetime) -> None:
    """Undo a pot payment whole (its mirror image), if it was posted."""
    payment = ledger.find_by_reference(reference)
    if payment is not None:
        ledger.reverse(payment, now=now, actor_id=None, memo=memo)


# -- an enterprise's card top-up ------------------------------------------------------------


def top_up(top_up: TopUp, programme: BudgetProgramme, *, now: datetime) -> None:
    """The card money of a top-up Stripe says succeeded reaches the programme's pot."""
    ledger.transfer(TransactionKind.FUNDING, source=clearing_account(top_up.currency, now=now),
                    target=budgets.funds_account(programme, now=now),
                    amount_minor=top_up.amount_minor, now=now,
                    reference=f"topup:{top_up.id}", memo="card top-up")
