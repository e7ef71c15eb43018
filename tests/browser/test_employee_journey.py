"""An employee, in Chinese on a phone: enters a check-up, sees the risk and a
recommendation with its reason, books TCM paying part from the budget and the rest by card,
adds it to her calendar, cancels within the policy and sees both refunds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from core.clock import utcnow
from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, menu, sign_in_zh, zh
from tests.browser.paying import CARD_OK, fill_card, submit_payment, wait_for_result

EMPLOYEE = "staff02@xinjing-tech.demo"  # nothing flagged in her health profile yet


def test_employee_books_tcm_in_chinese_on_a_phone(browser: Browser, live_app, axe_source,
                                                  screenshots_dir):
    with live_app.app.app_context():
        tuina = world.service("Neck and shoulder tuina")
        title, price = tuina.title_zh, tuina.price_minor
        budget_left = world.spend_budget_on_tuina(EMPLOYEE, below_minor=price)
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "employee", axe_source)

    # She signs in; the pages are in Chinese.
    sign_in_zh(page, EMPLOYEE)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    evidence.capture("home")

    # She enters today's check-up: her blood pressure is up.
    menu(page, zh("Health"), main=zh("Main")).click()
    page.get_by_role("link", name=zh("Check-ups")).first.click()
    today = (utcnow() + timedelta(hours=8)).date().isoformat()
    page.get_by_label(zh("Date of the check-up")).fill(today)
    page.get_by_label(zh("Where (hospital, clinic, check-up centre)")).fill("瑞金医院")
    page.get_by_label(zh("Systolic blood pressure")).fill("150")
    page.get_by_label(zh("Diastolic blood pressure")).fill("96")
    page.get_by_label(zh("Weight")).fill("68")
    page.get_by_label(zh("Height")).fill("165")
    evidence.capture("checkup-form")
    page.get_by_role("button", name=zh("Save check-up")).click()
    expect(page.locator("main")).to_contain_text("150")

    # The overview shows the risk flag and the trends.
    page.get_by_role("link", name=zh("Overview")).first.click()
    expect(page.locator("main")).to_contain_text(
        zh("Blood pressure in the grade 1 hypertension range"))
    expect(page.locator("main")).to_contain_text("150/96")
    expect(page.locator("main svg[role=img]").first).to_be_visible()
    evidence.capture("health-overview")

    # A recommendation, with the reason in plain words.
    page.get_by_role("link", name=zh("Recommendations")).first.click()
    expect(page.locator("main")).to_contain_text("150/96")
    evidence.capture("recommendations")

    # She books neck and shoulder tuina three days ahead (free cancellation until 24 h).
    page.get_by_role("link", name=zh("Services")).first.click()
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    evidence.capture("service")
    # The day strip starts three days ahead; she taps the first time of its first day
    # with times, checks what she is booking, and confirms.
    first = (utcnow() + timedelta(hours=8) + timedelta(days=3)).date().isoformat()
    page.goto(re.sub(r"[?#].*$", "", page.url) + f"?first={first}")
    page.get_by_test_id("time-grid").locator("a.time-chip").first.click()
    page.get_by_role("button", name=zh("Confirm booking")).click()
    expect(page.locator("main .badge").first).to_have_text(zh("Held, awaiting payment"))
    booking_url = page.url

    # Checkout: the budget pays what is left of it, the card the rest.
    page.get_by_role("link", name=zh("Pay")).click()
    expect(page.get_by_test_id("budget-share")).to_contain_text(f"{budget_left / 100:,.2f}")
    expect(page.get_by_test_id("card-share")).to_contain_text(
        f"{(price - budget_left) / 100:,.2f}")
    evidence.capture("checkout")
    page.locator("main").get_by_role("button", name=zh("Pay")).click()
    expect(page.get_by_test_id("budget-share")).to_contain_text(f"{budget_left / 100:,.2f}")
    expect(page.locator("main .flash-info").first).to_contain_text(
        f"{(price - budget_left) / 100:,.2f}")

    # She pays the card share with a test card in the Payment Element (the local Stripe
    # test server's stand-in); Stripe sends her back, and the booking is confirmed.
    fill_card(page, CARD_OK)
    submit_payment(page)
    wait_for_result(page, "paid")
    intent = next(i for i in reversed(live_app.stripe.intents.values())
                  if i["amount"] == price - budget_left)
    assert intent["status"] == "succeeded"
    page.goto(booking_url)
    expect(page.locator("main .badge").first).to_have_text(zh("Confirmed"))
    evidence.capture("booking-confirmed")

    # She adds her bookings to her phone's calendar (the .ics address).
    page.get_by_role("link", name=zh("All my bookings")).click()
    page.get_by_role("button", name=zh("Get a calendar address")).click()
    address = re.search(r"https?://\S+\.ics", page.locator(".flash").first.inner_text())
    assert address, page.locator(".flash").first.inner_text()
    ics = page.request.get(address.group(0).replace("http://localhost", live_app.url))
    assert ics.ok and "BEGIN:VCALENDAR" in ics.text() and title in ics.text()
    evidence.capture("my-bookings")

    # She cancels more than 24 hours ahead: free of charge, both shares come back.
    page.goto(booking_url)
    expect(page.locator("main")).to_contain_text(zh("You can cancel free of charge now."))
    page.get_by_role("link", name=zh("Cancel booking")).click()
    page.get_by_label(zh("Reason (optional)")).fill("临时出差")
    page.get_by_role("button", name=zh("Yes, cancel it")).click()
    expect(page.locator("main")).to_contain_text("100")
    page.get_by_role("link", name=zh("Payment and refunds")).click()
    expect(page.get_by_test_id("refund-budget")).to_contain_text(f"{budget_left / 100:,.2f}")
    expect(page.get_by_test_id("refund-card")).to_contain_text(
        f"{(price - budget_left) / 100:,.2f}")
    evidence.capture("refunds")
    live_app.stripe.wait_for_webhooks()
    refunds = [r for r in live_app.stripe.refunds.values() if r["payment_intent"] == intent["id"]]
    assert [r["amount"] for r in refunds] == [price - budget_left]

    menu(page, zh("My budget"), main=zh("Main")).click()
    expect(page.locator("main")).to_contain_text(zh("Refund"))
    context.close()
