"""The weekly-hours editor: ranges per weekday stored as RRULEs and read back, rules it
cannot show kept read-only, refusals that name the day and range and write nothing, the
HTML editor without JavaScript, and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from core.db import db
from core.i18n import park_today
from providers import hours_services, weekly_hours
from providers.errors import InvalidRule
from providers.models import AvailabilityRule, ScheduleException
from providers.schemas import WeeklyHoursData
from providers.slots import service_slots
from providers.weekly_hours import Range

T = time
NOW = datetime(2026, 12, 8, 2, tzinfo=UTC)


NINE, NOON = time(9), time(12)


def _row(id_, rrule, start=NINE, end=NOON, starts_on=date(2026, 8, 31), tz="Asia/Shanghai"):
    row = SimpleNamespace()
    row.id, row.rrule, row.starts_on, row.start_time, row.end_time, row.timezone = (
        id_, rrule, starts_on, start, end, tz)
    return row


def test_ranges_become_one_rrule_per_distinct_range():
    days = [[Range(T(9), T(12)), Range(T(14), T(17))]] * 5 + [[Range(T(9), T(12))], []]
    assert weekly_hours.to_rules(days) == [
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA", T(9), T(12)),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", T(14), T(17))]


def test_stored_rules_read_back_into_the_grid_and_odd_ones_are_kept_aside():
    rows = [_row(1, "FREQ=WEEKLY;BYDAY=MO,WE"), _row(2, "FREQ=DAILY", T(18), T(19)),
            _row(3, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", T(14), T(15)),
            _row(4, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20271231", T(14), T(15)),
            _row(5, "FREQ=WEEKLY;BYDAY=TH", starts_on=date(2027, 3, 1)),
            _row(6, "FREQ=WEEKLY;BYDAY=SA", tz="Europe/London")]
    hours = weekly_hours.read_rules(rows, default_zone="Asia/Shanghai",
                                    today=date(2026, 12, 8))
    assert hours.timezone == "Asia/Shanghai"
    assert hours.days[0] == [Range(T(9), T(12)), Range(T(18), T(19))]
    assert hours.days[1] == [Range(T(18), T(19))]
    assert sorted(hours.replaces) == [1, 2]
    assert {k.id: k.reason for k in hours.kept} == {
        3: "interval", 4: "ends", 5: "later_start", 6: "other_zone"}


def test_what_the_editor_writes_it_reads_back_the_same():
    days = [[Range(T(8), T(11)), Range(T(13), T(16))], [], [Range(T(9), T(12))], [], [],
            [Range(T(9), T(12))], []]
    rows = [_row(i, rrule, start, end) for i, (rrule, start, end)
            in enumerate(weekly_hours.to_rules(days))]
    assert weekly_hours.read_rules(rows, default_zone="UTC",
                                   today=date(2026, 12, 8)).days == days


def test_shape_problems_say_which_day_and_range():
    days = [[Range(T(9), T(12)), Range(T(11), T(13))], [Range(T(12), T(9))], [], [], [], [],
            []]
    assert weekly_hours.problems(days) == [(0, 1, "overlap"), (1, 0, "order")]


def _data(**days) -> WeeklyHoursData:
    return WeeklyHoursData(timezone="Asia/Shanghai", days=days)


WEEKDAYS_MORNING = {d: [{"start": "09:00", "end": "12:00"}]
                    for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def test_saving_replaces_the_rules_and_slots_follow(app, kit):
    service = kit.service(duration_minutes=50, buffer_after_minutes=10)
    kit.rule()  # Monday to Friday 09:00-12:00, the old way
    kept = kit.rule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", start=T(14), end=T(16))
    hours_services.replace_weekly_hours(
        kit.practitioner, _data(**WEEKDAYS_MORNING, saturday=[{"start": "09:00",
                                                               "end": "11:00"}]),
        actor=kit.owner, now=NOW, today=date(2026, 12, 8))
    rules = db.session.scalars(select(AvailabilityRule).order_by(AvailabilityRule.id)).all()
    assert [(r.rrule, r.start_time, r.end_time) for r in rules if r.id != kept.id] == [
        ("FREQ=WEEKLY;BYDAY=SA", T(9), T(11)),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", T(9), T(12))]
    assert all(r.starts_on == date(2026, 8, 31) for r in rules if r.id != kept.id)
    saturday = datetime.fromisoformat("2026-12-12T00:00:00+08:00")
    slots = service_slots(service, [kit.practitioner], start=saturday,
                          end=datetime.fromisoformat("2026-12-13T00:00:00+08:00"),
                          now=datetime.fromisoformat("2026-12-08T10:00:00+08:00"))
    assert [s.starts_at.astimezone(saturday.tzinfo).hour for s, _p in slots] == [9, 10]


def test_a_refused_save_names_the_day_and_range_and_writes_nothing(app, kit):
    kit.rule()
    before = db.session.scalar(select(func.count()).select_from(AvailabilityRule))
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}), \
            pytest.raises(InvalidRule) as refused:
        hours_services.replace_weekly_hours(
            kit.practitioner, _data(monday=[{"start": "09:00", "end": "12:00"},
                                            {"start": "11:00", "end": "13:00"}],
                                    friday=[{"start": "17:00", "end": "09:00"}]),
            actor=kit.owner, now=NOW, today=date(2026, 12, 8))
    assert set(refused.value.fields) == {"monday.1", "friday.0"}
    assert "星期五 17:00–09:00" in refused.value.fields["friday.0"]
    assert db.session.scalar(select(func.count()).select_from(AvailabilityRule)) == before


def test_a_range_too_short_for_a_service_is_refused_with_the_service(app, kit):
    kit.service(duration_minutes=90, buffer_after_minutes=0)
    with app.test_request_context(headers={"Accept-Language": "en"}), \
            pytest.raises(InvalidRule) as refused:
        hours_services.replace_weekly_hours(
            kit.practitioner, _data(saturday=[{"start": "09:00", "end": "10:00"}]),
            actor=kit.owner, now=NOW, today=date(2026, 12, 8))
    assert "Saturday 09:00–10:00 is shorter than Tuina massage (90 minutes" in \
        refused.value.fields["saturday.0"]


def test_overrides_replace_those_from_today_and_withdraw_the_rest(app, kit):
    old = kit.exception(kind="closed", happens_on=date(2026, 12, 20))
    past = kit.exception(kind="closed", happens_on=date(2026, 12, 1))
    data = WeeklyHoursData(days=WEEKDAYS_MORNING, overrides=[
        {"day": "2026-12-15", "kind": "off", "note": "Anniversary"},
        {"day": "2026-12-19", "kind": "hours", "ranges": [{"start": "10:00", "end": "12:00"}]}])
    hours_services.replace_weekly_hours(kit.practitioner, data, actor=kit.owner,
                                        now=NOW, today=date(2026, 12, 8))
    assert old.cancelled_at is not None and old.sequence == 1
    assert past.cancelled_at is None
    read = hours_services.read_overrides(kit.practitioner, today=date(2026, 12, 8))
    assert [(o.day, o.kind, [(r.start, r.end) for r in o.ranges]) for o in read] == [
        (date(2026, 12, 15), "off", []), (date(2026, 12, 19), "hours", [(T(10), T(12))])]


def test_an_override_in_the_past_is_refused(app, kit):
    data = WeeklyHoursData(days={}, overrides=[{"day": "2026-12-01", "kind": "off"}])
    with pytest.raises(InvalidRule) as refused:
        hours_services.replace_weekly_hours(kit.practitioner, data, actor=kit.owner,
                                            now=NOW,
                                            today=date(2026, 12, 8))
    assert "overrides.0" in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(ScheduleException)) == 0


# -- the page -----------------------------------------------------------------------------


@pytest.fixture
def signed_in(kit, make, auth):
    make.commit()
    auth.login(kit.owner.email)
    return kit


def _hours_url(kit) -> str:
    return f"/providers/practitioners/{kit.practitioner.id}/hours"


def _form(**overrides) -> dict:
    data = {"timezone": "Asia/Shanghai", "action": "save"}
    for key in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        data |= {f"{key}_on": "y", f"{key}-0-start": "09:00", f"{key}-0-end": "12:00"}
    return data | overrides


def test_the_editor_shows_weekday_names_and_stored_hours_in_chinese(client, signed_in):
    signed_in.rule()
    db.session.commit()
    client.post("/locale", data={"locale": "zh_CN", "next": "/"})
    text = client.get(_hours_url(signed_in)).get_data(as_text=True)
    assert "星期一" in text and "星期日" in text and 'value="09:00"' in text
    assert "Asia/Shanghai" in text and "FREQ=" not in text


def test_the_editor_saves_from_plain_form_rows(client, signed_in):
    response = client.post(_hours_url(signed_in), data=_form(
        saturday_on="y", **{"saturday-0-start": "09:00", "saturday-0-end": "12:00"}))
    assert response.status_code == 302
    rules = db.session.scalars(select(AvailabilityRule)).all()
    assert sorted(r.rrule for r in rules) == ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"]


def test_add_and_copy_redisplay_without_saving(client, signed_in):
    added = client.post(_hours_url(signed_in), data=_form(action="add:monday"))
    assert added.status_code == 200 and 'name="monday-1-start"' in added.get_data(as_text=True)
    copied = client.post(_hours_url(signed_in), data={
        "timezone": "Asia/Shanghai", "action": "copy:monday", "monday_on": "y",
        "monday-0-start": "08:00", "monday-0-end": "11:00"})
    assert copied.get_data(as_text=True).count('value="08:00"') == 5
    assert db.session.scalar(select(func.count()).select_from(AvailabilityRule)) == 0


def test_a_wrong_range_is_refused_in_words_without_field_names(client, signed_in):
    signed_in.rule()
    db.session.commit()
    response = client.post(_hours_url(signed_in), data=_form(**{"friday-0-end": "08:00"}),
                           headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Friday 09:00–08:00: the end must be after the start." in text
    assert "friday.0" not in text and "end_time" not in text
    assert [r.rrule for r in db.session.scalars(select(AvailabilityRule))] == [
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]


def test_a_half_filled_row_and_an_empty_day_are_named(client, signed_in):
    response = client.post(_hours_url(signed_in), data=_form(
        **{"friday-0-end": "", "saturday_on": "y"}), headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Friday, range 1: give both times." in text
    assert "Saturday is switched on: give a time range, or switch it off." in text


def test_rules_the_editor_cannot_show_are_read_only_with_the_reason(client, signed_in):
    signed_in.rule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA")
    db.session.commit()
    text = client.get(_hours_url(signed_in), headers={"Accept-Language": "en"}) \
        .get_data(as_text=True)
    assert "It repeats every few weeks" in text


# -- the API ------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_same_structure(client, make, signed_in):
    signed_in.rule()
    make.commit()
    headers = {"Authorization": f"Bearer {make.token(signed_in.owner)}"}
    url = f"/api/v1/practitioners/{signed_in.practitioner.id}/weekly-hours"
    body = client.get(url, headers=headers).get_json()
    assert body["days"]["monday"] == [{"start": "09:00:00", "end": "12:00:00"}]
    assert body["days"]["sunday"] == [] and body["kept"] == []
    put = client.put(url, headers=headers, json={
        "timezone": "Asia/Shanghai",
        "days": {"saturday": [{"start": "09:00", "end": "12:00"}]},
        "overrides": [{"day": (park_today()).isoformat(), "kind": "off"}]})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["rules"][0]["rrule"] == "FREQ=WEEKLY;BYDAY=SA"
    assert put.get_json()["overrides"][0]["kind"] == "off"
    bad = client.put(url, headers=headers, json={
        "days": {"monday": [{"start": "12:00", "end": "09:00"}]}})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "invalid_rule"
    assert "monday.0" in bad.get_json()["error"]["fields"]


def test_the_schedule_shows_weekday_names_and_a_month_calendar_to_pick_a_day_off(
        client, signed_in):
    signed_in.rule()
    db.session.commit()
    url = f"/providers/practitioners/{signed_in.practitioner.id}/schedule"
    text = client.get(url + "?week=2026-09-28&month=2026-10",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Mon, Sep 28" in text and "Thu, Oct 1" in text
    assert "National Day" in text and "October 2026" in text
    assert "on=2026-10-14" in text
    picked = client.get(url + "?week=2026-10-14&on=2026-10-14",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="2026-10-14"' in picked
    assert "FREQ=" not in picked
