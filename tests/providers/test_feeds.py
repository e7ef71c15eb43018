"""Calendar feeds out (round trips through icalendar and vobject, conditional GET) and
busy time in (RRULE, EXDATE, RECURRENCE-ID; broken and hostile files import nothing)."""

from __future__ import annotations

import io
import time as time_module
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject
from flask_babel import force_locale
from sqlalchemy import select

from core.clock import utcnow
from core.db import db
from providers import feeds, services
from providers.errors import InvalidCalendar
from providers.models import BusyTime

pytestmark = pytest.mark.usefixtures("app")


def feed_url(kit) -> str:
    raw = feeds.issue_practitioner_feed(kit.practitioner, actor=kit.owner)
    db.session.commit()
    return f"/feeds/practitioners/{raw}.ics"


def soon(days: int) -> date:
    return utcnow().date() + timedelta(days=days)


def test_the_feed_is_valid_icalendar_with_vtimezone_stable_uids_and_sequence(client, kit):
    off = kit.exception(kind="closed", happens_on=soon(3), start_time=time(14),
                        end_time=time(16), note="培训")
    kit.exception(kind="closed", happens_on=soon(5))
    url = feed_url(kit)
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(first.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"exception-{off.id}@parkwell",
                                               f"exception-{off.id + 1}@parkwell"]
    assert events[0].decoded("DTSTART").utcoffset() == timedelta(hours=8)
    assert events[1].decoded("DTSTART") == soon(5)  # a whole day, as a DATE

    services.cancel_exception(off, actor=kit.owner, now=utcnow())
    db.session.commit()
    second = client.get(url)
    changed = icalendar.Calendar.from_ical(second.data).walk("VEVENT")[0]
    assert changed["STATUS"] == "CANCELLED" and changed["SEQUENCE"] == 1
    assert str(changed["UID"]) == f"exception-{off.id}@parkwell"
    assert second.headers["ETag"] != first.headers["ETag"]


def test_the_feed_reads_in_an_independent_parser(client, kit):
    kit.exception(kind="extra", happens_on=soon(2), start_time=time(18), end_time=time(20))
    parsed = vobject.readOne(client.get(feed_url(kit)).get_data(as_text=True))
    event = parsed.vevent
    assert event.dtstart.value.astimezone(UTC).hour == 10
    assert event.sequence.value == "0"
    assert parsed.vtimezone.tzid.value == "Asia/Shanghai"


def test_a_conditional_get_is_answered_with_304(client, kit):
    kit.exception(kind="closed", happens_on=soon(2))
    url = feed_url(kit)
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_new_address_revokes_the_old_and_revoking_ends_it(client, kit):
    old = feed_url(kit)
    new = feed_url(kit)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    feeds.revoke_practitioner_feed(kit.practitioner, actor=kit.owner)
    db.session.commit()
    assert client.get(new).status_code == 404
    assert client.get("/feeds/practitioners/" + "x" * 300 + ".ics").status_code == 404


def test_other_packages_add_events_through_a_feed_source(app, client, kit):
    start = datetime.combine(soon(4), time(2), tzinfo=UTC)
    feeds.register_feed_source(app, lambda ids, since: [feeds.FeedEvent(
        uid="booking-1@parkwell", starts_at=start, ends_at=start + timedelta(hours=1),
        summary="Tuina", sequence=2, updated_at=start - timedelta(days=1), cancelled=True)])
    event = icalendar.Calendar.from_ical(client.get(feed_url(kit)).data).walk("VEVENT")[0]
    assert (str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (
        "booking-1@parkwell", 2, "CANCELLED")


# -- import ----------------------------------------------------------------------------

RECURRING = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VTIMEZONE
TZID:Asia/Shanghai
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0800
TZOFFSETTO:+0800
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:weekly@example.com
DTSTAMP:20261101T000000Z
DTSTART;TZID=Asia/Shanghai:20261201T090000
DTEND;TZID=Asia/Shanghai:20261201T100000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Asia/Shanghai:20261208T090000
SUMMARY:Hospital ward round
END:VEVENT
BEGIN:VEVENT
UID:weekly@example.com
DTSTAMP:20261101T000000Z
RECURRENCE-ID;TZID=Asia/Shanghai:20261215T090000
DTSTART;TZID=Asia/Shanghai:20261215T140000
DTEND;TZID=Asia/Shanghai:20261215T153000
SUMMARY:Moved ward round
END:VEVENT
BEGIN:VEVENT
UID:free@example.com
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261203
DTEND;VALUE=DATE:20261204
TRANSP:TRANSPARENT
SUMMARY:Reminder only
END:VEVENT
BEGIN:VEVENT
UID:allday@example.com
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261204
SUMMARY:Conference
END:VEVENT
END:VCALENDAR
"""

WINDOW = {"start": datetime(2026, 11, 30, tzinfo=UTC), "end": datetime(2027, 1, 31,
                                                                       tzinfo=UTC),
          "timezone": "Asia/Shanghai"}


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def test_rrule_exdate_and_recurrence_id_are_expanded():
    intervals = feeds.parse_busy(RECURRING, **WINDOW)
    assert intervals == [
        (shanghai(1, 9), shanghai(1, 10)),
        (shanghai(4, 0), shanghai(5, 0)),  # all day, in the park's zone
        (shanghai(15, 14), shanghai(15, 15, 30)),  # moved by RECURRENCE-ID
        (shanghai(22, 9), shanghai(22, 10)),
    ]


def _series(rule: str, start: str, *, tzid: str = "") -> bytes:
    when = f";TZID={tzid}:" if tzid else ":"
    zulu = "" if tzid else "Z"
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
            f"UID:standing@example.com\r\nDTSTAMP:20000101T000000Z\r\n"
            f"DTSTART{when}{start}T090000{zulu}\r\nDTEND{when}{start}T100000{zulu}\r\n"
            f"RRULE:{rule}\r\nSUMMARY:Standing meeting\r\nEND:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nUID:one@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART:20261210T020000Z\r\nDTEND:20261210T030000Z\r\nEND:VEVENT\r\n"
            f"END:VCALENDAR\r\n").encode()


def test_a_series_without_end_that_began_years_ago_imports_the_window_at_once():
    """An hourly series since 2000 took minutes to expand (every hour since then) and the
    import failed whole; now only the window is expanded, and nothing else is lost."""
    started = time_module.monotonic()
    intervals = feeds.parse_busy(_series("FREQ=HOURLY;BYHOUR=9", "20000101"), **WINDOW)
    assert time_module.monotonic() - started < 15  # was over 120 s on this machine
    days = (WINDOW["end"] - WINDOW["start"]).days
    assert len(intervals) == days + 1  # 09:00 UTC each day, and the one-off event
    assert intervals[0] == (datetime(2026, 11, 30, 9, tzinfo=UTC),
                            datetime(2026, 11, 30, 10, tzinfo=UTC))
    assert (datetime(2026, 12, 10, 2, tzinfo=UTC), datetime(2026, 12, 10, 3, tzinfo=UTC)) \
        in intervals


@pytest.mark.parametrize(("rule", "start", "tzid"), [
    ("FREQ=WEEKLY;BYDAY=MO,TH", "20150105", "Asia/Shanghai"),
    ("FREQ=DAILY;INTERVAL=3", "20190302", ""),
    ("FREQ=HOURLY;INTERVAL=5;COUNT=20000", "20200101", ""),
    ("FREQ=WEEKLY;UNTIL=20261215T000000Z", "20100104", ""),
    ("FREQ=DAILY;COUNT=10", "20200101", ""),
])
def test_moving_an_old_series_forward_changes_no_occurrence_in_the_window(rule, start, tzid):
    content = _series(rule, start, tzid=tzid)
    if tzid:
        content = RECURRING.split(b"BEGIN:VEVENT")[0] + content.split(b"PRODID:x\r\n")[1]
    expected = sorted(
        (feeds._as_aware(e["DTSTART"].dt, UTC), feeds._as_aware(e["DTEND"].dt, UTC))
        for e in recurring_ical_events.of(icalendar.Calendar.from_ical(content)).between(
            WINDOW["start"], WINDOW["end"]))
    got = feeds.parse_busy(content, **WINDOW)
    assert sorted(got) == [(max(s, WINDOW["start"]), min(e, WINDOW["end"]))
                           for s, e in expected]


@pytest.mark.parametrize(("content", "reason"), [
    (b"not a calendar at all", "not an iCalendar"),
    (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\nEND:VEVENT\nEND:VCALENDAR\n",
     "could not be read"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261201T000000Z\r\n"
     b"DTEND:20261201T000100Z\r\nRRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
     "more than 2000 events"),
    (b"BEGIN:VCALENDAR\n" + b"X" * feeds.MAX_ICS_BYTES, "larger than 1 MB"),
])
def test_broken_and_hostile_files_are_refused_saying_why(content, reason):
    with force_locale("en"), pytest.raises(InvalidCalendar) as info:
        feeds.parse_busy(content, **WINDOW)
    assert reason in str(info.value.message)


def test_a_broken_upload_imports_nothing_and_keeps_what_was_there(client, auth, kit, make):
    now = utcnow()
    good = RECURRING.replace(b"20261201T090000", now.strftime("%Y%m%dT090000").encode())
    assert feeds.import_busy_time(kit.practitioner, actor=kit.owner, content=good,
                                  source="mine.ics", now=now) >= 1
    make.commit()
    before = db.session.scalars(select(BusyTime)).all()
    auth.login(kit.owner.email)
    response = client.post(
        f"/providers/practitioners/{kit.practitioner.id}/busy", headers={"Accept-Language": "en"},
        data={"calendar": (io.BytesIO(b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:x\n"),
                           "mine.ics")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert response.status_code == 200  # the upload's page: it ran, and failed
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(BusyTime)).all()) == len(before)


def test_imported_busy_time_takes_slots_away(kit):
    kit.rule(start=time(9), end=time(12))
    service = kit.service()
    day = date(2026, 9, 2)
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n"
           b"DTSTAMP:20260801T000000Z\r\nDTSTART:20260902T020000Z\r\n"
           b"DTEND:20260902T023000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    from providers.queries import slots_for
    from tests.providers.conftest import NOW
    feeds.import_busy_time(kit.practitioner, actor=kit.owner, content=ics, source="a.ics",
                           now=NOW)
    start = datetime.combine(day, time(), tzinfo=UTC) - timedelta(hours=8)
    hours = [s.starts_at.hour for s, _ in slots_for(service, start=start,
                                                     end=start + timedelta(days=1), now=NOW)]
    assert hours == [1, 3]


# -- subscribed calendars --------------------------------------------------------------


def test_the_worker_reimports_subscribed_calendars_and_keeps_them_on_failure(kit):
    now = datetime(2026, 11, 30, tzinfo=UTC)
    feeds.set_busy_calendar(kit.practitioner, "webcal://calendar.example.com/me.ics",
                            actor=kit.owner)
    assert kit.practitioner.busy_calendar_url == "https://calendar.example.com/me.ics"
    assert feeds.sync_busy_calendars(now=now, fetch=lambda url: RECURRING) == {
        "synced": 1, "failed": 0}
    imported = db.session.scalars(select(BusyTime)).all()
    assert len(imported) == 4

    def broken(url):
        raise InvalidCalendar("unreachable")

    assert feeds.sync_busy_calendars(now=now, fetch=broken) == {"synced": 0, "failed": 1}
    assert kit.practitioner.busy_calendar_error == "unreachable"
    assert len(db.session.scalars(select(BusyTime)).all()) == 4

    feeds.set_busy_calendar(kit.practitioner, "", actor=kit.owner)
    assert db.session.scalars(select(BusyTime)).all() == []


@pytest.mark.parametrize("url", ["ftp://example.com/a.ics", "javascript:alert(1)",
                                 "https://" + "a" * 600])
def test_only_http_calendar_addresses_are_followed(kit, url):
    with pytest.raises(Exception, match="invalid_input"):
        feeds.set_busy_calendar(kit.practitioner, url, actor=kit.owner)


@pytest.mark.parametrize("url", ["http://127.0.0.1/cal.ics", "http://10.0.0.8/cal.ics",
                                 "http://[::1]/cal.ics", "file:///etc/passwd"])
def test_fetching_refuses_internal_addresses(url):
    with pytest.raises(InvalidCalendar):
        feeds.fetch_calendar(url)
