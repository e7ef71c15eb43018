"""A check-up campaign's daily capacity under contention, on PostgreSQL with real commits:
40 employees booking different times of the same day from 40 threads with their own
connections make exactly the day's capacity of check-ups, the rest are told the day is full,
nobody gets a server error, and the enterprise's pot pays exactly those check-ups."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from benefits import ledger
from benefits.models import AccountKind, LedgerAccount
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from prevention import services
from prevention.errors import DayFull
from prevention.models import Campaign, CampaignCheckup
from tests.factories import Factories
from tests.prevention.factories import BASIC_PRICE, CampaignKit

PEOPLE = 40
DAILY_CAPACITY = 5


def _attempt(campaign_id: int, package_id: int, practitioner_id: int, starts_at,
             user_id: int) -> str:
    try:
        campaign = db.session.get(Campaign, campaign_id)
        user = db.session.get(User, user_id)
        services.book_checkup(campaign, actor=user, package_id=package_id,
                              practitioner_id=practitioner_id, starts_at=starts_at,
                              now=utcnow())
        db.session.commit()
        return "booked"
    except DayFull:
        db.session.rollback()
        return "day_full"
    except Exception as exc:  # reported, so that the test shows what went wrong
        db.session.rollback()
        return f"error: {exc!r}"
    finally:
        db.session.remove()


def test_40_parallel_bookers_of_one_day_make_exactly_the_day_s_capacity(pg_app):
    kit = CampaignKit(Factories(), daily_capacity=DAILY_CAPACITY)
    second = kit.add_practitioner("Dr Li")
    kit.checkup_service.practitioners.append(second)
    db.session.commit()
    people = [kit.person().id for _ in range(PEOPLE)]
    # Spread over two practitioners (whose own locks do not serialise each other) and the
    # day's slots (4 places each), so that only the campaign's daily capacity can refuse.
    practitioners = [kit.practitioner.id, second.id]
    jobs = [(user_id, practitioners[n % 2], kit.slot(3, 8 + n % 12))
            for n, user_id in enumerate(people)]
    campaign_id, package_id, programme_id = kit.campaign.id, kit.package().id, kit.programme.id
    db.session.remove()
    barrier = threading.Barrier(PEOPLE)

    def run(job) -> str:
        user_id, practitioner_id, starts_at = job
        with pg_app.app_context():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)
            return _attempt(campaign_id, package_id, practitioner_id, starts_at, user_id)

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(run, jobs))

    assert [r for r in results if r.startswith("error")] == []
    assert results.count("booked") == DAILY_CAPACITY
    assert results.count("day_full") == PEOPLE - DAILY_CAPACITY
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CampaignCheckup.id)).where(
        CampaignCheckup.campaign_id == campaign_id)) == DAILY_CAPACITY
    pot = db.session.scalar(select(LedgerAccount.balance_minor).where(
        LedgerAccount.kind == AccountKind.PROGRAMME_FUNDS,
        LedgerAccount.programme_id == programme_id))
    assert pot == 10_000_000 - DAILY_CAPACITY * BASIC_PRICE
    assert ledger.check_ledger() == []
