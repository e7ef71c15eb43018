"""A provider at their desk: sets weekly hours and a day off, imports busy time from their
own calendar (.ics, in the background, with its page following it), sees a new booking in
the week view, marks it attended and reads the settlement statement."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from core.clock import utcnow
from tests.browser import world
from tests.browser.helpers import DESK, Evidence, menu, sign_in

PARK_ZONE = ZoneInfo("Asia/Shanghai")


def test_provider_runs_the_week_and_reads_the_statement(browser: Browser, live_app,
                                                        axe_source, screenshots_dir):
    with live_app.app.app_context():
        booked = world.booking_that_has_started(
            "employee@parkwell.demo", practitioner_name_en="Sun Xinglin",
            service_title_en="Neck and shoulder tuina")
    local_start = booked.starts_at.astimezone(PARK_ZONE)
    context = browser.new_context(base_url=live_app.url, locale="en-GB", viewport=DESK,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "provider", axe_source)

    sign_in(page, "provider@parkwell.demo")
    menu(page, "Today").click()  # the dashboard tab
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xinglin TCM Clinic")
    expect(page.get_by_role("img", name="Places booked per week")).to_be_visible()
    evidence.capture("dashboard")

    # Weekly hours: Saturday mornings from now on, in the weekly editor (no RRULE to type).
    page.locator("main li").filter(has_text="Sun Xinglin") \
        .get_by_role("link", name="Week and schedule").click()
    page.get_by_role("link", name="Edit weekly hours").click()
    page.get_by_role("checkbox", name="Saturday").check()
    page.locator("#saturday-0-start").fill("09:00")
    page.locator("#saturday-0-end").fill("12:00")
    page.get_by_role("button", name="Save the weekly hours", exact=True).last.click()
    expect(page.locator(".flash")).to_contain_text("The weekly hours have been saved.")
    expect(page.locator(".pw-hours-summary li").nth(5)).to_contain_text("09:00–12:00")

    # A day off (a holiday of the clinic's own) on the Tuesday after next.
    today = utcnow().astimezone(PARK_ZONE).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 + 7)
    exceptions = page.locator("form").filter(has=page.get_by_label("Kind"))
    exceptions.get_by_label("Kind").select_option(label="Time off")
    exceptions.get_by_label("Date").fill(tuesday.isoformat())
    exceptions.get_by_label("Note").fill("Clinic anniversary")
    exceptions.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("The change to the schedule has been saved.")
    expect(page.locator("main")).to_contain_text("Clinic anniversary")
    evidence.capture("schedule")

    # Busy time from their own calendar: an evening meeting ten days ahead (outside their
    # hours). The upload's page follows the import and says what it imported.
    evening = (today + timedelta(days=10)).strftime("%Y%m%dT190000")
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//journey//EN\r\nBEGIN:VEVENT\r\n"
           "UID:board@clinic.example\r\nDTSTAMP:20260101T000000Z\r\n"
           f"DTSTART;TZID=Asia/Shanghai:{evening}\r\nDURATION:PT1H\r\n"
           "SUMMARY:Board meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    page.get_by_label("Calendar file (.ics)").set_input_files(
        {"name": "clinic.ics", "mimeType": "text/calendar", "buffer": ics.encode()})
    page.locator("form").filter(has=page.get_by_label("Calendar file (.ics)")) \
        .get_by_role("button", name="Import").click()
    expect(page).to_have_url(re.compile(r"/busy/imports/\d+$"))
    expect(page.locator("#job")).to_contain_text("1 busy times imported.", timeout=15_000)
    evidence.capture("busy-import")
    page.get_by_role("link", name="Back to the schedule").click()

    # The week the client booked: the booking is in the week view.
    monday = local_start.date() - timedelta(days=local_start.weekday())
    page.goto(page.url.split("?")[0] + f"?week={monday.isoformat()}")
    day = page.locator(f'.pw-day[data-day="{local_start.date().isoformat()}"]')
    expect(day).to_contain_text(f"{local_start:%H:%M}")
    expect(day.locator(".pw-booked")).not_to_have_count(0)
    evidence.capture("week-view")

    # The client came: mark it attended.
    menu(page, "Bookings").click()
    page.goto(page.url.split("?")[0] + f"?on={local_start.date().isoformat()}")
    row = page.locator("main li").filter(has_text=booked.client_name) \
        .filter(has=page.get_by_role("button", name="Attended"))
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Attended").click()
    expect(page.locator(".flash")).to_be_visible()
    expect(page.get_by_role("button", name="Attended")).to_have_count(0)
    with live_app.app.app_context():
        assert world.booking_status(booked.booking_id) == "attended"
    evidence.capture("bookings")

    # The month's settlement statement: the booking's price, the platform's fee, the net.
    menu(page, "Statement").click()
    booked_month = (booked.starts_at - timedelta(days=1)).astimezone(PARK_ZONE)
    page.get_by_label("Month").fill(f"{booked_month:%Y-%m}")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text("CN¥168.00")
    expect(page.locator("main")).to_contain_text("CN¥8.40")  # the platform's 5 %
    evidence.capture("statement")
    context.close()
