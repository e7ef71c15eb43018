"""The demo park has a TCM culture week and a mental-health week with sessions,
registrations, checked-in tickets with feedback and a waitlist; seeding twice changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.db import db
from demo.seed import seed_demo
from park import feedback
from park.models import Event, EventStatus, Registration, RegistrationStatus


def test_the_demo_has_two_festival_weeks_and_seeding_twice_changes_nothing(app):
    first = seed_demo(now=utcnow())
    db.session.commit()
    counts = db.session.scalar(select(func.count(Registration.id)))
    assert seed_demo(now=utcnow()) == first
    assert db.session.scalar(select(func.count(Registration.id))) == counts
    events = {e.title_zh: e for e in db.session.scalars(select(Event))}
    assert {"中医药文化周", "心理健康周"} <= set(events)
    assert all(e.status is EventStatus.PUBLISHED for e in events.values())
    assert len(events["中医药文化周"].sessions) == 5
    regs = list(db.session.scalars(select(Registration)))
    # The employee and three colleagues came to the opening talk, and each left feedback
    # (the committee reads it on the event's page).
    assert sum(1 for r in regs if r.checked_in_at is not None) == 4
    assert any(r.status is RegistrationStatus.WAITING for r in regs)
    answers = feedback.summary_of(events["中医药文化周"])
    assert answers.count == 4 and answers.average_rating == pytest.approx(4.25)


def test_the_demo_has_a_paid_mooncake_workshop_with_a_cover(app):
    seed_demo(now=utcnow())
    db.session.commit()
    seed_demo(now=utcnow())
    db.session.commit()
    workshops = list(db.session.scalars(select(Event).where(
        Event.title_en == "Mid-Autumn mooncake workshop")))
    assert len(workshops) == 1
    workshop = workshops[0]
    assert (workshop.price_minor, workshop.currency) == (5_000, "CNY")
    assert workshop.cover is not None and workshop.cover.content_type == "image/png"
    assert workshop.cover.content.startswith(b"\x89PNG")
