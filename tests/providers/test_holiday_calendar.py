"""The park's holiday calendar as the platform admin keeps it: a year the library does not
know (2027 here) still closes New Year's Day, the dashboards warn while booking horizons
reach it, and once the State Council's notice is entered its Spring Festival is closed and
its make-up Saturday works; a notice that cannot be read is refused line by line and
nothing is saved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from core.accounts.models import Role
from core.db import db
from core.errors import Forbidden
from providers import holiday_calendar, queries
from providers.errors import InvalidHolidayNotice
from providers.holidays import CalendarSource, DayKind, calendar_source, day_kind
from providers.models import HolidayDay, HolidayYear

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知 (as entered by the operator)
2027-01-01~2027-01-03 休 元旦
2027-02-06~2027-02-12 休 春节
2027-02-20 班 春节调休
2027-10-01~2027-10-07 休 国庆节
"""


@pytest.fixture
def admin(make):
    return make.user(Role.PLATFORM_ADMIN)


def _slot_days(kit, first: date, last: date) -> set[date]:
    service = kit.service(horizon_days=365)
    start = datetime.combine(first, datetime.min.time(), tzinfo=SHANGHAI)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)
    found = queries.slots_for(service, start=start, end=end,
                              now=datetime(2026, 12, 8, 2, tzinfo=UTC))
    return {slot.starts_at.astimezone(SHANGHAI).date() for slot, _p in found}


def test_new_years_day_of_a_year_nobody_knows_offers_no_slot(kit):
    kit.rule(rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU")
    assert calendar_source(2027) is CalendarSource.UNKNOWN
    days = _slot_days(kit, date(2026, 12, 31), date(2027, 1, 2))
    assert date(2027, 1, 1) not in days
    assert {date(2026, 12, 31), date(2027, 1, 2)} <= days


def test_the_entered_notice_closes_spring_festival_and_opens_its_make_up_saturday(kit, admin):
    kit.rule()  # Monday to Friday
    days = holiday_calendar.parse_notice(2027, NOTICE_2027)
    holiday_calendar.save_year(2027, days, notice=NOTICE_2027, actor=admin,
                               now=datetime(2026, 12, 8, 2, tzinfo=UTC))
    assert calendar_source(2027) is CalendarSource.OPERATOR
    assert day_kind(date(2027, 2, 8)) is DayKind.HOLIDAY
    assert day_kind(date(2027, 2, 20)) is DayKind.MAKEUP_WORKDAY
    slot_days = _slot_days(kit, date(2027, 2, 5), date(2027, 2, 20))
    assert slot_days.isdisjoint({date(2027, 2, d) for d in range(6, 13)})
    assert date(2027, 2, 5) in slot_days and date(2027, 2, 20) in slot_days


def test_removing_an_entered_year_gives_the_library_back(kit, admin):
    now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    holiday_calendar.save_year(2026, holiday_calendar.parse_notice(2026, "2026-03-02 休 试"),
                               notice="", actor=admin, now=now)
    assert day_kind(date(2026, 3, 2)) is DayKind.HOLIDAY
    assert day_kind(date(2026, 10, 1)) is DayKind.WORKDAY  # the operator's year replaces it
    holiday_calendar.remove_year(2026, actor=admin)
    assert day_kind(date(2026, 3, 2)) is DayKind.WORKDAY
    assert day_kind(date(2026, 10, 1)) is DayKind.HOLIDAY


@pytest.mark.parametrize(("notice", "says"), [
    ("2027-02-30 休 春节", "Line 1"),
    ("2027-01-01 休 元旦\n2027-01-04 班 调休", "Line 2"),  # a Monday cannot be a make-up day
    ("2026-12-31~2027-01-01 休 元旦", "Line 1"),  # outside the year
    ("2027-01-01 休 元旦\n2027-01-01 休 again", "Line 2"),
    ("元旦 2027-01-01", "Line 1"),
    ("2027-02-20 班 调休", "New Year"),
])
def test_a_notice_that_cannot_be_read_names_the_line_and_saves_nothing(kit, admin, notice,
                                                                     says):
    with force_locale("en"), pytest.raises(InvalidHolidayNotice) as refused:
        holiday_calendar.parse_notice(2027, notice)
    assert says in refused.value.fields["notice"]
    assert db.session.scalar(select(func.count()).select_from(HolidayYear)) == 0


def test_only_the_platform_admin_keeps_the_calendar(kit):
    with pytest.raises(Forbidden):
        holiday_calendar.save_year(2027, [], notice="", actor=kit.owner,
                                   now=datetime(2026, 12, 8, 2, tzinfo=UTC))


def test_the_admin_enters_2027_on_the_page_and_the_warnings_go(client, auth, kit, admin):
    kit.service(horizon_days=60)
    auth.login(admin.email)
    page = client.get("/admin/holidays", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and "节假日" in page.get_data(as_text=True)
    assert "2027" in page.get_data(as_text=True)
    refused = client.post("/admin/holidays", data={"year": "2027",
                                                   "notice": "2027-02-30 休 春节"})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(HolidayDay)) == 0
    saved = client.post("/admin/holidays", data={"year": "2027", "notice": NOTICE_2027})
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(HolidayDay)) == 18
    shown = client.get("/admin/holidays?year=2027").get_data(as_text=True)
    assert "春节" in shown


def test_the_provider_dashboard_warns_while_its_horizon_reaches_an_unknown_year(client, auth,
                                                                               kit, admin):
    kit.service(horizon_days=365)  # a year ahead reaches 2027 from any instant of 2026
    auth.login(kit.owner.email)
    url = f"/providers/{kit.provider.id}/dashboard"
    warned = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Holiday data missing" in warned and "can already be made in 2027" in warned
    holiday_calendar.save_year(2027, holiday_calendar.parse_notice(2027, NOTICE_2027),
                               notice=NOTICE_2027, actor=admin,
                               now=datetime(2026, 12, 8, 2, tzinfo=UTC))
    db.session.commit()
    calm = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    warning = calm.partition("Holiday data missing")[2].partition("</section>")[0]
    assert "2027" not in warning  # from 1 January 2027 on, 2028 may still be warned about


def test_the_api_reads_a_year_and_the_admin_enters_one(client, make, kit, admin):
    def h(user):
        return {"Authorization": f"Bearer {make.token(user)}"}

    known = client.get("/api/v1/holidays/2026", headers=h(kit.owner)).get_json()
    assert known["source"] == "library"
    assert {"day": "2026-10-01", "kind": "holiday", "name": "National Day"} in known["days"]
    assert {"day": "2026-10-10", "kind": "makeup_workday", "name": ""} in known["days"]
    unknown = client.get("/api/v1/holidays/2027", headers=h(kit.owner)).get_json()
    assert unknown["source"] == "unknown"
    assert [d["day"] for d in unknown["days"]][:1] == ["2027-01-01"]
    assert client.put("/api/v1/holidays/2027", json={"notice": NOTICE_2027},
                      headers=h(kit.owner)).status_code == 403
    bad = client.put("/api/v1/holidays/2027", json={"notice": "2027-13-01 休 x"},
                     headers=h(admin))
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "invalid_holiday_notice"
    entered = client.put("/api/v1/holidays/2027", json={"notice": NOTICE_2027},
                         headers=h(admin)).get_json()
    assert entered["source"] == "operator" and len(entered["days"]) == 18
    assert client.delete("/api/v1/holidays/2027", headers=h(admin)).status_code == 204
    assert client.get("/api/v1/holidays/1999", headers=h(admin)).status_code == 404
