"""An employee, in Chinese on a phone, books half-day childcare for her four-year-old
daughter and names the grandmother who will collect her; the booking says whom it is for."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from core.clock import utcnow
from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh

EMPLOYEE = "employee@parkwell.demo"  # 陈小雨, mother of 陈朵朵 (four)


def test_employee_books_childcare_for_her_child_with_a_pick_up_person(
        browser: Browser, live_app, axe_source, screenshots_dir):
    with live_app.app.app_context():
        childcare = world.service("Half-day childcare")
        service_id, title = childcare.id, childcare.title_zh
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "family", axe_source)
    sign_in_zh(page, EMPLOYEE)

    # A weekday a few days ahead: the centre opens Monday to Friday.
    day = (utcnow() + timedelta(hours=8) + timedelta(days=3)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    page.goto(f"/services/{service_id}/book?day={day.isoformat()}")
    expect(page.locator("h1")).to_have_text(title)
    evidence.capture("childcare-times")
    page.locator("input[name=slot]").first.check()
    who = page.get_by_label(zh("Who is it for?"))
    who.select_option(who.locator("option", has_text="陈朵朵").get_attribute("value"))
    page.get_by_label(zh("Pick-up person's name")).fill("王秀英")
    page.get_by_label(zh("Relation to the person attending")).fill("外婆")
    page.get_by_label(zh("Pick-up person's mobile")).fill("138 0013 8000")
    evidence.capture("childcare-pickup")
    page.locator("main form.pickup-book").get_by_role("button", name=zh("Book")).click()

    # The booking says whom it is for and who collects her.
    main = page.locator("main")
    expect(main).to_contain_text("陈朵朵")
    expect(main).to_contain_text("王秀英")
    expect(main).to_contain_text("138 0013 8000")
    evidence.capture("childcare-booked")
    page.goto("/bookings")
    expect(main).to_contain_text(zh("for %(name)s").replace("%(name)s", "陈朵朵"))
    context.close()
