"""Family-physician agreements move real money, as their people live it: an enterprise that
sponsors a team pays each agreement from its pot to the provider; an employee pays a priced
one from the budget and by card (the agreement waits, without access, until it is paid);
ending early gives the unused days back to whoever paid. Each runs on SQLite and
PostgreSQL; the ledger stays clean throughout."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from benefits import budgets, ledger
from benefits.models import (
    AccountKind,
    LedgerTransaction,
    Payment,
    PaymentStatus,
)
from care import agreements, payments
from care.errors import (
    AgreementNotPayable,
    BudgetNotEnough,
    InvalidCareInput,
    NoCareAccess,
    SponsorshipUnfunded,
)
from care.models import AgreementStatus, CareAgreement
from core.accounts.models import Role
from core.db import db
from core.i18n import park_today
from core.jobs import worker
from health.models import Consent
from tests.benefits.factories import deliver, programme, put_on_roster
from tests.care.factories import CareKit, days
from tests.fakes.stripe_events import intent_event

PRICE = 60_000  #: ¥600 a year
FEE = 3_000  #: the platform's 5 %


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make, price_minor=PRICE)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _balance(account) -> int:
    db.session.expire_all()
    return db.session.get(type(account), account.id).balance_minor


def _payable(kit: CareKit):
    return ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency="CNY", now=kit.now,
                              provider_id=kit.provider.id)


def _sponsor(kit: CareKit, make, *, funded_minor: int = 10_000_000):
    """The enterprise's admin sponsors the kit's team from a programme's pot."""
    pot_programme = programme(make, kit.enterprise, funded_minor=funded_minor)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    agreements.sponsor_team(kit.enterprise, actor=admin, team_id=kit.team.id,
                            programme_id=pot_programme.id, now=kit.now)
    db.session.commit()
    return pot_programme


def _budget(kit: CareKit, make, user, *, amount_minor: int, **options):
    """This month's budget for ``user`` (on the roster)."""
    put_on_roster(kit.enterprise, user)
    plan = programme(make, kit.enterprise, amount_minor=amount_minor, **options)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=kit.now)
    db.session.commit()
    return plan


def _available(plan, user, category: str = "general_practice") -> int:
    db.session.expire_all()
    return budgets.spendable(user.id, plan, category=category,
                             today=park_today()).available_minor


def _unused_share(paid: int, *, used_days: int, period_days: int = 365) -> int:
    return paid * ((period_days - used_days) * 10_000 // period_days) // 10_000


# -- sponsored by the enterprise ------------------------------------------------------------


def test_a_sponsored_agreement_is_paid_from_the_enterprise_pot_to_the_provider(kit, make):
    pot_programme = _sponsor(kit, make)
    pot = budgets.funds_account(pot_programme, now=kit.now)
    pot_before = _balance(pot)
    employee = kit.employee()

    agreement = kit.sign(employee)

    assert agreement.status is AgreementStatus.ACTIVE and agreement.sponsored
    assert (agreement.price_minor, agreement.sponsor_minor) == (0, PRICE)  # free for them
    assert _balance(pot) == pot_before - PRICE
    assert _balance(_payable(kit)) == PRICE - FEE
    capture = ledger.find_by_reference(f"care-sponsored:agreement{agreement.id}")
    assert sorted(e.amount_minor for e in capture.entries) == [-PRICE, PRICE]  # one movement
    assert agreements.shared_profile(agreement, actor=kit.physician, now=kit.now) is not None
    assert ledger.check_ledger() == []


def test_a_pot_that_cannot_cover_the_price_refuses_the_signature_and_writes_nothing(kit, make):
    _sponsor(kit, make, funded_minor=PRICE - 1)
    employee = kit.employee()
    transactions = _count(LedgerTransaction)

    with pytest.raises(SponsorshipUnfunded) as refused:
        kit.sign(employee)

    with force_locale("en"):
        assert "HR" in str(refused.value.message)
    db.session.rollback()
    assert (_count(CareAgreement), _count(Consent)) == (0, 0)
    assert _count(LedgerTransaction) == transactions
    assert ledger.check_ledger() == []


def test_sponsoring_needs_one_of_the_enterprise_s_own_programmes(kit, make):
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    with pytest.raises(InvalidCareInput) as none_yet:
        agreements.sponsor_team(kit.enterprise, actor=admin, team_id=kit.team.id, now=kit.now)
    assert "programme_id" in none_yet.value.fields
    foreign = programme(make, make.enterprise(park=kit.park))
    with pytest.raises(InvalidCareInput):
        agreements.sponsor_team(kit.enterprise, actor=admin, team_id=kit.team.id,
                                programme_id=foreign.id, now=kit.now)


def test_ending_a_sponsored_agreement_early_gives_the_pot_back_the_unused_days(kit, make):
    pot_programme = _sponsor(kit, make)
    pot = budgets.funds_account(pot_programme, now=kit.now)
    employee = kit.employee()
    agreement = kit.sign(employee)
    after_signing = _balance(pot)
    later = kit.now + days(73)  # the 74th day of 365 is the last one used

    agreements.end_agreement(agreement, actor=employee, now=later)
    db.session.commit()

    back = _unused_share(PRICE, used_days=74)
    assert agreement.refunded_minor == back
    assert _balance(pot) == after_signing + back
    # the provider keeps the used days, less the fee on them only
    assert _balance(_payable(kit)) == (PRICE - back) - (FEE - _unused_share(FEE, used_days=74))
    with pytest.raises(NoCareAccess):
        agreements.shared_profile(agreement, actor=kit.physician, now=later)
    assert ledger.check_ledger() == []


def test_ending_before_the_first_day_gives_everything_back(kit, make):
    pot_programme = _sponsor(kit, make)
    pot = budgets.funds_account(pot_programme, now=kit.now)
    employee = kit.employee()
    before = _balance(pot)
    agreement = kit.sign(employee, starts_on=kit.today() + days(20))

    agreements.end_agreement(agreement, actor=employee, now=kit.now + days(1))
    db.session.commit()

    assert agreement.refunded_minor == PRICE and _balance(pot) == before
    assert _balance(_payable(kit)) == 0
    assert ledger.check_ledger() == []


# -- paid by the employee: budget and card -------------------------------------------------


def test_a_budget_that_covers_the_price_pays_at_the_checkout_and_signs_at_once(kit, make):
    employee = kit.employee()
    plan = _budget(kit, make, employee, amount_minor=80_000)

    agreement = kit.sign(employee)

    payment = payments.payment_of(agreement)
    assert (payment.subject_kind, payment.status) == ("care_agreement", PaymentStatus.PAID)
    assert (payment.budget_minor, payment.card_minor) == (PRICE, 0)
    assert agreement.status is AgreementStatus.ACTIVE and agreement.budget_minor == PRICE
    assert _available(plan, employee) == 80_000 - PRICE
    assert _balance(_payable(kit)) == PRICE - FEE
    assert ledger.check_ledger() == []


def test_without_card_payment_an_uncovered_price_signs_nothing_and_says_why(kit, make):
    employee = kit.employee()
    _budget(kit, make, employee, amount_minor=20_000)
    with pytest.raises(BudgetNotEnough) as refused:
        kit.sign(employee)
    with force_locale("en"):
        assert "card payment is not available" in str(refused.value.message)
    db.session.rollback()
    assert (_count(CareAgreement), _count(Payment), _count(Consent)) == (0, 0, 0)


def test_a_tcm_cap_limits_what_the_budget_pays_for_a_tcm_team(kit, make):
    tcm = agreements.create_team(
        kit.provider, actor=kit.owner, kind="tcm", name_zh="中医团队", name_en="TCM team",
        price_minor=PRICE, period_days=365, terms_zh="条款", terms_en="Terms",
        practitioner_ids=[kit.practitioner.id], now=kit.now)
    employee = kit.employee()
    plan = _budget(kit, make, employee, amount_minor=80_000,
                   caps=[budgets.CapInput("tcm", cap_basis_points=2_500)])
    assert _available(plan, employee, "tcm") == 20_000  # a quarter of ¥800
    with pytest.raises(BudgetNotEnough):  # ¥400 would be left for the card, which is off
        kit.sign(employee, team=tcm)


def test_the_card_pays_the_rest_and_the_webhook_brings_the_agreement_into_force(
        kit, make, client, stripe):
    employee = kit.employee()
    plan = _budget(kit, make, employee, amount_minor=20_000)

    agreement = kit.sign(employee)

    assert agreement.status is AgreementStatus.PENDING and agreement.hold_expires_at > kit.now
    assert _count(Consent) == 0  # nothing is shared before it is paid
    with pytest.raises(NoCareAccess):
        agreements.agreement_for(kit.physician, agreement.id, now=kit.now)
    result = agreements.pay_agreement(agreement, actor=employee, now=kit.now)
    db.session.commit()
    assert (result.payment.budget_minor, result.payment.card_minor) == (20_000, 40_000)
    assert result.client_secret and stripe.intents[
        result.payment.stripe_payment_intent_id]["amount"] == 40_000
    assert _available(plan, employee) == 0  # the budget share is held
    again = agreements.pay_agreement(agreement, actor=employee, now=kit.now)
    assert again.client_secret == result.client_secret  # the same intent, not a second one

    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    answer = deliver(client, intent_event("evt_care_1", "payment_intent.succeeded", intent))

    assert answer.get_json()["result"] == "paid"
    db.session.expire_all()
    agreement = db.session.get(CareAgreement, agreement.id)
    assert agreement.status is AgreementStatus.ACTIVE and agreement.budget_minor == 20_000
    assert agreement.hold_expires_at is None
    assert agreements.shared_profile(agreement, actor=kit.physician, now=kit.now) is not None
    assert _balance(_payable(kit)) == PRICE - FEE
    assert ledger.check_ledger() == []


def test_an_agreement_not_paid_in_time_expires_and_releases_the_budget(kit, make, client,
                                                                        stripe):
    employee = kit.employee()
    plan = _budget(kit, make, employee, amount_minor=20_000)
    agreement = kit.sign(employee)
    result = agreements.pay_agreement(agreement, actor=employee, now=kit.now)
    db.session.commit()

    # flask worker's round runs the sweep (flask care expire-unpaid runs it by hand)
    assert worker.tick(now=agreement.hold_expires_at)["care_expire_unpaid"] == 1

    db.session.expire_all()
    assert db.session.get(CareAgreement, agreement.id).status is AgreementStatus.EXPIRED
    assert db.session.get(Payment, result.payment.id).status is PaymentStatus.RELEASED
    assert _available(plan, employee) == 20_000
    assert stripe.writes(f"/v1/payment_intents/{result.payment.stripe_payment_intent_id}/cancel")
    # a card payment that still arrives goes back whole
    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    late = deliver(client, intent_event("evt_care_late", "payment_intent.succeeded", intent))
    assert late.get_json()["result"] == "late_refunded"
    assert [r["amount"] for r in stripe.refunds.values()] == [40_000]
    assert ledger.check_ledger() == []


def test_a_lapsed_agreement_does_not_stand_in_the_way_of_a_new_one(kit, make, stripe):
    employee = kit.employee()
    _budget(kit, make, employee, amount_minor=20_000)
    first = kit.sign(employee)
    later = first.hold_expires_at + days(1)
    with pytest.raises(AgreementNotPayable):
        agreements.pay_agreement(first, actor=employee, now=later)

    second = kit.sign(employee, starts_on=kit.today(later), now=later)

    assert second.status is AgreementStatus.PENDING
    assert db.session.get(CareAgreement, first.id).status is AgreementStatus.EXPIRED


def test_a_canceled_card_payment_leaves_the_agreement_unsigned(kit, make, client, stripe):
    employee = kit.employee()
    plan = _budget(kit, make, employee, amount_minor=20_000)
    agreement = kit.sign(employee)
    result = agreements.pay_agreement(agreement, actor=employee, now=kit.now)
    db.session.commit()

    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    answer = deliver(client, intent_event("evt_care_2", "payment_intent.canceled", intent))

    assert answer.get_json()["result"] == "released"
    db.session.expire_all()
    assert db.session.get(CareAgreement, agreement.id).status is AgreementStatus.EXPIRED
    assert _available(plan, employee) == 20_000
    assert _count(Consent) == 0
    assert ledger.check_ledger() == []


def test_giving_up_a_pending_agreement_takes_nothing(kit, make, stripe):
    employee = kit.employee()
    plan = _budget(kit, make, employee, amount_minor=20_000)
    agreement = kit.sign(employee)
    agreements.pay_agreement(agreement, actor=employee, now=kit.now)
    db.session.commit()

    agreements.end_agreement(agreement, actor=employee, now=kit.now)
    db.session.commit()

    assert agreement.status is AgreementStatus.EXPIRED and agreement.refunded_minor == 0
    assert payments.payment_of(agreement).status is PaymentStatus.RELEASED
    assert _available(plan, employee) == 20_000
    assert ledger.check_ledger() == []


def test_ending_a_paid_agreement_early_refunds_budget_and_card_pro_rata(kit, make, client,
                                                                         stripe):
    employee = kit.employee()
    plan = _budget(kit, make, employee, amount_minor=20_000)
    agreement = kit.sign(employee)
    result = agreements.pay_agreement(agreement, actor=employee, now=kit.now)
    db.session.commit()
    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    deliver(client, intent_event("evt_care_3", "payment_intent.succeeded", intent))
    db.session.expire_all()
    agreement = db.session.get(CareAgreement, agreement.id)
    pot = budgets.funds_account(plan, now=kit.now)
    pot_before = _balance(pot)

    agreements.end_agreement(agreement, actor=employee, now=kit.now + days(99))
    db.session.commit()

    budget_back = _unused_share(20_000, used_days=100)
    card_back = _unused_share(40_000, used_days=100)
    payment = payments.payment_of(agreement)
    assert (payment.refunded_budget_minor, payment.refunded_card_minor) == (budget_back,
                                                                            card_back)
    assert agreement.refunded_minor == budget_back + card_back
    # this month's budget can no longer be spent 99 days on: its share goes to the pot
    assert _balance(pot) == pot_before + budget_back
    assert [r["amount"] for r in stripe.refunds.values()] == [card_back]
    assert ledger.check_ledger() == []
