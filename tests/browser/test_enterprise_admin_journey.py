"""An enterprise admin, in English: imports a roster with one bad row, watches the import's
page until it shows the error, fixes it, allocates the budget, opens the report with its
chart, and finds no one's health data on any page."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import DESK, Evidence, menu, sign_in

HEADER = "employee_no,name,email,department,grade\n"
GOOD = ("XJ10001,宋佳,song.jia@xinjing-tech.demo,Research,P5\n"
        "XJ10002,韩雪,han.xue@xinjing-tech.demo,Sales,P6\n")
BAD = "XJ10003,唐宁,tang.ning-at-xinjing-tech.demo,Research,P5\n"
FIXED = "XJ10003,唐宁,tang.ning@xinjing-tech.demo,Research,P5\n"
#: What would betray someone's health data on an employer's page (the demo's employees
#: have blood pressure, glucose, lipids, PHQ-9, GAD-7 and ISI scores on file).
HEALTH_WORDS = re.compile(r"mmHg|mmol|blood pressure|glucose|cholesterol|BMI|PHQ|GAD-7|ISI|"
                          r"hypertension|insomnia|anxiety|depress|血压|血糖|血脂|焦虑|抑郁|失眠",
                          re.IGNORECASE)


def _upload(page: Page, name: str, content: str) -> None:
    page.get_by_label("Roster file (CSV or XLSX)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()})
    page.get_by_role("button", name="Import", exact=True).click()


def test_enterprise_admin_imports_allocates_and_reads_the_report(browser: Browser, live_app,
                                                                 axe_source, screenshots_dir):
    context = browser.new_context(base_url=live_app.url, locale="en-GB", viewport=DESK,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "enterprise-admin", axe_source)
    seen: list[tuple[str, str]] = []
    page.on("load", lambda p: seen.append((p.url, p.locator("body").inner_text())))
    script_errors: list[str] = []  # the import page's script (and any other) must not fail
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    sign_in(page, "hr@parkwell.demo")
    menu(page, "Me").click()  # every other place, the account too, is under the "me" tab
    page.locator("main").get_by_role("link", name="Account").first.click()
    # hr@ is also an employee of her company: she acts as its admin.
    switch = page.locator("main li").filter(has_text="Enterprise admin") \
        .get_by_role("button", name="Switch to this role")
    if switch.count():
        switch.click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Roster")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # A roster with one bad row. The import runs in the background: its page shows a
    # progress bar while it waits (the worker is held back for the picture), then follows
    # it by itself until the error names the row; nothing is imported.
    menu(page, "Roster").click()
    live_app.jobs.pause()
    try:
        _upload(page, "roster.csv", HEADER + GOOD + BAD)
        expect(page).to_have_url(re.compile(r"/roster/imports/\d+$"))
        bar = page.get_by_role("progressbar", name="Waiting to start")
        expect(bar).to_be_visible()
        expect(page.get_by_role("link", name="Refresh", exact=True)).to_be_visible()
        evidence.capture("roster-import-progress")
    finally:
        live_app.jobs.resume()
    errors = page.get_by_role("alert").filter(has_text="Rows with errors")
    expect(errors).to_contain_text("email", timeout=15_000)
    expect(bar).to_have_count(0)
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr td").first).to_have_text(re.compile(r"^\s*[34]\s*$"))
    expect(errors).to_contain_text("nothing was imported")
    expect(page.locator("main")).not_to_contain_text("XJ10001")
    evidence.capture("roster-error")

    # Fixed: all three are imported (and invited).
    page.get_by_role("link", name="Import a corrected file").click()
    _upload(page, "roster.csv", HEADER + GOOD + FIXED)
    expect(page.locator("#job")).to_contain_text(
        "Roster imported: 3 new, 0 updated, 3 invited, 0 rows skipped.", timeout=15_000)
    evidence.capture("roster-imported")
    page.get_by_role("link", name="Back to the roster").click()
    for number in ("XJ10001", "XJ10002", "XJ10003"):
        expect(page.locator("main")).to_contain_text(number)
    evidence.capture("roster")

    # Allocate this month's budget: the run's page says whom it gave what and whom it
    # skipped (the three just invited have no account yet); running it again gives nothing.
    menu(page, "Budgets").click()
    evidence.capture("programmes")
    page.locator("main").get_by_role("link").filter(has_text="2026").first.click()
    funds = page.locator("main dl").first.inner_text()
    page.get_by_role("button", name="Allocate the current period").click()
    first = page.locator(".flash").first.inner_text()
    assert re.search(r"allocated to \d+ employees", first), first
    expect(page.locator("main")).to_contain_text("the invitation has not been accepted")
    evidence.capture("programme")
    page.get_by_role("link", name="Back to the programme").click()
    page.get_by_role("button", name="Allocate the current period").click()
    expect(page.locator(".flash").first).to_contain_text("allocated to 0 employees")
    expect(page.locator("main")).to_contain_text("Already allocated for this period.")
    page.get_by_role("link", name="Back to the programme").click()
    assert funds  # the programme's facts are shown

    # The usage report, with its charts and their text alternatives.
    page.get_by_role("link", name="Usage report").click()
    charts = page.locator("main svg[role=img]")
    expect(charts.first).to_be_visible()
    for index in range(charts.count()):
        assert charts.nth(index).locator("title").count(), "every chart has a title"
    expect(page.locator("main table").first).to_be_visible()
    evidence.capture("report")

    # No page she saw shows anyone's health data; health pages are refused.
    response = page.goto("/me/health/")
    assert response is not None
    leaks = [(url, match.group(0)) for url, text in seen
             if "/me/health" not in url and (match := HEALTH_WORDS.search(text))]
    assert not leaks, leaks
    assert not script_errors, script_errors
    context.close()
