"""The demo supply: idempotent, with National Day closed and its make-up Saturday worked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.clock import utcnow
from core.db import db
from demo.seed import seed_demo
from providers.models import Service
from providers.queries import slots_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_providers_have_four_weeks_with_a_holiday_and_a_make_up_day(app):
    first = seed_demo(now=utcnow())
    db.session.commit()
    assert seed_demo(now=utcnow()) == first
    assert first["practitioners"] >= 12 and first["services"] >= 12
    service = db.session.scalar(select(Service).where(
        Service.title_en == "Neck and shoulder tuina"))
    start = datetime(2026, 9, 28, tzinfo=SHANGHAI)
    slots = slots_for(service, start=start, end=start + timedelta(weeks=4),
                      now=datetime(2026, 9, 20, tzinfo=UTC))
    days = {slot.starts_at.astimezone(SHANGHAI).date() for slot, _ in slots}
    assert days.isdisjoint({date(2026, 10, d) for d in range(1, 8)})
    assert date(2026, 10, 10) in days  # the make-up Saturday
    assert date(2026, 10, 16) in days  # the last Friday within the 28-day horizon
