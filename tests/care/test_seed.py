"""The demo park has two physician teams and agreements with plans and readings (one
alerting), for employee@parkwell.demo too; seeding twice changes nothing; the park's
outcomes compare this year with last year on the seeded check-ups."""

from __future__ import annotations

from sqlalchemy import func, select

from benefits import ledger
from care import outcomes
from care.models import CareAgreement, CareAlert, CarePlan, CareTeam, HomeMeasurement
from core.accounts.models import Park, User
from core.clock import utcnow
from core.db import db
from demo.seed import seed_demo


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in
                 (CareTeam, CareAgreement, CarePlan, HomeMeasurement, CareAlert))


def test_the_demo_has_two_teams_agreements_and_an_alert_and_seeds_once(app):
    seed_demo(now=utcnow())
    db.session.commit()
    first = _counts()
    seed_demo(now=utcnow())
    db.session.commit()
    assert _counts() == first
    teams = {t.kind.value for t in db.session.scalars(select(CareTeam))}
    assert teams == {"tcm", "general_practice"}
    employee = db.session.scalar(select(User).where(User.email == "employee@parkwell.demo"))
    mine = db.session.scalar(select(CareAgreement).where(CareAgreement.user_id == employee.id))
    assert mine is not None and mine.sponsored
    assert mine.sponsor_minor == 60_000  # Xinjing's pot paid the clinic
    assert ledger.find_by_reference(f"care-sponsored:agreement{mine.id}") is not None
    assert ledger.check_ledger() == []
    assert db.session.scalar(select(func.count(CareAlert.id)).where(
        CareAlert.agreement_id == mine.id)) == 1
    park = db.session.scalar(select(Park))
    year = utcnow().year
    result = {i.key: i for i in outcomes.for_park(park, year=year, k=5).indicators}
    hypertension = result["flag_hypertension"]
    assert hypertension.last_year.rate is not None and hypertension.this_year.rate is not None
    assert hypertension.this_year.rate < hypertension.last_year.rate
