"""A calendar app polls a practitioner's or a provider's feed every few minutes. The poll is
answered from counters that move with every row the feed shows, without reading a booking:
so every change the calendar would show must move the ETag, and a change elsewhere should
not."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import update

from booking import services
from booking.errors import SlotFull
from booking.models import Booking
from core.clock import utcnow
from core.db import db
from providers import feeds
from providers import services as provider_services
from providers.schemas import ExceptionData
from providers.services import profile_of
from tests.booking.factories import BookingKit, create_service
from tests.querycount import count_queries


def _feed(kit, practitioner=None) -> str:
    raw = feeds.issue_practitioner_feed(practitioner or kit.practitioner, actor=kit.owner)
    db.session.commit()
    return f"/feeds/practitioners/{raw}.ics"


def _provider_feed(kit) -> str:
    raw = feeds.issue_provider_feed(profile_of(kit.provider, now=utcnow()), actor=kit.owner)
    db.session.commit()
    return f"/feeds/providers/{raw}.ics"


def _book(kit, service, *, days: int = 3, practitioner=None) -> Booking:
    booking = services.hold_slot(service, practitioner_id=(practitioner or kit.practitioner).id,
                                 starts_at=kit.slot(days=days), actor=kit.employee(),
                                 now=utcnow())
    db.session.commit()
    return booking


def _time_off(kit, *, days: int) -> None:
    provider_services.add_exception(
        kit.practitioner, ExceptionData(kind="closed", happens_on=kit.slot(days).date()),
        actor=kit.owner, now=utcnow())
    db.session.commit()


def _summaries(data: bytes) -> list[str]:
    return [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def _still_fresh(client, url: str, etag: str) -> bool:
    return client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.fixture
def kit(make) -> BookingKit:
    return BookingKit(make)


def test_a_poll_that_finds_nothing_changed_reads_no_booking_or_exception(client, kit):
    _book(kit, kit.service())
    kit.practitioner.name_en = kit.practitioner.name_en  # nothing changes: nothing moves
    db.session.commit()
    url = _provider_feed(kit)
    etag = client.get(url).headers["ETag"]
    with count_queries() as log:
        assert _still_fresh(client, url, etag)
    read = " ".join(log.statements).lower()
    assert "bookings" not in read and "schedule_exceptions" not in read
    assert "freshness_stamps" in read
    # the token with its provider and park, the practitioners, the counters, and the
    # follow-ups (read on every poll: they name the patient)
    assert log.count == 4, log


@pytest.mark.parametrize("change", [
    "a booking made", "a booking cancelled", "a booking moved", "time off added",
    "the service renamed", "the practitioner renamed", "bookings written in bulk"])
def test_every_change_the_calendar_would_show_moves_the_etag(client, kit, change):
    service = kit.service()
    booking = _book(kit, service)
    if change == "the practitioner renamed":  # with a colleague, time off names whose it is
        kit.add_practitioner("Dr Li")
        _time_off(kit, days=6)
    url = _provider_feed(kit)
    first = client.get(url)
    assert _still_fresh(client, url, first.headers["ETag"])

    if change == "a booking made":
        _book(kit, service, days=4)
    elif change == "a booking cancelled":
        services.cancel_booking(booking, actor=kit.owner, now=utcnow(), reason="ill")
    elif change == "a booking moved":
        services.reschedule_booking(booking, actor=booking.client, now=utcnow(),
                                    starts_at=kit.slot(days=5))
    elif change == "time off added":
        _time_off(kit, days=6)
    elif change == "the service renamed":
        service.title_zh, service.title_en = "艾灸", "Moxibustion"
    elif change == "the practitioner renamed":
        kit.practitioner.name_zh = kit.practitioner.name_en = "Dr Zhang"
    elif change == "bookings written in bulk":
        db.session.execute(update(Booking).where(Booking.id == booking.id)
                           .values(updated_at=utcnow() + timedelta(minutes=1)))
    db.session.commit()

    assert not _still_fresh(client, url, first.headers["ETag"])
    second = client.get(url)
    assert second.headers["ETag"] != first.headers["ETag"]
    if change == "the service renamed":
        assert _summaries(second.data) == ["艾灸"] and _summaries(first.data) == ["推拿"]
    assert second.data != first.data
    if change == "the practitioner renamed":
        assert any("Dr Zhang" in summary for summary in _summaries(second.data))


def test_a_booking_with_another_practitioner_leaves_this_practitioners_feed_as_it_was(
        client, kit):
    colleague = kit.add_practitioner("Dr Li")
    db.session.commit()
    service = kit.service(practitioners=[kit.practitioner, colleague])
    mine, theirs = _feed(kit), _feed(kit, colleague)
    mine_etag, theirs_etag = (client.get(mine).headers["ETag"],
                              client.get(theirs).headers["ETag"])

    _book(kit, service, practitioner=colleague)

    assert _still_fresh(client, mine, mine_etag)
    assert not _still_fresh(client, theirs, theirs_etag)


def test_a_booking_of_another_provider_leaves_the_feed_as_it_was(client, kit, make):
    url = _provider_feed(kit)
    etag = client.get(url).headers["ETag"]
    other = BookingKit(make, park=kit.park)
    _book(other, other.service())
    other_service = create_service(other.provider, owner=other.owner,
                                   practitioners=[other.practitioner], now=utcnow(),
                                   title_zh="拔罐")
    other_service.title_zh = "刮痧"
    db.session.commit()
    assert _still_fresh(client, url, etag)


def test_the_feed_moves_on_once_a_day_as_old_bookings_leave_it(client, kit, fixed_clock):
    service = kit.service()
    _book(kit, service, days=1)
    url = _feed(kit)
    first = client.get(url)
    assert len(_summaries(first.data)) == 1

    fixed_clock.shift(timedelta(hours=1))  # the same day: nothing left the feed
    assert _still_fresh(client, url, first.headers["ETag"])

    fixed_clock.shift(timedelta(days=feeds.FEED_DAYS_BACK + 3))
    later = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200 and _summaries(later.data) == []


def test_a_newer_feed_says_it_was_modified_later(client, kit, fixed_clock):
    service = kit.service()
    url = _feed(kit)
    first = client.get(url)
    since = first.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304

    fixed_clock.shift(timedelta(minutes=2))
    _book(kit, service)
    again = client.get(url, headers={"If-Modified-Since": since})
    assert again.status_code == 200 and len(_summaries(again.data)) == 1
    assert again.headers["Last-Modified"] != since


def test_the_feed_counters_move_with_the_bookings_own_transaction(kit):
    """A refused booking writes nothing, so it moves no counter either."""
    service = kit.service()
    _book(kit, service)
    key = feeds.feed_key(kit.practitioner.id)
    before = db.session.execute(db.text(
        "SELECT version FROM freshness_stamps WHERE key = :key"), {"key": key}).scalar()
    with pytest.raises(SlotFull):
        _book(kit, service)
    db.session.rollback()
    after = db.session.execute(db.text(
        "SELECT version FROM freshness_stamps WHERE key = :key"), {"key": key}).scalar()
    assert before == after and before > 0


def test_a_new_price_of_the_service_leaves_the_feed_as_it_was(client, kit):
    service = kit.service()
    _book(kit, service)
    url = _provider_feed(kit)
    etag = client.get(url).headers["ETag"]
    service.price_minor = 16800  # the feed shows a service's title only
    db.session.commit()
    assert _still_fresh(client, url, etag)
