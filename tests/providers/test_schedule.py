"""The availability engine, without a database: rules, holidays, exceptions, buffers,
capacity. Property tests (hypothesis) plus October 2026's National Day cases."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.holidays import DayKind, day_kind
from providers.schedule import (
    DateException,
    Occupancy,
    Rule,
    RuleSyntaxError,
    ServiceShape,
    derive_slots,
    parse_rrule,
    working_intervals,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def shape(**overrides) -> ServiceShape:
    values = {"id": 1, "duration_minutes": 50, "buffer_before_minutes": 0,
              "buffer_after_minutes": 10, "capacity": 1, "min_notice_minutes": 0,
              "horizon_days": 365} | overrides
    return ServiceShape(**values)


def weekday_rule(days="MO,TU,WE,TH,FR", start=time(9), end=time(12), **overrides) -> Rule:
    values = {"rrule": f"FREQ=WEEKLY;BYDAY={days}", "starts_on": date(2026, 8, 31),
              "start_time": start, "end_time": end, "timezone": "Asia/Shanghai"} | overrides
    return Rule(**values)


def slots_between(rules, first: date, last: date, *, exceptions=(), observes=True,
                  service=None, occupancy=(), busy=()):
    start, end = local(first, 0), local(last + timedelta(days=1), 0)
    working = working_intervals(rules, list(exceptions), start=start, end=end,
                                observes_public_holidays=observes)
    return derive_slots(service or shape(), 7, working, occupancy, busy, now=LONG_AGO,
                        start=start, end=end)


# -- holidays of October 2026 -----------------------------------------------------------


def test_october_2026_national_day_and_its_make_up_days_come_from_the_library():
    assert [day_kind(date(2026, 10, d)) for d in range(1, 8)] == [DayKind.HOLIDAY] * 7
    assert day_kind(date(2026, 10, 10)) is DayKind.MAKEUP_WORKDAY  # a Saturday worked
    assert day_kind(date(2026, 9, 20)) is DayKind.MAKEUP_WORKDAY  # a Sunday worked
    assert day_kind(date(2026, 10, 11)) is DayKind.WEEKEND
    assert day_kind(date(2026, 10, 8)) is DayKind.WORKDAY


def test_a_year_nobody_knows_closes_only_the_days_the_law_fixes_by_date():
    assert day_kind(date(2031, 1, 1)) is DayKind.HOLIDAY  # New Year's Day, a Wednesday
    assert [day_kind(date(2031, 5, d)) for d in (1, 2)] == [DayKind.HOLIDAY] * 2
    assert [day_kind(date(2031, 10, d)) for d in (1, 2, 3)] == [DayKind.HOLIDAY] * 3
    assert day_kind(date(2031, 1, 2)) is DayKind.WORKDAY  # the notice's 调休 is unknown
    assert day_kind(date(2031, 1, 4)) is DayKind.WEEKEND


def test_no_slot_on_national_day_for_a_practitioner_who_observes_holidays():
    slots = slots_between([weekday_rule()], date(2026, 9, 28), date(2026, 10, 11))
    days = {s.starts_at.astimezone(SHANGHAI).date() for s in slots}
    assert days.isdisjoint({date(2026, 10, d) for d in range(1, 8)})
    assert date(2026, 9, 30) in days and date(2026, 10, 8) in days


def test_the_make_up_saturday_works_the_hours_of_the_following_monday():
    slots = slots_between([weekday_rule("MO", start=time(14), end=time(16))],
                          date(2026, 10, 10), date(2026, 10, 10))
    assert [s.starts_at.astimezone(SHANGHAI).strftime("%H:%M") for s in slots] == [
        "14:00", "15:00"]


def test_without_a_monday_rule_the_make_up_day_stays_closed():
    assert slots_between([weekday_rule("TU,TH")], date(2026, 10, 10), date(2026, 10, 10)) == []


def test_a_practitioner_who_works_through_holidays_keeps_national_day():
    slots = slots_between([weekday_rule()], date(2026, 10, 1), date(2026, 10, 1),
                          observes=False)
    assert len(slots) == 3


def test_extra_hours_open_a_holiday_and_time_off_closes_a_day():
    extra = DateException("extra", date(2026, 10, 2), time(10), time(11), "Asia/Shanghai")
    closed = DateException("closed", date(2026, 10, 8), None, None, "Asia/Shanghai")
    slots = slots_between([weekday_rule()], date(2026, 10, 1), date(2026, 10, 9),
                          exceptions=[extra, closed])
    days = sorted({s.starts_at.astimezone(SHANGHAI).date() for s in slots})
    assert days == [date(2026, 10, 2), date(2026, 10, 9)]


def test_timed_time_off_takes_out_only_those_hours():
    off = DateException("closed", date(2026, 9, 1), time(10), time(11), "Asia/Shanghai")
    slots = slots_between([weekday_rule()], date(2026, 9, 1), date(2026, 9, 1),
                          exceptions=[off])
    assert [s.starts_at.astimezone(SHANGHAI).hour for s in slots] == [9, 11]


def test_slots_are_stored_in_utc_across_the_shanghai_date_line():
    slots = slots_between([weekday_rule(start=time(7), end=time(9))], date(2026, 9, 1),
                          date(2026, 9, 1))
    assert slots[0].starts_at == datetime(2026, 8, 31, 23, 0, tzinfo=UTC)


def test_until_ends_the_rule():
    rule = weekday_rule("TU", rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260908")
    slots = slots_between([rule], date(2026, 9, 1), date(2026, 9, 30))
    assert {s.starts_at.astimezone(SHANGHAI).date() for s in slots} == {
        date(2026, 9, 1), date(2026, 9, 8)}


def test_minimum_notice_and_horizon_trim_the_window():
    start, end = local(date(2026, 9, 1), 0), local(date(2026, 9, 10), 0)
    working = working_intervals([weekday_rule()], [], start=start, end=end)
    now = local(date(2026, 9, 1), 9, 30)
    slots = derive_slots(shape(min_notice_minutes=60, horizon_days=2), 7, working, [], [],
                         now=now, start=start, end=end)
    assert slots[0].starts_at == local(date(2026, 9, 1), 11)
    assert slots[-1].starts_at < now + timedelta(days=2)


def test_group_bookings_share_the_capacity_and_other_bookings_block():
    service = shape(capacity=5, buffer_after_minutes=10)
    day = date(2026, 9, 1)
    occupancy = [
        Occupancy(7, local(day, 9), local(day, 10), service_id=1, starts_at=local(day, 9),
                  seats=2),
        Occupancy(7, local(day, 10, 30), local(day, 10, 45), service_id=99),
    ]
    slots = slots_between([weekday_rule()], day, day, service=service, occupancy=occupancy)
    assert [(s.starts_at.astimezone(SHANGHAI).hour, s.remaining) for s in slots] == [
        (9, 3), (11, 5)]


@pytest.mark.parametrize(("value", "error"), [
    ("FREQ=MONTHLY", "freq"), ("FREQ=WEEKLY;BYHOUR=9", "unsupported_part"),
    ("FREQ=WEEKLY;BYDAY=XX", "byday"), ("FREQ=WEEKLY;UNTIL=2026", "until"),
    ("FREQ=WEEKLY;UNTIL=20261340", "until"), ("nonsense", "malformed"),
    ("FREQ=WEEKLY;COUNT=3;UNTIL=20261231", "until_and_count"), ("", "malformed"),
    ("FREQ=WEEKLY;INTERVAL=0", "interval"), ("FREQ=WEEKLY;FREQ=DAILY", "malformed"),
])
def test_rrules_we_do_not_accept_say_why(value, error):
    with pytest.raises(RuleSyntaxError, match=error):
        parse_rrule(value)


def test_an_rrule_with_the_prefix_and_a_utc_until_is_read():
    parsed = parse_rrule("RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231T155959Z")
    assert parsed.until == date(2026, 12, 31)
    assert parsed.byweekday == (1, 3)


# -- properties ------------------------------------------------------------------------

rule_strategy = st.builds(
    lambda days, start_hour, hours: weekday_rule(
        ",".join(days), start=time(start_hour), end=time(start_hour + hours)),
    st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
    st.integers(min_value=6, max_value=14), st.integers(min_value=1, max_value=8))
service_strategy = st.builds(
    shape, duration_minutes=st.integers(5, 120), buffer_before_minutes=st.integers(0, 30),
    buffer_after_minutes=st.integers(0, 30), capacity=st.integers(1, 6))
first_day = st.dates(min_value=date(2026, 9, 14), max_value=date(2026, 10, 12))


@st.composite
def occupancy_strategy(draw, first: date):
    items = []
    for _ in range(draw(st.integers(0, 8))):
        day = first + timedelta(days=draw(st.integers(0, 9)))
        start = local(day, draw(st.integers(6, 21)), draw(st.sampled_from([0, 15, 30, 45])))
        length = timedelta(minutes=draw(st.integers(15, 120)))
        same = draw(st.booleans())
        items.append(Occupancy(7, start, start + length, service_id=1 if same else 2,
                               starts_at=start, seats=draw(st.integers(1, 3))))
    return items


@settings(max_examples=60, deadline=None)
@given(rules=st.lists(rule_strategy, min_size=1, max_size=2), service=service_strategy,
       first=first_day, data=st.data())
def test_slot_properties(rules, service, first, data):
    occupancy = data.draw(occupancy_strategy(first))
    last = first + timedelta(days=9)
    slots = slots_between(rules, first, last, service=service, occupancy=occupancy)
    before = timedelta(minutes=service.buffer_before_minutes)
    after = timedelta(minutes=service.buffer_after_minutes)
    for slot in slots:
        block_start, block_end = slot.starts_at - before, slot.ends_at + after
        day = block_start.astimezone(SHANGHAI).date()
        kind = day_kind(day)
        # none on a closed holiday
        assert kind is not DayKind.HOLIDAY
        # inside the rules' hours that day (buffers included; touching rules join up)
        mirror = day + timedelta(days=(0 - day.weekday()) % 7)
        windows = sorted(
            (local(day, r.start_time.hour), local(day, r.end_time.hour)) for r in rules
            if day in r.dates(day, day) or (kind is DayKind.MAKEUP_WORKDAY
                                            and mirror in r.dates(mirror, mirror)))
        joined: list[list[datetime]] = []
        for w_start, w_end in windows:
            if joined and w_start <= joined[-1][1]:
                joined[-1][1] = max(joined[-1][1], w_end)
            else:
                joined.append([w_start, w_end])
        assert any(w_start <= block_start and block_end <= w_end for w_start, w_end in joined)
        # never more remaining than the service allows, after bookings and holds
        taken = sum(o.seats for o in occupancy if o.service_id == 1
                    and o.starts_at == slot.starts_at and service.capacity > 1)
        assert 0 < slot.remaining == service.capacity - taken <= service.capacity
        # buffers respected: no other booking overlaps the block
        for occ in occupancy:
            if occ.service_id == 1 and occ.starts_at == slot.starts_at and service.capacity > 1:
                continue
            assert occ.busy_until <= block_start or occ.busy_from >= block_end
    # slots of one practitioner never overlap one another, buffers included
    blocks = sorted((s.starts_at - before, s.ends_at + after) for s in slots)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(blocks))


@settings(max_examples=30, deadline=None)
@given(rule=rule_strategy, service=service_strategy)
def test_a_make_up_saturday_has_slots_when_the_provider_works_its_monday(rule, service):
    block = service.buffer_before_minutes + service.duration_minutes + \
        service.buffer_after_minutes
    slots = slots_between([rule], date(2026, 10, 10), date(2026, 10, 10), service=service)
    works = any(day in rule.dates(day, day) for day in (date(2026, 10, 10), date(2026, 10, 12)))
    assert bool(slots) == (works and rule.minutes >= block)


def test_a_group_seat_booked_when_the_class_ran_longer_still_blocks_the_next_slots():
    """Found by the property test: the class was shortened from 15 to 5 minutes after a
    seat was booked, so the practitioner stays busy until 06:15 whatever the grid says."""
    service = shape(duration_minutes=5, buffer_after_minutes=0, capacity=2)
    monday = date(2026, 9, 14)
    seat = Occupancy(7, local(monday, 6), local(monday, 6, 15), service_id=1,
                     starts_at=local(monday, 6), seats=1)
    rule = weekday_rule("MO", start=time(6), end=time(7))
    slots = slots_between([rule], monday, monday, service=service, occupancy=[seat])
    starts = [s.starts_at.astimezone(SHANGHAI).time() for s in slots]
    assert starts[:2] == [time(6, 0), time(6, 15)]
    assert slots[0].remaining == 1
