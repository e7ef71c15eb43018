"""The calendar feed is written piece by piece (its head once, each event once, remembered)
so that a 1,000-event feed is not written again when one booking changes: the pieces must
add up, byte for byte, to what ``icalendar`` writes for the whole calendar at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from core.clock import as_utc
from providers import feeds
from providers.feeds import FeedEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)


def whole_calendar(events, *, name: str, timezone: str) -> bytes:
    """The calendar as one ``icalendar`` object, the way the feed was first written."""
    tz = ZoneInfo(timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", feeds.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", as_utc(item.updated_at))
        event.add("last-modified", as_utc(item.updated_at))
        if item.all_day:
            event.add("dtstart", item.starts_at.astimezone(tz).date())
            event.add("dtend", item.ends_at.astimezone(tz).date())
        else:
            event.add("dtstart", item.starts_at.astimezone(tz))
            event.add("dtend", item.ends_at.astimezone(tz))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def booking(n: int, **overrides) -> FeedEvent:
    starts = START + timedelta(hours=n)
    values = {"uid": f"booking-{n}@parkwell", "starts_at": starts,
              "ends_at": starts + timedelta(minutes=50), "summary": "中医推拿理疗",
              "sequence": n % 3, "updated_at": START - timedelta(days=n),
              "cancelled": n % 5 == 0}
    return FeedEvent(**(values | overrides))


MIXES = {
    "empty": [],
    "timed": [booking(n) for n in range(30)],
    "all day only": [booking(1, all_day=True, starts_at=START,
                             ends_at=START + timedelta(days=1), summary="Time off")],
    "mixed, zones and text that folds and escapes": [
        booking(1, starts_at=START.astimezone(SHANGHAI)),
        booking(2, all_day=True, description="培训; 全天, 不接诊\\n第二行\nthird line"),
        booking(3, summary="康复评估 · " + "长" * 60, description="x" * 200),
        booking(4, summary="Tuina, cupping; gua sha \\ moxibustion", cancelled=True),
    ],
}


@pytest.mark.parametrize("mix", list(MIXES))
@pytest.mark.parametrize(("name", "timezone"), [("规模服务商001", "Asia/Shanghai"),
                                                ("Dr Wang", "Europe/London")])
def test_the_pieces_add_up_to_the_whole_calendar(mix, name, timezone):
    events = MIXES[mix]
    assert feeds.render_calendar(events, name=name, timezone=timezone) == whole_calendar(
        events, name=name, timezone=timezone)
    # and again, from what is remembered
    assert feeds.render_calendar(events, name=name, timezone=timezone) == whole_calendar(
        events, name=name, timezone=timezone)


def test_a_feed_is_rendered_once_however_many_ask_at_the_same_time():
    import threading

    calls, gate = [], threading.Event()

    def slow_events():
        calls.append(1)
        gate.wait(timeout=5)
        return MIXES["timed"]

    bodies: list[bytes] = []
    threads = [threading.Thread(target=lambda: bodies.append(feeds.calendar_body(
        "test-fingerprint-once", slow_events, name="x", timezone="Asia/Shanghai",
        now=datetime(2026, 12, 7, tzinfo=UTC)).body))
        for _ in range(4)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(calls) == 1 and len(bodies) == 4 and len(set(bodies)) == 1
