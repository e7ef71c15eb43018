"""The suite's own clock: every test runs at a known instant, whatever the wall clock says,
so that no outcome depends on the hour the suite happens to run (tests/clock.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from core.clock import today_in, utcnow, zone_of
from core.i18n import park_today
from tests.clock import ADVERSARIAL_INSTANTS, DEFAULT_INSTANT, test_instant


def test_every_test_starts_at_the_fixed_instant():
    assert timedelta(0) <= utcnow() - test_instant() < timedelta(minutes=1)
    assert datetime.now(UTC) - test_instant() < timedelta(minutes=1)


def test_the_default_instant_is_an_ordinary_working_morning_in_shanghai(monkeypatch):
    monkeypatch.delenv("PARKWELL_TEST_NOW", raising=False)
    assert test_instant() == DEFAULT_INSTANT
    shanghai = DEFAULT_INSTANT.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (shanghai.hour, shanghai.weekday()) == (10, 1)  # a Tuesday, 10:00


def test_ci_moves_the_instant_with_an_environment_variable(monkeypatch):
    monkeypatch.setenv("PARKWELL_TEST_NOW", "2026-12-31T15:50:00+00:00")
    assert test_instant() == datetime(2026, 12, 31, 15, 50, tzinfo=UTC)
    monkeypatch.setenv("PARKWELL_TEST_NOW", "2026-12-31T15:50:00")
    with pytest.raises(ValueError, match="offset"):
        test_instant()


def test_a_test_about_the_clock_moves_it_and_the_park_s_today_follows(app, fixed_clock):
    fixed_clock.move_to(datetime(2026, 12, 31, 16, 5, tzinfo=UTC))  # 00:05 in Shanghai
    assert park_today() == date(2027, 1, 1)
    assert utcnow().date() == date(2026, 12, 31)


def test_today_is_the_park_s_own_day_and_the_default_zone_s_without_a_park(app, fixed_clock,
                                                                        monkeypatch):
    """One "today": a park in Shanghai (the default) agrees with the configured zone; a
    park elsewhere counts its own day, and ``now`` may be given."""
    fixed_clock.move_to(datetime(2026, 12, 31, 16, 5, tzinfo=UTC))  # 00:05 in Shanghai
    shanghai, new_york = (SimpleNamespace(timezone="Asia/Shanghai"),
                          SimpleNamespace(timezone="America/New_York"))
    assert today_in() == today_in(shanghai) == park_today() == date(2027, 1, 1)
    assert today_in(new_york) == date(2026, 12, 31)
    assert today_in(shanghai, now=datetime(2027, 1, 1, 15, 59, tzinfo=UTC)) == date(2027, 1, 1)
    assert today_in(shanghai, now=datetime(2027, 1, 1, 16, 0, tzinfo=UTC)) == date(2027, 1, 2)
    monkeypatch.setitem(app.config, "PARK_TIMEZONE", "Europe/London")
    assert (zone_of(), zone_of(new_york)) == ("Europe/London", "America/New_York")
    assert today_in() == date(2026, 12, 31)


def test_the_adversarial_instants_say_why_they_hurt():
    assert len(ADVERSARIAL_INSTANTS) >= 5
    for instant, why in ADVERSARIAL_INSTANTS.items():
        assert datetime.fromisoformat(instant).tzinfo is not None and why


@pytest.mark.real_clock
def test_a_test_marked_real_clock_gets_no_fixed_clock(fixed_clock):
    assert fixed_clock is None
