"""Checkout: a priced booking paid by the budget, by card (Stripe), or both.

The flow keeps external calls outside database locks:
1. ``quote`` reads what the budget covers (bounded by balance and category cap).
2. ``start_checkout`` first asks Stripe for a PaymentIntent for the card share (no lock is
   held; the idempotency key makes a retry return the same intent), then, in the request's
   transaction, holds the budget share in the ledger (balances and category caps read again
   under the accounts' locks: ``hold_budget``) and records the payment.
3. Budget only: the hold is captured and the booking confirmed at once. With a card share:
   Stripe's webhook (``handle_event``) captures and confirms on success, and releases the
   hold and the place on failure. A lapsed hold releases it too.
4. A cancellation refunds what the policy says, to the budget's period (or the programme's
   pot once that period is over) and to the card through Stripe, after the commit.

Everything payable goes through the same steps with ``start_subject_checkout(Charge(...))``:
a booking (``start_checkout`` builds its charge; kind ``booking``), a course, an event place,
a care agreement; see ``benefits.subjects`` for the seam. The ledger entries themselves are
posted by ``benefits.postings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from benefits import booking_payments, budgets, incidents, postings, stripe_gateway, subjects
from benefits.errors import (
    BookingNotPayable,
    CardPaymentUnavailable,
    InsufficientFunds,
    NotPayable,
)
from benefits.models import (
    BudgetProgramme,
    IncidentKind,
    LedgerAccount,
    Payment,
    PaymentStatus,
)
from booking.models import Booking, BookingStatus
from booking.signals import CancellationOutcome
from core.accounts.models import User
from core.db import db, on_commit
from core.money import FULL, prorate, share
from core.policy import Action, require


@dataclass(frozen=True)
class Quote:
    price_minor: int
    budget_minor: int
    card_minor: int
    currency: str
    programme: BudgetProgramme | None


def quote_for(payer: User, *, price_minor: int, currency: str, category: str,
              for_dependant: bool, today: date) -> Quote:
    """How a price splits for ``payer``: what the best of their programmes covers for
    ``category`` (bounded by balance and the category's cap or pot), and what is left for
    the card."""
    best: tuple[int, BudgetProgramme | None] = (0, None)
    for membership in payer.active_memberships:
        if membership.enterprise_id is None:
            continue
        for programme in budgets.programmes_of(membership.enterprise_id, remembered=True):
            if programme.currency != currency:
                continue
            if for_dependant and not programme.dependants_allowed:
                continue
            available = budgets.spendable(payer.id, programme, category=category,
                                          today=today).available_minor
            if available > best[0]:
                best = (available, programme)
    budget = min(best[0], price_minor)
    return Quote(price_minor=price_minor, budget_minor=budget,
                 card_minor=price_minor - budget, currency=currency,
                 programme=best[1] if budget else None)


def quote(booking: Booking, *, today: date) -> Quote:
    """How the booking's price splits: what the budget covers, and what is left for the
    card."""
    return quote_for(booking.client, price_minor=booking.price_minor,
                     currency=booking.currency, category=booking.service.category.value,
                     for_dependant=booking.dependant_id is not None, today=today)


def payment_for(booking: Booking) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.booking_id == booking.id))


def payment_for_subject(kind: str, subject_id: int) -> Payment | None:
    if kind == subjects.BOOKING:
        return db.session.scalar(select(Payment).where(Payment.booking_id == subject_id))
    return db.session.scalar(select(Payment).where(Payment.subject_kind == kind,
                                                   Payment.subject_id == subject_id))


def platform_fee(price_minor: int) -> int:
    """The platform's fee on a price (``PLATFORM_FEE_BASIS_POINTS``), rounded down to the
    fen like every share (``core.money.share``)."""
    return share(price_minor, int(current_app.config.get("PLATFORM_FEE_BASIS_POINTS", 0)))


def _fee_of(payment: Payment) -> int:
    """The platform's fee on this payment, when its subject's handler says so (bookings,
    courses and care agreements: yes; the park's own events: no)."""
    if not subjects.handler_of(payment).platform_fee:
        return 0
    return platform_fee(payment.price_minor)


def _payable(payment: Payment, *, now: datetime) -> LedgerAccount:
    """Who receives the money: a booking's provider, or a subject's chosen payee."""
    return postings.payable_account(payment, now=now)


def _card_intent(split: Quote, *, key: str,
                 metadata: dict[str, str]) -> stripe_gateway.Intent | None:
    """The Stripe PaymentIntent for the card share, or None when the budget pays it all.
    Created before any lock is taken; the key names the subject and the amount, so that a
    retry meets the same intent. Raises CardPaymentUnavailable, PaymentProviderFailed."""
    if not split.card_minor:
        return None
    if not stripe_gateway.card_payments_enabled():
        raise CardPaymentUnavailable()
    return stripe_gateway.create_payment_intent(
        amount_minor=split.card_minor, currency=split.currency,
        idempotency_key=f"{key}-card-{split.card_minor}", metadata=metadata)


@dataclass(frozen=True)
class CheckoutResult:
    payment: Payment
    client_secret: str | None


def start_checkout(booking: Booking, *, actor: User, now: datetime,
                   today: date) -> CheckoutResult:
    """Pay a held booking: the payable subject ``booking`` at ``start_subject_checkout``.
    Raises NotFound (not the actor's), BookingNotPayable, CardPaymentUnavailable (a card
    share with Stripe switched off), PaymentProviderFailed (Stripe failed: nothing was
    written), InsufficientFunds (the budget moved meanwhile)."""
    require(actor, Action.OWN_RECORD, booking)
    existing = payment_for(booking)
    if existing is None and (booking.status is not BookingStatus.HELD
                             or booking.hold_lapsed(now=now)):
        raise BookingNotPayable()
    if existing is None and booking.series_id is not None and payment_for_subject(
            "booking_series", booking.series_id) is not None:
        raise BookingNotPayable()  # paid (or being paid) with its whole course
    return start_subject_checkout(charge_for_booking(booking, now=now), now=now, today=today)


def charge_for_booking(booking: Booking, *, now: datetime) -> Charge:
    """A booking as a charge: its price, to its provider's payable."""
    return Charge(kind=subjects.BOOKING, subject_id=booking.id, payer=booking.client,
                  price_minor=booking.price_minor, currency=booking.currency,
                  category=booking.service.category.value,
                  payee=postings.provider_payable(booking.provider_id,
                                                  currency=booking.currency, now=now),
                  for_dependant=booking.dependant_id is not None)


@dataclass(frozen=True)
class Charge:
    """One registered subject to pay (see ``benefits.subjects``)."""

    kind: str  #: a registered subject kind
    subject_id: int
    payer: User
    price_minor: int
    currency: str
    #: The budget category it counts against (programme caps and pots apply to it).
    category: str
    #: Who receives the money, e.g. the park's event income account.
    payee: LedgerAccount
    #: For a family member: only programmes that allow dependants pay.
    for_dependant: bool = False


def quote_charge(charge: Charge, *, today: date) -> Quote:
    return quote_for(charge.payer, price_minor=charge.price_minor, currency=charge.currency,
                     category=charge.category, for_dependant=charge.for_dependant,
                     today=today)


def start_subject_checkout(charge: Charge, *, now: datetime, today: date) -> CheckoutResult:
    """Pay a registered subject (a booking too): Stripe first (no lock held; an
    idempotency key per subject and amount), then the subject's locks, the budget hold and
    the payment; budget only settles at once. Raises NotPayable (BookingNotPayable for a
    booking), CardPaymentUnavailable, PaymentProviderFailed, InsufficientFunds, and whatever
    the handler's ``lock_payable`` or ``settled`` raise."""
    handler = subjects.handler(charge.kind)
    not_payable = BookingNotPayable if charge.kind == subjects.BOOKING else NotPayable
    existing = payment_for_subject(charge.kind, charge.subject_id)
    if existing is not None:
        if existing.status is PaymentStatus.PENDING and existing.stripe_payment_intent_id:
            known = stripe_gateway.retrieve_payment_intent(existing.stripe_payment_intent_id)
            return CheckoutResult(existing, known.client_secret)
        raise not_payable()
    free = charge.price_minor <= 0 and charge.kind != subjects.BOOKING  # as bookings always were
    if free or charge.payee.currency != charge.currency:
        raise not_payable()
    split = quote_charge(charge, today=today)
    intent = _card_intent(split, key=f"{charge.kind}-{charge.subject_id}",
                          metadata=_intent_metadata(charge))
    # The subject's own locks before any ledger account: the order every write to it takes
    # them in (a cancellation locks these, then refunds), so that none deadlocks.
    handler.lock_payable(charge.subject_id, now=now)
    if payment_for_subject(charge.kind, charge.subject_id) is not None:
        raise not_payable()  # a parallel checkout of the same subject got there first
    payment = Payment(**_stored_subject(charge), user_id=charge.payer.id,
                      programme_id=split.programme.id if split.programme else None,
                      category=charge.category, currency=split.currency,
                      price_minor=split.price_minor, budget_minor=split.budget_minor,
                      card_minor=split.card_minor, status=PaymentStatus.PENDING,
                      stripe_payment_intent_id=intent.id if intent else None,
                      created_at=now, updated_at=now)
    db.session.add(payment)
    db.session.flush()
    if split.budget_minor:
        assert split.programme is not None  # a budget share comes from a programme
        hold_budget(payment, split.programme, now=now, today=today)
    if not split.card_minor:
        _capture(payment, now=now)
        handler.settled(payment, actor=charge.payer, now=now)
    return CheckoutResult(payment, intent.client_secret if intent else None)


def _intent_metadata(charge: Charge) -> dict[str, str]:
    if charge.kind == subjects.BOOKING:
        return {"booking_id": str(charge.subject_id)}
    return {"subject_kind": charge.kind, "subject_id": str(charge.subject_id)}


def _stored_subject(charge: Charge) -> dict[str, object]:
    """Where a payment names what it pays for: a booking's own columns (which predate the
    seam), or the subject's kind, id and payee."""
    if charge.kind == subjects.BOOKING:
        return {"booking_id": charge.subject_id, "provider_id": charge.payee.provider_id}
    return {"subject_kind": charge.kind, "subject_id": charge.subject_id,
            "payee_account_id": charge.payee.id}


#: Kept here for the callers that hold a budget share themselves (tests, the seed).
hold_budget = postings.hold_budget


def settle(payment: Payment, booking: Booking | None = None, *, actor: User | None,
           now: datetime) -> None:
    """Everything is paid for a booking: as ``settle_subject``. Raises BookingNotPayable,
    SubjectGone (the booking's place has gone)."""
    settle_subject(payment, actor=actor, now=now)


def settle_subject(payment: Payment, *, actor: User | None, now: datetime) -> None:
    """Everything is paid for a subject (a booking too): lock it (before the ledger),
    capture the budget hold, book the card money, and tell its handler. Raises NotPayable,
    SubjectGone (the handler's: the caller releases and refunds)."""
    handler = subjects.handler_of(payment)
    handler.lock_payable(subjects.subject_id_of(payment), now=now)
    _capture(payment, now=now)
    handler.settled(payment, actor=actor, now=now)


def lock_booking(booking: Booking) -> None:
    """The booking's row locks (practitioner, then client), to take before any ledger
    account's."""
    booking_payments.lock_booking(booking)


def _capture(payment: Payment, *, now: datetime) -> None:
    postings.capture(payment, fee_minor=_fee_of(payment), now=now)
    payment.status = PaymentStatus.PAID
    payment.updated_at = now


def release(payment: Payment, *, now: datetime, cancel_intent: bool = True) -> None:
    """Nothing is taken: the budget hold goes back and a pending card intent is cancelled
    (after the commit)."""
    if payment.status is not PaymentStatus.PENDING:
        return
    postings.release_hold(payment, now=now)
    payment.status = PaymentStatus.RELEASED
    payment.updated_at = now
    if cancel_intent and payment.stripe_payment_intent_id:
        # Cancelled while nothing is paid; refunded when it succeeded meanwhile (its
        # webhook not here yet): Stripe refuses to cancel a succeeded intent.
        intent_id, amount = payment.stripe_payment_intent_id, payment.card_minor
        key = late_refund_key(payment)
        on_commit(lambda: stripe_gateway.cancel_or_refund(intent_id, amount_minor=amount,
                                                          idempotency_key=key))


def late_refund_key(payment: Payment) -> str:
    """The one idempotency key of giving a payment's card share back whole because its
    hold had ended, however many paths (the lapse, the late webhook, reconcile) ask."""
    return f"late-refund-pay{payment.id}"


def refund_card_in_full(payment: Payment, *, now: datetime) -> None:
    """A card payment that arrived after its place was gone (its hold already released)
    goes back whole, through Stripe after the commit. Nothing of it was captured, so the
    ledger does not move; the payment is recorded as ``refunded`` with everything back
    (the card share by this refund, the budget share by the hold's release), so that what
    it says agrees with Stripe (a succeeded intent) and nets to nothing spent."""
    if payment.status is not PaymentStatus.RELEASED:
        raise ValueError("only a released payment's late card money is refunded whole")
    intent_id, amount = payment.stripe_payment_intent_id, payment.card_minor
    assert intent_id is not None  # card money came through an intent
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_budget_minor, payment.refunded_card_minor = payment.budget_minor, amount
    payment.updated_at = now
    key = late_refund_key(payment)
    on_commit(lambda: stripe_gateway.refund(intent_id, amount_minor=amount,
                                            idempotency_key=key))


def record_stripe_refund(payment: Payment, *, refunded_minor: int, charge_id: str,
                         now: datetime) -> str:
    """Stripe says ``refunded_minor`` of the card share has gone back so far (its
    ``charge.refunded``). What we refunded ourselves is already posted and recognised by the
    amount; a refund made on Stripe's side (its dashboard) posts a refund entry from the
    payee to Stripe's clearing account, and is recorded and alerted so that a person decides
    about the booking. Returns what was done."""
    new = refunded_minor - payment.refunded_card_minor
    if new <= 0:
        return "already_recorded"
    if payment.status is PaymentStatus.PENDING:
        return "not_settled"  # the success has not arrived: reconcile repairs it later
    if payment.status is PaymentStatus.RELEASED:
        # Succeeded after its hold ended and refunded (by the lapse or by hand): nothing
        # of it was captured, so the ledger does not move.
        payment.status = PaymentStatus.REFUNDED
        payment.refunded_budget_minor = payment.budget_minor
        payment.refunded_card_minor = refunded_minor
        payment.updated_at = now
        return "late_refunded"
    try:
        postings.stripe_refund(payment, amount_minor=new, refunded_minor=refunded_minor,
                               charge_id=charge_id, now=now)
    except InsufficientFunds:
        incidents.record(IncidentKind.REFUND_NOT_POSTED, payment=payment,
                         stripe_object_id=charge_id, amount_minor=refunded_minor,
                         currency=payment.currency, now=now,
                         detail=f"the payee's account cannot give back {new}")
        return "refund_not_posted"
    payment.refunded_card_minor = refunded_minor
    payment.updated_at = now
    incidents.record(IncidentKind.REFUNDED_ON_STRIPE, payment=payment,
                     stripe_object_id=charge_id, amount_minor=refunded_minor,
                     currency=payment.currency, now=now,
                     detail=f"{new} refunded on Stripe's side; the ledger follows")
    return "refund_posted"


def refund(payment: Payment, outcome: CancellationOutcome, *, now: datetime,
           today: date) -> None:
    """Give back what the booking's cancellation policy says."""
    refund_share(payment, basis_points=outcome.refund_basis_points, now=now, today=today)


@dataclass(frozen=True)
class Part:
    """One part of a payment that is refunded on its own, e.g. one session of a course paid
    in one checkout: its key (in the ledger references) and its price."""

    key: str
    price_minor: int


def refund_share(payment: Payment, *, basis_points: int, now: datetime, today: date,
                 part: Part | None = None) -> None:
    """Give back ``basis_points`` of what was paid (``FULL``: everything), or of one
    ``part`` of it, split proportionally between the budget and the card; the card refund
    goes to Stripe after the commit. Every share is rounded down (``core.money``). A payment
    still pending is released instead; one released or refunded in full is left alone, and
    a part is refunded once."""
    if not 0 <= basis_points <= FULL:
        raise ValueError(f"basis_points is a share between 0 and {FULL}")
    if payment.status is PaymentStatus.PENDING:
        release(payment, now=now)
        return
    if payment.status is not PaymentStatus.PAID:
        return
    suffix = f":{part.key}" if part else ""
    if part and postings.is_refunded(payment, suffix):
        return
    budget, card, fee = payment.budget_minor, payment.card_minor, _fee_of(payment)
    if part is not None:
        budget, card, fee = (prorate(x, part.price_minor, payment.price_minor)
                             for x in (budget, card, fee))
    budget_back, card_back = share(budget, basis_points), share(card, basis_points)
    if part is None:  # less what parts or Stripe's side gave back already: never twice
        budget_back = max(0, budget_back - payment.refunded_budget_minor)
        card_back = max(0, card_back - payment.refunded_card_minor)
    postings.refund(payment, postings.RefundAmounts(budget_minor=budget_back,
                                                    card_minor=card_back,
                                                    fee_minor=share(fee, basis_points)),
                    now=now, today=today, suffix=suffix)
    if card_back:
        intent_id = payment.stripe_payment_intent_id
        assert intent_id is not None  # card money came through an intent
        key = f"refund-pay{payment.id}{suffix.replace(':', '-')}"
        on_commit(lambda: stripe_gateway.refund(intent_id, amount_minor=card_back,
                                                idempotency_key=key))
    payment.refunded_budget_minor += budget_back
    payment.refunded_card_minor += card_back
    if part is None or (payment.refunded_budget_minor >= payment.budget_minor
                        and payment.refunded_card_minor >= payment.card_minor):
        payment.status = PaymentStatus.REFUNDED
    payment.updated_at = now
