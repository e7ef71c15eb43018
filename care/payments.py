"""What a family-physician agreement costs, who pays it, and how the money moves back when
it ends early. Every movement goes through the ledger.

- **Sponsored** (the employee's enterprise sponsors the team): the team's price moves from
  the enterprise's pot (the sponsorship's budget programme's ``programme_funds``) to the
  provider's payable in one ledger transaction (``care-sponsored:agreement<id>``), and the
  platform's fee from there, when the agreement is signed. A pot that cannot cover it:
  ``SponsorshipUnfunded``, nothing signed.
- **Priced** (not sponsored): through the benefits checkout as the payable subject
  ``care_agreement`` (``benefits.subjects``): the employee's budget first (the TCM cap
  applies to TCM teams), the rest by card. The agreement waits as ``pending`` until
  ``settled``; a hold not paid within ``CARE_PAYMENT_MINUTES`` (30) is released by the sweep
  ``flask care expire-unpaid`` (or when the person next signs). No card (no Stripe key) and
  not enough budget: ``BudgetNotEnough``, nothing signed.
- **Ending early** gives back the unused share, pro rata by days, to whoever paid (the
  budget's periods, or the programme's pot once a period is over; the card through Stripe
  after the commit; the sponsor's pot): ``unused_basis_points``. The platform keeps its fee
  only on what the provider keeps.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from benefits import budgets, checkout, postings, subjects
from benefits.errors import InsufficientFunds, NotPayable, SubjectGone
from benefits.models import (
    BudgetProgramme,
    LedgerAccount,
    Payment,
    PaymentStatus,
)
from care import lifecycle
from care.errors import SponsorshipUnfunded
from care.models import AgreementStatus, CareAgreement, CareSponsorship, CareTeam, TeamKind
from core.accounts.models import User
from core.db import db
from core.money import FULL, share, share_of

SUBJECT_KIND = "care_agreement"
DEFAULT_PAYMENT_MINUTES = 30


def category_of(team: CareTeam) -> str:
    """The budget category agreements count against: a programme's cap or pot for ``tcm``
    applies to TCM teams."""
    return "tcm" if team.kind is TeamKind.TCM else "general_practice"


def hold_until(*, now: datetime) -> datetime:
    minutes = int(current_app.config.get("CARE_PAYMENT_MINUTES", DEFAULT_PAYMENT_MINUTES))
    return now + timedelta(minutes=minutes)


def payable_account(agreement: CareAgreement, *, now: datetime) -> LedgerAccount:
    return postings.provider_payable(agreement.provider_id, currency=agreement.currency,
                                     now=now)


def payment_of(agreement: CareAgreement) -> Payment | None:
    return checkout.payment_for_subject(SUBJECT_KIND, agreement.id)


def quote(agreement: CareAgreement, *, today: date) -> checkout.Quote:
    """What the employee's budget would pay now and what is left for the card (a read:
    nothing is written)."""
    return checkout.quote_for(agreement.user, price_minor=agreement.price_minor,
                              currency=agreement.currency,
                              category=category_of(agreement.team), for_dependant=False,
                              today=today)


def charge_for(agreement: CareAgreement, *, now: datetime) -> checkout.Charge:
    return checkout.Charge(kind=SUBJECT_KIND, subject_id=agreement.id, payer=agreement.user,
                           price_minor=agreement.price_minor, currency=agreement.currency,
                           category=category_of(agreement.team),
                           payee=payable_account(agreement, now=now))


class AgreementPayments:
    """The handler benefits calls back for ``care_agreement`` payments."""

    platform_fee = True  #: a provider's service, as bookings are

    def lock_payable(self, subject_id: int, *, now: datetime) -> None:
        agreement = db.session.get(CareAgreement, subject_id)
        if agreement is None:
            raise NotPayable()
        if not lifecycle.lock_agreement(agreement).is_awaiting_payment(now=now):
            raise NotPayable()

    def settled(self, payment: Payment, *, actor: User | None, now: datetime) -> None:
        agreement = db.session.get(CareAgreement, payment.subject_id)
        if agreement is None or not agreement.is_awaiting_payment(now=now):
            raise SubjectGone()
        agreement.budget_minor = payment.budget_minor
        agreement.ledger_reference = f"pay{payment.id}"
        lifecycle.activate(agreement, now=now)

    def payment_failed(self, payment: Payment, *, now: datetime) -> None:
        agreement = db.session.get(CareAgreement, payment.subject_id)
        if agreement is not None and \
                lifecycle.lock_agreement(agreement).status is AgreementStatus.PENDING:
            lifecycle.mark_unpaid(agreement, now=now)


def init_app(app: Flask) -> None:
    subjects.register(app, SUBJECT_KIND, AgreementPayments())


def pay(agreement: CareAgreement, *, now: datetime, today: date) -> checkout.CheckoutResult:
    """Pay a pending agreement at the checkout: Stripe first for a card share (no lock
    held), then the agreement's locks, the budget hold and the payment; with nothing left
    for the card the agreement is signed at once. Raises NotPayable,
    CardPaymentUnavailable, PaymentProviderFailed, InsufficientFunds."""
    return checkout.start_subject_checkout(charge_for(agreement, now=now), now=now,
                                           today=today)


# -- sponsored agreements ---------------------------------------------------------------------


def sponsor_programme(sponsorship: CareSponsorship, *, currency: str
                      ) -> BudgetProgramme | None:
    """The programme whose pot pays: the sponsorship's own, or (for one made before pots
    paid) the enterprise's oldest active programme in the currency."""
    if sponsorship.programme_id is not None:
        programme = db.session.get(BudgetProgramme, sponsorship.programme_id)
        ok = programme is not None and programme.is_active and programme.currency == currency
        return programme if ok else None
    return next((p for p in budgets.programmes_of(sponsorship.enterprise_id)
                 if p.currency == currency), None)


def _pot_reference(agreement: CareAgreement) -> str:
    return f"care-sponsored:agreement{agreement.id}"


def pay_from_pot(agreement: CareAgreement, sponsorship: CareSponsorship, *, price_minor: int,
                 actor: User, now: datetime) -> None:
    """The sponsoring enterprise's pot pays the provider the team's price. Raises
    SponsorshipUnfunded (no programme, or its pot cannot cover it)."""
    if not price_minor:
        return
    programme = sponsor_programme(sponsorship, currency=agreement.currency)
    if programme is None:
        raise SponsorshipUnfunded()
    category, reference = category_of(agreement.team), _pot_reference(agreement)
    try:
        postings.pot_payment(programme, payable_account(agreement, now=now),
                             amount_minor=price_minor,
                             fee_minor=checkout.platform_fee(price_minor),
                             reference=reference, category=category, actor_id=actor.id,
                             memo=f"family physician agreement {agreement.id}, sponsored",
                             now=now)
    except InsufficientFunds as exc:
        raise SponsorshipUnfunded() from exc
    agreement.sponsor_minor, agreement.sponsor_programme_id = price_minor, programme.id
    agreement.ledger_reference = reference


def _refund_pot(agreement: CareAgreement, *, basis_points: int, now: datetime) -> int:
    """Give the sponsor's pot back its unused share (and the fee on it back to the
    provider first). Returns the amount."""
    programme = db.session.get(BudgetProgramme, agreement.sponsor_programme_id)
    amount = share(agreement.sponsor_minor, basis_points)
    fee_back = share(postings.pot_fee_taken(_pot_reference(agreement)), basis_points)
    postings.pot_refund(programme, payable_account(agreement, now=now), amount_minor=amount,
                        fee_minor=fee_back, reference=_pot_reference(agreement),
                        category=category_of(agreement.team),
                        memo=f"family physician agreement {agreement.id} ended early", now=now)
    return amount


# -- ending ----------------------------------------------------------------------------------


def unused_basis_points(agreement: CareAgreement, *, now: datetime) -> int:
    """The share of the period not used, by whole days: everything before it starts; after
    that, the days after today (today counts as used), rounded down to a basis point."""
    if now < agreement.starts_at:
        return FULL
    period_days = (agreement.ends_on - agreement.starts_on).days
    used = (lifecycle.local_today(agreement.provider, now) - agreement.starts_on).days + 1
    return share_of(min(max(period_days - used, 0), period_days), period_days)


def give_back(agreement: CareAgreement, *, now: datetime, today: date) -> int:
    """An agreement ended early: the unused share goes back to whoever paid. The caller
    holds the agreement's locks. Returns how much went back."""
    basis_points = unused_basis_points(agreement, now=now)
    returned = 0
    if agreement.sponsor_minor and agreement.sponsor_programme_id:
        returned += _refund_pot(agreement, basis_points=basis_points, now=now)
    payment = payment_of(agreement)
    if payment is not None and payment.status is PaymentStatus.PAID:
        checkout.refund_share(payment, basis_points=basis_points, now=now, today=today)
        returned += payment.refunded_budget_minor + payment.refunded_card_minor
    agreement.refunded_minor = returned
    db.session.flush()
    return returned


def release(agreement: CareAgreement, *, now: datetime) -> None:
    """A pending agreement given up or lapsed: its pending payment (if any) is released
    (the budget hold back, the card intent cancelled after the commit)."""
    payment = payment_of(agreement)
    if payment is not None:
        checkout.release(payment, now=now)


def lapsed_ids(*, now: datetime) -> list[int]:
    return list(db.session.scalars(select(CareAgreement.id).where(
        CareAgreement.status == AgreementStatus.PENDING,
        CareAgreement.hold_expires_at <= now).order_by(CareAgreement.id)))


def expire_unpaid(agreement: CareAgreement, *, now: datetime) -> bool:
    """A pending agreement whose time to pay has passed never comes into force: its
    payment is released. Takes the agreement's locks. True when it expired it."""
    lifecycle.lock_agreement(agreement)
    if agreement.status is not AgreementStatus.PENDING or agreement.is_awaiting_payment(now=now):
        return False
    release(agreement, now=now)
    lifecycle.mark_unpaid(agreement, now=now)
    return True
