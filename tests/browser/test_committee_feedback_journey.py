"""On her phone, in Chinese, a committee member opens the TCM week, reads what attendees
said of it (no names), finds the CSV for Excel, and edits the event's Chinese description;
then she corrects a venue's capacity."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from tests.browser.helpers import PHONE, Evidence, exact, menu, sign_in_zh, zh

DESCRIPTION = "五天的中医药文化活动：讲座、八段锦、香囊制作、体质辨识。开幕讲座改在报告厅。"


def test_the_committee_reads_comments_and_edits_the_event_on_a_phone(
        browser: Browser, live_app, axe_source, screenshots_dir):
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "committee-zh", axe_source)
    sign_in_zh(page, "committee@parkwell.demo")
    menu(page, zh("Events"), main=zh("Main")).click()
    page.get_by_role("link", name="中医药文化周").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("中医药文化周")

    # What attendees said: ratings and comments, without their names.
    comments = page.locator("#feedback")
    comments.scroll_into_view_if_needed()
    expect(comments.get_by_role("heading", name=zh("Feedback"))).to_be_visible()
    expect(comments).to_contain_text("讲得很生动，希望多办几场。")
    expect(comments).to_contain_text("内容实用，就是会场有点热。")
    expect(comments.get_by_test_id("feedback-summary")).to_contain_text("4")
    expect(comments.get_by_role("link", name=zh("Download as CSV (Excel)"))).to_be_visible()
    comments.screenshot(path=screenshots_dir / "committee-zh-comments-390x844.png")
    evidence.capture("feedback")

    # The event's Chinese description, edited in place.
    form = page.locator("form").filter(has=page.get_by_role("button", name=exact(zh("Save"))))
    form.get_by_label(zh("Description (Chinese)")).fill(DESCRIPTION)
    form.get_by_role("button", name=exact(zh("Save"))).click()
    expect(page.locator(".flash")).to_contain_text(zh("Saved."))
    expect(page.get_by_label(zh("Description (Chinese)"))).to_have_value(DESCRIPTION)
    evidence.capture("edited")

    # A venue's capacity below its sessions is refused and nothing changes; then corrected.
    events_href = page.get_by_role("link", name=zh("All events")).get_attribute("href")
    page.goto(events_href.replace("/events", "/venues"))
    page.get_by_role("link", name=zh("Edit")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Edit venue"))
    page.get_by_label(zh("Capacity (people)")).fill("1")
    page.get_by_role("button", name=zh("Save venue")).click()
    expect(page.locator(".flash")).to_contain_text(zh(
        "A session still to come at this venue holds more people than this capacity: lower "
        "that session's capacity first."))
    evidence.capture("venue-refused")
    page.get_by_label(zh("Capacity (people)")).fill("300")
    page.get_by_role("button", name=zh("Save venue")).click()
    expect(page.locator(".flash")).to_contain_text(zh("Venue saved."))
    context.close()
