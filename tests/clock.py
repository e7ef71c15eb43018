"""The instant every test runs at, so that no outcome depends on when the suite is run.

Each test starts at ``test_instant()`` and the clock ticks on from there (``time-machine``
moves ``time.time`` and ``datetime.now`` for the whole process, threads and the fake Stripe
server included). The default is an ordinary working Tuesday morning in Shanghai, far from
any day, month, year or holiday edge; CI runs the date-heavy tests again at instants chosen
to hurt (``.ci/instants``) by setting ``PARKWELL_TEST_NOW``.

A test about the clock itself takes the ``fixed_clock`` fixture and moves it
(``fixed_clock.move_to(...)``), or is marked ``real_clock`` to run at the wall clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

#: Tuesday 8 December 2026, 10:00 in Shanghai.
DEFAULT_INSTANT = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)

#: The instants CI runs the date-heavy tests at (``.ci/instants``), each with why it hurts.
ADVERSARIAL_INSTANTS: dict[str, str] = {
    "2026-12-31T15:50:00+00:00": "23:50 in Shanghai on 31 December: the day, month, quarter "
                                 "and year end, on the eve of a statutory holiday",
    "2026-12-31T16:05:00+00:00": "00:05 on New Year's Day in Shanghai (a statutory holiday "
                                 "of a year the library does not know), still 31 December "
                                 "in UTC",
    "2026-09-30T15:30:00+00:00": "last evening of a month and a quarter, eve of National Day",
    "2026-10-10T01:00:00+00:00": "a 调休 make-up Saturday (a working day) after National Day",
    "2026-11-01T07:30:00+00:00": "New York falls back: one day of 25 hours there",
}


def test_instant() -> datetime:
    """``PARKWELL_TEST_NOW`` (ISO 8601, with an offset) or the default instant."""
    raw = os.environ.get("PARKWELL_TEST_NOW", "").strip()
    if not raw:
        return DEFAULT_INSTANT
    instant = datetime.fromisoformat(raw)
    if instant.tzinfo is None:
        raise ValueError("PARKWELL_TEST_NOW needs an offset, e.g. 2026-12-31T15:50:00+00:00")
    return instant.astimezone(UTC)


test_instant.__test__ = False  # a helper, not a test
