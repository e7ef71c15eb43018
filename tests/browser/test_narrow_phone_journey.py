"""Every role on the smallest common phone (360 px wide), in Chinese and in English (whose
long words are the harder test): the employee, the provider, the committee member, HR and
the platform admin each open every place of their tab bar and of their "me" page, and the
pages those link to (one of each kind); no page is wider than the screen, nor has a box
that scrolls sideways: tables become cards, checkbox rows wrap, charts and long words fit."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, Page

from tests.browser.helpers import sign_in, sign_in_zh, zh

NARROW = {"width": 360, "height": 740}
ROLES = ["employee@parkwell.demo", "provider@parkwell.demo", "committee@parkwell.demo",
         "hr@parkwell.demo", "admin@parkwell.demo"]

#: What sticks out past the right edge: the outermost such elements, with their width.
WIDEST = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right <= limit + 0.5 || box.width === 0) continue;
    if (out.some((o) => o.el.contains(el))) continue;
    out.push({el, right: Math.round(box.right)});
  }
  return out.slice(0, 4).map((o) => o.el.tagName.toLowerCase()
    + (o.el.className && typeof o.el.className === 'string' ? '.' + o.el.className.trim()
       .split(/\\s+/).join('.') : '') + ' → ' + o.right + 'px');
}"""


#: Boxes that scroll sideways inside the page (a table left as a table, a wide chart); the
#: provider's photo strip is a carousel that swipes on purpose.
SCROLLING_BOXES = """() => Array.from(document.querySelectorAll('main *')).filter((el) => {
  const overflow = getComputedStyle(el).overflowX;
  return (overflow === 'auto' || overflow === 'scroll') && !el.closest('.photo-strip')
    && el.scrollWidth > el.clientWidth + 1;
}).map((el) => el.tagName.toLowerCase() + '.' + el.className + ' (' + el.scrollWidth + 'px)')"""


def places(page: Page, main: str) -> list[str]:
    """The tab bar's places and every place listed on the "me" page (the last tab)."""
    tabs = page.get_by_role("navigation", name=main).get_by_role("link")
    hrefs = [tabs.nth(i).get_attribute("href") for i in range(tabs.count())]
    page.goto(hrefs[-1])
    more = page.locator("main nav a")
    hrefs += [more.nth(i).get_attribute("href") for i in range(more.count())]
    return list(dict.fromkeys(h.split("#")[0] for h in hrefs))


#: Links that lead to no page of the app's own to look at: files, feeds, other sites.
NOT_A_PAGE = re.compile(r"\.(csv|ics|pdf|json|atom|webp|jpg|png|xlsx)(\?|$)|/document$|"
                        r"^(https?|mailto|tel):|^#")


def one_level_deeper(page: Page, places: list[str]) -> list[str]:
    """From each place, the pages its own links lead to: one of each kind (the path with
    its numbers taken out), leaving out the places themselves and files."""
    kinds = {re.sub(r"\d+", "N", href) for href in places}
    deeper = []
    for place in places:
        page.goto(place)
        for link in page.locator("main a[href]:not([download])").all():
            href = link.get_attribute("href").split("#")[0]
            kind = re.sub(r"\d+", "N", href.split("?")[0])
            if href and not NOT_A_PAGE.search(href) and kind not in kinds:
                kinds.add(kind)
                deeper.append(href)
    return deeper


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
@pytest.mark.parametrize("login", ROLES, ids=lambda login: login.split("@")[0])
def test_no_page_of_the_role_is_wider_than_a_360px_phone(browser: Browser, live_app,
                                                         login: str, locale: str):
    context = browser.new_context(base_url=live_app.url, locale=locale, viewport=NARROW,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    chinese = locale == "zh-CN"
    (sign_in_zh if chinese else sign_in)(page, login)
    visited, too_wide = [], []
    main_places = places(page, zh("Main") if chinese else "Main")
    for href in main_places + one_level_deeper(page, main_places):
        response = page.goto(href)
        assert response.status < 400, f"{login}: {href} answered {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        visited.append(href)
        if width > NARROW["width"]:
            too_wide.append(f"{href}: {width}px ({'; '.join(page.evaluate(WIDEST, 360))})")
        if scrolling := page.evaluate(SCROLLING_BOXES):
            too_wide.append(f"{href}: scrolls sideways inside {'; '.join(scrolling)}")
    context.close()
    assert len(visited) >= 4, visited
    assert not too_wide, f"{login} ({locale}) at 360 px:\n" + "\n".join(too_wide)


def test_the_roster_is_a_stack_of_cards_without_any_script(browser: Browser, live_app):
    """HR's roster on a phone with JavaScript off: each employee a card, each value with its
    column's name before it (CSS and the template alone do it)."""
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=NARROW,
                                  timezone_id="Asia/Shanghai", java_script_enabled=False)
    page = context.new_page()
    sign_in_zh(page, "hr@parkwell.demo")
    page.get_by_role("navigation", name=zh("Main")).get_by_role(
        "link", name=zh("Roster"), exact=True).click()
    row = page.locator("main .table-wrap tbody tr").last
    card = row.evaluate("""(row) => ({display: getComputedStyle(row).display,
        label: getComputedStyle(row.cells[0], '::before').content,
        width: document.documentElement.scrollWidth})""")
    context.close()
    assert card["display"] == "block", card
    assert card["label"] == f'"{zh("Employee number")}"', card
    assert card["width"] <= NARROW["width"], card
