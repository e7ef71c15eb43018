"""A new joiner's first booking, in Chinese on a phone: she signs up with her employer's
invite code (XJTECH26) on the 2nd of a month (the clock moved there), finds a budget on
*My budget* on day one (prorated from the day she joined, and the page says how), finds a
service, books a time on the day strip, checks it on the confirmation step, and pays it
from the budget."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from core.clock import utcnow
from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, zh

SERVICE = "Neck and shoulder tuina"
LOGIN = "new.joiner@xinjing-tech.demo"
PASSWORD = "parkwell-new-joiner-2026"


def the_second_of_next_month(now: datetime) -> datetime:
    """When she joins. The demo park is seeded (and its budgets first given) as the journeys
    start, so anyone joining today joins on launch day and gets the full amount; a real new
    joiner comes once the programme has been running: the clock moves to 10:00 on the 2nd
    of next month, a day into that period (the 1st would be a whole period, nothing to
    prorate), with most of it left so that her share pays for the tuina."""
    local = now.astimezone(world.PARK_ZONE)
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first.replace(day=2).date(), time(10), world.PARK_ZONE)


def test_a_new_joiner_signs_up_sees_her_budget_and_books_from_it(
        browser: Browser, live_app, axe_source, screenshots_dir):
    with live_app.app.app_context():
        tuina = world.service(SERVICE)
        service_id, title, price = tuina.id, tuina.title_zh, tuina.price_minor
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "new-joiner", axe_source)

    with time_machine.travel(the_second_of_next_month(utcnow()), tick=True):
        # She signs up with the invite code HR gave her.
        page.goto("/signup")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        evidence.capture("signup")
        page.get_by_label(zh("Invite code from your employer")).fill("XJTECH26")
        page.get_by_label(zh("Email or mobile number")).fill(LOGIN)
        page.get_by_label(zh("Your name")).fill("林晓雯")
        page.get_by_label(zh("Password"), exact=True).fill(PASSWORD)
        page.get_by_label(zh("Repeat the password")).fill(PASSWORD)
        page.locator("main").get_by_role("button").last.click()
        expect(page.locator(".flash").first).to_contain_text("林晓雯")

        # Day one: My budget shows an amount, prorated from today, and says how.
        page.goto("/me/budget")
        main = page.locator("main")
        amount = main.locator(".budget-line strong").first
        expect(amount).to_contain_text("¥")
        budget = round(float(re.sub(r"[^\d.]", "", amount.inner_text())) * 100)
        assert 0 < budget <= 80_000, amount.inner_text()
        assert budget < 80_000, "prorated from the day she joined"
        expect(main).to_contain_text(re.compile(r"按入职日（.+）折算"))
        evidence.capture("budget")
        assert price <= budget, (price, budget)

        # She finds neck and shoulder tuina among the services.
        page.get_by_role("navigation", name=zh("Main")).get_by_role(
            "link", name=zh("Services"), exact=True).click()
        page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
        expect(page.locator("h1")).to_contain_text(title)
        evidence.capture("service")
        # Tuina is for adults: her new profile has no year of birth yet, and the page says so.
        hint = page.get_by_test_id("eligibility-hint")
        expect(hint).to_be_visible()
        hint.get_by_role("link", name=zh("Add my year of birth")).click()
        page.get_by_label(zh("Year of birth")).fill("1998")
        page.get_by_role("button", name=zh("Save"), exact=True).click()
        expect(page.get_by_test_id("eligibility-hint")).to_have_count(0)

        # The day strip: she taps the first time offered, checks it on the confirmation step,
        # and confirms.
        page.goto(f"/services/{service_id}/book")
        for _ in range(8):
            chips = page.get_by_test_id("time-grid").locator("a.time-chip")
            if chips.count():
                break
            page.get_by_role("link", name=zh("Later days")).click()
        evidence.capture("day-strip")
        chips.first.click()
        confirm = page.get_by_role("button", name=zh("Confirm booking"))
        expect(confirm).to_be_visible()
        evidence.capture("confirm")
        confirm.click()
        expect(page.locator("main .badge").first).to_have_text(zh("Held, awaiting payment"))
        booking_url = page.url

        # The budget pays it all: no card.
        page.get_by_role("link", name=zh("Pay"), exact=True).click()
        expect(page.get_by_test_id("budget-share")).to_contain_text(f"{price / 100:,.2f}")
        evidence.capture("checkout")
        page.locator("main form[method=post]").get_by_role("button", name=zh("Pay")).click()
        page.goto(booking_url)
        expect(page.locator("main .badge").first).to_have_text(zh("Confirmed"))
        evidence.capture("booked")

        page.goto("/me/budget")
        expect(page.locator("main .budget-line strong").first).to_contain_text(
            f"{(budget - price) / 100:,.2f}")
    context.close()
