"""A committee member publishes a festival with two sessions; an employee registers on her
phone; at the door the ticket is checked in by its code, and attendance rises."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from core.clock import utcnow
from tests.browser.helpers import DESK, PHONE, Evidence, menu, sign_in

PARK_ZONE = ZoneInfo("Asia/Shanghai")
TITLE = "Autumn health festival"


def _local(days: int, hour: int) -> str:
    day = (utcnow().astimezone(PARK_ZONE) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def test_committee_publishes_a_festival_and_checks_in_a_ticket(browser: Browser, live_app,
                                                               axe_source, screenshots_dir):
    committee = browser.new_context(base_url=live_app.url, locale="en-GB", viewport=DESK,
                                    timezone_id="Asia/Shanghai")
    page = committee.new_page()
    evidence = Evidence(page, screenshots_dir, "committee", axe_source)
    sign_in(page, "committee@parkwell.demo")

    # A festival, as a draft.
    menu(page, "Events").click()
    evidence.capture("events")
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Event title (Chinese)").fill("秋季健康节")
    page.get_by_label("Event title (English, optional)").fill(TITLE)
    page.get_by_label("Description (Chinese)").fill("讲座、八段锦和义诊。")
    page.get_by_label("Description (English)").fill("Talks, Baduanjin and free check-ups.")
    page.get_by_label("Kind").select_option(label="Festival week")
    page.get_by_label("Registration opens").fill(_local(0, 0))
    page.get_by_label("Registration closes").fill(_local(40, 0))
    evidence.capture("new-event")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    manage_url = page.url

    # Two sessions.
    for title, days, hour in (("Opening talk", 41, 19), ("Baduanjin in the garden", 42, 19)):
        form = page.locator("form").filter(has=page.get_by_role("button", name="Add session"))
        form.get_by_label("Session title (English, optional)").fill(title)
        form.get_by_label("Starts").fill(_local(days, hour))
        form.get_by_label("Ends").fill(_local(days, hour + 1))
        form.get_by_label("Capacity (people)").fill("20")
        form.get_by_role("button", name="Add session").click()
        expect(page.locator("main table")).to_contain_text(title)

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    evidence.capture("manage-event")

    # An employee registers for the opening talk, on her phone.
    employee = browser.new_context(base_url=live_app.url, locale="en-GB", viewport=PHONE,
                                   timezone_id="Asia/Shanghai")
    phone = employee.new_page()
    phone_evidence = Evidence(phone, screenshots_dir, "committee-employee", axe_source)
    sign_in(phone, "staff03@xinjing-tech.demo")
    menu(phone, "Park events").click()
    phone.get_by_role("link", name=TITLE).first.click()
    phone_evidence.capture("event")
    phone.locator("main li").filter(has_text="Opening talk") \
        .get_by_role("button", name="Register").click()
    expect(phone.locator(".flash")).to_contain_text("You are registered.")
    code = phone.locator(".pk-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code), code
    phone_evidence.capture("ticket")
    employee.close()

    # At the door: none checked in yet; the typed code checks in; attendance rises.
    page.goto(manage_url)
    page.locator("main tr").filter(has_text="Opening talk") \
        .get_by_role("link", name="Check-in").click()
    counts = page.locator("#pk-counts")
    expect(counts.locator("[data-count=checked_in]")).to_have_text("0")
    expect(counts.locator("[data-count=registered]")).to_have_text("1")
    page.get_by_label("Ticket code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(counts.locator("[data-count=checked_in]")).to_have_text("1")
    evidence.capture("checkin")

    # A second scan of the same ticket says when it was used, and counts nothing.
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.locator("main")).to_contain_text("already used")
    expect(counts.locator("[data-count=checked_in]")).to_have_text("1")

    # The reports: attendance and satisfaction by event.
    page.goto(manage_url)
    page.get_by_role("link", name="All events").click()
    page.get_by_role("link", name="Reports").click()
    expect(page.locator("main")).to_contain_text(TITLE)
    expect(page.locator("main svg[role=img]").first).to_be_visible()
    evidence.capture("reports")
    committee.close()
