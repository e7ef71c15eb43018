"""An employee, in Chinese on a phone, books a group workshop in a few taps: she opens the
service, is told before any tap that it needs the PHQ-9 questionnaire and a year of birth
first, fills both in from there and comes back, taps a day on the strip and a time in the
grid (places left on each), checks what, when, where and who pays before confirming, adds
it to her calendar from the booking page, and cancels it, told first that nothing was paid
and nothing is kept."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh

EMPLOYEE = "staff11@xinjing-tech.demo"
WORKSHOP = "Group stress-relief workshop"  # free, twelve places, Mondays to Fridays


def test_she_chooses_a_day_and_a_time_confirms_and_cancels(browser: Browser, live_app,
                                                           axe_source, screenshots_dir):
    with live_app.app.app_context():
        workshop = world.service(WORKSHOP)
        service_id, title = workshop.id, workshop.title_zh
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "choosing", axe_source)
    sign_in_zh(page, EMPLOYEE)

    # The service page says before any tap what is missing, and links to it.
    page.goto(f"/services/{service_id}")
    hint = page.get_by_test_id("eligibility-hint")
    expect(hint).to_contain_text("需要先完成")
    expect(page.locator("a.time-chip")).to_have_count(0)  # shown, not yet offered
    evidence.capture("eligibility")
    hint.get_by_role("link", name=zh("Fill it in now")).click()
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("input[type=radio]").first.check()
    page.get_by_role("button", name=zh("See my result")).click()
    page.get_by_role("link", name=zh("Back to the service")).click()

    # A strip of days, the chosen day's times as chips with places left.
    # The workshop is for adults: her profile has no year of birth yet.
    page.get_by_test_id("eligibility-hint").get_by_role(
        "link", name=zh("Add my year of birth")).click()
    page.get_by_label(zh("Year of birth")).fill("1992")
    page.get_by_role("button", name=zh("Save"), exact=True).click()
    expect(page.get_by_test_id("eligibility-hint")).to_have_count(0)
    strip = page.get_by_role("navigation", name=zh("Days"))
    expect(strip).to_be_visible()
    days = strip.locator("a.day")
    assert days.count() >= 3, "a fortnight holds at least three working days with times"
    # She taps the third day with times.
    days.nth(2).click()
    expect(strip.locator("a.day.chosen")).to_have_count(1)
    grid = page.get_by_test_id("time-grid")
    expect(grid.locator("a.time-chip").first).to_be_visible()
    expect(grid).to_contain_text("剩 12 位")
    # The course is offered once, not under every time.
    expect(page.get_by_role("link", name=re.compile("按疗程预约"))).to_have_count(1)
    evidence.capture("day-strip")
    grid_height = grid.bounding_box()["height"]
    assert grid_height < 400, f"the day's times fit in a screen ({grid_height}px)"

    # She taps a time: what, when, where, who and who pays, before anything is held.
    grid.locator("a.time-chip").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Confirm your booking"))
    summary = page.get_by_test_id("confirm-summary")
    expect(summary).to_contain_text(title)
    expect(page.get_by_test_id("confirm-price")).to_contain_text(zh("Free"))
    evidence.capture("confirm")
    page.get_by_role("button", name=zh("Confirm booking")).click()

    # Booked: the booking page offers to add it to her calendar.
    expect(page.locator("main .badge").first).to_have_text(zh("Confirmed"))
    calendar = page.get_by_test_id("add-to-calendar")
    expect(calendar.get_by_role("link", name=zh("Google Calendar"))).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?action=TEMPLATE"))
    expect(calendar.get_by_role("link", name=zh("Outlook"))).to_have_attribute(
        "href", re.compile(r"^https://outlook\.live\.com/calendar/"))
    ics_href = calendar.get_by_role("link", name=zh("Phone calendar (.ics)")) \
        .get_attribute("href")
    ics = page.request.get(ics_href)
    assert ics.ok and "BEGIN:VCALENDAR" in ics.text() and title in ics.text()
    evidence.capture("booked")
    booking_url = page.url

    # She cancels: asked first, told nothing was paid and nothing is kept.
    page.get_by_role("link", name=zh("Cancel booking")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Cancel this booking?"))
    expect(page.get_by_test_id("cancel-terms")).to_contain_text(
        zh("Nothing was paid for this booking, so there is nothing to refund and no fee."))
    evidence.capture("cancel-confirm")
    page.get_by_role("button", name=zh("Yes, cancel it")).click()
    expect(page).to_have_url(booking_url)
    expect(page.locator("main .badge").first).to_have_text(zh("Cancelled by you"))
    expect(page.locator("main")).not_to_contain_text("100.0%")
    context.close()
