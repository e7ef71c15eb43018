"""The demo park runs a check-up campaign for Xinjing Smart Tech: the demo employee's results
are in her profile and explained, colleagues are booked or not yet, the ledger is clean, and
seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from benefits import ledger
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from demo.seed import seed_demo
from prevention import queries, reports, services
from prevention.models import Campaign


def test_the_demo_campaign_is_in_progress_and_seeding_twice_changes_nothing(app):
    first = seed_demo(now=utcnow())
    db.session.commit()
    assert seed_demo(now=utcnow()) == first
    campaign = db.session.scalar(select(Campaign))
    employee = db.session.scalar(select(User).where(User.email == "employee@parkwell.demo"))
    mine = [c for c in queries.checkups_of(employee, campaign) if c.dependant_id is None]
    assert len(mine) == 1 and mine[0].results_received_at is not None
    explained = services.explained_results(mine[0], actor=employee)
    assert any(item.is_abnormal for item in explained)
    eligible, completed = queries.eligible_and_completed_user_ids(
        enterprise_ids=[campaign.enterprise_id], year=campaign.year)
    assert employee.id in completed and len(completed) >= 3 and len(eligible) > len(completed)
    assert services.unbooked_invitations(campaign)  # some have not booked
    assert reports.live_completion(campaign).total is not None
    father = next(c for c in queries.checkups_of(employee, campaign) if c.dependant_id)
    explained = services.explained_results(father, actor=employee)  # in his record, explained
    assert explained and any(item.is_abnormal for item in explained)
    assert ledger.check_ledger() == []
