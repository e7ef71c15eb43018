"""The demo's health profiles: varied, and a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from demo.seed import seed_demo
from health import services


def test_demo_profiles_differ_and_seeding_twice_changes_nothing(app, now):
    first = seed_demo(now=now)
    db.session.commit()
    assert seed_demo(now=now) == first
    assert first["health_profiles"] >= 5
    flags = {}
    for email in ("employee@parkwell.demo", "staff01@yunfan-logistics.demo",
                  "staff01@hefeng-bio.demo"):
        user = db.session.scalar(select(User).where(User.email == email))
        flags[email] = {f.need.value for f in services.screening_for(user).flags}
    assert "hypertension" in flags["employee@parkwell.demo"]
    assert "high_glucose" in flags["staff01@yunfan-logistics.demo"]
    assert "depression" in flags["staff01@hefeng-bio.demo"]
    assert len({frozenset(v) for v in flags.values()}) == 3
