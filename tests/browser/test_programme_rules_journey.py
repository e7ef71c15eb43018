"""HR, in Chinese on a phone, reads every rule of the demo programme (category names, not
keys), tries a grade rule without an amount (refused, nothing saved), raises the P7 rule,
and moves 陈小雨 to grade P7; 陈小雨 then reads on her budget page how her new amount is
worked out."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from tests.browser.helpers import PHONE, Evidence, menu, sign_in_zh, zh

RAW_KEYS = re.compile(r"travel_wellness|childcare|health_checkup|rehabilitation")


def test_hr_raises_the_p7_rule_and_a_p7_employee_reads_her_new_amount(
        browser: Browser, live_app, axe_source, screenshots_dir):
    hr = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                             timezone_id="Asia/Shanghai")
    page = hr.new_page()
    evidence = Evidence(page, screenshots_dir, "hr-rules", axe_source)
    sign_in_zh(page, "hr@parkwell.demo")
    menu(page, "我的", main=zh("Main")).click()  # the "me" tab: the account is there
    page.locator("main").get_by_role("link", name=zh("Account")).first.click()
    switch = page.locator("main li").filter(has_text=zh("Enterprise admin")) \
        .get_by_role("button", name=zh("Switch to this role"))
    if switch.count():
        switch.click()

    # The programme's page shows every rule, categories by name.
    menu(page, zh("Budgets"), main=zh("Main")).click()
    page.locator("main").get_by_role("link").filter(has_text="2026").first.click()
    rules = page.locator("main dl.facts").first
    expect(rules).to_contain_text("P7")
    expect(rules).to_contain_text(zh("Travel wellness"))
    expect(rules).to_contain_text(zh("Childcare"))
    assert not RAW_KEYS.search(page.locator("main").inner_text())
    evidence.capture("programme")

    # A grade rule without an amount is refused, and nothing is saved.
    page.get_by_role("link", name=zh("Edit the rules")).click()
    editor = page.locator("main")
    assert not RAW_KEYS.search(editor.inner_text())
    empty_row = page.locator("fieldset.rule-row").filter(
        has=page.locator("input[name$='-grade'][value='']")).first
    empty_row.locator("input[name$='-grade']").fill("P6")
    page.get_by_role("button", name=zh("Save the rules")).click()
    alert = page.get_by_role("alert").filter(has_text=zh("Nothing was saved"))
    expect(alert).to_be_visible()
    evidence.capture("refused")

    # Now the real change: P7 gets ¥1,500 (the row that says P7).
    page.get_by_role("link", name=zh("Cancel")).click()
    page.get_by_role("link", name=zh("Edit the rules")).click()
    p7 = page.locator("fieldset.rule-row").filter(
        has=page.locator("input[name$='-grade'][value='P7']"))
    p7.locator("input[name$='-amount']").fill("1500")
    evidence.capture("editor")
    page.get_by_role("button", name=zh("Save the rules")).click()
    expect(page.locator(".flash").first).to_contain_text(
        zh("Rules saved. They apply to every budget given from now on."))
    expect(page.locator("main dl.facts").first).to_contain_text("¥1,500.00")

    # 陈小雨 is promoted to P7 on the roster.
    page.get_by_role("navigation", name=zh("Main")).get_by_role(
        "link", name=zh("Roster"), exact=True).click()
    row = page.locator("main tr").filter(has_text="陈小雨")
    row.get_by_label(zh("Grade")).fill("P7")
    row.get_by_role("button", name=zh("Save")).click()
    expect(page.locator(".flash").first).to_contain_text(zh("Saved."))
    hr.close()

    # She reads how her amount is worked out now.
    employee = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                   timezone_id="Asia/Shanghai")
    page = employee.new_page()
    evidence = Evidence(page, screenshots_dir, "employee-budget", axe_source)
    sign_in_zh(page, "employee@parkwell.demo")
    page.goto("/me/budget")
    how = page.locator("main section").filter(has_text="P7")
    expect(how).to_contain_text("¥800.00 + P7")
    expect(how).to_contain_text("¥700.00 = ¥1,500.00")
    assert not RAW_KEYS.search(page.locator("main").inner_text())
    evidence.capture("explained")
    employee.close()
