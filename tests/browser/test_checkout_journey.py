"""Employees, in Chinese on a phone, pay the co-paid two-day Moganshan trip (the travel
category may use at most 30 % of their budget): by card, by WeChat Pay's QR code then
Alipay's redirect, and with a declined card tried again. Everything goes through the local
Stripe-compatible test server that ``make run`` starts, with its Stripe.js stand-in in the
page; the journeys post no webhook: the server sends them, and the return page reads the
PaymentIntent."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from benefits import checkout
from benefits.models import Payment
from booking.models import Booking
from core.db import db
from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh
from tests.browser.paying import (
    CARD_DECLINED,
    CARD_OK,
    book_first_time,
    fill_card,
    start_paying,
    submit_payment,
    wait_for_result,
    yuan,
)

TRIP = "Two-day Moganshan wellness trip"


def _trip_split(live_app, email: str) -> tuple[int, int, int]:
    """(service id, budget share, own share) for this employee today."""
    with live_app.app.app_context():
        trip = world.service(TRIP)
        budget = min(world.budget_left(world.user(email), "travel_wellness"), trip.price_minor)
        return trip.id, budget, trip.price_minor - budget


def _phone(browser: Browser, live_app):
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    return context, context.new_page()


def _booking_status(live_app, page) -> str:
    booking_id = int(re.search(r"/bookings/(\d+)", page.url).group(1))
    with live_app.app.app_context():
        return world.booking_status(booking_id)


def _payment_of(live_app, booking_url: str) -> Payment:
    booking_id = int(re.search(r"/bookings/(\d+)", booking_url).group(1))
    with live_app.app.app_context():
        payment = checkout.payment_for(db.session.get(Booking, booking_id))
        db.session.expunge(payment)
        return payment


def test_employee_pays_the_trips_own_share_by_card(browser: Browser, live_app, axe_source,
                                                   screenshots_dir):
    email = "staff05@xinjing-tech.demo"
    trip_id, budget, own = _trip_split(live_app, email)
    assert budget and own, "the trip is co-paid: the travel cap leaves a share to pay"
    context, page = _phone(browser, live_app)
    evidence = Evidence(page, screenshots_dir, "checkout-card", axe_source)
    sign_in_zh(page, email)

    # Before choosing a time she sees what each side pays, her balance and the cap.
    page.goto(f"/services/{trip_id}/book")
    preview = page.get_by_test_id("price-preview")
    expect(preview.get_by_test_id("preview-split")).to_have_text(
        f"预算 {yuan(budget)} + 自付 {yuan(own)}")
    expect(preview).to_contain_text("30%")
    evidence.capture("booking-sheet")

    book_first_time(page, trip_id)
    booking_url = page.url
    start_paying(page)
    expect(page.get_by_test_id("pay-split")).to_have_text(
        f"预算 {yuan(budget)} + 自付 {yuan(own)}")
    fill_card(page, CARD_OK)
    evidence.capture("checkout")
    submit_payment(page)

    wait_for_result(page, "paid")
    expect(page.locator("main h1")).to_have_text(zh("Paid. Your booking is confirmed."))
    evidence.capture("paid")
    page.get_by_role("link", name=zh("See my booking")).click()
    expect(page.locator("main .badge").first).to_have_text(zh("Confirmed"))
    payment = _payment_of(live_app, booking_url)
    assert (payment.budget_minor, payment.card_minor, payment.status.value) == (
        budget, own, "paid")
    live_app.stripe.wait_for_webhooks()
    context.close()


def test_employee_tries_wechat_pay_then_pays_by_alipays_redirect(browser: Browser, live_app,
                                                                 screenshots_dir):
    email = "staff06@xinjing-tech.demo"
    trip_id, _budget, own = _trip_split(live_app, email)
    context, page = _phone(browser, live_app)
    sign_in_zh(page, email)
    book_first_time(page, trip_id)
    booking_url = page.url
    start_paying(page)

    # WeChat Pay shows its QR code (the local server's test page); she does not pay there.
    page.get_by_label("微信支付").check()
    submit_payment(page)
    expect(page.locator("body")).to_contain_text("TEST MODE")
    expect(page.get_by_role("img", name=re.compile("测试二维码"))).to_be_visible()
    page.screenshot(path=screenshots_dir / "checkout-wechat-qr-390x844.png", full_page=True)
    page.get_by_role("button", name=re.compile("付款失败")).click()
    wait_for_result(page, "failed")
    expect(page.get_by_test_id("pay-error")).to_contain_text(zh("The payment was not authorised."))
    assert _booking_status(live_app, page) == "held"

    # On the same intent she chooses Alipay: redirected to Alipay (test page), authorises,
    # and comes back to the return page.
    page.get_by_label("支付宝").check()
    submit_payment(page)
    expect(page.get_by_role("button", name=re.compile("授权测试付款"))).to_be_visible()
    page.screenshot(path=screenshots_dir / "checkout-alipay-390x844.png", full_page=True)
    page.get_by_role("button", name=re.compile("授权测试付款")).click()
    wait_for_result(page, "paid")
    assert _booking_status(live_app, page) == "confirmed"
    payment = _payment_of(live_app, booking_url)
    intent = live_app.stripe.intents[payment.stripe_payment_intent_id]
    assert (intent["status"], intent["amount"], payment.card_minor) == ("succeeded", own, own)
    live_app.stripe.wait_for_webhooks()
    context.close()


def test_a_declined_card_is_tried_again_on_the_same_payment(browser: Browser, live_app,
                                                            axe_source, screenshots_dir):
    email = "staff07@xinjing-tech.demo"
    trip_id, _budget, own = _trip_split(live_app, email)
    context, page = _phone(browser, live_app)
    evidence = Evidence(page, screenshots_dir, "checkout-declined", axe_source)
    sign_in_zh(page, email)
    book_first_time(page, trip_id)
    booking_url = page.url
    start_paying(page)

    fill_card(page, CARD_DECLINED)
    submit_payment(page)
    expect(page.locator("#payment-message")).to_contain_text("银行卡被拒绝")
    payment = _payment_of(live_app, booking_url)
    live_app.stripe.wait_for_webhooks()  # payment_intent.payment_failed reached the app
    assert [e["delivery"] for e in live_app.stripe.events
            if e["type"] == "payment_intent.payment_failed"][-1] == 200

    # She leaves and comes back later: the page reads the intent, says why, and keeps the
    # place for another try on the same intent.
    page.goto(booking_url.rstrip("/") + "/checkout/return")
    expect(page.get_by_test_id("pay-result")).to_have_attribute("data-state", "failed")
    expect(page.get_by_test_id("pay-error")).to_contain_text(zh("Your card was declined."))
    evidence.capture("failed")
    fill_card(page, CARD_OK)
    submit_payment(page)

    wait_for_result(page, "paid")
    assert _booking_status(live_app, page) == "confirmed"
    again = _payment_of(live_app, booking_url)
    assert again.stripe_payment_intent_id == payment.stripe_payment_intent_id
    assert live_app.stripe.intents[again.stripe_payment_intent_id]["amount"] == own
    live_app.stripe.wait_for_webhooks()
    context.close()


def test_a_held_place_is_released_from_the_pay_page(browser: Browser, live_app):
    email = "staff08@xinjing-tech.demo"
    trip_id, budget, _own = _trip_split(live_app, email)
    context, page = _phone(browser, live_app)
    sign_in_zh(page, email)
    book_first_time(page, trip_id)
    start_paying(page)

    page.get_by_test_id("release-hold").click()

    expect(page.locator(".flash").first).to_contain_text(
        zh("The place is released. Nothing was charged, and your budget is back."))
    expect(page.locator("main .badge").first).to_have_text(zh("Cancelled by you"))
    with live_app.app.app_context():
        assert world.budget_left(world.user(email), "travel_wellness") == budget
    context.close()
