"""Calendar apps keep bookings right: a cancelled booking reaches every feed as a newer
version (SEQUENCE raised, STATUS:CANCELLED), and the employee's own feed is the same text
until something changes, so that a poll is answered with 304."""

from __future__ import annotations

import icalendar

from booking import feeds as my_feeds
from booking import services
from core.clock import utcnow
from core.db import db
from providers import feeds as provider_feeds


def _booked(kit):
    user = kit.employee()
    booking = services.hold_slot(kit.service(), practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(), actor=user, now=utcnow())
    db.session.commit()
    return user, booking


def _event(data: bytes, uid: str):
    return next(e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
                if str(e["UID"]) == uid)


def test_a_cancelled_booking_reaches_the_practitioner_and_provider_feeds_as_a_newer_version(
        client, kit):
    _user, booking = _booked(kit)
    uid = f"booking-{booking.id}@parkwell"
    raw = provider_feeds.issue_practitioner_feed(kit.practitioner, actor=kit.owner)
    db.session.commit()
    url = f"/feeds/practitioners/{raw}.ics"
    before = _event(client.get(url).data, uid)
    assert before["STATUS"] == "CONFIRMED" and before["SEQUENCE"] == 0

    services.cancel_booking(booking, actor=kit.owner, now=utcnow(), reason="ill")
    db.session.commit()
    after = _event(client.get(url).data, uid)
    assert after["STATUS"] == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]  # or calendar apps keep the old one


def test_the_personal_feed_is_the_same_text_with_the_same_uids_on_every_fetch(client, kit):
    user, booking = _booked(kit)
    raw = my_feeds.issue_calendar_feed(user, now=utcnow())
    db.session.commit()
    url = f"/feeds/me/{raw}.ics"
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert icalendar.Calendar.from_ical(first.data)["UID"] == \
        icalendar.Calendar.from_ical(second.data)["UID"]
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Last-Modified"]

    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    services.cancel_booking(booking, actor=user, now=utcnow())
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    event = _event(changed.data, f"booking-{booking.id}@parkwell")
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
