"""Paying in the page as a person does: through the Payment Element that the local Stripe
test server's Stripe.js stand-in draws (labelled TEST MODE), a card number or a wallet, then
Stripe's return page. No journey posts a webhook itself: the local server sends them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import zh

CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"


def yuan(minor: int) -> str:
    return f"¥{minor / 100:,.2f}"


def book_first_time(page: Page, service_id: int) -> None:
    """On the service's booking page, hold the first time offered: tap it on the day strip's
    grid (looking at later days while there is none) and confirm."""
    page.goto(f"/services/{service_id}/book")
    for _ in range(8):
        chips = page.get_by_test_id("time-grid").locator("a.time-chip")
        for n in range(chips.count()):
            chips.nth(n).click()
            page.get_by_role("button", name=zh("Confirm booking")).click()
            page.wait_for_load_state()
            if not re.search(r"/services/\d+/book", page.url):
                return  # held: on the booking's own page
            # Refused (the demo person is busy then, at some hours of the wall clock):
            # the next time of the day shown again.
            chips = page.get_by_test_id("time-grid").locator("a.time-chip")
            if n + 1 >= chips.count():
                break
        page.get_by_role("link", name=zh("Later days")).click()
    raise AssertionError("no time to book in the next weeks")


def start_paying(page: Page) -> None:
    """From the held booking's page to the Payment Element of its card share."""
    page.get_by_role("link", name=zh("Pay"), exact=True).click()
    page.locator("main form[method=post]").get_by_role("button", name=zh("Pay")).click()
    expect(page.get_by_test_id("stripe-test-mode")).to_be_visible()


def fill_card(page: Page, number: str) -> None:
    page.get_by_label("卡号").fill(number)
    page.get_by_label("有效期（月/年）").fill("12 / 34")
    page.get_by_label("安全码").fill("123")


def submit_payment(page: Page) -> None:
    page.locator("#payment-submit").click()


def wait_for_result(page: Page, state: str) -> None:
    page.wait_for_url(re.compile(r"/checkout/return\?"))
    expect(page.get_by_test_id("pay-result")).to_have_attribute("data-state", state)
