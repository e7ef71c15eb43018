"""A new joiner's first booking, in Chinese on a phone: she signs up with her employer's
invite code (XJTECH26), finds a budget on *My budget* on day one (prorated from the day she
joined, and the page says how), finds a service, books a time on the day strip, checks it
on the confirmation step, and pays it from the budget."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, time

import pytest
from sqlalchemy import select, update

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                    "(pip install playwright pytest-playwright)")

from playwright.sync_api import Browser, expect

from benefits.models import BudgetProgramme, LedgerTransaction, TransactionKind
from core.accounts.models import Enterprise
from core.clock import utcnow
from core.db import db
from tests.browser import world
from tests.browser.helpers import PHONE, Evidence, zh

SERVICE = "Neck and shoulder tuina"
LOGIN = "new.joiner@xinjing-tech.demo"
PASSWORD = "parkwell-new-joiner-2026"


@contextmanager
def programme_running_since_the_first_of_the_month(app):
    """The demo park is seeded (and its budgets first given) when the journeys start, so
    anyone joining today joined on launch day and gets the full amount. A programme that
    has been giving budgets since the 1st is what a real new joiner meets: move its first
    allocation there while she joins and reads her budget, and put it back afterwards."""
    with app.app_context():
        programme = db.session.scalar(select(BudgetProgramme).join(
            Enterprise, Enterprise.id == BudgetProgramme.enterprise_id).where(
            Enterprise.invite_code == "XJTECH26", BudgetProgramme.is_active.is_(True)))
        first_id, was = db.session.execute(select(
            LedgerTransaction.id, LedgerTransaction.created_at).where(
            LedgerTransaction.kind == TransactionKind.ALLOCATION,
            LedgerTransaction.reference.like(f"allocation:p{programme.id}:%"))
            .order_by(LedgerTransaction.created_at, LedgerTransaction.id).limit(1)).one()
        today = utcnow().astimezone(world.PARK_ZONE).date()
        # The ledger is append-only for the app (the ORM refuses changes); this is the test
        # world rewriting when the park was seeded, so it goes under the ORM, and back.
        _set_created_at(first_id, datetime.combine(today.replace(day=1), time(1),
                                                   world.PARK_ZONE))
    try:
        yield today.day > 1  # joining on the 1st is a whole period: nothing to prorate
    finally:
        with app.app_context():
            _set_created_at(first_id, was)


def _set_created_at(transaction_id: int, when: datetime) -> None:
    db.session.execute(update(LedgerTransaction.__table__).where(
        LedgerTransaction.__table__.c.id == transaction_id).values(created_at=when))
    db.session.commit()


def test_a_new_joiner_signs_up_sees_her_budget_and_books_from_it(
        browser: Browser, live_app, axe_source, screenshots_dir):
    with live_app.app.app_context():
        tuina = world.service(SERVICE)
        service_id, title, price = tuina.id, tuina.title_zh, tuina.price_minor
    context = browser.new_context(base_url=live_app.url, locale="zh-CN", viewport=PHONE,
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    evidence = Evidence(page, screenshots_dir, "new-joiner", axe_source)

    with programme_running_since_the_first_of_the_month(live_app.app) as prorated:
        # She signs up with the invite code HR gave her.
        page.goto("/signup")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        evidence.capture("signup")
        page.get_by_label(zh("Invite code from your employer")).fill("XJTECH26")
        page.get_by_label(zh("Email or mobile number")).fill(LOGIN)
        page.get_by_label(zh("Your name")).fill("林晓雯")
        page.get_by_label(zh("Password"), exact=True).fill(PASSWORD)
        page.get_by_label(zh("Repeat the password")).fill(PASSWORD)
        page.locator("main").get_by_role("button").last.click()
        expect(page.locator(".flash").first).to_contain_text("林晓雯")

        # Day one: My budget shows an amount, prorated from today, and says how.
        page.goto("/me/budget")
        main = page.locator("main")
        amount = main.locator(".budget-line strong").first
        expect(amount).to_contain_text("¥")
        budget = round(float(re.sub(r"[^\d.]", "", amount.inner_text())) * 100)
        assert 0 < budget <= 80_000, amount.inner_text()
        if prorated:
            assert budget < 80_000
            expect(main).to_contain_text(re.compile(r"按入职日（.+）折算"))
        evidence.capture("budget")
    assert price <= budget, (price, budget)

    # She finds neck and shoulder tuina among the services.
    page.get_by_role("navigation", name=zh("Main")).get_by_role(
        "link", name=zh("Services"), exact=True).click()
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    expect(page.locator("h1")).to_contain_text(title)
    evidence.capture("service")
    # Tuina is for adults: her new profile has no year of birth yet, and the page says so.
    hint = page.get_by_test_id("eligibility-hint")
    expect(hint).to_be_visible()
    hint.get_by_role("link", name=zh("Add my year of birth")).click()
    page.get_by_label(zh("Year of birth")).fill("1998")
    page.get_by_role("button", name=zh("Save"), exact=True).click()
    expect(page.get_by_test_id("eligibility-hint")).to_have_count(0)

    # The day strip: she taps the first time offered, checks it on the confirmation step,
    # and confirms.
    page.goto(f"/services/{service_id}/book")
    for _ in range(8):
        chips = page.get_by_test_id("time-grid").locator("a.time-chip")
        if chips.count():
            break
        page.get_by_role("link", name=zh("Later days")).click()
    evidence.capture("day-strip")
    chips.first.click()
    confirm = page.get_by_role("button", name=zh("Confirm booking"))
    expect(confirm).to_be_visible()
    evidence.capture("confirm")
    confirm.click()
    expect(page.locator("main .badge").first).to_have_text(zh("Held, awaiting payment"))
    booking_url = page.url

    # The budget pays it all: no card.
    page.get_by_role("link", name=zh("Pay"), exact=True).click()
    expect(page.get_by_test_id("budget-share")).to_contain_text(f"{price / 100:,.2f}")
    evidence.capture("checkout")
    page.locator("main form[method=post]").get_by_role("button", name=zh("Pay")).click()
    page.goto(booking_url)
    expect(page.locator("main .badge").first).to_have_text(zh("Confirmed"))
    evidence.capture("booked")

    page.goto("/me/budget")
    expect(page.locator("main .budget-line strong").first).to_contain_text(
        f"{(budget - price) / 100:,.2f}")
    context.close()
