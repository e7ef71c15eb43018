"""A provider who has never seen an RRULE sets their week on a phone, in Chinese: Monday's
morning copied to the working days, a Saturday morning (a wrong end refused in words that
name the day, nothing saved), then a day off picked on the month calendar; the week view
then shows those hours, and the day off closed."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from core.clock import utcnow
from providers.holidays import DayKind, day_kind
from tests.browser.helpers import PHONE, Evidence, menu, sign_in_zh, zh

PARK_ZONE = ZoneInfo("Asia/Shanghai")


def test_a_provider_sets_weekly_hours_and_a_day_off_on_a_phone_in_chinese(
        browser: Browser, live_app, axe_source, screenshots_dir):
    today = utcnow().astimezone(PARK_ZONE).date()
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "provider-hours", axe_source)

    sign_in_zh(page, "provider@parkwell.demo")
    menu(page, zh("Today"), main=zh("Main")).click()  # the dashboard tab
    page.locator("main li").filter(has_text="孙杏林") \
        .get_by_role("link", name=zh("Week and schedule")).click()
    expect(page.locator("main")).not_to_contain_text("FREQ=")
    page.get_by_role("link", name=zh("Edit weekly hours")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(zh("Weekly hours"))
    expect(page.get_by_label(zh("Time zone"))).to_have_value("Asia/Shanghai")

    # Monday 09:00-12:00, then copied to the working days (a round trip: works without JS).
    page.get_by_role("checkbox", name="星期一").check()
    page.locator("#monday-0-start").fill("09:00")
    page.locator("#monday-0-end").fill("12:00")
    page.get_by_role("button", name=f"{zh('Copy to weekdays')} 星期一").click()
    for key in ("tuesday", "wednesday", "thursday", "friday"):
        expect(page.locator(f"#{key}-0-start")).to_have_value("09:00")
        expect(page.locator(f"#{key}-0-end")).to_have_value("12:00")

    # Saturday morning, with the end typed wrong first: refused in words, nothing saved.
    page.get_by_role("checkbox", name="星期六").check()
    page.locator("#saturday-0-start").fill("09:00")
    page.locator("#saturday-0-end").fill("08:00")
    page.get_by_role("button", name=zh("Save the weekly hours"), exact=True).last.click()
    expect(page.locator("#day-saturday .field-error")).to_contain_text(
        "星期六 09:00–08:00：结束时间须晚于开始时间。")
    expect(page.locator("main")).not_to_contain_text("saturday")
    expect(page.locator("main")).not_to_contain_text("end_time")
    evidence.capture("refused")
    page.locator("#saturday-0-end").fill("12:00")
    evidence.capture("editor")
    page.get_by_role("button", name=zh("Save the weekly hours"), exact=True).last.click()
    expect(page.locator(".flash")).to_contain_text(zh("The weekly hours have been saved."))
    summary = page.locator(".pw-hours-summary")
    expect(summary.locator("li").nth(0)).to_contain_text("09:00–12:00")
    expect(summary.locator("li").nth(5)).to_contain_text("09:00–12:00")
    expect(summary.locator("li").nth(6)).to_contain_text(zh("Not working"))
    evidence.capture("schedule")

    # A day off: next week's Wednesday (an ordinary working day), picked on the calendar.
    day_off = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    while day_kind(day_off) is not DayKind.WORKDAY:
        day_off += timedelta(days=7)
    cell = page.locator(f'.pw-month a[href*="on={day_off.isoformat()}"]')
    for _month in range(3):  # the calendar opens on this month; the day may be in the next
        if cell.count():
            break
        page.get_by_role("link", name=f"{zh('Next month')} →").click()
    cell.click()
    form = page.locator("#override form")
    expect(form.get_by_label(zh("Date"), exact=True)).to_have_value(day_off.isoformat())
    form.get_by_label(zh("Kind")).select_option(label=zh("Time off"))
    form.get_by_label(zh("Note")).fill("院庆")
    form.get_by_role("button", name=zh("Save")).click()
    expect(page.locator(".flash")).to_contain_text(zh("The change to the schedule has been "
                                                      "saved."))
    expect(page.locator("#override")).to_contain_text("院庆")

    # The week of the day off: Saturday has its morning, the day off is closed.
    off = page.locator(f'.pw-day[data-day="{day_off.isoformat()}"]')
    expect(off).to_contain_text(zh("Closed"))
    saturday = day_off + timedelta(days=3)
    if day_kind(saturday) is DayKind.WEEKEND:
        expect(page.locator(f'.pw-day[data-day="{saturday.isoformat()}"]')) \
            .to_contain_text("09:00–12:00")
    monday = day_off - timedelta(days=2)
    if day_kind(monday) is DayKind.WORKDAY:
        expect(page.locator(f'.pw-day[data-day="{monday.isoformat()}"]')) \
            .to_contain_text("09:00–12:00")
    evidence.capture("week")
    # The parts a phone scrolls to, on their own for the docs.
    page.locator(".pw-week").screenshot(
        path=screenshots_dir / "provider-hours-week-strip-390x844.png")
    page.locator("#month").screenshot(
        path=screenshots_dir / "provider-hours-month-calendar-390x844.png")
    context.close()
