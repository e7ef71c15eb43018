"""From a search to a review, in Chinese on a 390×844 phone: an employee searches 按摩 from
the home page, opens neck and shoulder tuina, books the first time on the day strip, pays it
from her budget, adds it to her calendar; after the session (the clock moves past its end)
the clinic marks her attended from its bookings page, her booking asks how it was, and she
leaves a rating and a few words that the service page then shows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from booking.models import Booking
from core.db import db
from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh
from tests.browser.paying import book_first_time

EMPLOYEE = "staff01@xinjing-tech.demo"  # an adult with a year of birth on her profile
PROVIDER = "provider@parkwell.demo"  # owner of the clinic that gives the tuina
SERVICE = "Neck and shoulder tuina"
REVIEW = "手法很专业，肩颈轻松多了。"


def _phone(browser: Browser, live_app):
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    return context, context.new_page()


def test_she_searches_books_pays_adds_to_her_calendar_and_reviews(browser: Browser, live_app,
                                                                  axe_source,
                                                                  screenshots_dir):
    with live_app.app.app_context():
        tuina = world.service(SERVICE)
        service_id, title = tuina.id, tuina.title_zh
        client_name = world.user(EMPLOYEE).display_name
    context, page = _phone(browser, live_app)
    evidence = Evidence(page, screenshots_dir, "review", axe_source)
    sign_in_zh(page, EMPLOYEE)

    # She searches from the home page and opens the tuina.
    bar = page.get_by_role("search")
    bar.get_by_role("searchbox").fill("按摩")
    bar.get_by_role("button", name=zh("Search")).click()
    page.locator(".service-list").get_by_role("link", name=re.compile(re.escape(title))) \
        .first.click()
    expect(page.locator("main h1")).to_contain_text(title)
    assert f"/services/{service_id}" in page.url

    # She books the first time offered and pays it from her budget (no card).
    book_first_time(page, service_id)
    expect(page.locator("main .badge").first).to_have_text(zh("Held, awaiting payment"))
    booking_url = page.url
    booking_id = int(re.search(r"/bookings/(\d+)", booking_url).group(1))
    page.get_by_role("link", name=zh("Pay"), exact=True).click()
    page.locator("main form[method=post]").get_by_role("button", name=zh("Pay")).click()
    page.goto(booking_url)
    expect(page.locator("main .badge").first).to_have_text(zh("Confirmed"))

    # Added to her phone's calendar.
    calendar = page.get_by_test_id("add-to-calendar")
    ics = page.request.get(calendar.get_by_role("link", name=zh("Phone calendar (.ics)"))
                           .get_attribute("href"))
    assert ics.ok and "BEGIN:VEVENT" in ics.text() and title in ics.text()
    expect(page.get_by_test_id("review-prompt")).to_have_count(0)  # not before she goes
    evidence.capture("booked")
    context.close()

    with live_app.app.app_context():
        booking = db.session.get(Booking, booking_id)
        after_the_session = booking.ends_at + timedelta(minutes=10)
        local_start = booking.starts_at.astimezone(world.PARK_ZONE)
    with time_machine.travel(after_the_session, tick=True):
        # The clinic marks her attended on its bookings page for that day.
        context, page = _phone(browser, live_app)
        sign_in_zh(page, PROVIDER)
        page.get_by_role("navigation", name=zh("Main")).get_by_role(
            "link", name=zh("Bookings"), exact=True).click()
        page.goto(page.url.split("?")[0] + f"?on={local_start.date().isoformat()}")
        row = page.locator("main li").filter(has_text=client_name) \
            .filter(has_text=f"{local_start:%H:%M}").filter(has_text=title) \
            .filter(has=page.get_by_role("button", name=zh("Attended")))
        expect(row).to_have_count(1)
        row.get_by_role("button", name=zh("Attended")).click()
        expect(page.locator(".flash").first).to_be_visible()
        with live_app.app.app_context():
            assert world.booking_status(booking_id) == "attended"
        context.close()

        # Her booking now asks how it was; the list of bookings offers it too.
        context, page = _phone(browser, live_app)
        evidence.page = page
        sign_in_zh(page, EMPLOYEE)
        page.get_by_role("navigation", name=zh("Main")).get_by_role(
            "link", name=zh("Bookings"), exact=True).click()
        expect(page.locator("main").get_by_role("link", name=zh("Write a review"))
               .and_(page.locator(f'a[href$="/bookings/{booking_id}/review"]'))).to_have_count(1)
        page.goto(booking_url)
        prompt = page.get_by_test_id("review-prompt")
        expect(prompt).to_contain_text(zh("How was it?"))
        evidence.capture("prompt")

        # She rates it and writes a few words.
        prompt.get_by_role("link", name=zh("Write a review")).click()
        expect(page.locator("main h1")).to_have_text(zh("Write a review"))
        page.get_by_label(zh("Stars (1 to 5)")).fill("5")
        page.get_by_label(zh("Your review")).fill(REVIEW)
        evidence.capture("form")
        page.get_by_role("button", name=zh("Publish")).click()

        # Thanked, on the service page, where her review now helps her colleagues choose.
        expect(page.locator(".flash").first).to_contain_text(zh("Thank you for your review."))
        assert f"/services/{service_id}" in page.url
        expect(page.locator("main")).to_contain_text(REVIEW)
        evidence.capture("published")
        page.goto(booking_url)
        expect(page.get_by_test_id("review-prompt")).to_have_count(0)
        context.close()
