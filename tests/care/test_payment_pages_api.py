"""Paying for an agreement through the pages and the API: signing a priced agreement the
budget does not cover leads to the pay page (budget's share, card's share, Stripe's
element); without card payment the refusal says why; enterprise admins name the pot that
pays when they sponsor a team; ending early says what went back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from benefits import budgets
from benefits.models import Payment, PaymentStatus
from care import agreements
from care.models import AgreementStatus, CareAgreement, CareSponsorship
from core.accounts.models import Role
from core.db import db
from core.i18n import park_today
from tests.benefits.factories import programme, put_on_roster
from tests.care.factories import CareKit, days

EN = {"Accept-Language": "en"}
PRICE = 60_000


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make, price_minor=PRICE)


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _headers(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}", **EN}


def _funded_employee(kit, make, *, budget_minor: int):
    employee = put_on_roster(kit.enterprise, kit.employee())
    plan = programme(make, kit.enterprise, amount_minor=budget_minor)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=kit.now)
    db.session.commit()
    return employee


def _form(kit) -> dict:
    return {"starts_on": kit.today().isoformat(), "terms_version": "1",
            "terms_sha256": agreements.terms_digest(kit.team.terms_en), "accept_terms": "y"}


def _body(kit) -> dict:
    return {"starts_on": kit.today().isoformat(), "accept_terms": True, "terms_version": 1,
            "terms_sha256": agreements.terms_digest(kit.team.terms_en)}


def test_signing_what_the_budget_does_not_cover_leads_to_the_pay_page(client, kit, make,
                                                                      stripe):
    client.application.config["STRIPE_PUBLISHABLE_KEY"] = "pk_test_fake"
    employee = _funded_employee(kit, make, budget_minor=20_000)
    _sign_in(client, employee)
    team_page = client.get(f"/care/teams/{kit.team.id}", headers=EN)
    assert "the rest by card" in team_page.text

    signed = client.post(f"/care/teams/{kit.team.id}/sign", data=_form(kit), headers=EN)

    agreement = db.session.scalar(select(CareAgreement))
    assert signed.status_code == 302 and signed.location.endswith(f"/care/agreements/"
                                                                   f"{agreement.id}/pay")
    page = client.get(f"/care/agreements/{agreement.id}/pay", headers=EN)
    assert "¥200.00" in page.text and "¥400.00" in page.text  # budget, card
    paying = client.post(f"/care/agreements/{agreement.id}/pay", headers=EN)
    assert paying.status_code == 200 and 'data-client-secret="pi_fake_' in paying.text
    detail = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "Awaiting payment" in detail.text and "until then the team has no access" in detail.text
    # Paid on Stripe's page (no webhook yet): back on the pay page, the agreement is in force.
    payment = db.session.scalar(select(Payment))
    assert f'data-return-url="http://parkwell.test/care/agreements/{agreement.id}/pay"' \
        in paying.text
    stripe.succeed(payment.stripe_payment_intent_id)
    back = client.get(f"/care/agreements/{agreement.id}/pay?redirect_status=succeeded",
                      headers=EN)
    assert back.status_code == 200 and 'id="payment-element"' not in back.text
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status is PaymentStatus.PAID


def test_without_card_payment_the_refusal_says_why_and_nothing_is_signed(client, kit, make):
    employee = _funded_employee(kit, make, budget_minor=20_000)
    _sign_in(client, employee)
    refused = client.post(f"/care/teams/{kit.team.id}/sign", data=_form(kit), headers=EN)
    assert refused.status_code == 409 and "card payment is not available" in refused.text
    assert db.session.scalar(select(CareAgreement)) is None
    api = client.post(f"/api/v1/care/teams/{kit.team.id}/agreements", json=_body(kit),
                      headers=_headers(make, employee))
    assert api.status_code == 409 and api.json["error"]["code"] == "care_budget_not_enough"


def test_the_api_signs_a_pending_agreement_and_pays_it_with_a_client_secret(client, kit,
                                                                           make, stripe):
    employee = _funded_employee(kit, make, budget_minor=20_000)
    headers = _headers(make, employee)

    created = client.post(f"/api/v1/care/teams/{kit.team.id}/agreements", json=_body(kit),
                          headers=headers)

    assert created.status_code == 201, created.json
    assert created.json["status"] == "pending" and created.json["hold_expires_at"]
    agreement_id = created.json["id"]
    quote = client.get(f"/api/v1/care/agreements/{agreement_id}/payment", headers=headers)
    assert (quote.json["budget_minor"], quote.json["card_minor"]) == (20_000, 40_000)
    assert quote.json["card_payments_enabled"] and quote.json["payment"] is None
    paid = client.post(f"/api/v1/care/agreements/{agreement_id}/pay", json={},
                       headers=headers)
    assert paid.status_code == 201
    assert paid.json["payment"]["status"] == "pending"
    assert paid.json["payment"]["client_secret"].startswith("pi_fake_")
    assert paid.json["payment"]["subject_kind"] == "care_agreement"
    other = _headers(make, kit.employee())
    assert client.post(f"/api/v1/care/agreements/{agreement_id}/pay", json={},
                       headers=other).status_code == 404
    physician = _headers(make, kit.physician)  # no access before it is paid
    assert client.get(f"/api/v1/care/agreements/{agreement_id}",
                      headers=physician).status_code == 404


def test_a_paid_agreement_is_not_paid_twice(client, kit, make):
    employee = _funded_employee(kit, make, budget_minor=80_000)
    agreement = kit.sign(employee)
    assert agreement.status is AgreementStatus.ACTIVE
    again = client.post(f"/api/v1/care/agreements/{agreement.id}/pay", json={},
                        headers=_headers(make, employee))
    assert again.status_code == 409
    assert again.json["error"]["code"] == "care_agreement_not_payable"


def test_admins_name_the_pot_that_pays_and_ending_early_says_what_went_back(client, kit,
                                                                           make):
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    pot = programme(make, kit.enterprise)
    _sign_in(client, admin)
    page = client.get(f"/care/enterprises/{kit.enterprise.id}/sponsorships", headers=EN)
    assert "Paid from the pot of" in page.text and pot.name in page.text
    foreign = programme(make, make.enterprise(park=kit.park))
    refused = client.post(f"/api/v1/enterprises/{kit.enterprise.id}/care/sponsorships",
                          json={"team_id": kit.team.id, "programme_id": foreign.id},
                          headers=_headers(make, admin))
    assert refused.status_code == 422 and "programme_id" in refused.json["error"]["fields"]
    sponsored = client.post(f"/care/enterprises/{kit.enterprise.id}/sponsorships",
                            data={"team_id": kit.team.id, "programme_id": pot.id}, headers=EN)
    assert sponsored.status_code == 302
    assert db.session.scalar(select(CareSponsorship)).programme_id == pot.id

    employee = kit.employee()
    agreement = kit.sign(employee)
    _sign_in(client, employee)
    detail = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "Paid by your employer" in detail.text
    ended = client.post(f"/api/v1/care/agreements/{agreement.id}/end", json={},
                        headers=_headers(make, employee))
    assert ended.status_code == 200
    assert ended.json["sponsor_minor"] == PRICE and 0 < ended.json["refunded_minor"] < PRICE
    detail = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "for the unused days went back" in detail.text


def test_giving_up_a_pending_agreement_from_its_page(client, kit, make, stripe):
    employee = _funded_employee(kit, make, budget_minor=20_000)
    agreement = kit.sign(employee)
    _sign_in(client, employee)
    page = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "Give up this agreement" in page.text
    gave_up = client.post(f"/care/agreements/{agreement.id}/end", headers=EN,
                          follow_redirects=True)
    assert "nothing is taken" in gave_up.text
    assert db.session.get(CareAgreement, agreement.id).status is AgreementStatus.EXPIRED
    later = kit.sign(employee, starts_on=kit.today() + days(1))  # the period is free again
    assert later.status is AgreementStatus.PENDING


def test_payment_and_move_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/care/agreements/{agreement_id}/pay",
                 "/api/v1/care/agreements/{agreement_id}/payment",
                 "/api/v1/care/follow-ups/{follow_up_id}/move"):
        assert path in paths
