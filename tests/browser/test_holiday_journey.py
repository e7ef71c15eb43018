"""The platform admin keeps the park's holiday calendar on a phone, in Chinese: next year's
State Council notice pasted in, a line that cannot be read refused with its number and
nothing saved, then the year entered; the provider's dashboard stops warning about it."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from core.clock import utcnow
from tests.browser.helpers import PHONE, Evidence, menu, sign_in_zh, zh


def _notice(year: int) -> str:
    return (f"{year}-01-01 休 元旦\n{year}-02-06~{year}-02-12 休 春节\n"
            f"{year}-02-20 班 春节调休\n{year}-10-01~{year}-10-07 休 国庆节")


def test_the_platform_admin_enters_next_years_holidays_on_a_phone(browser: Browser, live_app,
                                                                  axe_source,
                                                                  screenshots_dir):
    year = utcnow().year + 1
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "admin", axe_source)

    sign_in_zh(page, "admin@parkwell.demo")
    menu(page, zh("Holidays"), main=zh("Main")).click()  # a tab
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Holiday calendar"))
    form = page.locator("form").filter(has=page.get_by_role(
        "button", name=zh("Save the calendar")))
    form.get_by_label(zh("Year")).fill(str(year))
    form.get_by_label(zh("Holidays and make-up working days")).fill(
        f"{year}-02-30 休 春节")
    form.get_by_role("button", name=zh("Save the calendar")).click()
    expect(page.locator(".field-error")).to_contain_text("第 1 行")
    expect(page.locator("main")).not_to_contain_text(zh("Days entered for %(year)s")
                                                     .replace("%(year)s", str(year)))

    form = page.locator("form").filter(has=page.get_by_role(
        "button", name=zh("Save the calendar")))
    form.get_by_label(zh("Holidays and make-up working days")).fill(_notice(year))
    form.get_by_role("button", name=zh("Save the calendar")).click()
    expect(page.locator(".flash")).to_contain_text(str(year))
    expect(page.locator("main")).to_contain_text(
        zh("Days entered for %(year)s").replace("%(year)s", str(year)))
    expect(page.locator("main")).to_contain_text("春节调休")
    evidence.capture("holidays")
    context.close()

    provider = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                   timezone_id="Asia/Shanghai")
    page = provider.new_page()
    sign_in_zh(page, "provider@parkwell.demo")
    menu(page, zh("Today"), main=zh("Main")).click()  # the dashboard tab
    expect(page.get_by_role("heading", level=1)).to_contain_text("杏林中医馆")
    expect(page.get_by_text(zh("Holiday data missing"))).to_have_count(0)
    provider.close()
