"""The phone-first shell and discovery, in Chinese on a 390×844 phone: the tab bar with the
current place marked, the page's heading near the top, nothing wider than a 360 px screen,
category tiles and service cards with pictures and the budget split, a provider's page with
its photos, practitioners and services; every page checked with axe-core."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, Page, expect

from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, sign_in_zh, zh

EMPLOYEE = "staff03@xinjing-tech.demo"
NARROW = {"width": 360, "height": 740}


def check_layout(page: Page, name: str) -> None:
    """The heading starts within 160 px, and at 360 px nothing makes the page scroll
    sideways (tables scroll inside their own box or become cards)."""
    top = page.locator("main h1").first.bounding_box()["y"]
    assert top < 160, f"{name}: the heading starts {top} px down"
    before = page.viewport_size
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(before)
    assert width <= NARROW["width"], f"{name}: {width} px wide at 360 px"


def test_the_shell_and_discovery_on_a_phone_in_chinese(browser: Browser, live_app, axe_source,
                                                      screenshots_dir):
    with live_app.app.app_context():
        tuina = world.service("Neck and shoulder tuina")
        provider_name, title = tuina.provider.name_zh, tuina.title_zh
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "shell", axe_source)
    sign_in_zh(page, EMPLOYEE)

    # Home: five tabs at the bottom, 首页 current; category tiles with pictures.
    tabs = page.get_by_role("navigation", name=zh("Main"))
    expect(tabs.get_by_role("link")).to_have_count(5)
    expect(tabs.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    assert tabs.bounding_box()["y"] > 844 - 80, "the tab bar sits at the bottom"
    expect(page.locator(".tiles.pictured img")).to_have_count(7)
    check_layout(page, "home")
    evidence.capture("home")

    # Services: the catalogue, cards with a picture, rating, next time and the split.
    tabs.get_by_role("link", name="服务").click()
    expect(tabs.get_by_role("link", name="服务")).to_have_attribute("aria-current", "page")
    expect(page.locator(".service-card").first).to_be_visible()
    expect(page.locator(".service-card img").first).to_be_visible()
    expect(page.locator("[data-testid=card-price]").first).to_contain_text("预算")
    check_layout(page, "catalogue")
    evidence.capture("catalogue")

    # A category's cards (TCM) from the home page's tile.
    tabs.get_by_role("link", name="首页").click()
    page.locator(".tiles.pictured a").first.click()
    expect(page.locator(".service-card").first).to_contain_text(provider_name)
    check_layout(page, "cards")
    evidence.capture("service-cards")

    # The provider's page, from a service.
    page.get_by_role("link", name=title).first.click()
    page.locator("main").get_by_role("link", name=provider_name).click()
    expect(page.locator("main h1")).to_have_text(provider_name)
    expect(page.locator(".photo-strip img").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("孙杏林")
    expect(page.locator("main")).to_contain_text("中医执业医师资格证")
    check_layout(page, "provider")
    evidence.capture("provider")

    # 我的: every other place one tap away.
    tabs.get_by_role("link", name="我的").click()
    expect(page.locator("main")).to_contain_text(zh("My budget"))
    check_layout(page, "me")
    evidence.capture("me")

    # Tables on a phone: the budget's history becomes cards, the page no wider.
    page.locator("main").get_by_role("link", name=zh("My budget")).click()
    check_layout(page, "budget")
    evidence.capture("budget")
    context.close()
