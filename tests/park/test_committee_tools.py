"""The committee's tools after issue 19: Chinese-only events, editing events, sessions and
venues (pages and PATCH), reading feedback, analytics and announcements over the API, the
public feeds without restricted events, and certificates anyone can verify."""

from __future__ import annotations

import base64
import logging
import os
import re
import zlib
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from icalendar import Calendar
from sqlalchemy import select

from core.accounts.models import Role
from core.db import db
from core.jobs import services as jobs
from core.jobs.models import Job, JobStatus
from core.mail import OutboxMail
from park import announcement_mail, certificates, checkin, feedback, services
from park.models import Event, EventKind
from tests.park.factories import ParkKit, at

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _headers(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}"}


def _attended(kit, event, rating: int, comment: str, user=None):
    user = user or kit.employee_user()
    reg = kit.register(event.sessions[0], user)
    checkin.check_in(event.sessions[0], code=reg.ticket_code, actor=kit.committee, now=kit.now)
    feedback.give_feedback(event, actor=user, rating=rating, comment=comment, now=kit.now)
    db.session.commit()
    return reg


# -- Chinese-only events -------------------------------------------------------------------


def test_a_chinese_only_event_is_shown_by_its_chinese_title_in_english(client, make, kit):
    response = client.post(f"/api/v1/parks/{kit.park.id}/events",
                           headers=_headers(make, kit.committee) | EN, json={
        "title_zh": "太极拳入门", "kind": "sports",
        "registration_opens_at": kit.now.isoformat(),
        "registration_closes_at": (kit.now + timedelta(days=4)).isoformat()})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["title"] == "太极拳入门"
    assert response.get_json()["title_en"] == ""
    event = db.session.get(Event, response.get_json()["id"])
    assert event.title("en") == event.title("zh_CN") == "太极拳入门"


def test_the_event_form_no_longer_asks_for_an_english_title(client, kit):
    _sign_in(client, kit.committee)
    response = client.post(f"/park/{kit.park.id}/events/new", data={
        "title_zh": "读书会", "kind": "social",
        "registration_opens_at": "2026-12-09T09:00", "registration_closes_at": "2026-12-10T09:00"})
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.title_zh == "读书会"))
    page = client.get(f"/park/events/{event.id}", headers=EN).get_data(as_text=True)
    assert "<h1>读书会" in page


# -- editing over the API --------------------------------------------------------------------


def test_the_committee_patches_an_event_and_only_the_fields_sent_change(client, make, kit):
    event = kit.event()
    response = client.patch(f"/api/v1/events/{event.id}", headers=_headers(make, kit.committee),
                            json={"title_en": "TCM week (moved indoors)"})
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert event.title_en == "TCM week (moved indoors)" and event.title_zh == "中医药文化周"
    assert event.description_en == "About"


def test_a_refused_event_patch_writes_nothing(client, make, kit):
    event = kit.event()
    response = client.patch(f"/api/v1/events/{event.id}", headers=_headers(make, kit.committee),
                            json={"title_en": "Renamed", "price_minor": 5000})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "price_locked"
    db.session.expire_all()
    assert event.title_en == "TCM week" and event.price_minor == 0


def test_an_event_patch_outside_its_bounds_is_refused_by_the_schema(client, make, kit):
    event = kit.event()
    headers = _headers(make, kit.committee)
    too_long = client.patch(f"/api/v1/events/{event.id}", headers=headers,
                            json={"title_zh": "长" * 201})
    null = client.patch(f"/api/v1/events/{event.id}", headers=headers, json={"title_zh": None})
    unknown = client.patch(f"/api/v1/events/{event.id}", headers=headers, json={"status": "x"})
    assert too_long.status_code == null.status_code == unknown.status_code == 422


def test_moving_a_session_by_patch_mails_its_registrants_through_the_outbox(client, make, kit,
                                                                            outbox):
    session = kit.session()
    kit.register(session)
    response = client.patch(f"/api/v1/sessions/{session.id}",
                            headers=_headers(make, kit.committee),
                            json={"starts_at": at(kit.now, 3, 8).isoformat()})
    assert response.status_code == 200, response.get_json()
    assert [m.to for m in outbox] == [kit.employee.email]


def test_a_session_patch_cannot_drop_capacity_below_the_registrations(client, make, kit,
                                                                      outbox):
    session = kit.session(capacity=5)
    kit.register(session)
    kit.register(session, kit.employee_user())
    response = client.patch(f"/api/v1/sessions/{session.id}",
                            headers=_headers(make, kit.committee),
                            json={"capacity": 1, "starts_at": at(kit.now, 3, 8).isoformat()})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "capacity_below_taken"
    db.session.expire_all()
    assert session.capacity == 5 and session.starts_at == at(kit.now, 3, 9)
    assert outbox == []  # the refused move told nobody


def test_a_venue_is_edited_but_not_below_a_session_still_to_come_there(client, make, kit):
    kit.session(capacity=30)
    headers = _headers(make, kit.committee)
    refused = client.patch(f"/api/v1/venues/{kit.venue.id}", headers=headers,
                           json={"capacity": 20, "location": "B2"})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "venue_capacity_below_sessions"
    db.session.expire_all()
    assert kit.venue.location == "A1"
    saved = client.patch(f"/api/v1/venues/{kit.venue.id}", headers=headers,
                         json={"capacity": 40, "name_en": "Great hall"})
    assert saved.status_code == 200 and saved.get_json()["name_en"] == "Great hall"


def test_another_parks_committee_cannot_find_the_venue(client, make, kit):
    other = ParkKit(make)
    response = client.patch(f"/api/v1/venues/{kit.venue.id}",
                            headers=_headers(make, other.committee), json={"capacity": 9})
    assert response.status_code == 404


def test_the_venue_page_edits_a_venue(client, kit):
    _sign_in(client, kit.committee)
    assert client.get(f"/park/venues/{kit.venue.id}/edit").status_code == 200
    response = client.post(f"/park/venues/{kit.venue.id}/edit", data={
        "name_zh": "大礼堂", "name_en": "Great hall", "location": "B2", "capacity": "60"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (kit.venue.name_zh, kit.venue.capacity) == ("大礼堂", 60)


# -- feedback, analytics and announcements -------------------------------------------------


def test_the_committee_reads_comments_on_the_event_page_without_names(client, kit):
    event = kit.event()
    reg = _attended(kit, event, 4, "老师讲得很清楚")
    _sign_in(client, kit.committee)
    page = client.get(f"/park/events/{event.id}", headers=ZH).get_data(as_text=True)
    assert "老师讲得很清楚" in page and "★★★★☆" in page
    assert reg.user.display_name not in page


def test_feedback_exports_as_csv_for_excel(client, kit):
    event = kit.event()
    _attended(kit, event, 5, "=HYPERLINK(\"x\") 很好")
    _sign_in(client, kit.committee)
    response = client.get(f"/park/events/{event.id}/feedback.csv", headers=ZH)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    assert "'=HYPERLINK" in text  # a formula is neutralised
    assert "很好" in text


def test_feedback_and_analytics_over_the_api(client, make, kit):
    event = kit.event(capacity=10)
    _attended(kit, event, 5, "great")
    _attended(kit, event, 2, "")
    kit.register(event.sessions[0])  # registered, never came
    headers = _headers(make, kit.committee)
    answers = client.get(f"/api/v1/events/{event.id}/feedback", headers=headers).get_json()
    assert answers["count"] == 2 and answers["average_rating"] == 3.5
    assert sorted(a["rating"] for a in answers["items"]) == [2, 5]
    assert all("user" not in a for a in answers["items"])
    analytics = client.get(f"/api/v1/events/{event.id}/analytics", headers=headers).get_json()
    assert (analytics["registered"], analytics["checked_in"]) == (3, 2)
    assert analytics["attendance_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert analytics["sessions"][0]["checked_in"] == 2
    employee = client.get(f"/api/v1/events/{event.id}/feedback",
                          headers=_headers(make, kit.employee))
    assert employee.status_code == 403


@pytest.mark.parametrize("config_overrides", [{"MAIL_DELIVERY": "queue"}])
def test_an_announcement_posted_over_the_api_waits_in_the_outbox_for_the_worker(
        client, make, kit, outbox):
    response = client.post(f"/api/v1/parks/{kit.park.id}/announcements",
                           headers=_headers(make, kit.committee),
                           json={"title": "停车场施工", "body": "下周一起 B 区停车场关闭。"})
    assert response.status_code == 201, response.get_json()
    assert outbox == []  # nothing sent while the request ran
    queued = db.session.scalars(select(OutboxMail)).all()
    assert [m.to for m in queued] == [kit.employee.email]
    listed = client.get(f"/api/v1/parks/{kit.park.id}/announcements",
                        headers=_headers(make, kit.employee)).get_json()
    assert [a["title"] for a in listed["items"]] == ["停车场施工"]


@pytest.mark.parametrize("config_overrides", [{"MAIL_DELIVERY": "queue", "JOBS_MODE": "worker"}])
def test_an_announcement_returns_at_once_and_the_worker_writes_every_message(
        client, make, kit, outbox):
    """To a park of 20,000 employees, building the messages in the request took seconds:
    the request queues one job, and the worker writes a message per employee."""
    colleague = make.user(Role.EMPLOYEE, enterprise=kit.enterprise)
    response = client.post(f"/api/v1/parks/{kit.park.id}/announcements",
                           headers=_headers(make, kit.committee),
                           json={"title": "体检通知", "body": "本周五体检车到园区。"})
    assert response.status_code == 201, response.get_json()
    assert db.session.scalars(select(OutboxMail)).all() == []
    job = db.session.scalar(select(Job).where(Job.kind == announcement_mail.KIND))
    assert job is not None and job.status is JobStatus.QUEUED

    assert jobs.run_queued() == 1

    db.session.expire_all()
    assert db.session.get(Job, job.id).status is JobStatus.SUCCEEDED
    assert sorted(m.to for m in db.session.scalars(select(OutboxMail))) == sorted(
        [kit.employee.email, colleague.email])


def test_an_announcement_about_another_parks_event_is_refused_and_nothing_is_written(
        client, make, kit, outbox):
    other_event = ParkKit(make).event()
    response = client.post(f"/api/v1/parks/{kit.park.id}/announcements",
                           headers=_headers(make, kit.committee),
                           json={"title": "x", "body": "y", "event_id": other_event.id})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "announcement_event_invalid"
    assert services.announcements_of([kit.park.id]) == [] and outbox == []


# -- restricted events and public feeds ----------------------------------------------------


def test_a_restricted_event_is_not_found_by_people_outside_its_audience(client, make, kit):
    event = kit.event(audience=[kit.enterprise.id])
    outsider = kit.employee_user(kit.make.enterprise(park=kit.park))
    _sign_in(client, outsider)
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/api/v1/events/{event.id}",
                      headers=_headers(make, outsider)).status_code == 404
    assert client.get("/api/v1/events", headers=_headers(make, outsider)).get_json()[
        "items"] == []
    _sign_in(client, kit.employee)
    assert client.get(f"/events/{event.id}").status_code == 200


def test_public_feeds_leave_restricted_events_out(client, kit):
    open_event = kit.event(day=3)
    kit.event(day=6, audience=[kit.enterprise.id])
    calendar = Calendar.from_ical(client.get(f"/parks/{kit.park.code}/events.ics").data)
    assert [c["uid"] for c in calendar.walk("VEVENT")] == [
        f"park-session-{open_event.sessions[0].id}@parkwell"]
    response = client.get(f"/parks/{kit.park.code}/events.atom?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 - our own output
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == ["TCM week"]
    assert entries[0].find(f"{atom}link").get("href").endswith(f"/events/{open_event.id}")


def test_a_restricted_events_cover_is_not_public(client, kit):
    from park import covers
    from tests.authz.matrix_park import TINY_PNG

    event = kit.event(audience=[kit.enterprise.id])
    covers.set_cover(event, actor=kit.committee, content=TINY_PNG, filename="c.png",
                     now=kit.now)
    db.session.commit()
    assert client.get(f"/events/{event.id}/cover").status_code == 404


# -- certificates ----------------------------------------------------------------------------


def _certified(kit):
    event = kit.event(kind=EventKind.COURSE, day=1)
    user = kit.employee_user()
    user.display_name = "王小明"
    reg = kit.register(event.sessions[0], user)
    checkin.check_in(event.sessions[0], code=reg.ticket_code, actor=kit.committee, now=kit.now)
    db.session.commit()
    return reg


def test_certificate_numbers_are_signed_and_cannot_be_guessed(kit):
    reg = _certified(kit)
    number = certificates.certificate_number(reg)
    assert number.startswith(f"PW-{reg.id:06d}-") and len(number.split("-")[2]) == 16
    check = certificates.verify(number)
    assert check is not None and check.initials == "王**" and check.event.id == reg.event.id
    forged = number[:-1] + ("A" if number[-1] != "A" else "B")
    assert certificates.verify(forged) is None
    assert certificates.verify(f"PW-{reg.id + 1:06d}-{number.split('-')[2]}") is None
    assert certificates.verify(f"PW-{reg.id:06d}") is None  # the old sequential form


def test_anyone_verifies_a_certificate_on_the_public_page(client, kit):
    reg = _certified(kit)
    number = certificates.certificate_number(reg)
    page = client.get(f"/certificates/verify/{number}", headers=ZH)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "王**" in text and "王小明" not in text and "中医药文化周" in text
    assert client.get(f"/certificates/verify/{number[:-2]}XX").status_code == 404


@pytest.mark.parametrize("config_overrides", [
    {"PARK_CERTIFICATE_FONT": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"}])
def test_the_certificate_embeds_its_font_and_a_qr_code_to_the_verification_page(
        client, kit, monkeypatch):
    reg = _certified(kit)
    urls = []

    def verify_url(number):
        urls.append(number)
        return f"https://parkwell.example/certificates/verify/{number}"

    monkeypatch.setattr(reg.user, "display_name", "Wang Xiaoming")
    reg.event.title_zh = ""
    reg.event.title_en = "First aid"
    pdf = certificates.certificate_pdf(reg, locale="en", verify_url=verify_url)
    assert certificates.fonts().embedded is not None  # reportlab's own Vera at least
    assert b"/FontFile2" in pdf  # a TrueType font program, embedded
    assert b"STSong-Light" not in pdf
    assert urls == [certificates.certificate_number(reg)]


def _pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream of a PDF (reportlab's), decoded: ASCII85 and Flate as its filters say."""
    found = []
    for match in re.finditer(rb"/Filter \[ ([^\]]*)\] /Length (\d+)\s*>>\s*stream\r?\n", pdf):
        data = pdf[match.end():match.end() + int(match.group(2))]
        for name in match.group(1).split():
            if name == b"/ASCII85Decode":
                data = base64.a85decode(data.strip().removesuffix(b"~>"))
            elif name == b"/FlateDecode":
                data = zlib.decompress(data)
        found.append(data)
    return found


def test_a_certificate_with_a_chinese_name_embeds_a_font_that_has_its_glyphs(kit):
    certificates._load_fonts.cache_clear()
    if not certificates.fonts().faces or not any(
            face.has(certificates.CJK_PROBE) for face in certificates.fonts().faces):
        reason = ("no CJK TrueType font is installed (apt-get install fonts-droid-fallback; "
                  ".ci/run installs it and sets PARKWELL_REQUIRE_CJK_FONT=1, so CI never skips)")
        if os.environ.get("PARKWELL_REQUIRE_CJK_FONT") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    reg = _certified(kit)  # 王小明, course 中医药文化周
    pdf = certificates.certificate_pdf(reg, locale="zh_CN", verify_url=lambda n: n)
    assert b"STSong-Light" not in pdf  # no glyph left to the reader's viewer
    assert b"/FontFile2" in pdf  # TrueType programs, embedded (subset)
    cmaps = b"".join(s for s in _pdf_streams(pdf) if b"beginbfchar" in s).upper()
    for char in "王小明中医药":
        assert f"<{ord(char):04X}>".encode() in cmaps, char  # mapped by an embedded subset


@pytest.mark.parametrize("config_overrides", [{"PARK_CERTIFICATE_FONT": "/nowhere/font.ttf"}])
def test_without_a_font_for_chinese_the_certificate_falls_back_to_the_cid_font(kit, caplog):
    reg = _certified(kit)
    certificates._warn_cid_once.cache_clear()
    monkey = certificates.FONT_CANDIDATES, certificates.FONT_FOLDERS
    try:
        certificates.FONT_CANDIDATES, certificates.FONT_FOLDERS = (), ()
        certificates._load_fonts.cache_clear()
        with caplog.at_level(logging.WARNING, logger="park.certificates"):
            pdf = certificates.certificate_pdf(reg, locale="zh_CN", verify_url=lambda n: n)
    finally:
        certificates.FONT_CANDIDATES, certificates.FONT_FOLDERS = monkey
        certificates._load_fonts.cache_clear()
    assert b"STSong-Light" in pdf
    assert "falling back to the non-embedded CID font" in caplog.text
    assert "not found" in caplog.text


def test_two_neighbouring_certificates_share_nothing_guessable(kit):
    first = _certified(kit)
    user = kit.employee_user()
    second = kit.register(first.session, user)
    checkin.check_in(first.session, code=second.ticket_code, actor=kit.committee, now=kit.now)
    db.session.commit()
    a, b = (certificates.certificate_number(r).split("-")[2] for r in (first, second))
    assert second.id == first.id + 1 and a != b
    assert sum(x == y for x, y in zip(a, b, strict=True)) < 8


@pytest.mark.parametrize("config_overrides", [{"MAIL_DELIVERY": "queue"}])
def test_a_moved_sessions_mail_is_queued_in_the_outbox_not_sent_in_the_request(
        client, make, kit, outbox):
    session = kit.session()
    kit.register(session)
    response = client.patch(f"/api/v1/sessions/{session.id}",
                            headers=_headers(make, kit.committee),
                            json={"venue_id": kit.add_venue(name="Garden").id})
    assert response.status_code == 200, response.get_json()
    assert outbox == []
    queued = db.session.scalars(select(OutboxMail)).all()
    assert [m.to for m in queued] == [kit.employee.email] and "Garden" in queued[0].body


def test_employees_reading_in_english_see_a_chinese_only_event_by_its_chinese_title(
        client, kit):
    event = kit.event()
    event.title_en = event.description_en = ""
    db.session.commit()
    _sign_in(client, kit.employee)
    listing = client.get("/events", headers=EN).get_data(as_text=True)
    page = client.get(f"/events/{event.id}", headers=EN).get_data(as_text=True)
    assert "中医药文化周" in listing and "中医药文化周" in page and "介绍" in page


def test_the_attendees_ticket_shows_the_certificate_number_linking_to_its_check(client, kit):
    reg = _certified(kit)
    _sign_in(client, reg.user)
    page = client.get(f"/tickets/{reg.id}", headers=ZH).get_data(as_text=True)
    number = certificates.certificate_number(reg)
    assert f'href="/certificates/verify/{number}"' in page
