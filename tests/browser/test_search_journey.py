"""The employee searches on a phone, in Chinese, the way people type: 按摩 from the home
page's search bar finds the demo's tuina, then pinyin "anmo" typed in the catalogue finds
it too; a symptom (失眠) offers the categories that help; a query too long says its limit."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh


def test_the_employee_finds_massage_by_chinese_pinyin_and_symptom(browser: Browser, live_app,
                                                                   axe_source,
                                                                   screenshots_dir):
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "search", axe_source)
    sign_in_zh(page, "employee@parkwell.demo")

    page.goto("/")
    bar = page.get_by_role("search")
    bar.get_by_role("searchbox").fill("按摩")
    bar.get_by_role("button", name=zh("Search")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Services"))
    results = page.locator(".service-list")
    expect(results).to_contain_text("颈肩推拿")
    expect(results).to_contain_text("腰背推拿")

    form = page.get_by_role("search")
    form.get_by_label(zh("Search")).fill("anmo")
    form.get_by_role("button", name=zh("Search")).click()
    expect(results).to_contain_text("颈肩推拿")
    evidence.capture("anmo")

    form.get_by_label(zh("Search")).fill("失眠")
    form.get_by_role("button", name=zh("Search")).click()
    related = page.locator(".related-categories")
    expect(related).to_contain_text(zh("Categories related to “%(word)s”:")
                                    .replace("%(word)s", "失眠"))
    evidence.capture("symptom")
    related.get_by_role("link", name=zh("Counselling")).click()
    expect(page.locator(".service-list")).to_contain_text("心理咨询")

    page.goto("/catalogue?q=" + "按摩" * 60)
    expect(page.locator(".field-error")).to_contain_text("100")
    context.close()
