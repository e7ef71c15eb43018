"""Providers' statements, platform fees, card top-ups and reconciliation with Stripe."""

from __future__ import annotations

import pytest

from benefits import budgets, checkout, ledger, reconcile, statements, topups
from benefits.models import PaymentStatus, TopUp
from booking import services as booking_services
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from core.errors import InvalidInput, NotFound
from core.i18n import park_today
from tests.benefits.factories import deliver, funded_employee, held_booking, programme
from tests.fakes.stripe_events import intent_event


@pytest.fixture
def config_overrides():
    return {"PLATFORM_FEE_BASIS_POINTS": 500}


def paid_by_budget(make, kit, price_minor: int):
    user, _plan = funded_employee(make, kit, budget_minor=price_minor)
    booking = held_booking(kit, user, price_minor=price_minor)
    checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    return user, booking


def test_the_statement_shows_gross_fees_refunds_and_net(app, make, kit):
    _user, booking = paid_by_budget(make, kit, 20_000)
    month = park_today().strftime("%Y-%m")
    statement = statements.provider_statement(kit.provider, month=month, actor=kit.owner)
    assert (statement.gross_minor, statement.fees_minor, statement.net_minor) == (
        20_000, 1_000, 19_000)

    booking_services.cancel_booking(booking, actor=kit.owner, now=utcnow())  # provider: full
    db.session.commit()
    statement = statements.provider_statement(kit.provider, month=month, actor=kit.owner)
    assert (statement.refunds_minor, statement.fees_minor, statement.net_minor) == (
        20_000, 0, 0)
    assert ledger.check_ledger() == []


def test_a_late_cancellation_keeps_the_fee_share_the_provider_keeps(app, make, kit):
    user, booking = paid_by_budget(make, kit, 20_000)
    booking.free_cancel_hours = 24 * 30  # now is already past the free cut-off
    db.session.commit()
    outcome = booking_services.cancel_booking(booking, actor=user, now=utcnow())
    db.session.commit()
    assert outcome.refund_basis_points == 5000  # the kit's service charges a 50 % late fee
    month = park_today().strftime("%Y-%m")
    statement = statements.provider_statement(kit.provider, month=month, actor=kit.owner)
    assert (statement.refunds_minor, statement.fees_minor, statement.net_minor) == (
        10_000, 500, 9_500)


def test_only_the_providers_owners_read_its_statement(app, make, kit):
    month = park_today().strftime("%Y-%m")
    with pytest.raises(NotFound):
        statements.provider_statement(kit.provider, month=month,
                                      actor=make.user(Role.EMPLOYEE))
    with pytest.raises(InvalidInput):
        statements.provider_statement(kit.provider, month="2026-13", actor=kit.owner)


def test_statement_page_and_csv(app, make, kit, client, auth):
    paid_by_budget(make, kit, 20_000)
    auth.login(kit.owner.email)
    page = client.get(f"/providers/{kit.provider.id}/statement")
    assert "¥200.00" in page.text and "¥190.00" in page.text
    csv_text = client.get(f"/providers/{kit.provider.id}/statement.csv").text
    assert csv_text.splitlines()[-1].split(",")[1:4] == ["net", "", "19000"]
    bad = client.get(f"/providers/{kit.provider.id}/statement?month=nope")
    assert bad.status_code == 422


def test_an_enterprise_tops_up_its_programme_by_card_once(app, make, client, stripe):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    plan = programme(make, enterprise, funded_minor=0)
    record, secret = topups.start_top_up(plan, amount_minor=500_000, actor=admin,
                                         now=utcnow(), request_key="k1")
    again, _secret = topups.start_top_up(plan, amount_minor=500_000, actor=admin,
                                         now=utcnow(), request_key="k1")
    db.session.commit()
    assert again.id == record.id and secret
    intent = stripe.intents[record.stripe_payment_intent_id]
    event = intent_event("evt_topup", "payment_intent.succeeded", intent)
    assert [deliver(client, event).get_json()["result"] for _ in range(3)] == [
        "funded", "duplicate", "duplicate"]
    db.session.expire_all()
    assert db.session.get(TopUp, record.id).status is PaymentStatus.PAID
    assert budgets.funds_account(plan, now=utcnow()).balance_minor == 500_000


def test_reconcile_reports_what_differs_from_stripe(app, make, kit, client, stripe):
    user, _plan = funded_employee(make, kit, budget_minor=10_000)
    booking = held_booking(kit, user, price_minor=30_000)
    result = checkout.start_checkout(booking, actor=user, now=utcnow(), today=park_today())
    db.session.commit()
    assert reconcile.reconcile() == []
    intent = stripe.intents[result.payment.stripe_payment_intent_id]
    deliver(client, intent_event("evt_ok2", "payment_intent.succeeded", intent))
    # Our side says paid; the fake never moved the intent to succeeded: a difference.
    problems = reconcile.reconcile()
    assert problems and "succeeded" not in problems[0] and "paid" in problems[0]
    intent["status"] = "succeeded"
    assert reconcile.reconcile() == []


def test_statement_lines_say_the_service_the_booking_date_and_who(app, make, kit, client,
                                                                    auth):
    user, booking = paid_by_budget(make, kit, 20_000)
    month = park_today().strftime("%Y-%m")
    statement = statements.provider_statement(kit.provider, month=month, actor=kit.owner)
    assert {line.booking.id for line in statement.lines if line.booking} == {booking.id}
    auth.login(kit.owner.email)
    page = client.get(f"/providers/{kit.provider.id}/statement",
                      headers={"Accept-Language": "en"}).text
    assert user.display_name in page and booking.service.title_en in page
    assert "capture:pay" in page  # kept, as a small secondary detail


def test_each_statement_line_names_the_booking_its_service_and_its_date(app, client, make, kit,
                                                                         auth):
    _user, booking = paid_by_budget(make, kit, 20_000)
    month = park_today().strftime("%Y-%m")
    statement = statements.provider_statement(kit.provider, month=month, actor=kit.owner)
    paid = [line for line in statement.lines if line.booking_id]
    assert paid and {line.booking_id for line in paid} == {booking.id}
    assert {line.service.id for line in paid} == {booking.service_id}
    assert {line.booking_starts_at for line in paid} == {booking.starts_at}

    auth.login(kit.owner.email)
    page = client.get(f"/providers/{kit.provider.id}/statement?month={month}").text
    assert booking.service.title_zh in page and booking.client.display_name in page
    csv_text = client.get(f"/providers/{kit.provider.id}/statement.csv?month={month}").text
    assert f",{booking.id},{booking.service.title_zh}," in csv_text
    api = client.get(f"/api/v1/providers/{kit.provider.id}/statements/{month}",
                     headers={"Authorization": f"Bearer {make.token(kit.owner)}"}).get_json()
    assert {line["booking_id"] for line in api["lines"] if line["booking_id"]} == {booking.id}
