"""Paid events: a place is held while the registrant pays at the benefits checkout (budget
and/or card), confirmed on payment, released when the hold lapses or the card fails, and
refunded through the ledger when cancelled. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benefits import budgets, ledger
from benefits.errors import NotPayable
from benefits.models import AccountKind, BudgetProgramme, Payment, PaymentStatus
from benefits.periods import period_key
from core.clock import to_zone
from core.db import db
from core.errors import InvalidInput
from park import paying, payments, registration, services
from park.errors import PriceInvalid, PriceLocked, RegistrationNotFound
from park.models import EventSession, Registration, RegistrationStatus
from tests.benefits.factories import deliver, programme, put_on_roster
from tests.fakes.stripe_events import intent_event
from tests.park.factories import ParkKit

PRICE = 5_000  #: ¥50, the mooncake workshop


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _today(kit: ParkKit):
    return to_zone(kit.now, kit.park.timezone).date()


def fund(kit: ParkKit, make, *, budget_minor: int, users=None, **programme_options):
    """Put the employees on the roster and give each this period's budget."""
    for user in users or [kit.employee]:
        put_on_roster(kit.enterprise, user)
    plan = programme(make, kit.enterprise, amount_minor=budget_minor, **programme_options)
    budgets.allocate_period(plan, on=_today(kit), actor=None, now=kit.now)
    db.session.commit()
    return plan


def available(kit: ParkKit, user, plan: BudgetProgramme) -> int:
    return budgets.spendable(user.id, plan, category=payments.CATEGORY,
                             today=_today(kit)).available_minor


def income(kit: ParkKit) -> int:
    return ledger.get_account(AccountKind.EVENT_INCOME, currency="CNY", now=kit.now,
                              park_id=kit.park.id).balance_minor


def pay(kit: ParkKit, reg: Registration, user=None, now=None):
    result = paying.pay(reg, actor=user or kit.employee, now=now or kit.now,
                        today=_today(kit))
    db.session.commit()
    return result


def test_a_budget_pays_a_paid_event_and_the_park_receives_it(kit, make):
    plan = fund(kit, make, budget_minor=20_000)
    session = kit.session(price_minor=PRICE)
    reg = kit.register(session)
    assert reg.status is RegistrationStatus.HELD and reg.hold_expires_at > kit.now
    assert db.session.get(EventSession, session.id).places_taken == 1

    result = pay(kit, reg)

    assert result.payment.status is PaymentStatus.PAID and result.client_secret is None
    assert (result.payment.subject_kind, result.payment.subject_id) == (
        payments.SUBJECT_KIND, reg.id)
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.CONFIRMED
    assert db.session.get(Registration, reg.id).hold_expires_at is None
    assert available(kit, kit.employee, plan) == 15_000
    assert income(kit) == PRICE  # no platform fee on the park's own events
    assert ledger.check_ledger() == []


def test_the_card_pays_what_the_budget_does_not_and_the_webhook_confirms(kit, make, client,
                                                                         stripe):
    plan = fund(kit, make, budget_minor=2_000)
    reg = kit.register(kit.session(price_minor=PRICE))

    result = pay(kit, reg)

    assert (result.payment.budget_minor, result.payment.card_minor) == (2_000, 3_000)
    assert result.client_secret and result.payment.status is PaymentStatus.PENDING
    assert stripe.intents[result.payment.stripe_payment_intent_id]["amount"] == 3_000
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.HELD
    assert available(kit, kit.employee, plan) == 0

    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    response = deliver(client, intent_event("evt_paid_1", "payment_intent.succeeded", intent))
    assert response.get_json()["result"] == "paid"
    again = deliver(client, intent_event("evt_paid_1", "payment_intent.succeeded", intent))
    assert again.get_json()["result"] == "duplicate"
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.CONFIRMED
    assert income(kit) == PRICE
    assert ledger.check_ledger() == []


def test_a_lapsed_hold_releases_the_place_and_the_budget(kit, make, outbox, stripe):
    plan = fund(kit, make, budget_minor=2_000)
    session = kit.session(price_minor=PRICE, capacity=1)
    reg = kit.register(session)
    waiting = kit.register(session, kit.employee_user(), join_waitlist=True)
    result = pay(kit, reg)
    intent_id = result.payment.stripe_payment_intent_id

    lapsed = registration.expire_offers(now=reg.hold_expires_at)
    db.session.commit()

    assert lapsed == 1
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.EXPIRED
    assert db.session.get(Payment, result.payment.id).status is PaymentStatus.RELEASED
    assert available(kit, kit.employee, plan) == 2_000
    assert stripe.intents[intent_id]["status"] == "canceled"  # after the commit
    # the place went on to the first in line, as an offer
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.OFFERED
    assert db.session.get(EventSession, session.id).places_taken == 1
    assert ledger.check_ledger() == []


def test_a_canceled_card_payment_frees_the_place_and_the_budget(kit, make, client, stripe):
    plan = fund(kit, make, budget_minor=1_000)
    session = kit.session(price_minor=PRICE)
    reg = kit.register(session)
    result = pay(kit, reg)
    intent = stripe.intents[result.payment.stripe_payment_intent_id]

    response = deliver(client, intent_event("evt_fail_1", "payment_intent.canceled",
                                            intent))

    assert response.get_json()["result"] == "released"
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.EXPIRED
    assert db.session.get(EventSession, session.id).places_taken == 0
    assert available(kit, kit.employee, plan) == 1_000
    assert ledger.check_ledger() == []


def test_a_card_payment_arriving_after_the_hold_lapsed_goes_back_whole(kit, make, client,
                                                                       stripe):
    fund(kit, make, budget_minor=1_000)
    reg = kit.register(kit.session(price_minor=PRICE))
    result = pay(kit, reg)
    registration.expire_offers(now=reg.hold_expires_at)
    db.session.commit()
    intent = stripe.intents[result.payment.stripe_payment_intent_id]

    response = deliver(client, intent_event("evt_late_1", "payment_intent.succeeded", intent))

    assert response.get_json()["result"] == "late_refunded"
    assert [r.params["amount"] for r in stripe.writes("/v1/refunds")] == ["4000"]
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.EXPIRED
    assert ledger.check_ledger() == []


def test_cancelling_the_event_refunds_everyone_through_the_ledger(kit, make, client, stripe,
                                                                 outbox):
    by_budget = kit.employee
    plan = fund(kit, make, budget_minor=20_000, users=[by_budget])
    # Employees added after the period's run (directly, not through a sign-up that would
    # give them a budget at once): they have no budget, so one pays by card.
    by_card, unpaid = kit.employee_user(), kit.employee_user()
    session = kit.session(price_minor=PRICE, sessions=2)
    event = session.event
    first = kit.register(session, by_budget)
    pay(kit, first, by_budget)
    second = kit.register(session, by_card)
    card = pay(kit, second, by_card)
    intent = stripe.intents[card.payment.stripe_payment_intent_id]
    deliver(client, intent_event("evt_card_ok", "payment_intent.succeeded", intent))
    pending = kit.register(event.sessions[1], unpaid)
    assert income(kit) == 2 * PRICE

    cancelled = services.cancel_event(event, actor=kit.committee, reason="台风", now=kit.now)
    db.session.commit()

    assert cancelled == 3
    assert income(kit) == 0
    assert available(kit, by_budget, plan) == 20_000
    statuses = {p.subject_id: (p.status, p.refunded_budget_minor, p.refunded_card_minor)
                for p in db.session.scalars(db.select(Payment))}
    assert statuses[first.id] == (PaymentStatus.REFUNDED, PRICE, 0)
    assert statuses[second.id] == (PaymentStatus.REFUNDED, 0, PRICE)
    assert pending.id not in statuses  # never paid: nothing to give back
    assert [(r.params["payment_intent"], r.params["amount"])
            for r in stripe.writes("/v1/refunds")] == [(intent["id"], str(PRICE))]
    assert sorted(m.to for m in outbox if "台风" in m.body) == sorted(
        [by_budget.email, by_card.email, unpaid.email])
    assert ledger.check_ledger() == []


def test_a_cancellation_in_good_time_refunds_in_full_and_a_late_one_nothing(kit, make):
    plan = fund(kit, make, budget_minor=20_000)
    early = kit.register(kit.session(price_minor=PRICE, day=3))
    pay(kit, early)
    registration.cancel_registration(early, actor=kit.employee, now=kit.now)
    db.session.commit()
    assert available(kit, kit.employee, plan) == 20_000
    assert payments.payment_of(early).status is PaymentStatus.REFUNDED

    late = kit.register(kit.session(price_minor=PRICE, day=4))
    pay(kit, late)
    starts = late.session.starts_at
    registration.cancel_registration(late, actor=kit.employee, now=starts - timedelta(hours=2))
    db.session.commit()
    payment = payments.payment_of(late)
    assert (payment.status, payment.refunded_budget_minor) == (PaymentStatus.REFUNDED, 0)
    assert available(kit, kit.employee, plan) == 20_000 - PRICE
    assert income(kit) == PRICE
    assert ledger.check_ledger() == []


def test_the_committee_cancelling_a_registration_refunds_in_full_even_late(kit, make):
    plan = fund(kit, make, budget_minor=20_000)
    reg = kit.register(kit.session(price_minor=PRICE))
    pay(kit, reg)
    pot_before = budgets.funds_account(plan, now=kit.now).balance_minor
    late = reg.session.starts_at - timedelta(hours=1)
    registration.cancel_registration(reg, actor=kit.committee, now=late)
    db.session.commit()
    assert income(kit) == 0
    # Every fen comes back where it can still be spent: to the employee's period, or, when
    # the session falls after that period's spending window (booked on 31 December for
    # January), to the programme's pot.
    period_over = budgets.spendable_until(plan, period_key(plan.period, _today(kit))) < \
        to_zone(late, kit.park.timezone).date()
    back_to_pot = budgets.funds_account(plan, now=kit.now).balance_minor - pot_before
    assert (available(kit, kit.employee, plan), back_to_pot) == (
        (15_000, PRICE) if period_over else (20_000, 0))


def test_a_waitlist_offer_for_a_paid_event_has_to_be_paid(kit, make):
    fund(kit, make, budget_minor=20_000)
    other = kit.employee_user()
    session = kit.session(price_minor=PRICE, capacity=1)
    first = kit.register(session, other)
    waiting = kit.register(session, join_waitlist=True)
    registration.cancel_registration(first, actor=other, now=kit.now)
    db.session.commit()
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.OFFERED
    with pytest.raises(NotPayable):
        paying.pay(waiting, actor=kit.employee, now=kit.now, today=_today(kit))

    registration.accept_offer(waiting, actor=kit.employee, now=kit.now)
    db.session.commit()
    assert waiting.status is RegistrationStatus.HELD and waiting.hold_expires_at is not None
    pay(kit, waiting)
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.CONFIRMED


def test_the_budget_pays_only_within_the_culture_cap_and_not_for_family_where_barred(kit,
                                                                                     make):
    plan = fund(kit, make, budget_minor=10_000, dependants_allowed=False,
                caps=[budgets.CapInput(category="culture", cap_basis_points=2000)])
    session = kit.session(price_minor=PRICE, family_places=1)
    mine = kit.register(session)
    assert paying.quote(mine, now=kit.now, today=_today(kit)).budget_minor == 2_000
    child = kit.register(session, dependant_id=kit.dependant().id)
    split = paying.quote(child, now=kit.now, today=_today(kit))
    assert (split.budget_minor, split.card_minor) == (0, PRICE)
    assert plan.dependants_allowed is False


def test_nobody_pays_for_someone_elses_registration_or_twice(kit, make):
    fund(kit, make, budget_minor=20_000)
    reg = kit.register(kit.session(price_minor=PRICE))
    with pytest.raises(RegistrationNotFound):
        paying.pay(reg, actor=kit.employee_user(), now=kit.now, today=_today(kit))
    pay(kit, reg)
    with pytest.raises(NotPayable):
        paying.pay(reg, actor=kit.employee, now=kit.now, today=_today(kit))


def test_a_free_event_confirms_at_once(kit):
    reg = kit.register(kit.session())
    assert reg.status is RegistrationStatus.CONFIRMED and payments.payment_of(reg) is None


@pytest.mark.parametrize(("price", "currency"), [(-1, "CNY"), (10_000_001, "CNY"),
                                                 (5_000, "USD"), (5_000, "")])
def test_a_bad_price_or_currency_is_refused(kit, price, currency):
    with pytest.raises(PriceInvalid) as refused:
        services.create_event(
            kit.park, actor=kit.committee, title_zh="月饼", title_en="Mooncakes",
            description_zh="", description_en="", kind=kit.event(publish=False).kind,
            family_places=0, registration_opens_at=kit.now,
            registration_closes_at=kit.now + timedelta(days=2), price_minor=price,
            currency=currency, now=kit.now)
    assert isinstance(refused.value, InvalidInput) and refused.value.fields


def test_the_price_changes_only_while_a_draft(kit):
    event = kit.event(publish=False)
    fields = {"title_zh": event.title_zh, "title_en": event.title_en, "description_zh": "",
              "description_en": "", "kind": event.kind, "family_places": 0,
              "registration_opens_at": event.registration_opens_at,
              "registration_closes_at": event.registration_closes_at}
    services.update_event(event, actor=kit.committee, price_minor=PRICE, now=kit.now,
                          **fields)
    assert event.price_minor == PRICE
    services.publish_event(event, actor=kit.committee, now=kit.now)
    with pytest.raises(PriceLocked):
        services.update_event(event, actor=kit.committee, price_minor=1, now=kit.now,
                              **fields)
    services.update_event(event, actor=kit.committee, now=kit.now, **fields)  # price kept
    assert event.price_minor == PRICE


def test_back_from_paying_by_card_the_pay_page_shows_the_place_confirmed(kit, make, client,
                                                                        stripe):
    """No webhook: the person comes back to the page (Stripe's return address) and the page
    asks Stripe itself; opened again before paying, it still offers the card element."""
    fund(kit, make, budget_minor=2_000)
    reg = kit.register(kit.session(price_minor=PRICE))
    result = pay(kit, reg)
    client.application.config["STRIPE_PUBLISHABLE_KEY"] = "pk_test_fake"
    with client.session_transaction() as session:
        session["_user_id"] = kit.employee.get_id()
        session["_fresh"] = True
    url = f"/tickets/{reg.id}/pay"
    again = client.get(url).get_data(as_text=True)
    assert 'id="payment-element"' in again and f'data-return-url="http://parkwell.test{url}"' \
        in again
    stripe.succeed(result.payment.stripe_payment_intent_id)
    back = client.get(f"{url}?payment_intent={result.payment.stripe_payment_intent_id}")
    assert back.status_code == 200 and 'id="payment-element"' not in back.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status is RegistrationStatus.CONFIRMED
    assert db.session.get(Payment, result.payment.id).status is PaymentStatus.PAID
    assert income(kit) == PRICE and ledger.check_ledger() == []
