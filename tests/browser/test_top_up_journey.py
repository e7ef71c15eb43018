"""HR, in Chinese on a phone, tops up the company's health programme by card: the amount on
the programme's page, the Payment Element of the local Stripe-compatible test server (its
Stripe.js stand-in, labelled TEST MODE), then the page Stripe returns to, which reads the
PaymentIntent and shows the money in the programme's pot. The journey posts no webhook."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from benefits import budgets
from benefits.models import PaymentStatus, TopUp
from core.clock import utcnow
from core.db import db
from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh
from tests.browser.paying import CARD_OK, fill_card, submit_payment, yuan

HR = "hr@parkwell.demo"
AMOUNT_MINOR = 50_000


def _programme(live_app) -> tuple[int, int, int]:
    """(enterprise id, programme id, its pot's balance) of HR's company."""
    with live_app.app.app_context():
        membership = next(m for m in world.user(HR).memberships if m.enterprise_id)
        programme = budgets.programmes_of(membership.enterprise_id)[0]
        pot = budgets.funds_account(programme, now=utcnow()).balance_minor
        db.session.commit()
        return membership.enterprise_id, programme.id, pot


def test_hr_tops_up_the_programme_by_card_on_a_phone(browser: Browser, live_app, axe_source,
                                                     screenshots_dir):
    enterprise_id, programme_id, pot_before = _programme(live_app)
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "top-up", axe_source)
    sign_in_zh(page, HR)
    page.goto("/account")
    # hr@ is also an employee of her company: she acts as its admin.
    switch = page.locator("main li").filter(has_text=zh("Enterprise admin")) \
        .get_by_role("button", name=zh("Switch to this role"))
    if switch.count():
        switch.click()

    page.goto(f"/enterprises/{enterprise_id}/programmes/{programme_id}")
    evidence.capture("programme")
    page.get_by_label(zh("Top up by card (yuan)")).fill(str(AMOUNT_MINOR // 100))
    page.get_by_role("button", name=zh("Continue to payment")).click()
    expect(page.get_by_test_id("stripe-test-mode")).to_be_visible()
    fill_card(page, CARD_OK)
    evidence.capture("card")
    submit_payment(page)

    page.wait_for_url(re.compile(r"/top-ups/\d+/return"))
    expect(page.get_by_test_id("pay-result")).to_have_attribute("data-state", "paid")
    expect(page.locator("main h1")).to_have_text(zh("Paid. The money is in the programme."))
    expect(page.get_by_test_id("top-up-amount")).to_have_text(yuan(AMOUNT_MINOR))
    evidence.capture("paid")

    _e, _p, pot_after = _programme(live_app)
    assert pot_after == pot_before + AMOUNT_MINOR
    with live_app.app.app_context():
        top_up = db.session.scalars(select(TopUp).order_by(TopUp.id.desc())).first()
        assert (top_up.amount_minor, top_up.status) == (AMOUNT_MINOR, PaymentStatus.PAID)
    live_app.stripe.wait_for_webhooks()  # its webhook then finds it funded: no second credit
    assert _programme(live_app)[2] == pot_after
    context.close()
